// One slow account: its Planfix answers every request in 2 s. Another account's deliveries must
// not queue behind it, even when the slow one has more conversations waiting than the worker has
// delivery slots in all. Latencies are measured and reported; only a generous relation is asserted,
// and only under `npm run test:faults` (helpers/scale.ts, latencyBound).
import test from 'ava';
import { finish, record } from './helpers/results.ts';
import { percentile, sleep } from './helpers/http.ts';
import { Load } from './helpers/load.ts';
import { debug, latencyBound, scale, TIMEOUT } from './helpers/scale.ts';
import { arrivals, drained } from './helpers/tally.ts';
import { startWorld } from './helpers/world.ts';

test.after.always(() => finish(import.meta.url));

const SLOW_MS = 2000;

test('one slow account does not slow another account down', async (t) => {
  t.timeout(TIMEOUT);
  // Chat API only: REST is spaced at 1 request per second per account by design, a pace of its own.
  const w = await startWorld(t, { kinds: ['chatra', 'viber'], rest: false });
  const slow = await w.addAccount(['chatra'], { rest: false });
  const fast = new Load({ relay: w.relay, account: w.account, viberToken: w.viber.authToken, verboxToken: '' },
    { chatra: 3, viber: 3, intervalMs: 250 }, 'fast').start();
  t.teardown(() => fast.stop(0));

  // The fast account alone first: its own baseline on this machine, now.
  await sleep(scale(3000, 8000));
  const baselineEnd = Date.now();
  slow.pf.setDelay(SLOW_MS);
  // More conversations than the worker's 64 delivery slots, each with a message waiting on the slow Planfix.
  const crowd = new Load({ relay: w.relay, account: slow, viberToken: '', verboxToken: '' }, { chatra: scale(72, 100), intervalMs: scale(4000, 3000) }, 'slow').start();
  t.teardown(() => crowd.stop(0));
  const slowStart = Date.now();
  await sleep(scale(8000, 30_000));
  const slowEnd = Date.now();
  await Promise.all([fast.stop(), crowd.stop()]);
  debug('loads stopped; fast acked', fast.acked().length, 'slow acked', crowd.acked().length);
  // The slow Planfix recovers: its backlog (hundreds of 2 s requests, 8 at a time) then drains in seconds.
  slow.pf.setDelay(0);
  const fastResult = await drained(w.relay, [w.pf], fast.items, 30_000);
  const slowResult = await drained(w.relay, [slow.pf], crowd.items, 60_000);

  const firstAt = arrivals([w.pf, slow.pf]);
  const latency = (items: typeof fast.items, from: number, to: number) => items
    .filter((i) => i.ackedAt !== undefined && i.ackedAt >= from && i.ackedAt < to && firstAt.has(i.id))
    .map((i) => firstAt.get(i.id)! - i.ackedAt!);
  const base = latency(fast.items, 0, baselineEnd);
  // Acknowledged early enough to have arrived while the slow account was still slow.
  const during = latency(fast.items, slowStart, slowEnd - SLOW_MS);
  const slowLat = latency(crowd.items, slowStart, slowEnd - SLOW_MS);
  const row = {
    scenario: 'one slow account (2 s Planfix)',
    load: `fast account: chatra 3 + viber 3 conversations (${fast.acked().length} acked); slow account: ${scale(72, 100)} conversations (${crowd.acked().length} acked)`,
    faults: `every Planfix answer of the slow account delayed ${SLOW_MS / 1000} s`,
    inputs: fast.requests + crowd.requests,
    lost: fastResult.lost.length + slowResult.lost.length,
    duplicated: fastResult.duplicated + slowResult.duplicated,
    fiveXX: fast.fiveXX + crowd.fiveXX,
    notes: `fast account delivery p50/p95: alone ${percentile(base, 50)}/${percentile(base, 95)} ms, beside the slow one ${percentile(during, 50)}/${percentile(during, 95)} ms; slow account p50 ${percentile(slowLat, 50)} ms`,
  };
  record(import.meta.url, row);
  t.log(row);
  t.deepEqual([...fast.refused, ...crowd.refused], []);
  t.true(during.length > 10, `the fast account kept delivering (${during.length} measured)`);
  t.true(percentile(slowLat, 50) >= SLOW_MS, 'the slow account really was slow');
  // Generous: the fast account does not wait behind the slow one's 2 s answers.
  latencyBound(t, percentile(during, 95) < SLOW_MS, `fast account p95 ${percentile(during, 95)} ms stays below the slow account's ${SLOW_MS} ms`);
  t.deepEqual(fastResult.lost, []);
  t.deepEqual(slowResult.lost, []);
  t.is(fastResult.duplicated + slowResult.duplicated, 0);
});
