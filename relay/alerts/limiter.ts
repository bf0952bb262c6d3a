import { systemClock, type Clock } from '../core/clock.ts';
import type { Logger } from '../log.ts';
import type { AlertLog, AlertState } from '../store/store.ts';

/** How alerts are paced: at most one per account per `intervalMs`, the first `gatherMs` after its first dead letter. */
export interface AlertPacing {
  intervalMs: number;
  gatherMs: number;
}

/** When the account's next alert is due; undefined while there is nothing to alert about. */
export function dueAt(s: AlertState, p: AlertPacing): number | undefined {
  if (s.unsent <= 0) return undefined;
  const gathered = (s.firstAt ?? 0) + p.gatherMs;
  return s.lastSentAt === undefined ? gathered : Math.max(gathered, s.lastSentAt + p.intervalMs);
}

/** What an alert says: how many new dead letters, since when. */
export interface Alert {
  count: number;
  since: number;
}

/**
 * Turns an account's dead letters into at most one alert per interval, the alert naming how many
 * came since the last one. The count and the time of the last alert are in the store, so a restart
 * (a crash loop) neither forgets them nor alerts sooner. An alert is recorded as sent before it
 * goes and is never tried again: a failure is logged, and the next alert's count starts afresh.
 */
export class AlertLimiter {
  private readonly timers = new Map<string, unknown>();
  /** Each account's store work, one step after another, so a count never races an alert's record. */
  private readonly chains = new Map<string, Promise<void>>();
  private stopped = false;

  constructor(
    private readonly store: AlertLog,
    private readonly pacing: AlertPacing,
    private readonly send: (account: string, alert: Alert) => Promise<void>,
    private readonly log: Logger,
    private readonly clock: Clock = systemClock,
  ) {}

  /** Schedules the alerts that were due or pending when the relay last stopped. */
  async start(): Promise<void> {
    for (const { account, state } of await this.store.waiting()) this.schedule(account, state);
  }

  /** A customer's message of the account became a dead letter. Never throws, never waits for an alert. */
  dead(account: string): Promise<void> {
    return this.step(account, async () => this.schedule(account, await this.store.count(account, 1, this.clock.now())));
  }

  /** Settles once the account's counting and alerting so far has (for tests and shutdown). */
  idle(account: string): Promise<void> {
    return this.chains.get(account) ?? Promise.resolve();
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers.values()) this.clock.clearTimeout(t);
    this.timers.clear();
  }

  private step(account: string, fn: () => Promise<void>): Promise<void> {
    const next = (this.chains.get(account) ?? Promise.resolve()).then(fn).catch((err: unknown) => {
      this.log.warn({ account, err }, 'dead-letter alert not counted or not sent');
    });
    this.chains.set(account, next);
    void next.then(() => { if (this.chains.get(account) === next) this.chains.delete(account); });
    return next;
  }

  private schedule(account: string, state: AlertState): void {
    if (this.stopped || this.timers.has(account)) return;
    const at = dueAt(state, this.pacing);
    if (at === undefined) return;
    this.timers.set(account, this.clock.setTimeout(() => {
      this.timers.delete(account);
      void this.step(account, () => this.fire(account));
    }, Math.max(0, at - this.clock.now())));
  }

  private async fire(account: string): Promise<void> {
    const state = await this.store.get(account);
    const at = dueAt(state, this.pacing);
    if (at === undefined) return;
    const now = this.clock.now();
    if (at > now) return this.schedule(account, state);
    const after = await this.store.sent(account, state.unsent, now, state.lastSentAt);
    // Another relay process on the database sent it (and schedules the next).
    if (!after) return;
    // Not awaited in the account's chain: a slow receiver must not hold up the counting.
    this.send(account, { count: state.unsent, since: state.firstAt ?? now }).catch((err: unknown) => {
      this.log.warn({ account, count: state.unsent, err }, 'dead-letter alert failed; not tried again');
    });
    this.schedule(account, after);
  }
}
