// The traffic of an account's channels as the admin page draws it: counts per clock hour (what the
// store keeps), summed into the buckets of a range, with latency percentiles read from a histogram.

import { wallClock } from './locale.ts';

export const HOUR = 3_600_000;

/** What happened to a channel's events in an hour. */
export interface TrafficCounts {
  /** Events journaled (duplicates not counted). */
  received: number;
  delivered: number;
  /** Failed attempts that were scheduled again. */
  retried: number;
  /** Webhooks answered 4xx/429/503 on a known channel: nothing of them journaled. */
  refused: number;
  dead: number;
}

export const COUNTS: (keyof TrafficCounts)[] = ['received', 'delivered', 'retried', 'refused', 'dead'];

/**
 * Upper bounds (ms) of the delivery-latency histogram's buckets, plus one beyond the last. Fixed
 * buckets add up across hours and channels, which exact values or sketches of them would not; a
 * percentile is then "at most this bound", coarse but never flattering. Loopback deliveries take
 * tens of ms, a retried one minutes to hours, and the relay gives up after 48 h.
 */
export const LATENCY_BOUNDS = [25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000, 60_000, 300_000, 900_000, HOUR, 6 * HOUR, 48 * HOUR];

/** One hour of one channel (or of the channels summed) as the store answers it. */
export interface TrafficHour extends TrafficCounts {
  /** Start of the clock hour, ms since the epoch. */
  hour: number;
  /** Delivered events per latency bucket: LATENCY_BOUNDS.length + 1 counts. */
  latency: number[];
  /** The most events seen waiting for delivery at once in the hour (sampled). */
  backlog: number;
}

/** An hour's additions, as the recorder hands them to the store. */
export type TrafficDelta = TrafficHour & { account: string; channel: string };

export const hourOf = (ms: number): number => Math.floor(ms / HOUR) * HOUR;

export function emptyHour(hour: number): TrafficHour {
  return { hour, received: 0, delivered: 0, retried: 0, refused: 0, dead: 0, latency: LATENCY_BOUNDS.map(() => 0).concat(0), backlog: 0 };
}

export function latencyBucket(ms: number): number {
  const i = LATENCY_BOUNDS.findIndex((b) => ms <= b);
  return i < 0 ? LATENCY_BOUNDS.length : i;
}

/** The bound below which at least `p` of the delivered events' latencies fell; undefined with none. */
export function percentile(hist: number[], p: number): number | undefined {
  const n = hist.reduce((a, x) => a + x, 0);
  if (!n) return undefined;
  let seen = 0;
  for (let i = 0; i < hist.length; i++) {
    seen += hist[i]!;
    if (seen >= p * n) return LATENCY_BOUNDS[Math.min(i, LATENCY_BOUNDS.length - 1)]!;
  }
  return LATENCY_BOUNDS.at(-1)!;
}

export const RANGES = { '24h': { hours: 24, step: 1 }, '7d': { hours: 168, step: 6 } } as const;
export type TrafficRange = keyof typeof RANGES;

export interface TrafficBucket extends TrafficCounts {
  from: number;
  to: number;
  p50Ms?: number;
  p95Ms?: number;
  backlog: number;
}

export interface TrafficSeries {
  range: TrafficRange;
  from: number;
  to: number;
  stepMs: number;
  buckets: TrafficBucket[];
  totals: TrafficCounts & { p50Ms?: number; p95Ms?: number; maxBacklog: number };
}

/** Where a range's hours start and end, the current (partial) hour being the last. */
export function rangeWindow(range: TrafficRange, now: number, timeZone = 'UTC'): { from: number; to: number } {
  const { hours, step } = RANGES[range];
  // Buckets of several hours start at a multiple of their length on the account's clock (00, 06,
  // 12, 18 h): the last one holds the current hour and the rest of its span, still empty.
  const into = step > 1 ? localHour(hourOf(now), timeZone) % step : 0;
  const to = hourOf(now) + (step - into) * HOUR;
  return { from: to - hours * HOUR, to };
}

/** The hour (0–23) on the wall clock of `timeZone` at `ms`; a zone off the whole hour counts its hour's start. */
export function localHour(ms: number, timeZone: string): number {
  return Number(wallClock(ms, timeZone).hour);
}

/** Sums the hours into the range's buckets (hourly for 24 h, 6-hourly for 7 d on the account's clock). */
export function series(range: TrafficRange, now: number, hours: TrafficHour[], timeZone = 'UTC'): TrafficSeries {
  const { from, to } = rangeWindow(range, now, timeZone);
  const stepMs = RANGES[range].step * HOUR;
  const sums = Array.from({ length: RANGES[range].hours / RANGES[range].step }, (_, i) => emptyHour(from + i * stepMs));
  const all = emptyHour(from);
  for (const h of hours) {
    const b = sums[Math.floor((h.hour - from) / stepMs)];
    if (!b) continue;
    for (const target of [b, all]) {
      for (const k of COUNTS) target[k] += h[k];
      h.latency.forEach((n, i) => { target.latency[i]! += n; });
    }
    // A bucket's backlog is the highest of its hours, not their sum: the same events wait across hours.
    b.backlog = Math.max(b.backlog, h.backlog);
    all.backlog = Math.max(all.backlog, h.backlog);
  }
  const summary = (s: TrafficHour) => ({ ...Object.fromEntries(COUNTS.map((k) => [k, s[k]])) as unknown as TrafficCounts, p50Ms: percentile(s.latency, 0.5), p95Ms: percentile(s.latency, 0.95) });
  return {
    range, from, to, stepMs,
    buckets: sums.map((s) => ({ from: s.hour, to: s.hour + stepMs, ...summary(s), backlog: s.backlog })),
    totals: { ...summary(all), maxBacklog: all.backlog },
  };
}
