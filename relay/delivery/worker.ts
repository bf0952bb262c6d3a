import { preview } from './activity.ts';
import type { Logger } from '../log.ts';
import { deliveryLatency, eventsDelivered, eventsFailed } from '../metrics.ts';
import { RetryableError } from '../errors.ts';
import { deliver, type DeliverDeps } from './deliver.ts';
import type { AccountStore } from '../store/accounts.ts';
import type { ActivityLog, Entry, Journal, Store } from '../store/store.ts';
import { currentSlot, type Slot } from '../slot.ts';
import { Fifo } from './fifo.ts';

export interface WorkerOptions {
  retry: { baseMs: number; maxMs: number; giveUpAfterMs: number };
  /** Conversations of one account in flight at once: a slow account cannot take every slot. */
  perAccount?: number;
  global?: number;
}

/**
 * Drains the journal. Each key (one conversation or call) is a FIFO worked one event at a time,
 * so Planfix sees its events in arrival order; keys run in parallel. A failing head blocks only
 * its own key while it backs off.
 *
 * Slots: a delivery holds one of its account's `perAccount` slots (and one of the `global` ones)
 * while it works, except while it waits for the account's Planfix REST limiter (1 request a
 * second): then it parks, its slot goes to the next key, and it takes a slot again after its
 * request, ahead of keys not started yet. Its key stays taken throughout, so the key's order
 * holds. Without parking, a hundred fake calls from new numbers (each ~6 REST requests) held all
 * eight slots for minutes while a known caller's pop-up, which needs no REST, waited behind them.
 * Chosen over a separate slot budget for REST-bound work because whether a delivery needs REST is
 * known only once it runs (a caller's number known or not), and over ordering the limiter's
 * waiters because the starved work does not wait at the limiter at all. Parked deliveries hold no
 * slot, so their number is bounded only by the account's queued keys (its backlog cap); each
 * costs a suspended call chain, no socket. A delivery resuming may pass the global cap, never its
 * account's: it is already under way, and holds the slot only until its next REST request.
 */
export class Worker {
  private readonly queues = new Map<string, Entry[]>();
  private readonly ready = new Fifo<string>();
  private readonly scheduled = new Set<string>();
  private readonly waiting = new Map<string, Fifo<string>>();
  private readonly running = new Map<string, Promise<void>>();
  /** Slots held, per account and in all; parked deliveries hold none. */
  private readonly slotsByAccount = new Map<string, number>();
  private slots = 0;
  /** Parked deliveries whose REST request is answered, waiting for a slot of their account. */
  private readonly resuming = new Map<string, Fifo<() => void>>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** When each entry came to this process: latency counts from here (events loaded at start count from the start). */
  private readonly enqueuedAt = new Map<string, number>();
  /** Entries taken before their journal write was committed: that write, until they are finished. */
  private readonly unwritten = new Map<string, Promise<unknown>>();
  /** Of those, the ones whose write failed: never journaled, dropped when they come to the head. */
  private readonly lost = new Set<string>();
  /** Entries in the queues per account, for admission's backlog cap (counting the queues would cost each webhook). */
  private readonly pendingByAccount = new Map<string, number>();
  private stopping = false;
  readonly stats = { delivered: 0, retried: 0, dead: 0 };

  constructor(
    private readonly accounts: AccountStore,
    private readonly store: Store,
    private readonly deps: DeliverDeps,
    private readonly opts: WorkerOptions,
    private readonly log: Logger,
  ) {}

  private get journal(): Journal { return this.store.journal; }
  private get activity(): ActivityLog { return this.store.activity; }

  start(): void {
    // Each event resumes where it was: its plan's step, and its backoff (schedule() waits for nextAt).
    this.enqueue([...this.journal.pending.values()].sort((a, b) => a.seq - b.seq));
  }

  get backlog(): number {
    let n = 0;
    for (const q of this.queues.values()) n += q.length;
    return n;
  }

  oldestPendingAt(): number | undefined {
    let oldest: number | undefined;
    for (const q of this.queues.values()) if (q[0] && (oldest === undefined || q[0].at < oldest)) oldest = q[0].at;
    return oldest;
  }

  /** Events of the account waiting for delivery (dead letters excluded). */
  pendingFor(accountId: string): number {
    return this.pendingByAccount.get(accountId) ?? 0;
  }

  /** Whether events of this queue key (a conversation, a caller's number) wait for delivery. */
  has(key: string): boolean {
    return this.queues.has(key);
  }

