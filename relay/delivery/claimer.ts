import type { Logger } from '../log.ts';
import { Fifo } from './fifo.ts';
import type { Claims, Entry, Waiting } from '../store/store.ts';

/** Finished ids remembered against a database read racing their finish (far more than a read's milliseconds see). */
const FINISHED_KEPT = 10_000;

/** How often a process looks for keys nobody holds (their process died) and for what waits in all. */
export const POLL_MS = 1_000;

/** What the claimer needs of the worker. */
export interface ClaimerHost {
  /** Queues entries of claimed keys (duplicates of queued ones are skipped). */
  put(entries: Entry[]): void;
  /** Whether entries of the key are queued. */
  has(key: string): boolean;
  /** The claims were lost: forget the queued entries of keys not being delivered now. */
  drop(): void;
}

/**
 * The worker's side of several processes on one database (store.ts, Claims): it delivers only the
 * keys it claimed. New entries of a key held here are queued at once; of any other key, the key is
 * claimed first, and left alone when another process holds it (that one sees them when its queue
 * of the key empties and it releases: claims.ts). A key whose queue emptied is released, and
 * claimed again when events of it came meanwhile. Each poll claims keys nobody holds: a process
 * died, and its events resume here at their recorded step.
 */
/** This process's hold on a key: until it is released. A read made in an earlier hold is void. */
interface Hold {
  /** The highest seq read for the key: entries of it at or below were all seen (seq order is commit order per key). */
  readTo: number;
}

export class Claimer {
  private readonly owned = new Map<string, Hold>();
  /** Keys being claimed or released, and entries offered meanwhile (claim them once that settles). */
  private readonly busy = new Map<string, Entry[]>();
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private stopped = false;
  /** The last entries finished here: a read of a key made just before one was finished must not queue it again. */
  private readonly done = new Set<string>();
  private readonly doneOrder = new Fifo<string>();
  /** What waits in every process, as of the last poll. */
  waiting: Waiting[] = [];

  constructor(private readonly claims: Claims, private readonly host: ClaimerHost, private readonly log: Logger, private readonly pollMs = POLL_MS) {
    claims.on('lost', (why) => {
      this.owned.clear();
      log.warn({ why }, 'the database session holding this process\'s claims was lost: its queued events are left to whichever process claims them');
      host.drop();
    });
    claims.on('work', () => void this.poll());
  }

  owns(key: string): boolean {
    return this.owned.has(key);
  }

  /** The worker finished (delivered or dead-lettered) the entry. */
  finished(id: string): void {
    this.done.add(id);
    this.doneOrder.push(id);
    if (this.doneOrder.length > FINISHED_KEPT) this.done.delete(this.doneOrder.shift()!);
  }

  /** Dead letters put back in line: finished no more. */
  revived(entries: Entry[]): void {
    for (const e of entries) this.done.delete(e.id);
  }

  /** Queues what is not finished here already; `read`: the database's answer, which says how far each key was read. */
  private put(entries: Entry[], read = false): void {
    for (const e of read ? entries : []) {
      const hold = this.owned.get(e.key);
      if (hold && e.seq > hold.readTo) hold.readTo = e.seq;
    }
    const fresh = entries.filter((e) => !this.done.has(e.id));
    if (fresh.length) this.host.put(fresh);
  }

  start(): void {
    void this.poll();
    this.timer = setInterval(() => void this.poll(), this.pollMs).unref();
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
  }

  /** Entries journaled (or revived) by this process. */
  offer(entries: Entry[]): void {
    const mine: Entry[] = [];
    const others = new Map<string, Entry[]>();
    for (const e of entries) {
      if (this.owned.has(e.key)) mine.push(e);
      else {
        const later = this.busy.get(e.key);
        if (later) later.push(e);
        else (others.get(e.key) ?? others.set(e.key, []).get(e.key)!).push(e);
      }
    }
    if (mine.length) void this.refresh(mine);
    if (others.size) void this.claim([...others.keys()]);
  }

