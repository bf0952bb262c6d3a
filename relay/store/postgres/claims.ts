import pg from 'pg';
import { entryOf, type EventRow as Row } from '../rows.ts';
import type { Claims, ClaimsEvents, Entry, Waiting } from '../store.ts';
import { urlOptions, type Db } from './db.ts';

/** The lock of a queue key: a session lock in the one-bigint space (adds lock keys in the two-int space). */
const LOCK = 'hashtextextended($1::text, 0)';

/** The leader's lock (alerts, phone book, reconciliation, retention run in one process): in the two-int space, class 2. */
const LEADER = 'pg_try_advisory_lock(2, 0)';

/** After the session is lost, the next try to open one. */
const RECONNECT_MS = 1_000;

/**
 * A statement on the session that takes longer has lost its server (a host gone, a half-open
 * connection): the session is given up, as its locks may already be. The server, for its part,
 * ends a session whose client stopped answering within about 25 s (its TCP keepalives below),
 * and with it the claims of a relay that vanished without closing its connection.
 */
const SESSION_TIMEOUT_MS = 5_000;
const SERVER_KEEPALIVES = '-c tcp_keepalives_idle=10 -c tcp_keepalives_interval=5 -c tcp_keepalives_count=3';

/** Keys a poll claims at most: a restart after a long outage takes its backlog a poll at a time. */
const POLL_KEYS = 2_000;

/** How long the session may be down before /healthz says so. */
const DOWN_REPORTED_MS = 5_000;

/**
 * Several relay processes on one database: which queue keys this one delivers. A key is claimed
 * with a session advisory lock on a connection of its own, held while the process has the key's
 * events in its queue. When the process dies its session ends and the locks go with it; the other
 * processes find the key's events unheld at their next poll and resume them at their recorded
 * step. Chosen over `FOR UPDATE SKIP LOCKED` with a lease because the lock is the session's: no
 * lease to renew, none to expire under a delivery that is only slow, and a key's order needs a
 * claim on the key, not on one row.
 *
 * The same connection LISTENs: `relay_work` (a process gave keys up: poll now, not at the next
 * tick) and `relay_accounts` (an account's settings changed: read them again).
 */
export class PgClaims implements Claims {
  private client: pg.Client | undefined;
  private opening: Promise<void> | undefined;
  private closed = false;
  private leading = false;
  /** Counts the sessions lost: a claim made in one session is void in the next. */
  epoch = 0;
  private downSince: number | undefined = Date.now();
  /** The driver's words for the session's last failure, for the log only. */
  private lastError = '';
  private readonly handlers: Partial<{ [K in keyof ClaimsEvents]: ClaimsEvents[K][] }> = {};

  constructor(private readonly db: Db, private readonly url: string) {}

  on<K extends keyof ClaimsEvents>(event: K, fn: ClaimsEvents[K]): void {
    ((this.handlers[event] ??= []) as ClaimsEvents[K][]).push(fn);
  }

  private emit<K extends keyof ClaimsEvents>(event: K, ...args: Parameters<ClaimsEvents[K]>): void {
    for (const fn of this.handlers[event] ?? []) (fn as (...a: Parameters<ClaimsEvents[K]>) => void)(...args);
  }

  /** Opens the session (and again after it is lost), or resolves at once when it is open. */
  private session(): Promise<pg.Client | undefined> {
    if (this.closed) return Promise.resolve(undefined);
    if (this.client) return Promise.resolve(this.client);
    this.opening ??= (async () => {
      const c = new pg.Client({
        connectionString: this.url, application_name: 'planfix-relay claims', connectionTimeoutMillis: 5_000,
        keepAlive: true, keepAliveInitialDelayMillis: 5_000, query_timeout: SESSION_TIMEOUT_MS,
        options: [urlOptions(this.url), SERVER_KEEPALIVES].filter(Boolean).join(' '),
      });
      const lost = (err?: Error) => {
        if (err) this.lastError = err.message;
        if (this.client !== c) return;
        this.client = undefined;
        this.leading = false;
        this.epoch++;
        this.downSince = Date.now();
        // Every lock went with the session: the keys are anyone's now.
        this.emit('lost', this.lastError);
      };
      c.on('error', lost);
      c.on('end', () => lost());
      c.on('notification', (n) => {
        if (n.channel === 'relay_work') this.emit('work');
        else if (n.channel === 'relay_accounts' && n.payload) this.emit('account', n.payload);
      });
      try {
        await c.connect();
        await c.query('LISTEN relay_work');
        await c.query('LISTEN relay_accounts');
        if (this.closed) throw new Error('closed');
        this.client = c;
        this.downSince = undefined;
        // Settings written while this process had no session were not heard: read them all.
        this.emit('account', '*');
      } catch (err) {
        this.lastError = (err as Error).message;
        await c.end().catch(() => undefined);
      }
    })().finally(() => { this.opening = undefined; });
    return this.opening.then(() => this.client);
  }

