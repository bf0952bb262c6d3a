import type { Context } from 'koa';
import type { Account } from '../core/account.ts';
import type { Relay } from '../context.ts';
import { AuthError, HttpError } from '../errors.ts';
import { BODY_LIMIT, parseBody } from './hooks.ts';
import { safeEqual } from './secure.ts';

// What Planfix's two callbacks (Chat API and Telephony API) share: a form or JSON body, the
// account's token in it, and Planfix's own words for a refusal.

// Planfix's own answers for a refused callback (docs/reference/planfix-api.md §1.4, §2.2); the reason helps a human.
export const invalidToken = (face: 'planfix-chat' | 'planfix-telephony') => new AuthError(face, 401, 'Invalid token', { error: 'Invalid token' });
export const invalid = (reason: string) => new HttpError(400, reason, { error: 'Invalid parameters', reason });

/** Up to 100 repeated `attachments[…]` keys are read as an array (qs's default is 20). */
export const callbackBody = () => parseBody({
  urlencoded: true, json: true, text: false, multipart: false, formLimit: BODY_LIMIT, jsonLimit: BODY_LIMIT, queryString: { arrayLimit: 100 },
} as Parameters<typeof parseBody>[0]);

/** One form field as a string: qs gives arrays for repeated keys, koa-body numbers for JSON. */
export function field(body: Record<string, unknown>, k: string): string | undefined {
  const v = body[k];
  const s = Array.isArray(v) ? v[0] : v;
  return typeof s === 'string' ? s : typeof s === 'number' ? String(s) : undefined;
}

/** The account a callback is for, when its body carries that account's token for this API; else Planfix's 401. */
export function callbackAccount(relay: Relay, ctx: Context & { params: Record<string, string> }, api: 'chat' | 'telephony'): { account: Account; b: Record<string, unknown> } {
  const account = relay.accounts.get(ctx.params.accountId!);
  const b = (ctx.request.body ?? {}) as Record<string, unknown>;
  const token = field(b, 'token')?.trim();
  const expected = api === 'chat' ? account?.callback.chatToken : account?.callback.telephonyToken;
  if (!account || !token || !expected || !safeEqual(token, expected)) throw invalidToken(`planfix-${api}`);
  return { account, b };
}
