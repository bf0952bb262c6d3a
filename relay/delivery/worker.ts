import type { Logger } from '../log.ts';
import { RetryableError } from '../errors.ts';
import type { CallSkip } from '../core/call-plan.ts';
import { deadReason, type DeadReason } from './dead-reason.ts';
import { retryReason, type RetryReason } from './retry-reason.ts';
import { deliver, type DeliverDeps } from './deliver.ts';
import type { AccountStore } from '../store/accounts.ts';
import type { ActivityLog, Entry, Journal, Store } from '../store/store.ts';
import { currentSlot } from '../slot.ts';
import { Claimer } from './claimer.ts';
import { Fifo } from './fifo.ts';
import { recordOutcome, type Outcome } from './outcome.ts';
import { Slots } from './slots.ts';
import { DeadLetters } from './dead-letters.ts';
import type { TrafficRecorder } from './traffic.ts';


export interface WorkerOptions {
  retry: { baseMs: number; maxMs: number; giveUpAfterMs: number };
  /** Conversations of one account in flight at once: a slow account cannot take every slot. */
  perAccount?: number;
  global?: number;
  /** Counts the outcomes for the admin page's charts. */
  traffic?: TrafficRecorder;
  /** Told each event that became a dead letter, once it is recorded (the dead-letter alerts). */
  onDead?: (entry: Entry) => void;
  /** With several processes: how often to look for keys nobody holds (claimer.ts). */
  pollMs?: number;
}

/**
 * Drains the journal. Each key (one conversation or call) is a FIFO worked one event at a time,
 * so Planfix sees its events in arrival order; keys run in parallel. A failing head blocks only
 * its own key while it backs off.
 *
 * Deliveries run in the account's slots (./slots.ts), which a delivery waiting for Planfix REST
 * gives back for the wait.
 */
export class Worker {
  private readonly queues = new Map<string, Entry[]>();
  private readonly ready = new Fifo<string>();
  private readonly scheduled = new Set<string>();
  private readonly running = new Map<string, Promise<void>>();
  private readonly slots: Slots;
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
  /** With several processes on one database: the keys this one delivers (./claimer.ts). */
  private readonly claimer: Claimer | undefined;
  private readonly deliverDeps: DeliverDeps;
  readonly stats = { delivered: 0, retried: 0, dead: 0 };
  /** The admin's retry and dismiss of dead letters. */
  readonly deadLetters: DeadLetters;

  constructor(
    private readonly accounts: AccountStore,
    private readonly store: Store,
    private readonly deps: DeliverDeps,
    private readonly opts: WorkerOptions,
    private readonly log: Logger,
  ) {
    const wake = (key: string) => {
      this.scheduled.delete(key);
      this.schedule(key);
    };
    this.slots = new Slots({ global: opts.global ?? 64, perAccount: opts.perAccount ?? 8 }, wake, () => this.pump());
    const claims = store.journal.claims;
    this.deliverDeps = claims ? { ...deps, holds: (key) => this.claimer!.owns(key) } : deps;
    this.deadLetters = new DeadLetters(store.journal, (entries) => {
      this.claimer?.revived(entries);
      this.enqueue(entries);
    });
    this.claimer = claims && new Claimer(claims, { put: (entries) => this.put(entries), has: (key) => this.queues.has(key), drop: () => this.dropUnclaimed() }, log, opts.pollMs);
  }

  private get journal(): Journal { return this.store.journal; }
  private get activity(): ActivityLog { return this.store.activity; }

  start(): void {
    // Each event resumes where it was: its plan's step, and its backoff (schedule() waits for nextAt).
    if (this.claimer) this.claimer.start();
    else this.enqueue([...this.journal.pending!.values()].sort((a, b) => a.seq - b.seq));
  }

  /** Events waiting for delivery: in this process's queues, or in all processes as of the last poll (the larger). */
  get backlog(): number {
    let n = 0;
    for (const q of this.queues.values()) n += q.length;
    let all = 0;
    for (const w of this.claimer?.waiting ?? []) all += w.n;
    return Math.max(n, all);
  }

  oldestPendingAt(): number | undefined {
    let oldest: number | undefined;
    for (const q of this.queues.values()) if (q[0] && (oldest === undefined || q[0].at < oldest)) oldest = q[0].at;
    for (const w of this.claimer?.waiting ?? []) if (oldest === undefined || w.oldest < oldest) oldest = w.oldest;
    return oldest;
  }

  /** Events of the account waiting for delivery (dead letters excluded), here or, as of the last poll, in all processes. */
  pendingFor(accountId: string): number {
    let all = 0;
    for (const w of this.claimer?.waiting ?? []) if (w.account === accountId) all += w.n;
    return Math.max(this.pendingByAccount.get(accountId) ?? 0, all);
  }

  /** What waits per account and channel: this process's queues, or every process's as of the last poll. */
  waiting(): { account: string; channel: string; n: number }[] {
    if (this.claimer) return this.claimer.waiting;
    const counts = new Map<string, { account: string; channel: string; n: number }>();
    for (const q of this.queues.values()) {
      for (const e of q) {
        const k = `${e.account}\n${e.channel}`;
        const c = counts.get(k);
        if (c) c.n++;
        else counts.set(k, { account: e.account, channel: e.channel, n: 1 });
      }
    }
    return [...counts.values()];
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
    if (this.claimer) this.claimer.offer(entries);
    else this.put(entries, written);
  }

