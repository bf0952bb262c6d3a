import type { Account } from '../../core/account.ts';
import { invalid, type AccountDocs } from '../accounts.ts';
import type { Db } from './db.ts';

/** The accounts' settings in `accounts` (schema.ts), one JSON document a row. */
export class PgAccountDocs implements AccountDocs {
  constructor(private readonly db: Db) {}

  async load(check: (raw: unknown) => Account): Promise<Account[]> {
    const rows = await this.db.query<{ id: string; data: string }>('SELECT id, data FROM accounts ORDER BY id');
    return rows.map((r) => {
      try {
        return check(JSON.parse(r.data));
      } catch (err) {
        throw invalid(`the account ${r.id} in the database`, err);
      }
    });
  }

  async read(id: string, check: (raw: unknown) => Account): Promise<Account | undefined> {
    const [r] = await this.db.query<{ data: string }>('SELECT data FROM accounts WHERE id = $1', [id]);
    if (!r) return undefined;
    try {
      return check(JSON.parse(r.data));
    } catch (err) {
      throw invalid(`the account ${id} in the database`, err);
    }
  }

  async write(a: Account): Promise<void> {
    await this.db.query('INSERT INTO accounts (id, data) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET data = excluded.data', [a.id, JSON.stringify(a)]);
  }

  async remove(id: string): Promise<void> {
    await this.db.query('DELETE FROM accounts WHERE id = $1', [id]);
  }
}
