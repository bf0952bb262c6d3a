import type { RestPace } from '../../planfix/throttle.ts';
import type { Db } from './db.ts';

/** The server's clock in milliseconds: every process reads the one clock, whatever its own says. */
const NOW = '(extract(epoch FROM clock_timestamp()) * 1000)';

/**
 * Two processes' sends are spaced through one round trip each, not through the answers as one
 * process spaces its own (throttle.ts): this much more keeps their arrivals at Planfix an interval
 * apart whichever of the two round trips was slower.
 */
const MARGIN_MS = 50;

/**
 * Planfix's REST pace and quota pause per account, shared by every relay process on the database
 * (rest_pace in schema.ts): each request reserves the next free moment in one statement, so two
 * processes never take the same second.
 */
export class PgRestPace implements RestPace {
  constructor(private readonly db: Db) {}

  async reserve(account: string, intervalMs: number): Promise<{ waitMs: number; pausedMs: number }> {
    const step = intervalMs + MARGIN_MS;
    const [r] = await this.db.query<{ wait: number; paused: number }>(
      `INSERT INTO rest_pace AS p (account, next_at) VALUES ($1, ${NOW} + $2)
       ON CONFLICT (account) DO UPDATE SET next_at = CASE WHEN p.paused_until > ${NOW} THEN p.next_at ELSE greatest(p.next_at, ${NOW}) + $2 END
       RETURNING next_at - $2 - ${NOW} AS wait, paused_until - ${NOW} AS paused`, [account, step]);
    return { waitMs: Math.max(0, r!.wait), pausedMs: Math.max(0, r!.paused) };
  }

  async pause(account: string, ms: number): Promise<void> {
    await this.db.query(`INSERT INTO rest_pace AS p (account, paused_until) VALUES ($1, ${NOW} + $2)
      ON CONFLICT (account) DO UPDATE SET paused_until = greatest(p.paused_until, ${NOW} + $2)`, [account, ms]);
  }
}
