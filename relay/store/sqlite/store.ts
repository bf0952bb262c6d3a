import { join } from 'node:path';
import type { AccountState, Store } from '../store.ts';
import { SqliteActivity } from './activity.ts';
import { SqliteAlerts } from './alerts.ts';
import { SqliteRecovery } from './recovery.ts';
import { Db } from './db.ts';
import { SqliteJournal } from './journal.ts';
import { SqliteAccountState, stateStatements } from './state.ts';
import { SqliteTraffic } from './traffic.ts';

export const DB_FILE = 'relay.db';

/** Rows deleted per statement while pruning, so a write waiting behind it waits milliseconds. */
const PRUNE_CHUNK = 2_000;

/** The store in one SQLite file in the data directory (`relay.db`, with its `-wal` and `-shm`). */
export class SqliteStore implements Store {
  readonly db: Db;
  readonly journal: SqliteJournal;
  readonly activity: SqliteActivity;
  readonly traffic: SqliteTraffic;
  readonly alerts: SqliteAlerts;
  readonly recovery: SqliteRecovery;
  private readonly st;
  private readonly prune_;

  constructor(dataDir: string) {
    this.db = new Db(join(dataDir, DB_FILE));
    this.journal = new SqliteJournal(this.db);
    this.activity = new SqliteActivity(this.db);
    this.traffic = new SqliteTraffic(this.db);
    this.alerts = new SqliteAlerts(this.db);
    this.recovery = new SqliteRecovery(this.db);
    this.st = stateStatements(this.db);
    const q = (sql: string) => this.db.sql.prepare(sql);
    // Each step deletes a chunk of what is older than the cut-off per write; its statements run in
    // order on the same chunk, and the last one's count says whether a chunk is left. Kept for ever:
    // the identity index and contacts (they prevent duplicate contacts, and are small), Planfix
    // contacts by phone, pending events and dead letters (until retried or dismissed): only the ids
    // of finished events (\`seen\`) go.
    const older = (table: string, col: string) => `SELECT rowid FROM ${table} WHERE ${col} < ? ORDER BY ${col}, rowid LIMIT ${PRUNE_CHUNK}`;
    this.prune_ = [
      [q(`DELETE FROM seen WHERE id IN (SELECT id FROM seen WHERE at < ? ORDER BY at LIMIT ${PRUNE_CHUNK})`)],
      // A conversation's tasks go in the same write, found through the chunk about to be deleted:
      // a scan for orphans stalled webhooks for most of a second at 1,000,000 stored, and a join on
      // every old conversation would rescan the chunks already emptied of tasks, each time.
      [q(`DELETE FROM tasks WHERE rowid IN (SELECT t.rowid FROM conversations c JOIN tasks t ON t.account = c.account AND t.chat_id = c.chat_id
          WHERE c.rowid IN (${older('conversations', 'touched')}))`),
        q(`DELETE FROM conversations WHERE rowid IN (${older('conversations', 'touched')})`)],
      [q(`DELETE FROM calls WHERE rowid IN (${older('calls', 'touched')})`)],
      [q(`DELETE FROM outbound WHERE rowid IN (${older('outbound', 'at')})`)],
      [q(`DELETE FROM statuses WHERE rowid IN (${older('statuses', 'at')})`)],
      // At most 100 rows an account: no index on `at` to keep up for them.
      [q(`DELETE FROM activity WHERE id IN (SELECT id FROM activity WHERE at < ? LIMIT ${PRUNE_CHUNK})`)],
      // An hour's row goes once the whole hour is older than the cut-off (traffic_hour).
      [q(`DELETE FROM traffic WHERE rowid IN (SELECT rowid FROM traffic WHERE hour < ? - 3600000 ORDER BY hour LIMIT ${PRUNE_CHUNK})`)],
    ];
  }

  state(account: string): AccountState {
    return new SqliteAccountState(account, this.db, this.st);
  }

  forget(account: string): Promise<void> {
    return this.db.write(() => {
      for (const table of ['contacts', 'identities', 'conversations', 'tasks', 'calls', 'planfix_contacts', 'outbound', 'statuses', 'activity', 'traffic', 'alerts', 'phone_book', 'recovery']) {
        this.db.sql.prepare(`DELETE FROM ${table} WHERE account = ?`).run(account);
      }
      // Its events are done for: the channels that sent them are gone with the account.
      this.db.sql.prepare('INSERT OR REPLACE INTO seen (id, at) SELECT id, ? FROM events WHERE account = ?').run(Date.now(), account);
      this.db.sql.prepare('DELETE FROM events WHERE account = ?').run(account);
    }).then(() => {
      for (const [id, e] of this.journal.pending) if (e.account === account) this.journal.pending.delete(id);
    });
  }

  async prune(before: number): Promise<number> {
    let total = 0;
    for (const step of this.prune_) {
      for (;;) {
        const counts = await this.db.write(() => step.map((st) => st.run(before).changes));
        total += counts.reduce((a, n) => a + n, 0);
        if (counts.at(-1)! < PRUNE_CHUNK) break;
      }
    }
    return total;
  }

  backup(to: string): Promise<void> {
    return this.db.backup(to);
  }

  get healthy(): boolean {
    return this.db.healthy;
  }

  get problem(): string | undefined {
    return this.db.problem;
  }

  async close(): Promise<void> {
    await this.db.settled().catch(() => undefined);
    this.db.close();
  }
}
