import { CALL_SKIPS, type CallSkip } from '../core/call-plan.ts';
import type { Entry } from '../store/store.ts';
import type { RelayEvent } from '../core/events.ts';
import { contentText, TEXTS } from '../core/planfix-texts.ts';
import type { DeadReason } from './dead-reason.ts';
import type { RetryReason } from './retry-reason.ts';

/** One line of an account's recent activity, as the admin page lists it. */
export interface ActivityItem {
  at: number;
  event: string;
  channel: string;
  kind: RelayEvent['kind'];
  outcome: 'delivered' | 'retrying' | 'dead';
  /** From journaling to this outcome. */
  latencyMs: number;
  attempts: number;
  error?: string;
  /** Why, for the admin page to word: a dead letter's reason, or a retry's. */
  errorCode?: DeadReason | RetryReason;
  /** A few words of the message, never more: the list is not a second copy of conversations. */
  preview?: string;
  /** What Planfix did not get although the event was delivered (e.g. no telephony token). */
  skipped?: string[];
  /** `skipped` by code, in the same order. */
  skippedCodes?: CallSkip[];
  /** Read from the provider's log by reconciliation: its webhook never came. */
  recovered?: true;
}

/** The activity line of an entry's outcome. */
export function activityItem(entry: Entry, outcome: ActivityItem['outcome'], attempts: number, latencyMs: number,
  error?: { text: string; code: DeadReason | RetryReason }, skipped: CallSkip[] = []): ActivityItem {
  const text = preview(entry.event);
  return {
    at: Date.now(), event: entry.id, channel: entry.channel, kind: entry.event.kind, outcome, latencyMs, attempts,
    ...(error ? { error: error.text.slice(0, 300), errorCode: error.code } : {}), ...(text ? { preview: text } : {}),
    ...(skipped.length ? { skipped: skipped.map((s) => CALL_SKIPS[s]), skippedCodes: skipped } : {}), ...(entry.event.kind !== 'reply' && entry.event.recovered ? { recovered: true as const } : {}),
  };
}

const PREVIEW = 40;

export function preview(ev: RelayEvent): string | undefined {
  // A location, contact or sticker previews as the English line: the admin pages are in English.
  const text = ev.kind === 'message' ? [ev.content && contentText(ev.content, TEXTS.en), ev.text].filter(Boolean).join(' ')
    : ev.kind === 'reply' ? ev.text
    : ev.kind === 'call' ? `${ev.direction === 'in' ? 'incoming' : 'outgoing'} call, ${ev.moment}`
    : ev.kind === 'status' ? ev.status : undefined;
  if (!text) return undefined;
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > PREVIEW ? `${flat.slice(0, PREVIEW)}…` : flat;
}
