import type { AuthFace } from '../errors.ts';
import type { Logger } from '../log.ts';

export interface AuthFailureLimits {
  /** Failures are counted per address over this window. */
  windowMs: number;
  /** Failures in a window answered at once; a person mistyping a key never waits. */
  free: number;
  /** Each failure past `free` waits this much longer than the one before, up to `maxDelayMs`. */
  stepMs: number;
  maxDelayMs: number;
  /** Answers held at once; past it a failure is answered 429 at once, so holding costs no connections. */
  maxWaiting: number;
  /** Addresses remembered; the oldest is forgotten past it, so a spoofed flood cannot grow memory. */
  maxAddresses: number;
}

export const AUTH_FAILURE_LIMITS: AuthFailureLimits = { windowMs: 60_000, free: 5, stepMs: 200, maxDelayMs: 3_000, maxWaiting: 64, maxAddresses: 10_000 };

interface Tally { since: number; count: number }

/**
 * Failed authentications by address: each is logged (without the credential) at a rate that stays
 * readable under a flood (the 1st, 2nd, 4th, 8th… of a window), and past a few in a minute each
 * answer is held back a little longer, so guessing a key from one address slows to a crawl while a
 * right key is never delayed. Behind a proxy set RELAY_TRUST_PROXY so the address is the client's.
 */
export class AuthFailures {
  private readonly tallies = new Map<string, Tally>();
  private waiting = 0;

  constructor(private readonly log: Logger, private readonly limits: AuthFailureLimits = AUTH_FAILURE_LIMITS, private readonly now = Date.now) {}

  /** Counts one failure; resolves when its answer may go: 'now' or 'held', or 'refuse' (answer 429) when too many are held. */
  async failed(address: string, face: AuthFace): Promise<'now' | 'held' | 'refuse'> {
    const count = this.count(address);
    const delayMs = Math.min(this.limits.maxDelayMs, Math.max(0, count - this.limits.free) * this.limits.stepMs);
    const refuse = delayMs > 0 && this.waiting >= this.limits.maxWaiting;
    if ((count & (count - 1)) === 0) this.log.warn({ face, address, failures: count, windowS: this.limits.windowMs / 1000, delayMs: refuse ? 0 : delayMs }, 'authentication failed');
    if (refuse) return 'refuse';
    if (!delayMs) return 'now';
    this.waiting++;
    try {
      await new Promise((r) => setTimeout(r, delayMs));
    } finally {
      this.waiting--;
    }
    return 'held';
  }

  private count(address: string): number {
    const now = this.now();
    let t = this.tallies.get(address);
    if (!t || now - t.since >= this.limits.windowMs) {
      this.tallies.delete(address);
      t = { since: now, count: 0 };
      this.tallies.set(address, t);
      if (this.tallies.size > this.limits.maxAddresses) this.tallies.delete(this.tallies.keys().next().value!);
    }
    return ++t.count;
  }
}
