import type { Slot } from '../slot.ts';
import { Fifo } from './fifo.ts';

/** One delivery's hold on a slot, from its start to its end. */
export interface HeldSlot extends Slot {
  /** The delivery ended: its slot goes back unless it is parked (a parked one holds none). */
  release(): void;
}

/**
 * The worker's delivery slots: a delivery holds one of its account's `perAccount` slots (and one of
 * the `global` ones) while it works, except while it waits for the account's Planfix REST limiter
 * (1 request a second): then it parks, its slot goes to the next key, and it takes a slot again
 * after its request, ahead of keys not started yet. Its key stays taken throughout (the worker's
 * business), so the key's order holds. Without parking, a hundred fake calls from new numbers (each
 * ~6 REST requests) held all eight slots for minutes while a known caller's pop-up, which needs no
 * REST, waited behind them. Chosen over a separate slot budget for REST-bound work because whether
 * a delivery needs REST is known only once it runs (a caller's number known or not), and over
 * ordering the limiter's waiters because the starved work does not wait at the limiter at all.
 * Parked deliveries hold no slot, so their number is bounded only by the account's queued keys (its
 * backlog cap); each costs a suspended call chain, no socket. A delivery resuming may pass the
 * global cap, never its account's: it is already under way, and holds the slot only until its next
 * REST request.
 */
export class Slots {
  /** Slots held, per account and in all; parked deliveries hold none. */
  private readonly byAccount = new Map<string, number>();
  private held = 0;
  /** Keys that found their account's slots taken, in the order they came. */
  private readonly waiting = new Map<string, Fifo<string>>();
  /** Parked deliveries whose REST request is answered, waiting for a slot of their account. */
  private readonly resuming = new Map<string, Fifo<() => void>>();

  /**
   * `wake`: a key that waited for its account's slot may be scheduled again. `pump`: a slot freed
   * by a parking delivery, for the worker to start the next key.
   */
  constructor(
    private readonly limits: { global: number; perAccount: number },
    private readonly wake: (key: string) => void,
    private readonly pump: () => void,
  ) {}

  /** Every global slot is held: no new key starts. */
  get full(): boolean {
    return this.held >= this.limits.global;
  }

  /**
   * A slot of the account for the key's delivery; undefined when the account's are all held, and
   * the key then waits in the account's line until one frees (it is woken, not polled, so a
   * finished event costs the same however many conversations are queued).
   */
  take(account: string, key: string): HeldSlot | undefined {
    if (this.count(account) >= this.limits.perAccount) {
      let w = this.waiting.get(account);
      if (!w) this.waiting.set(account, (w = new Fifo<string>()));
      w.push(key);
      return undefined;
    }
    this.hold(account);
    return this.slot(account);
  }

  private count(account: string): number {
    return this.byAccount.get(account) ?? 0;
  }

  private hold(account: string): void {
    this.held++;
    this.byAccount.set(account, this.count(account) + 1);
  }

  /**
   * One slot of the account freed: a parked delivery resuming takes it first (it is under way),
   * else the key that waited longest is woken.
   */
  private free(account: string): void {
    this.held--;
    const n = (this.byAccount.get(account) ?? 1) - 1;
    if (n > 0) this.byAccount.set(account, n);
    else this.byAccount.delete(account);
    const r = this.resuming.get(account);
    const resume = r?.shift();
    if (resume) {
      if (!r!.length) this.resuming.delete(account);
      this.hold(account);
      resume();
      return;
    }
    const w = this.waiting.get(account);
    const next = w?.shift();
    if (next !== undefined) {
      if (!w!.length) this.waiting.delete(account);
      this.wake(next);
    }
  }

  private slot(account: string): HeldSlot {
    let parked = 0;
    let done = false;
    return {
      release: () => {
        done = true;
        if (!parked) this.free(account);
      },
      park: () => {
        // A delivery with two REST requests in flight at once parks once.
        if (parked++ > 0 || done) return;
        this.free(account);
        // Not from inside a pump that is starting this very delivery, whose key is not yet running.
        queueMicrotask(() => this.pump());
      },
      unpark: (): Promise<void> => {
        if (--parked > 0 || done) return Promise.resolve();
        if (this.count(account) < this.limits.perAccount) {
          this.hold(account);
          return Promise.resolve();
        }
        return new Promise<void>((resolve) => {
          let q = this.resuming.get(account);
          if (!q) this.resuming.set(account, (q = new Fifo<() => void>()));
          q.push(resolve);
        });
      },
    };
  }
}
