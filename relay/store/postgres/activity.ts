import type { ActivityItem } from '../../delivery/activity.ts';
import type { ActivityLog } from '../store.ts';
import { Batches } from './batches.ts';
import type { Db } from './db.ts';

/** What the admin page lists per account; older lines are deleted as new ones come. */
const SHOWN = 100;
/** Trimming every few adds, not every add: one DELETE per 50 outcomes instead of per outcome. */
const TRIM_EVERY = 50;

interface Adding { account: string; item: ActivityItem; trim: boolean }

/**
 * The account's latest delivery outcomes, kept across restarts. Written without waiting (it is a
 * view for the operator, not a record: the journal and Planfix are the record), in batches, so
 * that they are listed in the order they came.
 */
export class PgActivity implements ActivityLog {
  /** Adds per account since its last trim. */
  private readonly adds = new Map<string, number>();
  private readonly batches: Batches<Adding, void>;

  constructor(private readonly db: Db) {
    this.batches = new Batches((jobs) => this.write(jobs), (run) => void db.track(run));
  }

  add(account: string, item: ActivityItem): void {
    const n = (this.adds.get(account) ?? 0) + 1;
    const trim = n >= TRIM_EVERY;
    this.adds.set(account, trim ? 0 : n);
    this.batches.add({ account, item, trim }).catch(() => undefined);
  }

  private async write(jobs: Adding[]): Promise<void[]> {
    await this.db.tx(async (q) => {
      await q(`INSERT INTO activity (account, at, item) SELECT account, at, item
        FROM unnest($1::text[], $2::float8[], $3::text[]) WITH ORDINALITY AS i (account, at, item, n) ORDER BY n`,
      [jobs.map((j) => j.account), jobs.map((j) => j.item.at), jobs.map((j) => JSON.stringify(j.item))]);
      for (const account of new Set(jobs.filter((j) => j.trim).map((j) => j.account))) {
        await q(`DELETE FROM activity WHERE account = $1 AND id < (SELECT id FROM activity WHERE account = $1 ORDER BY id DESC LIMIT 1 OFFSET ${SHOWN - 1})`, [account]);
      }
    });
    return jobs.map(() => undefined);
  }

  async list(account: string): Promise<ActivityItem[]> {
    // What this process added lately is listed too, as on SQLite, whose reads see its open transaction.
    await this.batches.settled();
    const rows = await this.db.query<{ item: string }>(`SELECT item FROM activity WHERE account = $1 ORDER BY id DESC LIMIT ${SHOWN}`, [account]);
    return rows.map((r) => JSON.parse(r.item) as ActivityItem);
  }
}
