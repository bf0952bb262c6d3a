import { nanoid } from 'nanoid';
import type { Account } from '../core/account.ts';
import type { CheckResult } from '../core/check.ts';
import { RetryableError } from '../errors.ts';
import { safeEqual } from '../http/secure.ts';
import { ChatApiError, type ChatApi } from './chat.ts';
import { RestError, type RestApi } from './rest.ts';
import type { TelephonyApi } from './telephony.ts';

// "Test connection" for an account's Planfix side: each answer says in plain words what works,
// and when something does not, what to change where.

/** What went wrong on the way, when Planfix did not answer at all. */
function unreachable(err: unknown, what: string): CheckResult {
  return {
    ok: false,
    message: `${what}: ${(err as Error).message}`,
    fix: 'Check the account\'s Planfix URL and that this server can reach it (DNS, firewall, RELAY_ALLOW_HOSTS for a non-Planfix address).',
  };
}

export async function checkChat(chat: ChatApi, account: Account): Promise<CheckResult> {
  try {
    // A chat id no one uses: Planfix answers "task not found" once the token is accepted.
    await chat.getTask(account, `relay-check-${nanoid(8)}`);
    return { ok: true, message: 'Planfix accepted the chat token.' };
  } catch (err) {
    if (err instanceof ChatApiError && err.status === 401) {
      return { ok: false, message: 'Planfix refused the chat token.', fix: 'Copy the token from Planfix (Integrations → Messengers → Chat API) into the account\'s planfix.chatToken.' };
    }
    if (err instanceof ChatApiError) return { ok: false, message: err.message, fix: 'Check that the Chat API integration is switched on in Planfix and the account URL is right.' };
    return unreachable(err, 'Planfix Chat API unreachable');
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
  if (!account.planfix.restToken) {
    return { ok: false, message: 'No REST token: calls, contacts by phone and closing tasks need one.', fix: 'In Planfix, Account management → API access → REST API: issue a token for a robot employee and set planfix.restToken.' };
  }
  try {
    await rest.ping(account);
  } catch (err) {
    if (err instanceof RestError) {
      return { ok: false, message: `Planfix refused the REST token (${err.message}).`, fix: 'Issue a new REST token in Planfix and set planfix.restToken; check the account\'s REST plan.' };
    }
    return unreachable(err, 'Planfix REST unreachable');
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
  if (missing.length) {
    return { ok: false, message: `The REST token works but lacks: ${missing.join(', ')}.`, fix: 'Issue the token again with those scopes (or without a scope limit) and update planfix.restToken.', details: { scopes } };
  }
  return {
    ok: !unknown.length,
    message: unknown.length ? `REST reachable; could not check ${unknown.join(', ')} (Planfix did not answer).` : 'REST reachable, the token is valid and has every scope the relay needs.',
    details: { scopes },
  };
}

export async function checkTelephony(telephony: TelephonyApi, account: Account, expected: { url: string; token: string }): Promise<CheckResult> {
  if (!account.planfix.telephonyToken) {
    return { ok: false, message: 'No telephony token yet.', fix: `Switch on "API ПланФикса для телефоний" in Planfix with PBX URL ${expected.url} and the PBX token shown here; Planfix then sends its token to the relay.` };
  }
  let answer: unknown;
  try {
    answer = await telephony.call(account, 'ping', {});
  } catch (err) {
    if (err instanceof RetryableError) return unreachable(err, 'Planfix Telephony API unreachable');
    return { ok: false, message: (err as Error).message, fix: 'Copy Planfix\'s telephony token into planfix.telephonyToken, or switch the integration off and on so Planfix sends it again.' };
  }
  const a = (answer && typeof answer === 'object' ? answer : {}) as { pbxUrl?: unknown; pbxToken?: unknown };
  if (typeof a.pbxUrl === 'string' && a.pbxUrl !== expected.url) {
    return { ok: false, message: `Planfix calls another PBX URL: ${a.pbxUrl}.`, fix: `Set the PBX URL in Planfix's telephony settings to ${expected.url}.` };
  }
  // The token Planfix echoes is the account's secret: compared like every other credential.
  if (typeof a.pbxToken === 'string' && !safeEqual(a.pbxToken, expected.token)) {
    return { ok: false, message: 'Planfix has another PBX token; its click-to-call would be refused.', fix: 'Paste the account\'s telephony token (connect.planfixTelephony.token) into Planfix as the PBX token.' };
  }
  return { ok: true, message: 'Planfix accepted the telephony token and has the relay as its PBX.' };
}
