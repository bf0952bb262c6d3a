import type { CallSkip } from '../core/call-plan.ts';
import { deliveryLatency, eventsDelivered, eventsFailed } from '../metrics.ts';
import type { ActivityLog, Entry } from '../store/store.ts';
import { activityItem } from './activity.ts';
import type { DeadReason } from './dead-reason.ts';
import type { RetryReason } from './retry-reason.ts';
import type { TrafficRecorder } from './traffic.ts';

export type Outcome = 'delivered' | 'retrying' | 'dead';

/**
 * Counts one attempt's outcome everywhere it is read: the metrics, the admin page's charts, and
 * the account's activity list. `latencyMs`: from the entry's arrival in this process.
 */
export function recordOutcome(to: { traffic?: TrafficRecorder; activity: ActivityLog }, entry: Entry, kind: string, outcome: Outcome,
  attempts: number, latencyMs: number, error?: { text: string; code: DeadReason | RetryReason }, skipped: CallSkip[] = []): void {
  if (outcome === 'delivered') {
    eventsDelivered.inc({ kind });
    deliveryLatency.observe({ kind }, latencyMs / 1000);
  } else eventsFailed.inc({ kind, outcome: outcome === 'dead' ? 'dead' : 'retry' });
  to.traffic?.outcome(entry.account, entry.channel, outcome, latencyMs);
  to.activity.add(entry.account, activityItem(entry, outcome, attempts, latencyMs, error, skipped));
}
