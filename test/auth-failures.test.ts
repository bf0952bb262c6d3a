// Failed authentications by address (relay/http/auth-failures.ts): which are logged, how long each
// answer is held, the window they are counted in, the cap on answers held at once, the cap on
// addresses remembered. Time is the subject: a fake clock (helpers/fake-time.ts), exact holds.
// e2e-auth-failures.test.ts checks that the relay process holds its answers so.
import { Writable } from 'node:stream';
import test from 'ava';
import { pino } from 'pino';
import { AuthFailures, type AuthFailureLimits } from '../relay/http/auth-failures.ts';
import { fakeTime, type FakeTime } from './helpers/fake-time.ts';

const LIMITS: AuthFailureLimits = { windowMs: 60_000, free: 2, stepMs: 100, maxDelayMs: 250, maxWaiting: 2, maxAddresses: 3 };

interface Logged { msg: string; face: string; address: string; failures: number; windowS: number; delayMs: number }

function failures(limits = LIMITS): { auth: AuthFailures; logged: Logged[] } {
  const logged: Logged[] = [];
  const log = pino({ level: 'warn' }, new Writable({ write(chunk, _enc, cb) { logged.push(JSON.parse(String(chunk)) as Logged); cb(); } }));
  return { auth: new AuthFailures(log, limits, () => Date.now()), logged };
}

/** One failure: what it resolved to and how many ms of fake time its answer was held. */
async function fail(time: FakeTime, auth: AuthFailures, address = '192.0.2.1'): Promise<[string, number]> {
  let outcome: string | undefined;
  void auth.failed(address, 'admin').then((o) => { outcome = o; });
  await time.settle();
  let held = 0;
  while (outcome === undefined) {
    if (held > LIMITS.maxDelayMs) throw new Error('held past maxDelayMs');
    await time.advance(1);
    held++;
  }
  return [outcome, held];
}

test.serial('the free failures are answered at once; each one past them is held a step longer than the last, up to the most', async (t) => {
  const time = fakeTime(t);
  const { auth } = failures();
  const seen: [string, number][] = [];
  for (let i = 0; i < 6; i++) seen.push(await fail(time, auth));
  t.deepEqual(seen, [['now', 0], ['now', 0], ['held', 100], ['held', 200], ['held', 250], ['held', 250]]);
});

test.serial('logged at the 1st, 2nd, 4th, 8th… failure of a window, with the address, the face and the hold', async (t) => {
  const time = fakeTime(t);
  const { auth, logged } = failures();
  for (let i = 0; i < 9; i++) await fail(time, auth);
  t.deepEqual(logged.map((l) => [l.failures, l.delayMs]), [[1, 0], [2, 0], [4, 200], [8, 250]]);
  t.true(logged.every((l) => l.msg === 'authentication failed' && l.face === 'admin' && l.address === '192.0.2.1' && l.windowS === 60));
});

test.serial('failures are counted per address, over a window that starts again once it has passed', async (t) => {
  const time = fakeTime(t);
  const { auth, logged } = failures();
  for (let i = 0; i < 3; i++) await fail(time, auth);
  t.deepEqual(await fail(time, auth, '192.0.2.2'), ['now', 0], 'another address has its own count');
  await time.advance(LIMITS.windowMs - 100 - 1); // to the window's last millisecond (the 3rd was held 100 ms)
  t.deepEqual(await fail(time, auth), ['held', 200], 'the 4th, in the window\'s last millisecond');
  t.deepEqual(await fail(time, auth), ['now', 0], 'the next, after the window: the 1st of a new one');
  t.deepEqual(logged.filter((l) => l.address === '192.0.2.1').map((l) => l.failures), [1, 2, 4, 1]);
});

test.serial('past the answers held at once, a failure is refused at once (answered 429) rather than held', async (t) => {
  const time = fakeTime(t);
  const { auth } = failures();
  const outcomes: string[] = [];
  const pending = Array.from({ length: 5 }, (_, i) => auth.failed('192.0.2.10', 'webhook').then((o) => { outcomes[i] = o; }));
  await time.settle();
  t.deepEqual(outcomes, ['now', 'now', undefined, undefined, 'refuse'], 'two held (the cap), the next refused');
  await time.advance(200);
  await Promise.all(pending);
  t.deepEqual(outcomes, ['now', 'now', 'held', 'held', 'refuse']);
  t.is((await fail(time, auth, '192.0.2.10'))[0], 'held', 'once the held ones are answered, holding resumes');
});

test.serial('the oldest address is forgotten past the most remembered, so spoofed addresses cannot grow memory', async (t) => {
  const time = fakeTime(t);
  const { auth } = failures();
  await fail(time, auth, '192.0.2.1');
  await fail(time, auth, '192.0.2.1');
  t.deepEqual(await fail(time, auth, '192.0.2.1'), ['held', 100], 'remembered: its 3rd failure is held');
  for (const other of ['198.51.100.1', '198.51.100.2', '198.51.100.3']) await fail(time, auth, other);
  t.deepEqual(await fail(time, auth, '192.0.2.1'), ['now', 0], 'forgotten after three newer addresses: counted from 1 again');
});
