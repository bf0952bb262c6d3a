// Failed authentications are logged (never with the credential) and, repeated from one address,
// slowed down; a right credential is never held back.
import test from 'ava';
import { ADMIN_TOKEN, RelayProcess } from './helpers/relay-process.ts';

interface LogLine { msg?: string; face?: string; address?: string; failures?: number; delayMs?: number }
const lines = (out: string): LogLine[] => out.split('\n').flatMap((l) => { try { return [JSON.parse(l) as LogLine]; } catch { return []; } });

test('wrong admin tokens are logged without the token, slowed down past five a minute, and a right token still goes through at once', async (t) => {
  const relay = await RelayProcess.start();
  t.teardown(() => relay.stop());
  const wrong = 'wrong-token-that-must-never-be-logged-0001';
  const started = Date.now();
  const statuses: number[] = [];
  for (let i = 0; i < 10; i++) statuses.push((await relay.api('GET', '/api/accounts', undefined, wrong)).status);
  const tookMs = Date.now() - started;
  t.deepEqual(statuses, Array(10).fill(401));
  // Past five free failures each waits 200 ms more than the last: 200 + 400 + … + 1000 = 3 s at least (a lower bound; a slow machine only adds).
  t.true(tookMs >= 3000, `ten failures took ${tookMs} ms`);

  const failed = (out: string) => lines(out).filter((l) => l.msg === 'authentication failed');
  const logged = failed(await relay.waitForOutput((out) => failed(out).length >= 4));
  // The 1st, 2nd, 4th and 8th of the window: readable under a flood.
  t.deepEqual(logged.map((l) => l.failures), [1, 2, 4, 8]);
  t.true(logged.every((l) => l.face === 'admin' && l.address === '127.0.0.1'));
  t.is(logged.at(-1)!.delayMs, 600);
  t.false(relay.output.includes(wrong), 'the wrong token is not in the log');

  const right = await relay.api('GET', '/api/accounts');
  t.is(right.status, 200);
  t.false(relay.output.includes(ADMIN_TOKEN));
});

test('every face that checks a credential counts its failures: webhook secrets, Planfix callback tokens, widget keys', async (t) => {
  const relay = await RelayProcess.start();
  t.teardown(() => relay.stop());
  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  const tries: [string, RequestInit][] = [
    ['/hooks/no-such-channel/secret-0000000000000', { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } }],
    ['/planfix/no-such-account/chat', { method: 'POST', body: 'cmd=newMessage&token=t0k3n-not-logged', headers: form }],
    ['/planfix/no-such-account/telephony', { method: 'POST', body: 'cmd=ping&token=t0k3n-not-logged', headers: form }],
    ['/widget/no-such-account/tasks/1', { headers: { 'x-widget-key': 'k3y-not-logged' } }],
  ];
  for (const [path, init] of tries) t.true([401, 404].includes((await fetch(`${relay.url}${path}`, init)).status), path);
  const failed = (out: string) => lines(out).filter((l) => l.msg === 'authentication failed');
  const faces = failed(await relay.waitForOutput((out) => failed(out).length >= 3)).map((l) => `${l.face}:${l.failures}`);
  // One tally per address across faces, logged at the 1st, 2nd and 4th: the telephony failure is the uncounted-in-the-log 3rd.
  t.deepEqual(faces, ['webhook:1', 'planfix-chat:2', 'widget:4']);
  t.false(relay.output.includes('not-logged'));
  t.false(relay.output.includes('secret-0000000000000'), 'the webhook path with its secret is not logged');
});
