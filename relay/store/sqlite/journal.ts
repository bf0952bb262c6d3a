import type { Op } from '../../core/plan.ts';
import type { DeadReason } from '../../delivery/dead-reason.ts';
import { entryOf, type EventRow as Row } from '../rows.ts';
import type { Entry, Journal, NewEntry } from '../store.ts';
import type { Db } from './db.ts';

/**
 * The journal as rows of `events`, pending events and dead letters; a finished event's id moves to
 * `seen` (with the ids of the relay's own sent messages), where it stays a duplicate until
 * retention deletes it. An id is taken once across both: a resend is a duplicate by the
 * database's own unique keys, checked in the same write. seq is AUTOINCREMENT, yet the seq of a
 * row rolled back with a failed commit is given again: every write names its row by seq and id,
 * so one meant for an entry that is gone (rolled back, finished, forgotten) changes nothing.
 */
export class SqliteJournal implements Journal {
  readonly pending = new Map<string, Entry>();
  private readonly st;

  constructor(private readonly db: Db) {
    const q = (sql: string) => db.sql.prepare(sql);
    this.st = {
      insert: q('INSERT OR IGNORE INTO events (id, account, channel, key, at, event) VALUES (?, ?, ?, ?, ?, ?)'),
      finished: q('SELECT 1 FROM seen WHERE id = ?').pluck(),
      markSeen: q('INSERT OR IGNORE INTO seen (id, at) VALUES (?, ?)'),
      has: q('SELECT 1 FROM events WHERE id = ? UNION ALL SELECT 1 FROM seen WHERE id = ?').pluck(),
      plan: q('UPDATE events SET plan = ? WHERE seq = ? AND id = ?'),
      step: q('UPDATE events SET step = ? WHERE seq = ? AND id = ?'),
      retry: q('UPDATE events SET attempts = ?, next_at = ? WHERE seq = ? AND id = ?'),
      drop: q('DELETE FROM events WHERE seq = ? AND id = ?'),
      done: q('INSERT OR REPLACE INTO seen (id, at) VALUES (?, ?)'),
      dead: q('UPDATE events SET dead_reason = ?, dead_at = ?, dead_code = ? WHERE seq = ? AND id = ?'),
      open: q('SELECT * FROM events WHERE dead_at IS NULL ORDER BY seq'),
      deadOf: q('SELECT * FROM events WHERE dead_at IS NOT NULL AND account = ? ORDER BY seq'),
      deadFirst: q('SELECT * FROM events WHERE dead_at IS NOT NULL AND account = ? ORDER BY seq LIMIT ?'),
      deadOne: q('SELECT * FROM events WHERE id = ? AND account = ? AND dead_at IS NOT NULL'),
      revive: q('UPDATE events SET dead_reason = NULL, dead_at = NULL, dead_code = NULL, attempts = 0, next_at = NULL WHERE seq = ? AND id = ?'),
    };
    this.reload();
  }

  /** Reads the pending entries again (after an import wrote rows behind the journal's back). */
  reload(): void {
    this.pending.clear();
    for (const r of this.st.open.iterate() as Iterable<Row>) this.pending.set(r.id, entryOf(r));
  }

  waiting(account: string, keys: string[]): Promise<boolean> {
    const of = new Set(keys);
    for (const e of this.pending.values()) if (e.account === account && of.has(e.key)) return Promise.resolve(true);
    return Promise.resolve(false);
  }

  seen(ids: string[]): Promise<Set<string>> {
    return Promise.resolve(new Set(ids.filter((id) => this.st.has.get(id, id) !== undefined)));
  }

  async add(items: NewEntry[], taken?: (fresh: Entry[]) => void): Promise<Entry[]> {
    const fresh: Entry[] = [];
    // A duplicate of an event written earlier in this turn is in the same transaction: this write
    // resolves when that one is committed, and fails with it.
    let written = false;
    const write = this.db.write(() => {
      for (const it of items) {
        if (this.st.finished.get(it.id) !== undefined) continue;
        const r = this.st.insert.run(it.id, it.account, it.channel, it.key, it.at, JSON.stringify(it.event));
        if (r.changes) fresh.push({ ...it, seq: Number(r.lastInsertRowid), step: 0 });
      }
      written = true;
    });
    // The rows are in the open transaction: what the taker writes now commits with them, or fails with them.
    if (written && fresh.length) taken?.(fresh);
    await write;
    for (const e of fresh) this.pending.set(e.id, e);
    return fresh;
  }

  markSeen(id: string): Promise<void> {
    const now = Date.now();
    return this.db.write(() => void this.st.markSeen.run(id, now));
  }

  async setPlan(e: Entry, plan: Op[]): Promise<void> {
    await this.db.write(() => void this.st.plan.run(JSON.stringify(plan), e.seq, e.id));
    // Only once it is on disk: a retry after a failed commit must plan (and record) again.
    e.plan = plan;
  }

  setStep(e: Entry, step: number): Promise<void> {
    e.step = step;
    return this.db.write(() => void this.st.step.run(step, e.seq, e.id));
  }

  retryAt(e: Entry, attempts: number, at: number): void {
    e.attempts = attempts;
    e.nextAt = at;
    this.db.writeLater(() => void this.st.retry.run(attempts, at, e.seq, e.id));
  }

  async done(e: Entry): Promise<void> {
    await this.db.write(() => this.finish(e.seq, e.id));
    this.pending.delete(e.id);
  }

  private finish(seq: number, id: string): void {
    if (this.st.drop.run(seq, id).changes) this.st.done.run(id, Date.now());
  }

  async dead(e: Entry, reason: string, code?: DeadReason): Promise<void> {
    const at = Date.now();
    await this.db.write(() => void this.st.dead.run(reason, at, code ?? null, e.seq, e.id));
    e.dead = { reason, at, ...(code ? { code } : {}) };
    this.pending.delete(e.id);
  }

  deadLetters(account: string): Promise<Entry[]> {
    return Promise.resolve((this.st.deadOf.all(account) as Row[]).map(entryOf));
  }

  async revive(account: string, id: string): Promise<Entry | undefined> {
    const r = this.st.deadOne.get(id, account) as Row | undefined;
    if (!r) return undefined;
    await this.db.write(() => void this.st.revive.run(r.seq, r.id));
    const e = entryOf({ ...r, dead_at: null, dead_reason: null, dead_code: null, attempts: 0, next_at: null });
    this.pending.set(e.id, e);
    return e;
  }

  async reviveAll(account: string, limit = -1): Promise<Entry[]> {
    // Read and revived in the one write: a letter that dies meanwhile is either in both or in neither.
    let rows: Row[] = [];
    await this.db.write(() => {
      rows = this.st.deadFirst.all(account, limit) as Row[];
      for (const r of rows) this.st.revive.run(r.seq, r.id);
    });
    const revived = rows.map((r) => entryOf({ ...r, dead_at: null, dead_reason: null, dead_code: null, attempts: 0, next_at: null }));
    for (const e of revived) this.pending.set(e.id, e);
    return revived;
  }

  async dismiss(account: string, id: string): Promise<boolean> {
    const r = this.st.deadOne.get(id, account) as Row | undefined;
    if (!r) return false;
    // Finished, not forgotten: a provider resending it later is still a duplicate.
    await this.db.write(() => this.finish(r.seq, r.id));
    return true;
  }

  get healthy(): boolean {
    return this.db.healthy;
  }
}
