import { join } from 'node:path';
import type { RelayEvent } from '../core/events.ts';
import type { Op } from '../core/plan.ts';
import { JsonlFile, RawJson, eachJsonl, type SkippedLine } from './jsonl.ts';

export interface Entry {
  /** `${channelId}:${eventId}`, or `${accountId}:${eventId}` for Planfix callbacks. */
  id: string;
  seq: number;
  account: string;
  channel: string;
  /** Events with the same key are delivered one after another, in seq order. */
  key: string;
  at: number;
  readonly event: RelayEvent;
  /** The delivery plan, fixed the first time the event is worked on, so a retry repeats nothing. */
  plan?: Op[];
  /** How many ops of the plan are done. */
  step: number;
  dead?: { reason: string; at: number };
  /** What its records take in the journal file: the compaction trigger counts the live bytes. */
  bytes?: number;
}

/**
 * A pending entry. An event journaled at ingest is held as the record it was written as, and
 * parsed when the worker (or an admin list) first reads it: a backlog of 40,000 webhooks is then
 * 40,000 strings, not 40,000 object graphs for the garbage collector to copy and mark while the
 * webhooks keep coming; and a compaction writes the strings as they are.
 */
class PendingEntry implements Entry {
  plan?: Op[];
  step = 0;
  dead?: { reason: string; at: number };
  bytes?: number;
  private parsed: RelayEvent | undefined;

  constructor(
    readonly id: string,
    readonly seq: number,
    readonly account: string,
    readonly channel: string,
    readonly key: string,
    readonly at: number,
    event: RelayEvent | undefined,
    /** Its 'e' record, as written to the journal. */
    readonly json?: string,
  ) {
    this.parsed = event;
  }

  get event(): RelayEvent {
    return (this.parsed ??= (JSON.parse(this.json!) as { event: RelayEvent }).event);
  }
}

type Rec =
  | { t: 'e'; id: string; seq: number; account: string; channel: string; key: string; at: number; event: RelayEvent }
  | { t: 'p'; id: string; plan: Op[] }
  | { t: 's'; id: string; step: number }
  | { t: 'd'; id: string }
  | { t: 'x'; id: string; reason: string; at: number }
  | { t: 'r'; id: string }
  | { t: 'n'; id: string; at: number }
  | { t: 'snap'; seq: number; seen: [string, number][] };

// Provider retries arrive within an hour (Viber) or as manual resends days later (Ringostat).
const SEEN_TTL_MS = 30 * 24 * 3_600_000;

/**
 * The durable queue between ingest and delivery. An event is answered 2xx only after `add`
 * resolves, which is after its record is fsync'd. Done events keep only their id (for dedupe);
 * the file is compacted to pending + dead events when it grows past twice its live size.
 */
export class Journal {
  private file: JsonlFile;
  private seq = 0;
  readonly pending = new Map<string, Entry>();
  readonly seen = new Map<string, number>();
  /**
   * What a compaction would write: the seen ids and the pending entries' records. Compacting
   * while the file is mostly live (a backlog building up) would rewrite the backlog again and
   * again for nothing; it waits until the file is twice this.
   */
  private seenBytes = 0;
  private pendingBytes = 0;
  /** Events whose record is being written, by id: a resend meanwhile waits for that write. */
  private readonly writing = new Map<string, Promise<void>>();
  skippedOnLoad = 0;
  /** Where the skipped lines were (the first few), for the start-up warning. */
  skippedLines: SkippedLine[] = [];

  constructor(dir: string) {
    // After a write failure the file is rebuilt from memory, which holds every change made meanwhile.
    this.file = new JsonlFile(join(dir, 'journal.jsonl'), true, () => this.snapshot());
  }

  async open(): Promise<void> {
    const { skipped, skippedLines } = await eachJsonl(this.file.path, (r, bytes, text) => this.apply(r as Rec, bytes, text));
    this.skippedOnLoad = skipped;
    this.skippedLines = skippedLines;
    await this.file.open();
  }

  private apply(r: Rec, bytes: number, text: string): void {
    switch (r.t) {
      case 'snap':
        this.seq = Math.max(this.seq, r.seq);
        for (const [id, at] of r.seen) this.remember(id, at);
        break;
      case 'e':
        this.seq = Math.max(this.seq, r.seq);
        this.remember(r.id, r.at);
        this.unpend(r.id);
        // Kept as its text, as when it was journaled: a backlog found at start is strings too.
        this.pend(new PendingEntry(r.id, r.seq, r.account, r.channel, r.key, r.at, undefined, text), bytes);
        break;
      case 'p': { const e = this.pending.get(r.id); if (e) { e.plan = r.plan; this.grow(e, bytes); } break; }
      case 's': { const e = this.pending.get(r.id); if (e) e.step = r.step; break; }
      case 'd': this.unpend(r.id); break;
      case 'x': { const e = this.pending.get(r.id); if (e) e.dead = { reason: r.reason, at: r.at }; break; }
      case 'r': { const e = this.pending.get(r.id); if (e) delete e.dead; break; }
      case 'n': this.remember(r.id, r.at); break;
    }
  }

  private remember(id: string, at: number): void {
    // ["<id>",<13-digit time>], in the snapshot's list.
    if (!this.seen.has(id)) this.seenBytes += Buffer.byteLength(id) + 19;
    this.seen.set(id, at);
  }

