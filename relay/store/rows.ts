import type { Op } from '../core/plan.ts';
import type { DeadReason } from '../delivery/dead-reason.ts';
import type { AlertState, Entry } from './store.ts';

// Rows as both engines (sqlite/, postgres/) keep them, read into the store's records one way.

/** An event's row, as both engines keep it. */
export interface EventRow {
  seq: number;
  id: string;
  account: string;
  channel: string;
  key: string;
  at: number;
  event: string;
  plan: string | null;
  step: number;
  attempts: number;
  next_at: number | null;
  dead_reason: string | null;
  dead_at: number | null;
  dead_code: string | null;
}

export function entryOf(r: EventRow): Entry {
  return {
    id: r.id, seq: r.seq, account: r.account, channel: r.channel, key: r.key, at: r.at,
    event: JSON.parse(r.event) as Entry['event'],
    step: r.step,
    ...(r.plan ? { plan: JSON.parse(r.plan) as Op[] } : {}),
    ...(r.attempts ? { attempts: r.attempts } : {}),
    ...(r.next_at ? { nextAt: r.next_at } : {}),
    ...(r.dead_at !== null ? { dead: { reason: r.dead_reason ?? '', at: r.dead_at, ...(r.dead_code ? { code: r.dead_code as DeadReason } : {}) } } : {}),
  };
}

/** An account's alert pacing row. */
export interface AlertRow { account: string; unsent: number; first_at: number | null; last_sent_at: number | null }

export const stateOf = (r: AlertRow | undefined): AlertState => (r ? {
  unsent: r.unsent,
  ...(r.first_at !== null ? { firstAt: r.first_at } : {}),
  ...(r.last_sent_at !== null ? { lastSentAt: r.last_sent_at } : {}),
} : { unsent: 0 });