  /**
   * New entries of keys held here: read with what other processes journaled for the keys before
   * them (a provider's next message may reach this process, its previous one the other), so that
   * the key's queue stays in seq order.
   */
  private async refresh(offered: Entry[]): Promise<void> {
    const holds = new Map<string, { hold: Hold; after: number }>();
    for (const e of offered) {
      const hold = this.owned.get(e.key)!;
      // From the last read on; from before a revived dead letter (an older seq) when one is offered.
      const after = Math.min(holds.get(e.key)?.after ?? hold.readTo, e.seq - 1);
      holds.set(e.key, { hold, after });
    }
    // Read in this hold: a key released and claimed again meanwhile was read whole by that claim.
    const current = (e: Entry) => this.owned.get(e.key) === holds.get(e.key)?.hold;
    try {
      const keys = [...holds.keys()];
      const entries = await this.claims.entriesOf(keys, keys.map((k) => holds.get(k)!.after));
      this.put(entries.filter(current), true);
    } catch (err) {
      // Not read: what this process has is queued; the rest comes with the key's next claim.
      this.log.warn({ err }, 'reading a held key\'s events failed');
      this.put(offered.filter(current));
    }
  }

  /** The key's queue emptied here. */
  released(key: string): void {
    if (!this.owned.delete(key) || this.busy.has(key)) return;
    this.busy.set(key, []);
    void this.claims.release(key).then(
      (more) => this.settle([key], more ? [key] : []),
      // Unknown whether events are left: the next poll finds them.
      (err: unknown) => { this.log.warn({ err, key }, 'releasing a queue key failed'); this.settle([key], []); },
    );
  }

  /** The keys' claim or release settled: claim those with events offered meanwhile, and `again`. */
  private settle(keys: string[], again: string[]): void {
    const next = new Set(again);
    for (const k of keys) {
      if (this.busy.get(k)?.length && !this.owned.has(k)) next.add(k);
      this.busy.delete(k);
    }
    if (next.size) void this.claim([...next]);
  }

  private async claim(keys: string[], again = true): Promise<void> {
    const free = keys.filter((k) => !this.owned.has(k) && !this.busy.has(k));
    if (this.stopped || !free.length) return;
    for (const k of free) this.busy.set(k, []);
    let got: string[] = [];
    try {
      const claimed = await this.claims.claim(free);
      got = claimed.keys;
      const entries = got.length ? await this.claims.entriesOf(got) : [];
      // The session ended meanwhile: the locks went with it, and another process may hold the keys now.
      if (this.claims.epoch !== claimed.epoch) got = [];
      for (const k of got) this.owned.set(k, { readTo: 0 });
      this.put(entries.filter((e) => this.owned.has(e.key)), true);
    } catch (err) {
      // Claimed but not read: given back, so that no process is kept from them until this one ends.
      for (const k of got) void this.claims.release(k).catch(() => undefined);
      got = [];
      this.log.warn({ err }, 'claiming queue keys failed; the next poll tries again');
    }
    const mine = new Set(got);
    const retry: string[] = [];
    // Offered while claiming: queued already if the claim read them, else put now (put skips copies).
    for (const k of free) {
      const later = this.busy.get(k) ?? [];
      this.busy.delete(k);
      if (mine.has(k) && this.owned.has(k)) this.put(later);
      // Held elsewhere, and new ones came: that holder may have looked for them before they did.
      else if (later.length && !mine.has(k)) retry.push(k);
    }
    // A key claimed with nothing queued (its events finished meanwhile, here or by their holder) goes back at once.
    for (const k of got) if (!this.host.has(k)) this.released(k);
    if (retry.length && again) await this.claim(retry, false);
  }

  /** Claims the keys with events due that nobody holds, and notes what waits in all processes. */
  private poll(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.polling ??= (async () => {
      try {
        const { keys, waiting } = await this.claims.poll(Date.now(), [...this.owned.keys(), ...this.busy.keys()]);
        this.waiting = waiting;
        await this.claims.lead();
        await this.claim(keys);
      } catch (err) {
        this.log.warn({ err }, 'looking for unclaimed events failed; trying again in a moment');
      }
    })().finally(() => { this.polling = undefined; });
    return this.polling;
  }
}
