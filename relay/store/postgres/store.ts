import type { AccountState, Store } from '../store.ts';
import { PgAccountDocs } from './accounts.ts';
import { PgActivity } from './activity.ts';
import { PgAlerts } from './alerts.ts';
import { Db } from './db.ts';
import { PgJournal } from './journal.ts';
import { PgClaims } from './claims.ts';
import { PgRestPace } from './pace.ts';
import { PgRecovery } from './recovery.ts';
import { PgAccountState } from './state.ts';
import { PgTraffic } from './traffic.ts';

/** Rows deleted per statement while pruning, so a write waiting behind it waits milliseconds. */
const PRUNE_CHUNK = 2_000;

/** The first `PRUNE_CHUNK` rows of `table` whose `col` is before $1, by its primary key `key`. */
const older = (table: string, key: string, col: string) =>
  `(${key}) IN (SELECT ${key} FROM ${table} WHERE ${col} < $1 ORDER BY ${col} LIMIT ${PRUNE_CHUNK})`;

/**
 * Each step deletes a chunk of what is older than the cut-off per statement, and answers how many
 * rows went and whether a chunk is left (`more`). Kept for ever, as on SQLite (sqlite/store.ts):
 * the identity index and contacts, Planfix contacts by phone, pending events and dead letters.
 */
const PRUNE: string[] = [
  // The ids of finished events and of the relay's own messages: a pending event or a dead letter keeps its own.
  `WITH gone AS (DELETE FROM seen WHERE id IN (SELECT s.id FROM seen s WHERE s.at < $1
    AND NOT EXISTS (SELECT 1 FROM events e WHERE e.id = s.id) ORDER BY s.at LIMIT ${PRUNE_CHUNK}) RETURNING 1)
    SELECT count(*) AS n, count(*) = ${PRUNE_CHUNK} AS more FROM gone`,
  // A conversation's tasks go in the same statement, found through the chunk being deleted.
  `WITH c AS (DELETE FROM conversations WHERE ${older('conversations', 'account, chat_id', 'touched')} RETURNING account, chat_id),
    t AS (DELETE FROM tasks USING c WHERE tasks.account = c.account AND tasks.chat_id = c.chat_id RETURNING 1)
    SELECT (SELECT count(*) FROM c) + (SELECT count(*) FROM t) AS n, (SELECT count(*) FROM c) = ${PRUNE_CHUNK} AS more`,
  ...[['calls', 'account, call_id', 'touched'], ['outbound', 'account, provider_key', 'at'], ['statuses', 'account, message_id', 'at'], ['activity', 'id', 'at']]
    .map(([table, key, col]) => `WITH gone AS (DELETE FROM ${table} WHERE ${older(table!, key!, col!)} RETURNING 1)
      SELECT count(*) AS n, count(*) = ${PRUNE_CHUNK} AS more FROM gone`),
  // An hour's row goes once the whole hour is older than the cut-off.
  `WITH gone AS (DELETE FROM traffic WHERE (account, hour, channel) IN (SELECT account, hour, channel FROM traffic
    WHERE hour < $1::float8 - 3600000 ORDER BY hour LIMIT ${PRUNE_CHUNK}) RETURNING 1)
    SELECT count(*) AS n, count(*) = ${PRUNE_CHUNK} AS more FROM gone`,
];

/** Tables with an `account` column: what forget() deletes. */
const OF_ACCOUNT = ['contacts', 'identities', 'conversations', 'tasks', 'calls', 'planfix_contacts', 'outbound', 'statuses', 'activity', 'traffic', 'alerts', 'phone_book', 'recovery', 'rest_pace'];

/**
 * The store on PostgreSQL (RELAY_DATABASE_URL): the same tables as the SQLite file. Any number of
 * relay processes may share the database: each delivers the queue keys it claimed (claims.ts).
 */
export class PostgresStore implements Store {
  readonly journal: PgJournal;
  readonly activity: PgActivity;
  readonly traffic: PgTraffic;
  readonly alerts: PgAlerts;
  readonly recovery: PgRecovery;
  /** The accounts' settings, for the AccountStore (store/accounts.ts). */
  readonly accounts: PgAccountDocs;

  readonly claims: PgClaims;
  readonly pace: PgRestPace;

  private constructor(private readonly db: Db, url: string) {
    this.claims = new PgClaims(db, url);
    this.pace = new PgRestPace(db);
    this.journal = new PgJournal(db, this.claims);
    this.activity = new PgActivity(db);
    this.traffic = new PgTraffic(db);
    this.alerts = new PgAlerts(db);
    this.recovery = new PgRecovery(db);
    this.accounts = new PgAccountDocs(db);
  }

  /** Connects and brings the schema up to date. */
  static async open(url: string): Promise<PostgresStore> {
    return new PostgresStore(await Db.open(url), url);
  }

  state(account: string): AccountState {
    return new PgAccountState(account, this.db);
  }

  async forget(account: string): Promise<void> {
    await this.db.tx(async (q) => {
      for (const table of OF_ACCOUNT) await q(`DELETE FROM ${table} WHERE account = $1`, [account]);
      // Its events are done for: the channels that sent them are gone with the account.
      await q('UPDATE seen SET at = $2 WHERE id IN (SELECT id FROM events WHERE account = $1)', [account, Date.now()]);
      await q('DELETE FROM events WHERE account = $1', [account]);
    });
  }

  async prune(before: number): Promise<number> {
    let total = 0;
    for (const step of PRUNE) {
      for (;;) {
        const [r] = await this.db.query<{ n: number; more: boolean }>(step, [before]);
        total += r!.n;
        if (!r!.more) break;
      }
    }
    return total;
  }

  /** A copy of a live PostgreSQL is the server's business (pg_dump, base backups): see README, Data. */
  backup(): Promise<void> {
    return Promise.reject(new Error('the store is on PostgreSQL: back it up with pg_dump or the server\'s own backups'));
  }

  /** Also false while this process has no session for its claims: it takes webhooks and delivers none. */
  get healthy(): boolean {
    return this.problem === undefined;
  }

  get problem(): string | undefined {
    return this.db.problem ?? this.claims.problem;
  }

  async close(): Promise<void> {
    await this.db.close();
    // Last: the claims are held until the deliveries' writes are done.
    await this.claims.close();
  }
}
