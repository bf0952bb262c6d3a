import { checkStoredAccount } from '../../channels/stored.ts';
import { AccountStore } from '../accounts.ts';
import { Db, type Query } from '../postgres/db.ts';
import type { PlanfixContact } from '../records.ts';
import { SqliteSource, type SourceTable } from './sqlite-source.ts';

// Moves a data directory (relay.db and the account files) into an empty PostgreSQL database, in
// one transaction. Each table of relay.db goes to the table of the same name, column by column;
// only what PostgreSQL keeps otherwise is named here, so a table or column added to both schemas
// moves without a change here, and one added to SQLite alone stops the move rather than being lost.

/** Tables of relay.db that are not moved, and why. */
export const NOT_MOVED: Record<string, string> = {
  meta: 'the mark of the import of JSON-lines files, which is done',
};

/** Columns on PostgreSQL that relay.db does not have, made from the row. */
const DERIVED: Record<string, Record<string, (row: Record<string, unknown>) => unknown>> = {
  // The Planfix contact's id, which SQLite reads out of data.
  planfix_contacts: { holder: (r) => (JSON.parse(r.data as string) as PlanfixContact).id },
};

/** What completes the tables once they are all in. */
const AFTER = [
  // relay.db keeps the id of an event still pending (or dead) in `events` alone; PostgreSQL keeps
  // every id taken in `seen` too (postgres/schema.ts), with the event's time, as its journal does.
  'INSERT INTO seen (id, at) SELECT id, at FROM events ON CONFLICT (id) DO NOTHING',
];

/** Rows per INSERT: a few MB of JSON at most. */
const BATCH = 1_000;

/** How long the move waits for a table another connection (a relay) holds. */
const LOCK_TIMEOUT = '10s';

export interface MoveReport {
  accounts: number;
  /** Every table of the database after the move, with its rows (accounts and relay_schema included). */
  tables: { name: string; rows: number }[];
  pending: number;
  dead: number;
  /** relay.db had its WAL beside it: a relay may have been running on it, and what it took after the snapshot is not moved. */
  relayMayRun: boolean;
}

