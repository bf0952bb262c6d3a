import { RetryableError } from '../errors.ts';
import { restLimiterWaits } from '../metrics.ts';
import { currentSlot } from '../slot.ts';

/** The REST pace shared by several relay processes on one database (store/postgres/pace.ts). */
export interface RestPace {
  /** Takes the account's next free moment: how long to wait for it, or how long the quota pause still runs. */
  reserve(account: string, intervalMs: number): Promise<{ waitMs: number; pausedMs: number }>;
  pause(account: string, ms: number): Promise<void>;
}

/**
 * One account's REST requests, one at a time, each starting at least an interval after the
 * previous one's answer came back. Spacing answers rather than sends keeps Planfix's count of
 * arrivals under 1 per second however the network delays a request. The daily quota pause
 * fails requests at once.
 *
 * A delivery that has to wait here gives its worker slot back for the wait and the request, and
 * takes one again after the answer: at 1 request per second, deliveries queued for REST would
 * otherwise hold every slot of the account while its work that needs no REST (a known caller's
 * pop-up, chat messages) waits behind them for minutes.
 */
export class Throttle {
  private next = 0;
  private pausedUntil = 0;
  private tail: Promise<void> = Promise.resolve();
  private stopped = false;
  /** Wakes the one request waiting for its turn (they run one at a time), for stop(). */
  private wake: (() => void) | undefined;
  /** Requests in run(), the one being sent included. */
  private queued = 0;
  waits = 0;

  /** `shared`: other processes send for the account too; each request also reserves its moment there. */
  constructor(private readonly intervalMs: number, private readonly shared?: { pace: RestPace; account: string }) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    const before = this.tail;
    let release!: () => void;
    this.tail = new Promise<void>((r) => { release = r; });
    const slot = this.queued++ > 0 || this.next > Date.now() ? currentSlot.getStore() : undefined;
    slot?.park();
    try {
      await before;
      const now = Date.now();
      if (this.pausedUntil > now) throw new RetryableError('Planfix REST daily quota exhausted; paused', this.pausedUntil - now, 'quota');
      if (this.next > now) await this.sleep(this.next - now);
      if (this.shared && !this.stopped) {
        const { waitMs, pausedMs } = await this.reserve(this.shared);
        if (pausedMs > 0) {
          this.pausedUntil = Date.now() + pausedMs;
          throw new RetryableError('Planfix REST daily quota exhausted; paused', pausedMs, 'quota');
        }
        await this.sleep(waitMs);
      }
      // Not sent, so nothing to repeat: the delivery resumes at this request after the restart.
      if (this.stopped) throw new RetryableError('the relay is stopping: Planfix REST request not sent');
      return await fn();
    } finally {
      this.next = Date.now() + this.intervalMs;
      this.queued--;
      release();
      // After release: waiting for a slot while holding the limiter would stall the account's REST.
      await slot?.unpark();
    }
  }

  private async sleep(ms: number): Promise<void> {
    if (ms <= 0 || this.stopped) return;
    this.waits++;
    restLimiterWaits.inc();
    await new Promise<void>((r) => {
      const timer = setTimeout(r, ms);
      this.wake = () => { clearTimeout(timer); r(); };
    });
    this.wake = undefined;
  }

  private async reserve(shared: { pace: RestPace; account: string }): Promise<{ waitMs: number; pausedMs: number }> {
    try {
      return await shared.pace.reserve(shared.account, this.intervalMs);
    } catch (err) {
      // Without the shared pace, sending could pass Planfix's limit with the other processes: not sent.
      throw new RetryableError(`the shared REST pace is unavailable (${(err as Error).message}): Planfix REST request not sent`);
    }
  }

  /**
   * Resolves once no request waits or runs and the interval since the last answer has passed, or
   * the limiter stops: background work (the phone book mirror) sends only into an idle limiter, so
   * a delivery never queues behind more than the one request it may have just sent.
   */
  async idle(pollMs = 100): Promise<void> {
    while (!this.stopped && (this.queued > 0 || this.next > Date.now())) {
      await new Promise((r) => setTimeout(r, Math.max(pollMs, this.next - Date.now())));
    }
  }

  pause(ms: number): void {
    this.pausedUntil = Date.now() + ms;
    void this.shared?.pace.pause(this.shared.account, ms).catch(() => undefined);
  }

  /**
   * Sends nothing more: requests waiting for their turn fail at once (retryable), the one already
   * sent finishes. A stopping relay finishes its deliveries in flight; at 1 request per second
   * those queued behind this limiter would otherwise hold the exit up for as many seconds.
   */
  stop(): void {
    this.stopped = true;
    this.wake?.();
  }
}
