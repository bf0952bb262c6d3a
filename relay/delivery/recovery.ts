import { adapters as registry } from '../channels/index.ts';
import type { ChannelAdapter, LogWindow } from '../channels/channel.ts';
import type { Account, ChannelConfig } from '../core/account.ts';
import { boundRequest } from '../core/bounds.ts';
import { sleep, systemClock, type Clock } from '../core/clock.ts';
import type { InboundEvent } from '../core/events.ts';
import { effectiveLimits } from '../core/limits.ts';
import type { Logger } from '../log.ts';
import { recoveredEvents, recoveryRequests } from '../metrics.ts';
import { AnswerTooLargeError, type OutboundPolicy } from '../net/outbound.ts';
import type { RecoveryLog, RecoveryRun, RecoveryState } from '../store/store.ts';
import type { Inbox } from './inbox.ts';
import { coveredAfter, halves, pagesOf, windowFor, type WindowRules } from './recovery-window.ts';

/** How often the scheduler looks for channels whose run is due (new channels included). */
const TICK_MS = 1000;
/** Recovered events journaled per write: the backlog cap is checked between them. */
const CHUNK = 100;
const ERROR_LENGTH = 300;

export interface RecoveryDeps {
  accounts: { list(): Account[]; channel(id: string): { account: Account; channel: ChannelConfig } | undefined };
  store: RecoveryLog;
  inbox: Pick<Inbox, 'seen' | 'inbound'>;
  /** Events of an account waiting for delivery: reconciliation stops at the channel's backlog cap, as its webhooks do. */
  pendingFor(account: string): number;
  /** Several processes on one database: whether this one runs the reconciliation (the leader). */
  leads?: () => boolean;
  policy: OutboundPolicy;
  timeoutMs: number;
  log: Logger;
  clock?: Clock;
  /** The channels by kind; the registry unless a test brings its own. */
  adapters?: Record<string, ChannelAdapter>;
}

/** A channel's reconciliation as the admin API shows it. */
export interface RecoveryView {
  on: boolean;
  /** Why not: the channel lacks its keys, is turned off, or the relay has reconciliation off (RELAY_RECONCILE_MINUTES=0). */
  off?: 'no_key' | 'turned_off' | 'relay_off';
  everyMinutes: number;
  running: boolean;
  last?: {
    at: string; endedAt: string; from?: string; to?: string; requests: number; found: number; recovered: number; unfinished: number; skipped: number; error?: string; warning?: string;
  };
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Reconciliation: for each channel whose provider keeps a log (ChannelDef.recover), reads the log
 * on start and every interval over the span since the last run, and journals every final event
 * the relay has not seen through the same inbox a webhook goes through, under the same id (so a
 * late webhook is a duplicate), marked `recovered`. How far each channel's log was read is in the
 * store, so a restart goes on from there. A failure (a refused key, the network) is shown on the
 * channel and logged; the next run reads the same span again.
 */
export class Recovery {
  private readonly clock: Clock;
  private readonly adapters: Record<string, ChannelAdapter>;
  private readonly states = new Map<string, RecoveryState>();
  private readonly running = new Map<string, Promise<void>>();
  private readonly nextAt = new Map<string, number>();
  /** Journal writes in flight: stop() waits for them (never for a request to the provider). */
  private readonly writes = new Set<Promise<unknown>>();
  private timer: unknown;
  private stopped = false;

  constructor(private readonly deps: RecoveryDeps, private readonly rules: WindowRules) {
    this.clock = deps.clock ?? systemClock;
    this.adapters = deps.adapters ?? registry;
  }

  /** Loads where each channel's log was read to, forgets channels that are gone, and starts the runs. */
  async start(): Promise<void> {
    for (const s of await this.deps.store.all()) {
      if (this.deps.accounts.channel(s.channel)) this.states.set(s.channel, s);
      else await this.deps.store.drop(s.channel);
    }
    if (this.rules.intervalMs > 0) this.tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    await Promise.allSettled([...this.writes]);
  }

