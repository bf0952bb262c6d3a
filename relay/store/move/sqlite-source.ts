import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SCHEMA_VERSION } from '../sqlite/schema.ts';
import { DB_FILE } from '../sqlite/store.ts';

/** A table of relay.db: its columns, and whether it has a rowid (the order its rows came in). */
export interface SourceTable {
  name: string;
  columns: string[];
  rowid: boolean;
}

const exists = (path: string) => stat(path).then(() => true, () => false);

/**
 * relay.db of a data directory, read through one read transaction: every table as it was at one
 * moment, even while a relay still writes to it (WAL). Nothing is written: the connection is
 * query-only, and it is not the relay's Db (no schema upgrade, no pragmas that change the file).
 */
export class SqliteSource {
  private constructor(private readonly sql: Database.Database, readonly path: string, readonly walFound: boolean) {}

  /** Refuses a directory the move cannot take whole, with what to do instead. */
  static async open(dataDir: string): Promise<SqliteSource> {
    const path = join(dataDir, DB_FILE);
    if (!await exists(path)) throw new Error(`${path} does not exist: --data must name the relay's data directory (RELAY_DATA_DIR)`);
    // Files of a relay before the SQLite store, which the next start on SQLite imports into relay.db.
    for (const old of ['journal.jsonl', 'state']) {
      if (await exists(join(dataDir, old))) {
        throw new Error(`${join(dataDir, old)} is not imported into ${DB_FILE} yet: start the relay once on this directory without RELAY_DATABASE_URL (it imports it), stop it, then move`);
      }
    }
    // A relay that stops removes its WAL: one beside the file is a relay still running (or killed).
    const walFound = await exists(`${path}-wal`);
    const sql = new Database(path, { fileMustExist: true });
    try {
      sql.pragma('query_only = ON');
      sql.pragma('busy_timeout = 5000');
      const version = sql.pragma('user_version', { simple: true }) as number;
      if (version !== SCHEMA_VERSION) {
        throw new Error(version > SCHEMA_VERSION
          ? `${path} was written by a newer relay (schema ${version}, this one knows up to ${SCHEMA_VERSION}): move it with that version`
          : `${path} was written by an older relay (schema ${version} of ${SCHEMA_VERSION}): start this version once on the directory without RELAY_DATABASE_URL (it upgrades the file), stop it, then move`);
      }
      // The snapshot starts with the first read and holds until close().
      sql.exec('BEGIN');
      return new SqliteSource(sql, path, walFound);
    } catch (err) {
      sql.close();
      throw err;
    }
  }

  /** The relay's tables, in the order the schema made them. */
  tables(): SourceTable[] {
    const rows = this.sql.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY rowid").all() as { name: string; sql: string }[];
    return rows.map((r) => ({
      name: r.name,
      columns: (this.sql.pragma(`table_info(${r.name})`) as { name: string }[]).map((c) => c.name),
      rowid: !/\bWITHOUT\s+ROWID\s*$/i.test(r.sql),
    }));
  }

  /**
   * The table's rows as arrays of `columns`, `size` at a time, in the order they came where the
   * table keeps one: the caller may await between batches (nothing else reads this connection meanwhile).
   */
  *batches(t: SourceTable, columns: string[], size: number): Generator<unknown[][]> {
    const rows = this.sql.prepare(`SELECT ${columns.join(', ')} FROM ${t.name}${t.rowid ? ' ORDER BY rowid' : ''}`).raw().iterate() as IterableIterator<unknown[]>;
    let batch: unknown[][] = [];
    for (const r of rows) {
      batch.push(r);
      if (batch.length === size) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length) yield batch;
  }

  close(): void {
    if (this.sql.inTransaction) this.sql.exec('COMMIT');
    this.sql.close();
  }
}
