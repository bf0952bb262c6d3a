import type { RecoveryLog, RecoveryRun, RecoveryState } from '../store.ts';
import type { Db } from './db.ts';

interface Row { channel: string; account: string; covered_to: number; last: string | null }

const stateOf = (r: Row): RecoveryState => ({
  channel: r.channel, account: r.account, coveredTo: r.covered_to, ...(r.last ? { last: JSON.parse(r.last) as RecoveryRun } : {}),
});

/** How far each channel's provider log was read, in `recovery` (schema.ts), one row a channel. */
export class PgRecovery implements RecoveryLog {
  constructor(private readonly db: Db) {}

  async get(channel: string): Promise<RecoveryState | undefined> {
    const [r] = await this.db.query<Row>('SELECT * FROM recovery WHERE channel = $1', [channel]);
    return r ? stateOf(r) : undefined;
  }

  async all(): Promise<RecoveryState[]> {
    return (await this.db.query<Row>('SELECT * FROM recovery ORDER BY channel')).map(stateOf);
  }

  async put(s: RecoveryState): Promise<void> {
    await this.db.query(`INSERT INTO recovery (channel, account, covered_to, last) VALUES ($1, $2, $3, $4)
      ON CONFLICT (channel) DO UPDATE SET account = excluded.account, covered_to = excluded.covered_to, last = excluded.last`,
    [s.channel, s.account, s.coveredTo, s.last ? JSON.stringify(s.last) : null]);
  }

  async drop(channel: string): Promise<void> {
    await this.db.query('DELETE FROM recovery WHERE channel = $1', [channel]);
  }
}
