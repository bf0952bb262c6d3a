import { TerminalError } from '../errors.ts';
import { ChatApiError } from '../planfix/chat-error.ts';
import { RestError } from '../planfix/rest-error.ts';
import { TelephonyApiError } from '../planfix/telephony.ts';

/**
 * Why an event became a dead letter, for the admin page to say in plain words (the raw reason
 * stays beside it). Read from the error's type and its status or Planfix code, never from its
 * text: the words of Planfix and the providers change, their codes do not.
 */
export const DEAD_REASONS = [
  'planfix-token', 'not-found', 'provider-refused', 'planfix-refused', 'not-configured', 'blocked-url', 'gave-up', 'other',
] as const;
export type DeadReason = (typeof DEAD_REASONS)[number];

// Planfix REST codes (docs/reference/planfix-api.md §3.3): invalid or inactive token, a scope or
// the user not allowed; task, contact, employee, comment not found.
const REST_TOKEN_CODES = new Set([1, 2, 5, 6, 16]);
const REST_NOT_FOUND_CODES = new Set([1000, 2000, 4000, 5000]);

export function deadReason(err: unknown, gaveUp: boolean): DeadReason {
  if (gaveUp) return 'gave-up';
  if (err instanceof ChatApiError) {
    if (err.status === 401 || err.status === 403) return 'planfix-token';
    return err.notFound ? 'not-found' : 'planfix-refused';
  }
  if (err instanceof RestError) {
    if (err.code !== undefined && REST_TOKEN_CODES.has(err.code)) return 'planfix-token';
    if (err.code !== undefined && REST_NOT_FOUND_CODES.has(err.code)) return 'not-found';
    if (err.code === undefined && (err.status === 401 || err.status === 403)) return 'planfix-token';
    return 'planfix-refused';
  }
  if (err instanceof TelephonyApiError) return err.status === 401 || err.status === 403 ? 'planfix-token' : 'planfix-refused';
  if (err instanceof TerminalError) return err.kind ?? 'other';
  return 'other';
}