  /** Settles once the channel's run in progress, if any, has. */
  idle(channelId: string): Promise<void> {
    return this.running.get(channelId) ?? Promise.resolve();
  }

  status(c: ChannelConfig): RecoveryView | undefined {
    const adapter = this.adapters[c.kind];
    if (!adapter?.recover || !adapter.recovery) return undefined;
    const reading = adapter.recovery(c);
    const off = this.rules.intervalMs <= 0 ? 'relay_off' : 'off' in reading ? reading.off : undefined;
    const last = this.states.get(c.id)?.last;
    return {
      on: !off, ...(off ? { off } : {}), everyMinutes: this.rules.intervalMs / 60_000, running: this.running.has(c.id),
      ...(last ? {
        last: {
          at: iso(last.startedAt), endedAt: iso(last.endedAt), ...(last.from !== undefined ? { from: iso(last.from) } : {}), ...(last.to !== undefined ? { to: iso(last.to) } : {}),
          requests: last.requests, found: last.found, recovered: last.recovered, unfinished: last.unfinished, skipped: last.skipped,
          ...(last.error ? { error: last.error } : {}), ...(last.warning ? { warning: last.warning } : {}),
        },
      } : {}),
    };
  }

  private tick(): void {
    if (this.stopped) return;
    const now = this.clock.now();
    for (const account of this.deps.leads?.() === false ? [] : this.deps.accounts.list()) {
      for (const channel of account.channels) {
        if (this.running.has(channel.id) || (this.nextAt.get(channel.id) ?? 0) > now) continue;
        const adapter = this.adapters[channel.kind];
        const reading = adapter?.recovery?.(channel);
        if (!adapter?.recover || !reading || 'off' in reading) continue;
        this.nextAt.set(channel.id, now + this.rules.intervalMs);
        const run = this.run(account, channel, adapter, reading).finally(() => this.running.delete(channel.id));
        this.running.set(channel.id, run);
      }
    }
    this.timer = this.clock.setTimeout(() => this.tick(), Math.min(TICK_MS, this.rules.intervalMs));
  }

  /**
   * One run over the span since the last: page by page, pausing between requests; a full answer is
   * asked again in halves. After each page its events are journaled and the progress is stored.
   * Never throws: what went wrong is the run's `error`.
   */
  private async run(account: Account, channel: ChannelConfig, adapter: ChannelAdapter, reading: { pageMs: number; pauseMs: number }): Promise<void> {
    const kind = channel.kind;
    const startedAt = this.clock.now();
    const prev = this.states.get(channel.id);
    const w = windowFor(prev?.coveredTo, Date.parse(channel.createdAt) || startedAt, startedAt, this.rules);
    const run: RecoveryRun = { startedAt, endedAt: startedAt, requests: 0, found: 0, recovered: 0, unfinished: 0, skipped: 0, ...(w.from < w.to ? { from: w.from, to: w.to } : {}) };
    let covered = Math.max(prev?.coveredTo ?? w.from, w.from);
    let hold: number | undefined;
    const queue: LogWindow[] = pagesOf(w, reading.pageMs);
    const log = this.deps.log.child({ account: account.id, channel: channel.id });
    try {
      while (queue.length && !this.stopped) {
        if (run.requests) await sleep(this.clock, reading.pauseMs);
        if (this.stopped) break;
        const page = queue.shift()!;
        run.requests++;
        const got = await adapter.recover!(page, { account, channel, policy: this.deps.policy, timeoutMs: this.deps.timeoutMs }).catch((err: unknown) => {
          recoveryRequests.inc({ kind, outcome: 'error' });
          // An answer too large to read is asked again in halves, as a full one is.
          if (err instanceof AnswerTooLargeError && halves(page)) return undefined;
          throw err;
        });
        if (!got) {
          queue.unshift(...halves(page)!);
          continue;
        }
        recoveryRequests.inc({ kind, outcome: 'ok' });
        // A channel deleted or the relay stopping meanwhile: what was read is not journaled.
        if (this.stopped || !this.deps.accounts.channel(channel.id)) break;
        const split = got.full ? halves(page) : undefined;
        if (split) {
          queue.unshift(...split);
          continue;
        }
        run.found += got.events.length;
        run.skipped += got.skipped ?? 0;
        run.unfinished += got.unfinished ?? 0;
        if (got.warning) run.warning = this.scrub(channel, got.warning).slice(0, ERROR_LENGTH);
        if (got.unfinishedFrom !== undefined) hold = Math.min(hold ?? got.unfinishedFrom, got.unfinishedFrom);
        const taken = await this.journal(account, channel, got.events);
        run.recovered += taken.journaled;
        run.skipped += taken.skipped;
        if (taken.postponed) {
          run.error = `the account has ${effectiveLimits(channel.limits).accountBacklog} or more events waiting for Planfix: the rest is read in the next run`;
          break;
        }
        covered = coveredAfter(page, hold, covered);
        await this.save({ channel: channel.id, account: account.id, coveredTo: covered, ...(prev?.last ? { last: prev.last } : {}) });
      }
    } catch (err) {
      run.error = this.scrub(channel, (err as Error).message ?? String(err)).slice(0, ERROR_LENGTH);
      log.warn({ kind, requests: run.requests, error: run.error }, 'reconciliation with the provider\'s log failed; the next run reads the same span again');
    }
    // Stopping: the store is about to close; the next start reads from the last page saved.
    if (this.stopped) return;
    run.endedAt = this.clock.now();
    if (run.recovered) log.info({ kind, found: run.found, recovered: run.recovered, from: run.from, to: run.to }, 'reconciliation recovered events whose webhook never came');
    await this.save({ channel: channel.id, account: account.id, coveredTo: covered, last: run }).catch((err: unknown) => {
      log.warn({ err }, 'reconciliation state not saved; the next run reads the span again');
    });
  }

