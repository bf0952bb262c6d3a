import { closeSync, openSync } from 'node:fs';
import Database from 'better-sqlite3';
import { StorageError } from '../../errors.ts';
import { migrate } from './schema.ts';

/**
 * What the disk or the file did, as opposed to what a statement asked (a constraint, a bug): the
 * former is a StorageError (retried, 503), the latter is thrown as it is.
 */
const STORAGE_FAULTS = /^SQLITE_(FULL|IOERR|READONLY|BUSY|LOCKED|CANTOPEN|NOMEM|PROTOCOL|CORRUPT|NOTADB|NOLFS)/;

function isStorageFault(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? STORAGE_FAULTS.test(code) : (err as Error).message === ROLLED_BACK;
}

const ROLLED_BACK = 'the transaction was rolled back';

/** After a failed commit the store reports unhealthy for this long, so /healthz shows the fault. */
const UNHEALTHY_MS = 5_000;

interface Batch {
  done: Promise<void>;
  resolve: () => void;
  reject: (err: Error) => void;
}

/**
 * The relay's one SQLite connection, with group commit.
 *
 * A write runs at once (better-sqlite3 is synchronous) inside the transaction of the current turn
 * of the event loop, and its promise resolves when that transaction commits, after the I/O
 * callbacks of the turn: the webhooks that arrived together and the deliveries answered together
 * share one COMMIT and one fsync (WAL with synchronous=FULL). A webhook is answered 2xx only after
 * its write resolves, so an acknowledged event is on disk.
 *
 * Each write has its own savepoint: one whose statement fails (a constraint) undoes only itself.
 * A full disk or an I/O error in any write, or a COMMIT that fails, undoes the whole turn: every
 * write of it rejects with a StorageError (the HTTP faces answer 503, the worker retries).
 */
export class Db {
  readonly sql: Database.Database;
  private batch: Batch | undefined;
  private failedAt = 0;

  constructor(readonly path: string) {
    // Created 0600 before SQLite opens it: SQLite gives the -wal and -shm files the same mode.
    closeSync(openSync(path, 'a', 0o600));
    this.sql = new Database(path);
    this.sql.pragma('journal_mode = WAL');
    this.sql.pragma('synchronous = FULL');
    // Bounded page cache: memory stays flat however much history the file holds.
    this.sql.pragma('cache_size = -16000');
    // A checkpoint every 1,000 pages (4 MB) of WAL, SQLite's default; and the WAL file cut back to
    // 16 MB after one, so a burst does not leave it large for good.
    this.sql.pragma('wal_autocheckpoint = 1000');
    this.sql.pragma('journal_size_limit = 16777216');
    this.sql.pragma('foreign_keys = OFF');
    // A second process (a backup, an operator's sqlite3 shell) may hold the lock for a moment.
    this.sql.pragma('busy_timeout = 5000');
    try {
      migrate(this.sql);
    } catch (err) {
      this.sql.close();
      throw err;
    }
  }

  /**
   * Runs `fn` now, inside the turn's transaction; resolves with its result once that is committed.
   * Rejects with a StorageError when `fn` or the commit fails.
   */
  write<T>(fn: () => T): Promise<T> {
    let result: T;
    try {
      const batch = this.open();
      // A full disk or an I/O error can make SQLite roll the whole transaction back by itself:
      // the turn's earlier writes are gone and its commit will fail; this one must not commit alone.
      if (!this.sql.inTransaction) throw new Error(ROLLED_BACK);
      this.sql.exec('SAVEPOINT w');
      try {
        result = fn();
        this.sql.exec('RELEASE w');
      } catch (err) {
        // A statement's own error (a constraint, a bug) undoes only its write. A full disk or an
        // I/O error undoes the whole turn, as SQLite itself may already have done: the writes a
        // caller made together (a delivery's step and the state it changed) stand or fall together.
        if (this.sql.inTransaction) this.sql.exec(isStorageFault(err) ? 'ROLLBACK' : 'ROLLBACK TO w; RELEASE w');
        throw err;
      }
      return batch.done.then(() => result);
    } catch (err) {
      if (!isStorageFault(err)) return Promise.reject(err as Error);
      this.fail();
      return Promise.reject(new StorageError(err as Error));
    }
  }

  /**
   * A write whose loss in a crash costs little (the activity list, a retry's next time): it joins
   * the turn's transaction like any other, and nobody waits for it.
   */
  writeLater(fn: () => void): void {
    this.write(fn).catch(() => undefined);
  }

  /** The commit of the writes made so far in this turn; resolved when there are none. */
  settled(): Promise<void> {
    return this.batch?.done ?? Promise.resolve();
  }

  get healthy(): boolean {
    return Date.now() - this.failedAt > UNHEALTHY_MS;
  }

  /** Why it is not healthy (Store.problem); undefined when it is. */
  get problem(): string | undefined {
    return this.healthy ? undefined : 'the SQLite store cannot write: a write failed in the last 5 s (the log says why)';
  }

  private open(): Batch {
    if (this.batch) return this.batch;
    this.sql.exec('BEGIN IMMEDIATE');
    let resolve!: () => void;
    let reject!: (err: Error) => void;
    const done = new Promise<void>((res, rej) => { resolve = res; reject = rej; });
    // Nobody may be listening yet (writeLater); the rejection is delivered to those who are.
    done.catch(() => undefined);
    const batch: Batch = { done, resolve, reject };
    this.batch = batch;
    setImmediate(() => this.commit(batch));
    return batch;
  }

  private commit(batch: Batch): void {
    if (this.batch !== batch) return;
    this.batch = undefined;
    try {
      this.sql.exec('COMMIT');
      batch.resolve();
    } catch (err) {
      if (this.sql.inTransaction) this.sql.exec('ROLLBACK');
      this.fail();
      batch.reject(new StorageError(err as Error));
    }
  }

  private fail(): void {
    this.failedAt = Date.now();
  }

  /** SQLite's online backup: a consistent copy of the live database, taken while the relay runs. */
  async backup(to: string): Promise<void> {
    await this.settled().catch(() => undefined);
    await this.sql.backup(to);
  }

  close(): void {
    if (this.batch) this.commit(this.batch);
    this.sql.close();
  }
}
