import { emptyHour, hourOf, latencyBucket, type TrafficDelta } from '../core/traffic.ts';
import type { TrafficLog } from '../store/store.ts';

export interface TrafficOptions {
  now?: () => number;
  /** How often the counts go to the store. */
  flushMs?: number;
  /** How often the backlog is sampled. */
  sampleMs?: number;
  /** How many events wait for delivery per account and channel, for the backlog. */
  waiting?: () => Iterable<{ account: string; channel: string; n: number }>;
}

/**
 * Counts the traffic for the admin page's charts (core/traffic.ts) in memory and hands the sums to
 * the store every few seconds: a flood of refused webhooks is then a counter going up, not a write
 * per request. Memory holds one row per channel that saw traffic since the last flush. Counts not
 * yet flushed when the process dies are lost: the charts are a view, the journal is the record.
 */
export class TrafficRecorder {
  private open = new Map<string, TrafficDelta>();
  private timers: NodeJS.Timeout[] = [];
  private readonly now: () => number;

  constructor(private readonly log: TrafficLog, private readonly opts: TrafficOptions = {}) {
    this.now = opts.now ?? Date.now;
  }

  private row(account: string, channel: string): TrafficDelta {
    const hour = hourOf(this.now());
    const key = `${account}\n${channel}\n${hour}`;
    let d = this.open.get(key);
    if (!d) this.open.set(key, d = { account, channel, ...emptyHour(hour) });
    return d;
  }

  received(account: string, channel: string, n = 1): void {
    if (n > 0) this.row(account, channel).received += n;
  }

  /** A webhook on a known channel answered 4xx, 429 or 503: nothing of it was journaled. */
  refused(account: string, channel: string): void {
    this.row(account, channel).refused++;
  }

  outcome(account: string, channel: string, outcome: 'delivered' | 'retrying' | 'dead', latencyMs: number): void {
    const d = this.row(account, channel);
    if (outcome === 'delivered') {
      d.delivered++;
      d.latency[latencyBucket(latencyMs)]!++;
    } else if (outcome === 'retrying') d.retried++;
    else d.dead++;
  }

  /** How many of the account's events (or one channel's) wait for delivery now. */
  waiting(account: string, channel?: string): number {
    let n = 0;
    for (const w of this.opts.waiting?.() ?? []) if (w.account === account && (channel === undefined || w.channel === channel)) n += w.n;
    return n;
  }

  /** Notes how many events of each channel wait now; the hour keeps the highest. */
  sampleBacklog(): void {
    for (const c of this.opts.waiting?.() ?? []) {
      const d = this.row(c.account, c.channel);
      d.backlog = Math.max(d.backlog, c.n);
    }
  }

  /** Hands what was counted to the store; resolves once it is durable (the admin API waits for it). */
  flush(): Promise<void> {
    if (!this.open.size) return Promise.resolve();
    const rows = [...this.open.values()];
    this.open = new Map();
    return this.log.add(rows);
  }

  start(): void {
    const every = (ms: number, fn: () => void) => this.timers.push(setInterval(fn, ms).unref());
    every(this.opts.flushMs ?? 5_000, () => void this.flush().catch(() => undefined));
    every(this.opts.sampleMs ?? 60_000, () => this.sampleBacklog());
    this.sampleBacklog();
  }

  stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    return this.flush();
  }
}
