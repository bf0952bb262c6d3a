import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

// What a running relay's journal holds, read from its database beside it (WAL lets a reader in
// while the relay writes): tests check that refused requests left nothing in it.

function read<T>(dataDir: string, fn: (db: Database.Database) => T, empty: T): T {
  const file = join(dataDir, 'relay.db');
  if (!existsSync(file)) return empty;
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

/** Ids taken: events journaled, pending or finished, and ids marked seen (the relay's own sent messages). */
export const journalEvents = async (dataDir: string): Promise<number> =>
  read(dataDir, (db) => db.prepare('SELECT (SELECT count(*) FROM events) + (SELECT count(*) FROM seen)').pluck().get() as number, 0);

/** Every pending event's id and payload, one per line, then the ids of finished ones alone. */
export const journalText = async (dataDir: string): Promise<string> =>
  read(dataDir, (db) => [
    ...db.prepare("SELECT id || ' ' || event FROM events ORDER BY seq").pluck().all() as string[],
    ...db.prepare("SELECT id || ' ' FROM seen").pluck().all() as string[],
  ].join('\n'), '');

/** The bytes of the journaled payloads. */
export const journalBytes = async (dataDir: string): Promise<number> =>
  read(dataDir, (db) => db.prepare('SELECT coalesce(sum(length(event)), 0) FROM events').pluck().get() as number, 0);

/** SQLite's own check of the whole database: 'ok', or what is wrong. */
export const integrityOf = async (dataDir: string): Promise<string> =>
  read(dataDir, (db) => db.pragma('integrity_check', { simple: true }) as string, 'no database');
