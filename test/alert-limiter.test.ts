// The dead-letter alerts' pacing (relay/alerts/limiter.ts): on a clock the test moves by hand (no
// sleeps), over the real SQLite store, so "survives a restart" means a closed and reopened database.
import test, { type ExecutionContext } from 'ava';
import pino from 'pino';
import { AlertLimiter, dueAt, type Alert } from '../relay/alerts/limiter.ts';
import { SqliteStore } from '../relay/store/sqlite/store.ts';
import { ManualClock } from './helpers/manual-clock.ts';
import { Stores } from './helpers/store.ts';

const MIN = 60_000;
const PACING = { intervalMs: 15 * MIN, gatherMs: 10_000 };
const T0 = 1_700_000_000_000;

async function world(t: ExecutionContext, send?: (account: string, a: Alert) => Promise<void>) {
  const stores = await Stores.in(t, (dir) => new SqliteStore(dir));
  const clock = new ManualClock(T0);
  const sent: [string, Alert, number][] = [];
  const make = (store: SqliteStore) => new AlertLimiter(store.alerts, PACING, send ?? (async (account, a) => { sent.push([account, a, clock.now()]); }), pino({ level: 'silent' }), clock);
  const store = await stores.open();
  return { stores, store, clock, sent, limiter: make(store), make };
}

test('dueAt: nothing to say, the first after the gathering, later ones an interval after the last', (t) => {
  t.is(dueAt({ unsent: 0 }, PACING), undefined);
  t.is(dueAt({ unsent: 1, firstAt: T0 }, PACING), T0 + 10_000);
  t.is(dueAt({ unsent: 2, firstAt: T0, lastSentAt: T0 - MIN }, PACING), T0 - MIN + 15 * MIN);
  t.is(dueAt({ unsent: 2, firstAt: T0, lastSentAt: T0 - 20 * MIN }, PACING), T0 + 10_000, 'long after the last: only the gathering');
});

test('a burst is one alert naming its count; an outage after it is one alert per interval with the count since the last', async (t) => {
  const { limiter, clock, sent } = await world(t);
  for (let i = 0; i < 3; i++) await limiter.dead('acc1');
  t.deepEqual(sent, [], 'nothing before the gathering ends');
  clock.advance(9_999);
  await limiter.idle('acc1');
  t.deepEqual(sent, []);
  clock.advance(1);
  await limiter.idle('acc1');
  t.deepEqual(sent, [['acc1', { count: 3, since: T0 }, T0 + 10_000]]);

  // The outage goes on: a thousand more over the next 20 minutes.
  for (let i = 0; i < 1000; i++) {
    clock.advance(1_200);
    await limiter.dead('acc1');
  }
  t.is(sent.length, 2, 'one more alert in 20 minutes, not a thousand');
  t.is(sent[1]![1].count, 749, 'one every 1.2 s in the 15 minutes after the first alert (the one at its due time comes after it)');
  t.is(sent[1]![2], T0 + 10_000 + 15 * MIN, 'exactly one interval after the first');
  clock.advance(15 * MIN);
  await limiter.idle('acc1');
  t.is(sent.length, 3);
  t.is(sent.reduce((n, [, a]) => n + a.count, 0), 1003, 'every dead letter named in exactly one alert');
  clock.advance(60 * MIN);
  await limiter.idle('acc1');
  t.is(sent.length, 3, 'nothing new, no alert');
  t.is(clock.pending, 0);
});

test('accounts are paced apart: one account\'s outage does not silence another', async (t) => {
  const { limiter, clock, sent } = await world(t);
  await limiter.dead('acc1');
  clock.advance(10_000);
  await limiter.idle('acc1');
  await limiter.dead('acc2');
  clock.advance(10_000);
  await limiter.idle('acc2');
  t.deepEqual(sent.map(([a, x]) => [a, x.count]), [['acc1', 1], ['acc2', 1]]);
});

test('the pacing survives a restart: a crash loop dying on every start alerts once per interval', async (t) => {
  const { stores, clock, sent, make } = await world(t);
  let store = await stores.open();
  let limiter = make(store);
  await limiter.start();
  await limiter.dead('acc1');
  clock.advance(10_000);
  await limiter.idle('acc1');
  t.is(sent.length, 1);
  // Ten crashes a minute apart, each start making a dead letter again.
  for (let i = 0; i < 10; i++) {
    limiter.stop();
    store = await stores.reopen(store);
    limiter = make(store);
    await limiter.start();
    await limiter.dead('acc1');
    clock.advance(MIN);
    await limiter.idle('acc1');
  }
  t.is(sent.length, 1, 'no alert again within the interval, whatever the restarts');
  clock.advance(5 * MIN);
  await limiter.idle('acc1');
  t.deepEqual(sent.map(([, a]) => a.count), [1, 10], 'the restarts\' dead letters in one alert, an interval after the first');
});

test('an alert pending when the relay stopped goes after the restart', async (t) => {
  const { stores, clock, sent, make, store, limiter } = await world(t);
  await limiter.dead('acc1');
  await limiter.dead('acc1');
  limiter.stop();
  const again = make(await stores.reopen(store));
  clock.advance(60_000);
  t.deepEqual(sent, [], 'the stopped one sends nothing');
  await again.start();
  clock.advance(0);
  await again.idle('acc1');
  t.deepEqual(sent.map(([a, x, at]) => [a, x.count, at]), [['acc1', 2, T0 + 60_000]]);
});

test('an alert that fails is logged and not tried again; later dead letters get their own alert', async (t) => {
  let calls = 0;
  const { limiter, clock, store } = await world(t, async () => { calls++; throw new Error('receiver down'); });
  await limiter.dead('acc1');
  clock.advance(10_000);
  await limiter.idle('acc1');
  await new Promise((r) => setImmediate(r));
  t.is(calls, 1);
  clock.advance(60 * MIN);
  await limiter.idle('acc1');
  t.is(calls, 1, 'never retried, never loops');
  t.like(await store.alerts.get('acc1'), { unsent: 0, lastSentAt: T0 + 10_000 });
  await limiter.dead('acc1');
  clock.advance(10_000);
  await limiter.idle('acc1');
  t.is(calls, 2);
});