  /**
   * Queues entries. `written`, for entries taken before their journal write is committed: no
   * Planfix call is made for them before it is, and they are dropped if it fails.
   */
  enqueue(entries: Entry[], written?: Promise<unknown>): void {
    const now = Date.now();
    // Kept until the entry is finished: one queued behind others may come to the head long after
    // its write failed, and must still be dropped then, before anything is written for it.
    if (written) {
      for (const e of entries) this.unwritten.set(e.id, written);
      written.catch(() => { for (const e of entries) this.lost.add(e.id); });
    }
    for (const e of entries) {
      if (!this.enqueuedAt.has(e.id)) this.enqueuedAt.set(e.id, now);
      this.pendingByAccount.set(e.account, this.pendingFor(e.account) + 1);
      let q = this.queues.get(e.key);
      if (!q) this.queues.set(e.key, (q = []));
      // Revived dead letters go back in seq order.
      if (q.length && q[q.length - 1]!.seq > e.seq) {
        q.splice(q.findIndex((x) => x.seq > e.seq), 0, e);
      } else q.push(e);
      this.schedule(e.key);
    }
    this.pump();
  }

  private schedule(key: string): void {
    if (this.running.has(key) || this.timers.has(key) || this.scheduled.has(key)) return;
    const head = this.queues.get(key)?.[0];
    if (!head) return;
    const wait = (head.nextAt ?? 0) - Date.now();
    if (wait > 0) {
      this.timers.set(key, setTimeout(() => { this.timers.delete(key); delete head.nextAt; this.schedule(key); this.pump(); }, wait).unref());
      return;
    }
    this.scheduled.add(key);
    this.ready.push(key);
  }

  private pump(): void {
    const global = this.opts.global ?? 64;
    const perAccount = this.opts.perAccount ?? 8;
    while (!this.stopping && this.slots < global) {
      const key = this.ready.shift();
      if (key === undefined) break;
      const head = this.queues.get(key)?.[0];
      if (!head) {
        this.scheduled.delete(key);
        continue;
      }
      if ((this.slotsByAccount.get(head.account) ?? 0) >= perAccount) {
        // Still scheduled: it leaves the account's waiting line when one of its slots frees.
        let w = this.waiting.get(head.account);
        if (!w) this.waiting.set(head.account, (w = new Fifo<string>()));
        w.push(key);
        continue;
      }
      this.scheduled.delete(key);
      this.take(head.account);
      const slot = this.slot(head.account, perAccount);
      const p = currentSlot.run(slot, () => this.work(key, head)).finally(() => {
        this.running.delete(key);
        slot.done = true;
        if (!slot.parked) this.free(head.account);
        this.schedule(key);
        this.pump();
      });
      this.running.set(key, p);
    }
  }

  private take(account: string): void {
    this.slots++;
    this.slotsByAccount.set(account, (this.slotsByAccount.get(account) ?? 0) + 1);
  }

  /**
   * One slot of the account freed: a parked delivery resuming takes it first (it is under way),
   * else the key that waited longest is scheduled (the others keep waiting, so a finished event
   * costs the same however many conversations are queued).
   */
  private free(account: string): void {
    this.slots--;
    const n = (this.slotsByAccount.get(account) ?? 1) - 1;
    if (n > 0) this.slotsByAccount.set(account, n);
    else this.slotsByAccount.delete(account);
    const r = this.resuming.get(account);
    const resume = r?.shift();
    if (resume) {
      if (!r!.length) this.resuming.delete(account);
      this.take(account);
      resume();
      return;
    }
    const w = this.waiting.get(account);
    const next = w?.shift();
    if (next !== undefined) {
      if (!w!.length) this.waiting.delete(account);
      this.scheduled.delete(next);
      this.schedule(next);
    }
  }

  /** The slot one delivery holds, for the REST limiter to park (see the class comment). */
  private slot(account: string, perAccount: number): Slot & { parked: number; done: boolean } {
    const s = {
      parked: 0,
      done: false,
      park: () => {
        // A delivery with two REST requests in flight at once parks once.
        if (s.parked++ > 0 || s.done) return;
        this.free(account);
        // Not from inside a pump that is starting this very delivery, whose key is not yet running.
        queueMicrotask(() => this.pump());
      },
      unpark: (): Promise<void> => {
        if (--s.parked > 0 || s.done) return Promise.resolve();
        if ((this.slotsByAccount.get(account) ?? 0) < perAccount) {
          this.take(account);
          return Promise.resolve();
        }
        return new Promise<void>((resolve) => {
          let q = this.resuming.get(account);
          if (!q) this.resuming.set(account, (q = new Fifo<() => void>()));
          q.push(resolve);
        });
      },
    };
    return s;
  }

