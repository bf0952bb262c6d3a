import type { Op } from '../../core/plan.ts';
import type { DeadReason } from '../../delivery/dead-reason.ts';
import { entryOf, type EventRow as Row } from '../rows.ts';
import type { Claims, Entry, Journal, NewEntry } from '../store.ts';
import { Batches } from './batches.ts';
import type { Db } from './db.ts';

/** A dead letter as revive() and reviveAll() put it back. */
const revived = (r: Row): Entry => entryOf({ ...r, dead_at: null, dead_reason: null, dead_code: null, attempts: 0, next_at: null });

// The ids not taken before go into `seen` and the events with them, in one statement: its unique
// key decides, whichever process or connection wrote the other copy. In the order they came, so
// their seq is too. First (`locked`, evaluated before any row is read) the keys' locks, held to
// the commit: two relays journaling one key at once would otherwise take seqs in one order and
// commit in the other, and the key's claimer could deliver the later one first. Taken in one
// order (of their hashes), so two adds cannot deadlock.
const ADD = `WITH locked AS MATERIALIZED (
    SELECT count(*) AS n FROM (SELECT pg_advisory_xact_lock(1, h)::text FROM (SELECT DISTINCT hashtext(k) AS h FROM unnest($4::text[]) k ORDER BY h) o) l
  ), input AS (
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::float8[], $6::text[]) WITH ORDINALITY AS i (id, account, channel, key, at, event, n)
    WHERE (SELECT n FROM locked) >= 0
  ), taken AS (
    INSERT INTO seen (id, at) SELECT id, at FROM input ORDER BY n ON CONFLICT (id) DO NOTHING RETURNING id
  )
  INSERT INTO events (id, account, channel, key, at, event)
  SELECT i.id, i.account, i.channel, i.key, i.at, i.event FROM input i JOIN taken USING (id) ORDER BY i.n
  RETURNING seq, id`;

// Finishing an event: its row goes, its id stays a duplicate until retention, counted from now.
const FINISH = `WITH gone AS (DELETE FROM events WHERE %WHERE% RETURNING id), kept AS (
    UPDATE seen SET at = $1 WHERE id IN (SELECT id FROM gone)
  ) SELECT count(*) AS n FROM gone`;
const finish = (where: string) => FINISH.replace('%WHERE%', where);

const REVIVE = 'dead_reason = NULL, dead_at = NULL, dead_code = NULL, attempts = 0, next_at = NULL';

interface Adding {
  items: NewEntry[];
  taken?: (fresh: Entry[]) => void;
}

/**
 * The journal in `events` and `seen` (schema.ts). Adds are written in batches (./batches.ts), so
 * events take their seq in the order they came. Every other write names its row by seq and id, so
 * one meant for an entry that is gone (finished, forgotten) changes nothing.
 */
export class PgJournal implements Journal {
  private readonly adds: Batches<Adding, Entry[]>;

  /** Which keys this process delivers: other processes may share the database (claims.ts). */
  constructor(private readonly db: Db, readonly claims: Claims) {
    this.adds = new Batches((jobs) => this.write(jobs), (run) => void db.track(run));
  }

  async waiting(account: string, keys: string[]): Promise<boolean> {
    const [r] = await this.db.query<{ any: boolean }>('SELECT EXISTS (SELECT 1 FROM events WHERE account = $1 AND key = ANY($2::text[]) AND dead_at IS NULL) AS any', [account, keys]);
    return r!.any;
  }

  async seen(ids: string[]): Promise<Set<string>> {
    // Asked before a webhook's ids are checked (core/bounds.ts refuses them): one holding a NUL,
    // which PostgreSQL cannot store, was never taken, and must not fail the question.
    const storable = ids.filter((id) => !id.includes('\u0000'));
    if (!storable.length) return new Set();
    const rows = await this.db.query<{ id: string }>('SELECT id FROM seen WHERE id = ANY($1::text[])', [storable]);
    return new Set(rows.map((r) => r.id));
  }

  /** `taken` is told the fresh entries once they are written: there is no commit to share here. */
  add(items: NewEntry[], taken?: (fresh: Entry[]) => void): Promise<Entry[]> {
    return this.adds.add({ items, ...(taken ? { taken } : {}) });
  }

