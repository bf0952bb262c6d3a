import type { Entry, Journal } from '../store/store.ts';

/** Dead letters put back in line by one "retry all" (see DeadLetters.retryAll). */
export const REVIVE_AT_ONCE = 5_000;

/** What an admin does with an account's dead letters: put them back in line, or let them go. */
export class DeadLetters {
  /** `requeue`: the worker's way back into delivery for revived entries. */
  constructor(private readonly journal: Journal, private readonly requeue: (entries: Entry[]) => void) {}

  /** Puts a dead letter back in line; false when there is no such dead letter. */
  async retry(accountId: string, id: string): Promise<boolean> {
    const e = await this.journal.revive(accountId, id);
    if (!e) return false;
    this.requeue([e]);
    return true;
  }

  /**
   * Puts the account's dead letters back in line, each conversation's in their order, at most
   * REVIVE_AT_ONCE of them: they wait in memory like any pending event, and an outage's dead
   * letters are not bounded by the admission's backlog. `more`: some are left for the next call.
   */
  async retryAll(accountId: string): Promise<{ requeued: number; more: boolean }> {
    const revived = await this.journal.reviveAll(accountId, REVIVE_AT_ONCE);
    if (revived.length) this.requeue(revived);
    return { requeued: revived.length, more: revived.length === REVIVE_AT_ONCE };
  }

  /** Deletes a dead letter for good (an admin looked at it and let it go); false when there is none. */
  dismiss(accountId: string, id: string): Promise<boolean> {
    return this.journal.dismiss(accountId, id);
  }
}
