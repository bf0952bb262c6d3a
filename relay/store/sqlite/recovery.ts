import type { RecoveryLog, RecoveryRun, RecoveryState } from '../store.ts';
import type { Db } from './db.ts';

interface Row { channel: string; account: string; covered_to: number; last: string | null }

const stateOf = (r: Row): RecoveryState => ({
  channel: r.channel, account: r.account, coveredTo: r.covered_to, ...(r.last ? { last: JSON.parse(r.last) as RecoveryRun } : {}),
});

/** How far each channel's provider log was read, in `recovery` (schema.ts), one row a channel. */
export class SqliteRecovery implements RecoveryLog {
  private readonly st;

  constructor(private readonly db: Db) {
    const q = (sql: string) => db.sql.prepare(sql);
    this.st = {
      get: q('SELECT * FROM recovery WHERE channel = ?'),
      all: q('SELECT * FROM recovery ORDER BY channel'),
      put: q('INSERT OR REPLACE INTO recovery (channel, account, covered_to, last) VALUES (?, ?, ?, ?)'),
      drop: q('DELETE FROM recovery WHERE channel = ?'),
    };
  }

  get(channel: string): Promise<RecoveryState | undefined> {
    const r = this.st.get.get(channel) as Row | undefined;
    return Promise.resolve(r ? stateOf(r) : undefined);
  }

  all(): Promise<RecoveryState[]> {
    return Promise.resolve((this.st.all.all() as Row[]).map(stateOf));
  }

  put(s: RecoveryState): Promise<void> {
    return this.db.write(() => void this.st.put.run(s.channel, s.account, s.coveredTo, s.last ? JSON.stringify(s.last) : null));
  }

  drop(channel: string): Promise<void> {
    return this.db.write(() => void this.st.drop.run(channel));
  }
}
