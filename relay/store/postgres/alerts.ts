import { stateOf, type AlertRow as Row } from '../rows.ts';
import type { AlertLog, AlertState } from '../store.ts';
import type { Db } from './db.ts';

/** The dead-letter alerts' pacing in `alerts` (schema.ts), one row an account; each change is one statement. */
export class PgAlerts implements AlertLog {
  constructor(private readonly db: Db) {}

  async get(account: string): Promise<AlertState> {
    return stateOf((await this.db.query<Row>('SELECT * FROM alerts WHERE account = $1', [account]))[0]);
  }

  async count(account: string, n: number, at: number): Promise<AlertState> {
    return stateOf((await this.db.query<Row>(`INSERT INTO alerts AS a (account, unsent, first_at) VALUES ($1, $2, $3)
      ON CONFLICT (account) DO UPDATE SET unsent = a.unsent + excluded.unsent,
      first_at = CASE WHEN a.unsent = 0 OR a.first_at IS NULL THEN excluded.first_at ELSE a.first_at END
      RETURNING *`, [account, n, at]))[0]);
  }

  async sent(account: string, n: number, at: number, after: number | undefined): Promise<AlertState | undefined> {
    const [r] = await this.db.query<Row>(`INSERT INTO alerts AS a (account, unsent, last_sent_at) VALUES ($1, 0, $2)
      ON CONFLICT (account) DO UPDATE SET unsent = GREATEST(0, a.unsent - $3), last_sent_at = excluded.last_sent_at,
      first_at = CASE WHEN a.unsent - $3 > 0 THEN excluded.last_sent_at ELSE NULL END
      WHERE a.last_sent_at IS NOT DISTINCT FROM $4::float8
      RETURNING *`, [account, at, n, after ?? null]);
    return r && stateOf(r);
  }

  async waiting(): Promise<{ account: string; state: AlertState }[]> {
    const rows = await this.db.query<Row>('SELECT * FROM alerts WHERE unsent > 0 ORDER BY account');
    return rows.map((r) => ({ account: r.account, state: stateOf(r) }));
  }
}