  /** A statement on the session failed or timed out: the session is given up (its locks with it). */
  private drop(c: pg.Client, err: unknown): void {
    this.lastError = (err as Error).message;
    c.emit('error', err as Error);
    void c.end().catch(() => undefined);
  }

  /** Why the session is missing, once it has been for a while; undefined while it is open. */
  get problem(): string | undefined {
    if (this.downSince === undefined || Date.now() - this.downSince < DOWN_REPORTED_MS) return undefined;
    return 'PostgreSQL unavailable for this relay\'s claims: it delivers nothing meanwhile (the log says why)';
  }

  async claim(keys: string[]): Promise<{ keys: string[]; epoch: number }> {
    const c = await this.session();
    const epoch = this.epoch;
    if (!c || !keys.length) return { keys: [], epoch };
    try {
      const rows = await c.query<{ k: string }>(`SELECT k FROM unnest($1::text[]) k WHERE pg_try_advisory_lock(${LOCK.replace('$1::text', 'k')})`, [keys]);
      return { keys: rows.rows.map((r) => r.k), epoch };
    } catch (err) {
      // Whether the locks were taken is unknown: the session goes, and they with it ('lost' is told).
      this.drop(c, err);
      return { keys: [], epoch };
    }
  }

  async entriesOf(keys: string[], after: number[] = keys.map(() => 0)): Promise<Entry[]> {
    if (!keys.length) return [];
    const rows = await this.db.query<Row>(`SELECT e.* FROM events e JOIN unnest($1::text[], $2::bigint[]) AS a (key, after)
      ON e.key = a.key AND e.seq > a.after WHERE e.dead_at IS NULL ORDER BY e.seq`, [keys, after]);
    return rows.map(entryOf);
  }

  async release(key: string): Promise<boolean> {
    const c = this.client;
    if (c) await c.query(`SELECT pg_advisory_unlock(${LOCK})`, [key]).catch((err: unknown) => this.drop(c, err));
    // Checked after the unlock: an event another process added while this one held the key was
    // committed before that process tried the lock and failed, so it is seen here.
    const [r] = await this.db.query<{ more: boolean }>('SELECT EXISTS (SELECT 1 FROM events WHERE key = $1 AND dead_at IS NULL) AS more', [key]);
    return r!.more;
  }

  async poll(now: number, mine: string[]): Promise<{ keys: string[]; waiting: Waiting[] }> {
    // Oldest first and without this process's own: behind an outage's backlog (keys far beyond
    // the limit), a dead relay's keys still come up.
    const due = await this.db.query<{ key: string }>(
      `SELECT key FROM events WHERE dead_at IS NULL AND coalesce(next_at, 0) <= $1 AND key <> ALL($2::text[])
       GROUP BY key ORDER BY min(seq) LIMIT ${POLL_KEYS}`, [now, mine]);
    const waiting = await this.db.query<Waiting>(
      'SELECT account, channel, count(*)::int AS n, min(at) AS oldest FROM events WHERE dead_at IS NULL GROUP BY account, channel');
    return { keys: due.map((r) => r.key), waiting };
  }

  /** Asked every poll: it is also the session's heartbeat. */
  async lead(): Promise<boolean> {
    const c = await this.session();
    if (!c) return false;
    try {
      this.leading = (await c.query<{ ok: boolean }>(this.leading ? 'SELECT true AS ok' : `SELECT ${LEADER} AS ok`)).rows[0]!.ok;
    } catch (err) {
      this.drop(c, err);
    }
    return this.leading;
  }

  get leader(): boolean {
    return this.leading;
  }

  notify(channel: 'relay_work' | 'relay_accounts', payload = ''): Promise<void> {
    return this.db.query('SELECT pg_notify($1, $2)', [channel, payload]).then(() => undefined);
  }

  /** Opens the session now; resolves once it is open or has failed (the next use tries again). */
  async open(): Promise<void> {
    await this.session();
  }

  /** Keeps a lost session coming back while the process runs. */
  reconnect(): () => void {
    const timer = setInterval(() => { if (!this.client) void this.session(); }, RECONNECT_MS).unref();
    return () => clearInterval(timer);
  }

  async close(): Promise<void> {
    this.closed = true;
    const c = this.client;
    this.client = undefined;
    // The keys this process still held (events it did not finish) are anyone's now: say so, so that
    // the other processes take them at once rather than at their next poll.
    await c?.query('SELECT pg_advisory_unlock_all(); NOTIFY relay_work').catch(() => undefined);
    await c?.end().catch(() => undefined);
  }
}
