import type { SqliteStore } from '../../relay/store/sqlite/store.ts';

// Storage faults provoked inside SQLite, without mounting anything (the fault suite,
// test/faults/disk.test.ts, does it with real filesystems where the machine can mount).

/**
 * The database may not grow by a single page, as on a full disk: a write that needs a new page
 * fails with SQLITE_FULL, one that fits in the pages there are still succeeds. Free pages (a
 * migration's dropped table) would be room: the file is compacted first. `heal()` gives the room
 * back. Called between turns (no transaction open).
 */
export function diskFull(store: SqliteStore): { heal(): void } {
  const sql = store.db.sql;
  sql.exec('VACUUM');
  const max = sql.pragma('max_page_count', { simple: true }) as number;
  sql.pragma(`max_page_count = ${sql.pragma('page_count', { simple: true }) as number}`);
  return { heal: () => void sql.pragma(`max_page_count = ${max}`) };
}

/** Event text big enough to need pages of its own (a page is 4 KB). */
export const BIG = 'x'.repeat(20_000);

/**
 * Makes a COMMIT fail, which a full disk or an I/O error does at its own moment: a deferred
 * foreign key is checked at COMMIT, so a row that breaks it fails the commit of its whole turn.
 * The relay's tables have no foreign keys; these two are the connection's own (TEMP).
 */
export function failingCommits(store: SqliteStore): {
  /** A write that makes the commit of the current turn fail. */
  poison(): Promise<void>;
  /** From now on every change of an event's plan makes its turn's commit fail, until `heal()`. */
  onPlan(): { heal(): void };
} {
  const sql = store.db.sql;
  sql.pragma('foreign_keys = ON');
  sql.exec(`
    CREATE TEMP TABLE parent (id INTEGER PRIMARY KEY);
    CREATE TEMP TABLE child (parent INTEGER REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED);
  `);
  return {
    poison: () => store.db.write(() => void sql.prepare('INSERT INTO temp.child VALUES (1)').run()),
    onPlan: () => {
      sql.exec('CREATE TEMP TRIGGER plan_commit_fails AFTER UPDATE OF plan ON main.events BEGIN INSERT INTO child VALUES (1); END');
      return { heal: () => void sql.exec('DROP TRIGGER temp.plan_commit_fails') };
    },
  };
}

/**
 * Makes the write of the event with this id fail as an I/O error of that one statement would
 * (SQLITE_IOERR_WRITE), without SQLite undoing anything else of the transaction by itself.
 */
export function failingWriteOf(store: SqliteStore, eventId: string): void {
  const sql = store.db.sql;
  sql.function('io_error', () => {
    throw Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR_WRITE' });
  });
  sql.exec(`CREATE TEMP TRIGGER io_error BEFORE INSERT ON main.events WHEN NEW.id = '${eventId}' BEGIN SELECT io_error(); END`);
}