  private async work(key: string, entry: Entry): Promise<void> {
    const account = this.accounts.get(entry.account);
    const q = this.queues.get(key)!;
    const finish = () => {
      // The entry itself, wherever it is now: an entry put back in seq order may stand before it.
      q.splice(q.indexOf(entry), 1);
      const left = this.pendingFor(entry.account) - 1;
      if (left > 0) this.pendingByAccount.set(entry.account, left);
      else this.pendingByAccount.delete(entry.account);
      if (!q.length) this.queues.delete(key);
      this.enqueuedAt.delete(entry.id);
      this.unwritten.delete(entry.id);
    };
    const kind = this.accounts.channel(entry.channel)?.channel.kind ?? 'planfix';
    const note = (outcome: 'delivered' | 'retrying' | 'dead', attempts: number, error?: string, skipped: string[] = []) => {
      const latencyMs = Date.now() - (this.enqueuedAt.get(entry.id) ?? Date.now());
      if (outcome === 'delivered') {
        eventsDelivered.inc({ kind });
        deliveryLatency.observe({ kind }, latencyMs / 1000);
      } else eventsFailed.inc({ kind, outcome: outcome === 'dead' ? 'dead' : 'retry' });
      this.activity.add(entry.account, {
        at: Date.now(), event: entry.id, channel: entry.channel, kind: entry.event.kind, outcome, latencyMs, attempts,
        ...(error ? { error: error.slice(0, 300) } : {}), ...(preview(entry.event) ? { preview: preview(entry.event) } : {}),
        ...(skipped.length ? { skipped } : {}),
      });
    };
    const written = this.unwritten.get(entry.id);
    // Never journaled: the sender was answered 503 and sends it again.
    const dropIfLost = () => (this.lost.delete(entry.id) ? (finish(), true) : false);
    if (dropIfLost()) return;
    try {
      const result = account ? await deliver(entry, account, this.store.state(account.id), this.deps, written) : undefined;
      await this.journal.done(entry);
      this.stats.delivered++;
      note('delivered', (entry.attempts ?? 0) + 1, undefined, result?.skipped);
      finish();
    } catch (err) {
      // The write may have failed while the delivery ran: `lost` knows once it has settled.
      await written?.catch(() => undefined);
      if (dropIfLost()) return;
      const e = err as Error;
      // Made here, not per delivery: only a failure logs, and most deliveries succeed.
      const log = this.log.child({ account: entry.account, channel: entry.channel, event: entry.id });
      const attempts = (entry.attempts ?? 0) + 1;
      const expired = Date.now() - entry.at > this.opts.retry.giveUpAfterMs;
      if (err instanceof RetryableError && !expired && !this.stopping) {
        const delay = this.later(entry, attempts, err.retryAfterMs);
        this.stats.retried++;
        note('retrying', attempts, e.message);
        log.warn({ attempts, delayMs: Math.round(delay), err }, 'delivery failed, will retry');
        return;
      }
      if (err instanceof RetryableError && this.stopping) return;
      const reason = expired ? `gave up after ${attempts} attempts: ${e.message}` : e.message;
      log.error({ attempts, gaveUp: expired, err }, 'delivery failed for good: dead letter');
      try {
        await this.journal.dead(entry, reason);
        this.stats.dead++;
        note('dead', attempts, reason);
        finish();
      } catch (jerr) {
        // Not recorded yet: the event stays at the head and is tried again after a backoff, like
        // any retry; at once would hammer Planfix for as long as the disk refuses the write.
        const delay = this.later(entry, attempts);
        log.error({ delayMs: Math.round(delay), err: jerr }, 'journal write failed; dead letter not recorded yet');
      }
    }
  }

  /**
   * Schedules the key's head again after exponential backoff with jitter; returns the delay. The
   * attempts and the time are journaled, so a restart keeps the backoff instead of retrying the
   * whole backlog at once.
   */
  private later(entry: Entry, attempts: number, retryAfterMs?: number): number {
    const { baseMs, maxMs } = this.opts.retry;
    const backoff = Math.min(maxMs, baseMs * 2 ** Math.min(attempts - 1, 30));
    const delay = Math.max(retryAfterMs ?? 0, backoff / 2 + Math.random() * (backoff / 2));
    // The key is still running: when it finishes, schedule() sets the timer for nextAt.
    this.journal.retryAt(entry, attempts, Date.now() + delay);
    return delay;
  }

  /** Puts a dead letter back in line; false when there is no such dead letter. */
  async retryDead(accountId: string, id: string): Promise<boolean> {
    const e = await this.journal.revive(accountId, id);
    if (!e) return false;
    this.enqueue([e]);
    return true;
  }

  /** Deletes a dead letter for good (an admin looked at it and let it go); false when there is none. */
  dismissDead(accountId: string, id: string): Promise<boolean> {
    return this.journal.dismiss(accountId, id);
  }

  /** Finishes the deliveries in flight and starts no more. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    await Promise.allSettled([...this.running.values()]);
  }

  get alive(): boolean {
    return !this.stopping;
  }
}
