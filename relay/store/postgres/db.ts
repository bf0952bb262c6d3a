import pg from 'pg';
import { StorageError } from '../../errors.ts';
import { migrate } from './schema.ts';

/** Parameters of a statement, in the order of its $1, $2, … */
export type Params = unknown[];

/** What a transaction's body runs its statements with. */
export type Query = <R extends object>(sql: string, params?: Params) => Promise<R[]>;

/**
 * SQLSTATE classes of what the server, the connection or the moment did, as opposed to what a
 * statement asked (a constraint, a bug): connection exceptions, insufficient resources (a full
 * disk), operator intervention (a shutdown, a restart), system errors, and a transaction rolled
 * back by a conflict (trying again works), a lock not had in time. Those are a StorageError (retried, 503).
 */
const SERVER_FAULTS = /^(08|40|53|55P03|57|58|XX)/;

/** The driver's own failures have no SQLSTATE: the network, a timeout, a closed connection. */
const DRIVER_FAULTS = /connect|terminat|timeout|not queryable|closed|ended/i;

function isStorageFault(err: unknown): boolean {
  if (err instanceof pg.DatabaseError) return SERVER_FAULTS.test(err.code ?? '');
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' || DRIVER_FAULTS.test((err as Error).message ?? '');
}

/** The server options a URL gives (`?options=-c search_path=…`): the pool's own are added to them, not put instead. */
export function urlOptions(url: string): string {
  try {
    return new URL(url).searchParams.get('options') ?? '';
  } catch {
    return '';
  }
}

/** After a failed statement the store reports unhealthy for this long, so /healthz shows the fault. */
const UNHEALTHY_MS = 5_000;

/** bigint (int8) columns and counts: milliseconds and sequence numbers, well within a double. */
const INT8 = 20;
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/**
 * The relay's connections to PostgreSQL. Each write is its own transaction, committed (on the
 * server's disk, with its default synchronous_commit) when its promise resolves: a webhook is
 * answered 2xx only after that. Statements from several requests run at once over the pool, so
 * PostgreSQL's own group commit shares one flush among them.
 *
 * A failure of the server or the connection rejects with a StorageError (the HTTP faces answer
 * 503, the worker retries) and makes `healthy` false for a while; a statement's own error (a
 * constraint, a bug) is thrown as it is.
 */
export class Db {
  private readonly pool: pg.Pool;
  private failedAt = 0;

  /** Statements under way, those nobody waits for too: close() lets them finish. */
  private readonly inflight = new Set<Promise<unknown>>();

  private constructor(url: string) {
    this.pool = new pg.Pool({
      connectionString: url,
      types,
      application_name: 'planfix-relay',
      max: 10,
      // A server that does not answer fails the request (503, retried) instead of holding it.
      connectionTimeoutMillis: 5_000,
      keepAlive: true,
      // A relay stalled inside a transaction (its network cut) would hold its locks, and the queue
      // keys' adds of every other relay, until TCP gives up (hours): the server ends it first, and
      // meanwhile a statement waits at most 5 s for a lock (then 503, retried) rather than holding
      // its webhooks.
      options: [urlOptions(url), '-c idle_in_transaction_session_timeout=30000 -c lock_timeout=5000'].filter(Boolean).join(' '),
    });
    // An idle connection the server dropped (a restart, a network cut): without a listener the
    // pool's error would end the process. The next statement opens a new connection.
    this.pool.on('error', () => { this.failedAt = Date.now(); });
  }

  /** Connects and brings the schema up to date; rejects with why when the server refuses. */
  static async open(url: string): Promise<Db> {
    const db = new Db(url);
    try {
      const c = await db.pool.connect();
      try {
        await migrate(c);
      } finally {
        c.release();
      }
    } catch (err) {
      await db.pool.end().catch(() => undefined);
      throw err;
    }
    return db;
  }

  /** One statement, in a transaction of its own. */
  query<R extends object>(sql: string, params?: Params): Promise<R[]> {
    return this.track(this.pool.query<R>(sql, params).then((r) => r.rows, (err: unknown) => { throw this.fault(err); }));
  }

  /**
   * Runs `fn` in one transaction: everything it wrote commits together, or nothing does when it
   * throws (its own error is rethrown as it is).
   */
  tx<T>(fn: (q: Query) => Promise<T>): Promise<T> {
    return this.track((async () => {
      const c = await this.pool.connect().catch((err: unknown) => { throw this.fault(err); });
      let broken = false;
      // Out of the pool, nobody else listens: a connection dropped between two statements would
      // otherwise be an uncaught 'error' event.
      const dropped = () => { broken = true; this.failedAt = Date.now(); };
      c.on('error', dropped);
      const q: Query = async <R extends object>(sql: string, params?: Params) => {
        try {
          return (await c.query<R>(sql, params)).rows;
        } catch (err) {
          const e = this.fault(err);
          broken ||= e instanceof StorageError;
          throw e;
        }
      };
      try {
        await q('BEGIN');
        const result = await fn(q);
        await q('COMMIT');
        return result;
      } catch (err) {
        if (!broken) await c.query('ROLLBACK').catch(() => { broken = true; });
        throw err;
      } finally {
        c.off('error', dropped);
        // A connection in an unknown state is closed rather than handed to the next request.
        c.release(broken || undefined);
      }
    })());
  }

  /**
   * A write whose loss costs little (the activity list, a retry's next time): nobody waits for
   * it, close() still does.
   */
  later(sql: string, params?: Params): void {
    this.query(sql, params).catch(() => undefined);
  }

  get healthy(): boolean {
    return Date.now() - this.failedAt > UNHEALTHY_MS;
  }

  /** Why it is not healthy (Store.problem); undefined when it is. */
  get problem(): string | undefined {
    return this.healthy ? undefined : 'PostgreSQL unavailable: a statement failed in the last 5 s (the log says why)';
  }

  /** What the driver threw, as the relay treats it: a StorageError when the server or the connection failed. */
  private fault(err: unknown): Error {
    if (!isStorageFault(err)) return err as Error;
    this.failedAt = Date.now();
    return new StorageError(err as Error);
  }

  /** Makes close() wait for `p` (a run of writes that are not one statement). */
  track<T>(p: Promise<T>): Promise<T> {
    this.inflight.add(p);
    const forget = () => { this.inflight.delete(p); };
    p.then(forget, forget);
    return p;
  }

  /** Lets the statements under way finish, then closes the connections. */
  async close(): Promise<void> {
    // What finishes may start more (the next batch of a queue): until nothing is under way.
    while (this.inflight.size) await Promise.allSettled([...this.inflight]);
    await this.pool.end();
  }
}
