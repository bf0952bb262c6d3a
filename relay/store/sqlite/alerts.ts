import { stateOf, type AlertRow as Row } from '../rows.ts';
import type { AlertLog, AlertState } from '../store.ts';
import type { Db } from './db.ts';

/** The dead-letter alerts' pacing in `alerts` (schema.ts), one row an account. */
export class SqliteAlerts implements AlertLog {
  private readonly st;

  constructor(private readonly db: Db) {
    const q = (sql: string) => db.sql.prepare(sql);
    this.st = {
      get: q('SELECT * FROM alerts WHERE account = ?'),
      count: q(`INSERT INTO alerts (account, unsent, first_at) VALUES (?, ?, ?)
        ON CONFLICT (account) DO UPDATE SET unsent = unsent + excluded.unsent,
        first_at = CASE WHEN unsent = 0 OR first_at IS NULL THEN excluded.first_at ELSE first_at END`),
      sent: q(`INSERT INTO alerts (account, unsent, last_sent_at) VALUES (?, 0, ?)
        ON CONFLICT (account) DO UPDATE SET unsent = MAX(0, unsent - ?), last_sent_at = excluded.last_sent_at,
        first_at = CASE WHEN unsent - ? > 0 THEN excluded.last_sent_at ELSE NULL END
        WHERE last_sent_at IS ?`),
      waiting: q('SELECT * FROM alerts WHERE unsent > 0 ORDER BY account'),
    };
  }

  get(account: string): Promise<AlertState> {
    return Promise.resolve(stateOf(this.st.get.get(account) as Row | undefined));
  }

  async count(account: string, n: number, at: number): Promise<AlertState> {
    let state: AlertState = { unsent: 0 };
    await this.db.write(() => {
      this.st.count.run(account, n, at);
      state = stateOf(this.st.get.get(account) as Row);
    });
    return state;
  }

  async sent(account: string, n: number, at: number, after: number | undefined): Promise<AlertState | undefined> {
    let state: AlertState | undefined;
    await this.db.write(() => {
      if (this.st.sent.run(account, at, n, n, after ?? null).changes) state = stateOf(this.st.get.get(account) as Row);
    });
    return state;
  }

  waiting(): Promise<{ account: string; state: AlertState }[]> {
    return Promise.resolve((this.st.waiting.all() as Row[]).map((r) => ({ account: r.account, state: stateOf(r) })));
  }
}