  private async save(s: RecoveryState): Promise<void> {
    // Stopping: stop() waits for the writes already made, and the store closes after it.
    if (this.stopped || !this.deps.accounts.channel(s.channel)) return;
    this.states.set(s.channel, s);
    await this.track(this.deps.store.put(s));
  }

  /**
   * Journals the events the relay has not seen, in chunks, through the inbox as a webhook's are;
   * stops at the account's backlog cap (`postponed`). Each is bounded as a webhook's would be; one
   * that cannot be (an id no provider gives) is skipped.
   */
  private async journal(account: Account, channel: ChannelConfig, events: InboundEvent[]): Promise<{ journaled: number; skipped: number; postponed: boolean }> {
    const seen = await this.deps.inbox.seen(channel, events);
    let skipped = 0;
    const fresh: InboundEvent[] = [];
    for (const ev of events) {
      if (seen.has(ev.eventId)) continue;
      try {
        fresh.push({ ...boundRequest([ev], () => false)[0]!, recovered: true });
      } catch {
        skipped++;
      }
    }
    let journaled = 0;
    const cap = effectiveLimits(channel.limits).accountBacklog;
    for (let i = 0; i < fresh.length; i += CHUNK) {
      if (this.stopped) break;
      if (this.deps.pendingFor(account.id) >= cap) return { journaled, skipped, postponed: true };
      const entries = await this.track(this.deps.inbox.inbound(account, channel, fresh.slice(i, i + CHUNK)));
      journaled += entries.length;
      recoveredEvents.inc({ kind: channel.kind }, entries.length);
    }
    return { journaled, skipped, postponed: false };
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.writes.add(p);
    return p.finally(() => this.writes.delete(p));
  }

  /** A provider's words may echo what it was sent: the channel's secrets never reach the page or the log. */
  private scrub(channel: ChannelConfig, text: string): string {
    let out = text;
    for (const k of this.adapters[channel.kind]?.secretFields ?? []) {
      const v = channel.settings[k];
      if (typeof v === 'string' && v.length >= 4) out = out.split(v).join('****');
    }
    return out;
  }
}