  private async write(jobs: Adding[]): Promise<Entry[][]> {
    // A copy of an id in the same batch is a duplicate of the first: the database sees each id once.
    const first = new Map<string, NewEntry>();
    for (const j of jobs) for (const it of j.items) if (!first.has(it.id)) first.set(it.id, it);
    const items = [...first.values()];
    if (!items.length) return jobs.map(() => []);
    const rows = await this.db.query<{ seq: number; id: string }>(ADD, [
      items.map((i) => i.id), items.map((i) => i.account), items.map((i) => i.channel), items.map((i) => i.key),
      items.map((i) => i.at), items.map((i) => JSON.stringify(i.event)),
    ]);
    const seqs = new Map(rows.map((r) => [r.id, r.seq]));
    return jobs.map((j) => {
      const fresh = j.items.filter((it) => first.get(it.id) === it && seqs.has(it.id)).map((it): Entry => ({ ...it, seq: seqs.get(it.id)!, step: 0 }));
      if (fresh.length) j.taken?.(fresh);
      return fresh;
    });
  }

  async markSeen(id: string): Promise<void> {
    await this.db.query('INSERT INTO seen (id, at) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING', [id, Date.now()]);
  }

  async setPlan(e: Entry, plan: Op[]): Promise<void> {
    await this.db.query('UPDATE events SET plan = $1 WHERE seq = $2 AND id = $3', [JSON.stringify(plan), e.seq, e.id]);
    // Only once it is on disk: a retry after a failed write must plan (and record) again.
    e.plan = plan;
  }

  async setStep(e: Entry, step: number): Promise<void> {
    e.step = step;
    await this.db.query('UPDATE events SET step = $1 WHERE seq = $2 AND id = $3', [step, e.seq, e.id]);
  }

  retryAt(e: Entry, attempts: number, at: number): void {
    e.attempts = attempts;
    e.nextAt = at;
    this.db.later('UPDATE events SET attempts = $1, next_at = $2 WHERE seq = $3 AND id = $4', [attempts, at, e.seq, e.id]);
  }

  async done(e: Entry): Promise<void> {
    await this.db.query(finish('seq = $2 AND id = $3'), [Date.now(), e.seq, e.id]);
  }

  async dead(e: Entry, reason: string, code?: DeadReason): Promise<void> {
    const at = Date.now();
    await this.db.query('UPDATE events SET dead_reason = $1, dead_at = $2, dead_code = $3 WHERE seq = $4 AND id = $5', [reason, at, code ?? null, e.seq, e.id]);
    e.dead = { reason, at, ...(code ? { code } : {}) };
  }

  async deadLetters(account: string): Promise<Entry[]> {
    return (await this.db.query<Row>('SELECT * FROM events WHERE dead_at IS NOT NULL AND account = $1 ORDER BY seq', [account])).map(entryOf);
  }

  async revive(account: string, id: string): Promise<Entry | undefined> {
    const [r] = await this.db.query<Row>(`UPDATE events SET ${REVIVE} WHERE id = $1 AND account = $2 AND dead_at IS NOT NULL RETURNING *`, [id, account]);
    if (!r) return undefined;
    return revived(r);
  }

  async reviveAll(account: string, limit?: number): Promise<Entry[]> {
    // Chosen and revived in one statement: a letter that dies meanwhile is either in both or in neither.
    const rows = await this.db.query<Row>(`UPDATE events SET ${REVIVE} WHERE seq IN (
      SELECT seq FROM events WHERE dead_at IS NOT NULL AND account = $1 ORDER BY seq LIMIT $2 FOR UPDATE) RETURNING *`, [account, limit ?? null]);
    return rows.sort((a, b) => a.seq - b.seq).map(revived);
  }

  async dismiss(account: string, id: string): Promise<boolean> {
    // Finished, not forgotten: a provider resending it later is still a duplicate.
    const [r] = await this.db.query<{ n: number }>(finish('id = $2 AND account = $3 AND dead_at IS NOT NULL'), [Date.now(), id, account]);
    return r!.n > 0;
  }

  get healthy(): boolean {
    return this.db.healthy;
  }
}
