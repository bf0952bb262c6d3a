import { RetryableError } from '../errors.ts';

/**
 * Spaces one account's REST requests at least 1/rps apart (a token bucket of size one: Planfix
 * counts per second, so no bursts), and holds them all while the daily quota is exhausted.
 */
export class Throttle {
  private next = 0;
  private pausedUntil = 0;
  waits = 0;

  constructor(private readonly intervalMs: number) {}

  async take(): Promise<void> {
    const now = Date.now();
    if (this.pausedUntil > now) throw new RetryableError('Planfix REST daily quota exhausted; paused', this.pausedUntil - now);
    const at = Math.max(now, this.next);
    this.next = at + this.intervalMs;
    if (at > now) {
      this.waits++;
      await new Promise((r) => setTimeout(r, at - now));
    }
  }

  pause(ms: number): void {
    this.pausedUntil = Date.now() + ms;
  }
}