  private put(entries: Entry[], written?: Promise<unknown>): void {
    const now = Date.now();
    // Kept until the entry is finished: one queued behind others may come to the head long after
    // its write failed, and must still be dropped then, before anything is written for it.
    if (written) {
      for (const e of entries) this.unwritten.set(e.id, written);
      written.catch(() => { for (const e of entries) this.lost.add(e.id); });
    }
    for (const e of entries) {
      // Read again by a claim (claimer.ts) while already queued.
      if (this.enqueuedAt.has(e.id)) continue;
      this.enqueuedAt.set(e.id, now);
      this.pendingByAccount.set(e.account, (this.pendingByAccount.get(e.account) ?? 0) + 1);
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
    // The claim was lost while an event of the key ran: the rest is whichever process claims it.
    if (this.claimer && !this.claimer.owns(key)) return this.forget(key);
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
    while (!this.stopping && !this.slots.full) {
      const key = this.ready.shift();
      if (key === undefined) break;
      const head = this.queues.get(key)?.[0];
      if (!head) {
        this.scheduled.delete(key);
        continue;
      }
      // None free: still scheduled, the key is woken when one of its account's slots frees.
      const slot = this.slots.take(head.account, key);
      if (!slot) continue;
      this.scheduled.delete(key);
      const p = currentSlot.run(slot, () => this.work(key, head)).finally(() => {
        this.running.delete(key);
        slot.release();
        this.schedule(key);
        this.pump();
      });
      this.running.set(key, p);
    }
  }

  private async work(key: string, entry: Entry): Promise<void> {
    const account = this.accounts.get(entry.account);
    const q = this.queues.get(key)!;
    const finish = () => {
      // The entry itself, wherever it is now: an entry put back in seq order may stand before it.
      q.splice(q.indexOf(entry), 1);
      this.uncount(entry.account);
      this.enqueuedAt.delete(entry.id);
      this.unwritten.delete(entry.id);
      this.claimer?.finished(entry.id);
      if (!q.length) {
        this.queues.delete(key);
        this.claimer?.released(key);
      }
    };
    const kind = this.accounts.channel(entry.channel)?.channel.kind ?? 'planfix';
    const note = (outcome: Outcome, attempts: number, error?: { text: string; code: DeadReason | RetryReason }, skipped: CallSkip[] = []) =>
      recordOutcome({ traffic: this.opts.traffic, activity: this.activity }, entry, kind, outcome, attempts, Date.now() - (this.enqueuedAt.get(entry.id) ?? Date.now()), error, skipped);
    const written = this.unwritten.get(entry.id);
    // Never journaled: the sender was answered 503 and sends it again.
    const dropIfLost = () => (this.lost.delete(entry.id) ? (finish(), true) : false);
    if (dropIfLost()) return;
    try {
      const result = account ? await deliver(entry, account, this.store.state(account.id), this.deliverDeps, written) : undefined;
      await this.journal.done(entry);
      this.stats.delivered++;
      note('delivered', (entry.attempts ?? 0) + 1, undefined, result?.skipped);
      finish();
    } catch (err) {
      // The write may have failed while the delivery ran: `lost` knows once it has settled.
      await written?.catch(() => undefined);
      if (dropIfLost()) return;
      // The key is another relay's now: nothing of this attempt is recorded (schedule() lets the queue go).
      if (this.claimer && !this.claimer.owns(key)) return;
      const e = err as Error;
      // Made here, not per delivery: only a failure logs, and most deliveries succeed.
      const log = this.log.child({ account: entry.account, channel: entry.channel, event: entry.id });
      const attempts = (entry.attempts ?? 0) + 1;
      const expired = Date.now() - entry.at > this.opts.retry.giveUpAfterMs;
      if (err instanceof RetryableError && !expired && !this.stopping) {
        const delay = this.later(entry, attempts, err.retryAfterMs);
        this.stats.retried++;
        note('retrying', attempts, { text: e.message, code: retryReason(err) });
        log.warn({ attempts, delayMs: Math.round(delay), err }, 'delivery failed, will retry');
        return;
      }
      if (err instanceof RetryableError && this.stopping) return;
      const reason = expired ? `gave up after ${attempts} attempts: ${e.message}` : e.message;
      log.error({ attempts, gaveUp: expired, err }, 'delivery failed for good: dead letter');
      const code = deadReason(err, expired);
      try {
        await this.journal.dead(entry, reason, code);
        this.stats.dead++;
        note('dead', attempts, { text: reason, code });
        finish();
        this.opts.onDead?.(entry);
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

  /** One entry of the account left this process's queues. */
  private uncount(account: string): void {
    const left = (this.pendingByAccount.get(account) ?? 0) - 1;
    if (left > 0) this.pendingByAccount.set(account, left);
    else this.pendingByAccount.delete(account);
  }

  /** Takes the key's queued entries out of this process (they stay pending in the journal). */
  private forget(key: string): void {
    const q = this.queues.get(key);
    if (!q) return;
    this.queues.delete(key);
    for (const e of q) {
      this.enqueuedAt.delete(e.id);
      this.uncount(e.account);
    }
    const t = this.timers.get(key);
    if (t) clearTimeout(t);
    this.timers.delete(key);
  }

  /** The claims were lost: keys not being delivered now leave; those running, after their event. */
  private dropUnclaimed(): void {
    for (const key of [...this.queues.keys()]) if (!this.running.has(key)) this.forget(key);
  }

  /** Finishes the deliveries in flight and starts no more. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.claimer?.stop();
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    await Promise.allSettled([...this.running.values()]);
  }

  get alive(): boolean {
    return !this.stopping;
  }
}