  private forget(id: string): void {
    if (this.seen.delete(id)) this.seenBytes -= Buffer.byteLength(id) + 19;
  }

  private pend(e: Entry, bytes: number): void {
    e.bytes = bytes;
    this.pendingBytes += bytes;
    this.pending.set(e.id, e);
  }

  private grow(e: Entry, bytes: number): void {
    e.bytes = (e.bytes ?? 0) + bytes;
    this.pendingBytes += bytes;
  }

  private unpend(id: string): void {
    const e = this.pending.get(id);
    if (!e) return;
    this.pendingBytes -= e.bytes ?? 0;
    this.pending.delete(id);
  }

  has(id: string): boolean {
    return this.seen.has(id);
  }

  /**
   * Journals the events that are not duplicates and resolves when they are on disk. Ids are
   * claimed synchronously, so two concurrent deliveries of one event journal it once.
   */
  async add(items: Omit<Entry, 'seq' | 'step'>[]): Promise<Entry[]> {
    const fresh: PendingEntry[] = [];
    const written: Promise<void>[] = [];
    const duplicates: Promise<void>[] = [];
    for (const it of items) {
      if (this.seen.has(it.id)) {
        const first = this.writing.get(it.id);
        if (first) duplicates.push(first);
        continue;
      }
      this.remember(it.id, it.at);
      const seq = ++this.seq;
      const json = JSON.stringify({ t: 'e', id: it.id, seq, account: it.account, channel: it.channel, key: it.key, at: it.at, event: it.event } satisfies Rec);
      const entry = new PendingEntry(it.id, seq, it.account, it.channel, it.key, it.at, undefined, json);
      // Pending from the moment its record is queued, like every other change here: a compaction
      // snapshots memory once the records before it are on disk, and must not miss this one.
      this.pend(entry, Buffer.byteLength(json) + 1);
      const write = this.file.appendJson(json);
      this.writing.set(it.id, write);
      written.push(write);
      fresh.push(entry);
    }
    try {
      await Promise.all(written);
    } catch (err) {
      // Not on disk: forget the ids so the provider's retry is accepted.
      for (const e of fresh) {
        this.forget(e.id);
        this.unpend(e.id);
      }
      throw err;
    } finally {
      for (const e of fresh) this.writing.delete(e.id);
    }
    // A resend that came while the first copy was being written is acknowledged only once that
    // copy is on disk; if it fails, so does the resend (a 503: the provider tries again).
    await Promise.all(duplicates);
    return fresh;
  }

  /** Remembers an id without an event: our own messages coming back in provider webhooks. */
  markSeen(id: string): Promise<void> {
    const at = Date.now();
    this.remember(id, at);
    return this.write({ t: 'n', id, at });
  }

  setPlan(e: Entry, plan: Op[]): Promise<void> {
    e.plan = plan;
    const json = JSON.stringify({ t: 'p', id: e.id, plan } satisfies Rec);
    this.grow(e, Buffer.byteLength(json) + 1);
    return this.file.appendJson(json);
  }

  setStep(e: Entry, step: number): Promise<void> {
    e.step = step;
    return this.write({ t: 's', id: e.id, step });
  }

  async done(e: Entry): Promise<void> {
    this.unpend(e.id);
    await this.write({ t: 'd', id: e.id });
    this.maybeCompact();
  }

  dead(e: Entry, reason: string): Promise<void> {
    e.dead = { reason, at: Date.now() };
    return this.write({ t: 'x', id: e.id, reason, at: e.dead.at });
  }

  revive(e: Entry): Promise<void> {
    delete e.dead;
    return this.write({ t: 'r', id: e.id });
  }

  get healthy(): boolean {
    return this.file.healthy;
  }

  private write(r: Rec): Promise<void> {
    return this.file.append(r);
  }

  private maybeCompact(): void {
    this.file.maybeCompact(4 * 1024 * 1024, () => this.snapshot(), this.seenBytes + this.pendingBytes);
  }

  compact(): Promise<void> {
    return this.file.rewrite(() => this.snapshot());
  }

  get compactionError(): string | undefined {
    return this.file.compactionError;
  }

  private snapshot(): (Rec | RawJson)[] {
    const cutoff = Date.now() - SEEN_TTL_MS;
    for (const [id, at] of this.seen) if (at < cutoff && !this.pending.has(id)) this.forget(id);
    const recs: (Rec | RawJson)[] = [{ t: 'snap', seq: this.seq, seen: [...this.seen] }];
    for (const e of [...this.pending.values()].sort((a, b) => a.seq - b.seq)) {
      recs.push(e instanceof PendingEntry && e.json ? new RawJson(e.json)
        : { t: 'e', id: e.id, seq: e.seq, account: e.account, channel: e.channel, key: e.key, at: e.at, event: e.event });
      if (e.plan) recs.push({ t: 'p', id: e.id, plan: e.plan });
      if (e.step) recs.push({ t: 's', id: e.id, step: e.step });
      if (e.dead) recs.push({ t: 'x', id: e.id, reason: e.dead.reason, at: e.dead.at });
    }
    return recs;
  }

  close(): Promise<void> {
    return this.file.close();
  }
}
