import type { ActivityItem } from '../../delivery/activity.ts';
import type { ActivityLog } from '../store.ts';
import type { Db } from './db.ts';

/** What the admin page lists per account; older lines are deleted as new ones come. */
const SHOWN = 100;
/** Trimming every few adds, not every add: one DELETE per 50 outcomes instead of per outcome. */
const TRIM_EVERY = 50;

/**
 * The account's latest delivery outcomes, kept across restarts. Written without waiting (it is a
 * view for the operator, not a record: the journal and Planfix are the record).
 */
export class SqliteActivity implements ActivityLog {
  private readonly st;
  /** Adds per account since its last trim. */
  private readonly adds = new Map<string, number>();

  constructor(private readonly db: Db) {
    const q = (sql: string) => db.sql.prepare(sql);
    this.st = {
      add: q('INSERT INTO activity (account, at, item) VALUES (?, ?, ?)'),
      list: q(`SELECT item FROM activity WHERE account = ? ORDER BY id DESC LIMIT ${SHOWN}`).pluck(),
      trim: q(`DELETE FROM activity WHERE account = ? AND id < (SELECT id FROM activity WHERE account = ? ORDER BY id DESC LIMIT 1 OFFSET ${SHOWN - 1})`),
    };
  }

  add(account: string, item: ActivityItem): void {
    const n = (this.adds.get(account) ?? 0) + 1;
    const trim = n >= TRIM_EVERY;
    this.adds.set(account, trim ? 0 : n);
    this.db.writeLater(() => {
      this.st.add.run(account, item.at, JSON.stringify(item));
      if (trim) this.st.trim.run(account, account);
    });
  }

  list(account: string): Promise<ActivityItem[]> {
    return Promise.resolve((this.st.list.all(account) as string[]).map((s) => JSON.parse(s) as ActivityItem));
  }
}
