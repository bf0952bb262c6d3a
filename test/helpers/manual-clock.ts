import type { Clock } from '../../relay/core/clock.ts';

/** Timers fire only when the test moves the clock past them. */
export class ManualClock implements Clock {
  private readonly timers = new Map<number, { at: number; fn: () => void }>();
  private next = 1;

  constructor(private t: number) {}

  now() { return this.t; }
  setTimeout(fn: () => void, ms: number) { const id = this.next++; this.timers.set(id, { at: this.t + ms, fn }); return id; }
  clearTimeout(id: unknown) { this.timers.delete(id as number); }
  get pending() { return this.timers.size; }

  /** Moves to `ms` later, firing every timer due on the way in time order. */
  advance(ms: number) {
    const end = this.t + ms;
    for (;;) {
      const due = [...this.timers.entries()].filter(([, x]) => x.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.t = due[1].at;
      due[1].fn();
    }
    this.t = end;
  }

  /**
   * Waits for `work`, moving the clock to each timer it sets once nothing else is happening: its
   * waits take no real time, and their length is exact. "Nothing else" is some turns of the event
   * loop without the work ending: a SQLite write commits in the next turn (setImmediate), and a
   * step of work waits for a few of those at most.
   */
  async until<T>(work: Promise<T>, quietTurns = 10): Promise<T> {
    let done = false;
    const result = work.finally(() => { done = true; });
    for (;;) {
      for (let i = 0; i < quietTurns && !done; i++) await new Promise<void>((r) => setImmediate(r));
      if (done) return result;
      const first = Math.min(...[...this.timers.values()].map((x) => x.at));
      if (!Number.isFinite(first)) continue;
      this.advance(Math.max(0, first - this.t));
    }
  }
}
