import { nanoid } from 'nanoid';
import type { Account } from '../core/account.ts';
import { checkResult, type CheckResult } from '../core/check.ts';
import { RetryableError, TerminalError } from '../errors.ts';
import { safeEqual } from '../http/secure.ts';
import { ChatApiError, type ChatApi } from './chat.ts';
import { PLANFIX_CHECKS } from './check-texts.ts';
import { RestError, type RestApi } from './rest.ts';
import type { TelephonyApi } from './telephony.ts';

// "Test connection" for an account's Planfix side: each answer says in plain words what works,
// and when something does not, what to change where (the words by code in check-texts.ts).

const result = (code: keyof typeof PLANFIX_CHECKS, params?: Record<string, string>, details?: Record<string, unknown>) => checkResult(PLANFIX_CHECKS, code, params, details);

/** What went wrong on the way, when Planfix did not answer at all or the relay may not call it. */
function unreachable(err: unknown, part: 'chat' | 'rest' | 'telephony'): CheckResult {
  const error = (err as Error).message;
  if (err instanceof TerminalError && err.kind === 'blocked-url') return result('planfix_url_blocked', { error });
  return result(`${part}_unreachable`, { error });
}

export async function checkChat(chat: ChatApi, account: Account): Promise<CheckResult> {
  try {
    // A chat id no one uses: Planfix answers "task not found" once the token is accepted.
    await chat.getTask(account, `relay-check-${nanoid(8)}`);
    return result('chat_ok');
  } catch (err) {
    if (err instanceof ChatApiError && err.status === 401) return result('chat_token_refused');
    if (err instanceof ChatApiError) return result('chat_refused', { error: err.message });
    return unreachable(err, 'chat');
  }
}

/** Scopes the relay uses, each probed with a request that does nothing (a list of one, or a write Planfix refuses for validation). */
const SCOPE_PROBES: [scope: string, method: 'GET' | 'POST', path: string, body?: unknown][] = [
  ['contact_readonly', 'POST', '/contact/list', { offset: 0, pageSize: 1, fields: 'id' }],
  ['contact_add', 'POST', '/contact/', {}],
  ['contact_update', 'POST', '/contact/0', {}],
  ['process_readonly', 'GET', '/process/task'],
  ['task_add', 'POST', '/task/', {}],
  ['task_readonly', 'POST', '/task/list', { offset: 0, pageSize: 1, fields: 'id' }],
  ['task_update', 'POST', '/task/0', {}],
  ['comment_add', 'POST', '/task/0/comments/', {}],
  ['user_readonly', 'POST', '/user/list', { offset: 0, pageSize: 1, fields: 'id' }],
];
/** Planfix's codes for "this token may not": scope, user rights. */
const DENIED = new Set([5, 6]);

export async function checkRest(rest: RestApi, account: Account): Promise<CheckResult> {
  if (!account.planfix.restToken) return result('rest_no_token');
  try {
    await rest.ping(account);
  } catch (err) {
    if (err instanceof RestError) return result('rest_token_refused', { error: err.message });
    return unreachable(err, 'rest');
  }
  const scopes: Record<string, 'works' | 'missing' | 'unknown'> = {};
  for (const [scope, method, path, body] of SCOPE_PROBES) {
    try {
      await rest.call(account, method, path, body);
      scopes[scope] = 'works';
    } catch (err) {
      if (err instanceof RestError) scopes[scope] = err.code !== undefined && DENIED.has(err.code) ? 'missing' : 'works';
      else if (err instanceof RetryableError) scopes[scope] = 'unknown';
      else throw err;
    }
  }
  const missing = Object.entries(scopes).filter(([, v]) => v === 'missing').map(([k]) => k);
  const unknown = Object.entries(scopes).filter(([, v]) => v === 'unknown').map(([k]) => k);
  if (missing.length) return result('rest_scopes_missing', { scopes: missing.join(', ') }, { scopes });
  if (unknown.length) return result('rest_scopes_unknown', { scopes: unknown.join(', ') }, { scopes });
  return result('rest_ok', undefined, { scopes });
}

export async function checkTelephony(telephony: TelephonyApi, account: Account, expected: { url: string; token: string }): Promise<CheckResult> {
  if (!account.planfix.telephonyToken) return result('telephony_no_token', { url: expected.url });
  let answer: unknown;
  try {
    answer = await telephony.call(account, 'ping', {});
  } catch (err) {
    if (err instanceof RetryableError || (err instanceof TerminalError && err.kind === 'blocked-url')) return unreachable(err, 'telephony');
    return result('telephony_refused', { error: (err as Error).message });
  }
  const a = (answer && typeof answer === 'object' ? answer : {}) as { pbxUrl?: unknown; pbxToken?: unknown };
  if (typeof a.pbxUrl === 'string' && a.pbxUrl !== expected.url) return result('telephony_other_url', { pbxUrl: a.pbxUrl, url: expected.url });
  // The token Planfix echoes is the account's secret: compared like every other credential.
  if (typeof a.pbxToken === 'string' && !safeEqual(a.pbxToken, expected.token)) return result('telephony_other_token');
  return result('telephony_ok');
}
