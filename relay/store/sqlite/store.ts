import { join } from 'node:path';
import type { AccountState, Store } from '../store.ts';
import { SqliteActivity } from './activity.ts';
import { Db } from './db.ts';
import { SqliteJournal } from './journal.ts';
import { SqliteAccountState, stateStatements } from './state.ts';

export const DB_FILE = 'relay.db';

/** Rows deleted per statement while pruning, so a write waiting behind it waits milliseconds. */
const PRUNE_CHUNK = 2_000;

/** The store in one SQLite file in the data directory (`relay.db`, with its `-wal` and `-shm`). */
export class SqliteStore implements Store {
  readonly db: Db;
  readonly journal: SqliteJournal;
  readonly activity: SqliteActivity;
  private readonly st;
  private readonly prune_;

  constructor(dataDir: string) {
    this.db = new Db(join(dataDir, DB_FILE));
    this.journal = new SqliteJournal(this.db);
    this.activity = new SqliteActivity(this.db);
    this.st = stateStatements(this.db);
    const q = (sql: string) => this.db.sql.prepare(sql);
    // Each deletes at most a chunk of what is older than the cut-off. Kept for ever: the identity
    // index and contacts (they prevent duplicate contacts, and are small), Planfix contacts by
    // phone, pending events and dead letters (until retried or dismissed).
    this.prune_ = [
      q(`DELETE FROM events WHERE seq IN (SELECT seq FROM events WHERE done_at IS NOT NULL AND done_at < ? LIMIT ${PRUNE_CHUNK})`),
      // A conversation's tasks go before it, found through the conversations being deleted (a scan
      // of every task for orphans stalled webhooks for most of a second at 1,000,000 stored).
      q(`DELETE FROM tasks WHERE rowid IN (SELECT t.rowid FROM conversations c JOIN tasks t ON t.account = c.account AND t.chat_id = c.chat_id
        WHERE c.touched < ? LIMIT ${PRUNE_CHUNK})`),
      q(`DELETE FROM conversations WHERE rowid IN (SELECT rowid FROM conversations WHERE touched < ? LIMIT ${PRUNE_CHUNK})`),
      q(`DELETE FROM calls WHERE rowid IN (SELECT rowid FROM calls WHERE touched < ? LIMIT ${PRUNE_CHUNK})`),
      q(`DELETE FROM outbound WHERE rowid IN (SELECT rowid FROM outbound WHERE at < ? LIMIT ${PRUNE_CHUNK})`),
      q(`DELETE FROM statuses WHERE rowid IN (SELECT rowid FROM statuses WHERE at < ? LIMIT ${PRUNE_CHUNK})`),
      q(`DELETE FROM activity WHERE id IN (SELECT id FROM activity WHERE at < ? LIMIT ${PRUNE_CHUNK})`),
    ];
  }

  state(account: string): AccountState {
    return new SqliteAccountState(account, this.db, this.st);
  }

  forget(account: string): Promise<void> {
    return this.db.write(() => {
      for (const table of ['contacts', 'identities', 'conversations', 'tasks', 'calls', 'planfix_contacts', 'outbound', 'statuses', 'activity']) {
        this.db.sql.prepare(`DELETE FROM ${table} WHERE account = ?`).run(account);
      }
      // Its events are done for: the channels that sent them are gone with the account.
      this.db.sql.prepare('UPDATE events SET done_at = ?, event = NULL, plan = NULL WHERE account = ? AND done_at IS NULL').run(Date.now(), account);
    }).then(() => {
      for (const [id, e] of this.journal.pending) if (e.account === account) this.journal.pending.delete(id);
    });
  }

  async prune(before: number): Promise<number> {
    let total = 0;
    for (const st of this.prune_) {
      for (;;) {
        const { changes } = await this.db.write(() => st.run(...(st.source.includes('?') ? [before] : [])));
        total += changes;
        if (changes < PRUNE_CHUNK) break;
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

  async close(): Promise<void> {
    await this.db.settled().catch(() => undefined);
    this.db.close();
  }
}