interface TargetColumn { name: string; type: string; identity: boolean }

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * Moves everything the data directory's store holds into the database at `url`, which must hold
 * no data of the relay yet (its tables are made, as a relay's start makes them, if missing). All
 * or nothing: rows are written in one transaction, committed after the last. `progress` is told
 * each table as it is copied.
 */
export async function moveToPostgres(dataDir: string, url: string, progress: (table: string, rows: number) => void = () => {}): Promise<MoveReport> {
  // Checked as a start checks them, before anything is written: a file the relay would refuse is not moved.
  const accounts = new AccountStore(dataDir);
  await accounts.open(checkStoredAccount);
  const source = await SqliteSource.open(dataDir);
  let db: Db | undefined;
  try {
    const tables = source.tables();
    db = await Db.open(url);
    return await db.tx(async (q) => {
      const target = await targetTables(q);
      await refuseUsed(q, [...target.keys()]);
      for (const a of accounts.list()) await q('INSERT INTO accounts (id, data) VALUES ($1, $2)', [a.id, JSON.stringify(a)]);
      progress('accounts', accounts.list().length);
      for (const t of tables) {
        if (NOT_MOVED[t.name]) continue;
        const columns = target.get(t.name);
        if (!columns) throw new Error(`relay.db has a table ${t.name} that the relay's PostgreSQL schema has not: this version cannot move it`);
        progress(t.name, await copyTable(q, source, t, columns));
      }
      for (const sql of AFTER) await q(sql);
      const counted: MoveReport['tables'] = [];
      for (const name of [...target.keys()].sort()) {
        counted.push({ name, rows: (await q<{ n: number }>(`SELECT count(*)::int AS n FROM ${quote(name)}`))[0]!.n });
      }
      const [journal] = await q<{ pending: number; dead: number }>('SELECT count(*) FILTER (WHERE dead_at IS NULL)::int AS pending, count(*) FILTER (WHERE dead_at IS NOT NULL)::int AS dead FROM events');
      return { accounts: accounts.list().length, tables: counted, pending: journal!.pending, dead: journal!.dead, relayMayRun: source.walFound };
    });
  } finally {
    source.close();
    await db?.close();
  }
}

/** The tables of the relay's schema on the server (in the search path's first schema), with their columns. */
async function targetTables(q: Query): Promise<Map<string, TargetColumn[]>> {
  const rows = await q<{ table_name: string; column_name: string; udt_name: string; is_identity: string }>(
    `SELECT c.table_name, c.column_name, c.udt_name, c.is_identity FROM information_schema.columns c
      JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
      WHERE c.table_schema = current_schema() ORDER BY c.table_name, c.ordinal_position`);
  const tables = new Map<string, TargetColumn[]>();
  for (const r of rows) {
    const list = tables.get(r.table_name) ?? [];
    list.push({ name: r.column_name, type: r.udt_name, identity: r.is_identity === 'YES' });
    tables.set(r.table_name, list);
  }
  return tables;
}

/**
 * Refuses a database that holds rows in any table but the schema's version: moving into it would
 * mix two relays' journals and settings. The tables are locked first, so that a relay started on
 * the database meanwhile waits for the move instead of writing beside it.
 */
async function refuseUsed(q: Query, tables: string[]): Promise<void> {
  await q(`SET LOCAL lock_timeout = '${LOCK_TIMEOUT}'`);
  await q(`LOCK TABLE ${tables.map(quote).join(', ')} IN EXCLUSIVE MODE`).catch((err: Error & { code?: string }) => {
    throw err.code === '55P03' ? new Error(`the database is in use (a table stayed locked for ${LOCK_TIMEOUT}): stop the relays on it, then move`) : err;
  });
  const used: string[] = [];
  for (const t of tables) {
    if (t === 'relay_schema') continue;
    if ((await q<{ used: boolean }>(`SELECT EXISTS (SELECT 1 FROM ${quote(t)}) AS used`))[0]!.used) used.push(t);
  }
  if (used.length) {
    throw new Error(`the database already holds data (rows in ${used.join(', ')}): move only into a database no relay has used, or drop those tables first. Nothing was changed`);
  }
}

/** Copies one table in batches; resolves with the rows copied. */
async function copyTable(q: Query, source: SqliteSource, t: SourceTable, target: TargetColumn[]): Promise<number> {
  const names = new Set(target.map((c) => c.name));
  const missing = t.columns.filter((c) => !names.has(c));
  if (missing.length) throw new Error(`relay.db's ${t.name} has ${missing.join(', ')}, which the relay's PostgreSQL schema has not: this version cannot move it`);
  const derived = DERIVED[t.name] ?? {};
  // Identity columns (a sequence number) are left to PostgreSQL: rows go in the order they came, so
  // the numbers keep their order. Columns neither side fills take their default.
  const cols = target.filter((c) => !c.identity && (t.columns.includes(c.name) || derived[c.name]));
  const casts = cols.map((c, i) => `$${i + 1}::${c.type}[]`).join(', ');
  const list = cols.map((c) => quote(c.name)).join(', ');
  const sql = `INSERT INTO ${quote(t.name)} (${list}) SELECT ${list} FROM unnest(${casts}) WITH ORDINALITY AS i (${list}, move_order) ORDER BY move_order`;
  let copied = 0;
  try {
    for (const batch of source.batches(t, t.columns, BATCH)) {
      const rows = batch.map((values) => Object.fromEntries(t.columns.map((c, i) => [c, values[i]])));
      await q(sql, cols.map((c) => rows.map((r) => (derived[c.name] ? derived[c.name]!(r) : r[c.name]) ?? null)));
      copied += batch.length;
    }
  } catch (err) {
    throw new Error(`moving ${t.name}: ${(err as Error).message}`, { cause: err });
  }
  return copied;
}
