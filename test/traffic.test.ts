// The traffic counts behind the admin page's charts: the recorder's hours under an injected clock,
// into the store, and the buckets and percentiles of a range.
import test from 'ava';
import { HOUR, localHour, percentile, series, type TrafficHour, emptyHour, LATENCY_BOUNDS } from '../relay/core/traffic.ts';
import { TrafficRecorder } from '../relay/delivery/traffic.ts';
import { SqliteStore } from '../relay/store/sqlite/store.ts';
import { Stores } from './helpers/store.ts';

const H0 = 1_700_002_800_000;

test('the recorder counts into the hour of its clock, samples the backlog, and the store has it once flushed', async (t) => {
  const stores = await Stores.in(t, (dir) => new SqliteStore(dir));
  const store = await stores.open();
  let now = H0 + 10 * 60_000;
  let pending = [{ account: 'acc1', channel: 'ch1', n: 2 }, { account: 'acc1', channel: 'ch2', n: 1 }];
  const rec = new TrafficRecorder(store.traffic, { now: () => now, waiting: () => pending });
  rec.received('acc1', 'ch1', 3);
  rec.outcome('acc1', 'ch1', 'delivered', 20);
  rec.outcome('acc1', 'ch1', 'delivered', 900);
  rec.outcome('acc1', 'ch1', 'retrying', 30);
  rec.refused('acc1', 'ch2');
  rec.sampleBacklog();
  t.deepEqual(await store.traffic.hours('acc1', H0, H0 + 2 * HOUR), [], 'nothing reaches the store before a flush');
  await rec.flush();
  now += HOUR;
  pending = [{ account: 'acc1', channel: 'ch1', n: 1 }];
  rec.outcome('acc1', 'ch1', 'dead', 5_000);
  rec.sampleBacklog();
  await rec.stop();

  const [first, second] = await store.traffic.hours('acc1', H0, H0 + 2 * HOUR, 'ch1');
  t.like(first, { hour: H0, received: 3, delivered: 2, retried: 1, refused: 0, dead: 0, backlog: 2 });
  t.is(first!.latency[0], 1, '20 ms is in the first bucket (≤ 25 ms)');
  t.is(first!.latency[LATENCY_BOUNDS.indexOf(1_000)], 1, '900 ms is in the ≤ 1 s bucket');
  t.like(second, { hour: H0 + HOUR, dead: 1, delivered: 0, backlog: 1 });
  t.like((await store.traffic.hours('acc1', H0, H0 + HOUR, 'ch2'))[0], { refused: 1, backlog: 1 });
  t.deepEqual(await store.traffic.hours('acc2', H0, H0 + 2 * HOUR), []);
});

test('percentiles are the bound of the bucket the share falls in', (t) => {
  const hist = emptyHour(0).latency;
  t.is(percentile(hist, 0.5), undefined, 'no deliveries, no latency');
  hist[0] = 90; // ≤ 25 ms
  hist[5] = 10; // ≤ 1 s
  t.is(percentile(hist, 0.5), 25);
  t.is(percentile(hist, 0.9), 25);
  t.is(percentile(hist, 0.95), 1_000);
  hist[LATENCY_BOUNDS.length] = 100; // beyond the last bound
  t.is(percentile(hist, 0.95), LATENCY_BOUNDS.at(-1));
});

test('24 h is 24 hourly buckets ending with the current hour; 7 d 28 buckets of 6 hours; hours outside are left out', (t) => {
  const now = H0 + 30 * 60_000;
  const hour = (at: number, over: Partial<TrafficHour>): TrafficHour => ({ ...emptyHour(at), ...over });
  const hours = [
    hour(H0 - 24 * HOUR, { received: 100 }), // just before the 24 h window
    hour(H0 - 23 * HOUR, { received: 1, backlog: 3 }),
    hour(H0 - 22 * HOUR, { received: 2, backlog: 7 }),
    hour(H0, { received: 4, delivered: 4, latency: [4, ...emptyHour(0).latency.slice(1)] }),
  ];
  const day = series('24h', now, hours);
  t.is(day.buckets.length, 24);
  t.is(day.buckets[0]!.from, H0 - 23 * HOUR);
  t.is(day.buckets.at(-1)!.to, H0 + HOUR);
  t.deepEqual(day.buckets.map((b) => b.received).filter(Boolean), [1, 2, 4]);
  t.like(day.totals, { received: 7, delivered: 4, p50Ms: 25, p95Ms: 25, maxBacklog: 7 });
  t.is(day.buckets.at(-1)!.p50Ms, 25);
  t.is(day.buckets[0]!.p50Ms, undefined);

  const week = series('7d', now, hours);
  t.is(week.buckets.length, 28);
  t.is(week.buckets.at(-1)!.from % (6 * HOUR), 0, 'in UTC the 6-hour buckets start at 00, 06, 12, 18 h');
  t.true(week.buckets.at(-1)!.from <= H0 && H0 < week.buckets.at(-1)!.to, 'the last bucket holds the current hour');
  t.is(week.stepMs, 6 * HOUR);
  t.is(week.totals.received, 107);
  // The hours 23 and 22 before the current one share a 6-hour bucket: its backlog is their highest, not their sum.
  const shared = week.buckets.find((b) => b.from <= H0 - 23 * HOUR && H0 - 22 * HOUR < b.to)!;
  t.is(shared.backlog, 7);
});

test('7 d buckets start at 00, 06, 12 and 18 h on the account\'s clock, the last holding the current hour', (t) => {
  // 2026-12-03 13:40 UTC is 15:40 in Kyiv (UTC+2) and 19:10 in Kolkata (UTC+5:30).
  const now = Date.UTC(2026, 11, 3, 13, 40);
  const kyiv = series('7d', now, [], 'Europe/Kyiv');
  t.is(kyiv.buckets.length, 28);
  t.is(kyiv.buckets.at(-1)!.from, Date.UTC(2026, 11, 3, 10), '12:00 in Kyiv');
  t.is(kyiv.to, Date.UTC(2026, 11, 3, 16), '18:00 in Kyiv');
  t.is(kyiv.from, kyiv.to - 168 * HOUR);
  t.is(localHour(kyiv.buckets[0]!.from, 'Europe/Kyiv') % 6, 0);
  // A zone off the whole hour: the rollup's hours are whole UTC hours, so a bucket starts at the hour whose wall clock reads 18:xx.
  const kolkata = series('7d', now, [], 'Asia/Kolkata');
  t.is(localHour(kolkata.buckets.at(-1)!.from, 'Asia/Kolkata'), 18);
  t.true(kolkata.buckets.at(-1)!.from <= now && now < kolkata.to);
  // 24 h stays hourly, ending with the current hour, in any zone.
  t.is(series('24h', now, [], 'Asia/Kolkata').to, Date.UTC(2026, 11, 3, 14));
});
