import { RetryableError, TerminalError } from '../../errors.ts';
import { send } from '../../net/outbound.ts';
import { str, type Obj } from '../read.ts';
import { parseViberJson } from './json.ts';
import { apiUrl, type Ctx } from './settings.ts';

// Viber's API as the adapter calls it: one method call, its status codes as the relay's errors,
// and the memory of a reply's messages Viber already took.

export const STATUS_NAMES: Record<number, string> = {
  0: 'ok', 1: 'invalidUrl', 2: 'invalidAuthToken', 3: 'badData', 4: 'missingData', 5: 'receiverNotRegistered',
  6: 'receiverNotSubscribed', 7: 'publicAccountBlocked', 8: 'publicAccountNotFound', 9: 'publicAccountSuspended',
  10: 'webhookNotSet', 11: 'receiverNoSuitableDevice', 12: 'tooManyRequests', 13: 'apiVersionNotSupported',
  14: 'incompatibleWithVersion', 15: 'publicAccountNotAuthorized', 16: 'inchatReplyMessageNotAllowed',
  17: 'publicAccountIsNotInline', 18: 'noPublicChat', 19: 'cannotSendBroadcast', 20: 'broadcastNotAllowed',
};

/** The status code and token of a Viber API answer; the token read from the text so it stays exact. */
function answerOf(res: { status: number; text: string }): { status?: number; message?: string; token?: string; body: Obj } {
  let body: Obj = {};
  try {
    body = parseViberJson(res.text);
  } catch { /* not JSON: status stays undefined */ }
  const code = typeof body.status === 'number' ? body.status : typeof body.status === 'string' && /^\d+$/.test(body.status) ? Number(body.status) : undefined;
  return { status: code, message: str(body, 'status_message'), token: str(body, 'message_token'), body };
}

export function viberError(status: number, message: string | undefined): Error {
  const said = `Viber status ${status}${message ? `: ${message}` : STATUS_NAMES[status] ? `: ${STATUS_NAMES[status]}` : ''}`;
  switch (status) {
    case 5:
    case 6:
      return new TerminalError(`the Viber user is not subscribed to the bot (or left) (${said})`, 'provider-refused');
    case 12:
      return new RetryableError(`rate limited by Viber (${said})`, undefined, 'busy');
    case 2:
      return new TerminalError(`bad bot token: Viber refused the channel's authToken (${said})`, 'provider-refused');
    case 7:
      return new TerminalError(`bot blocked by Viber (${said})`, 'provider-refused');
    case 8:
      return new TerminalError(`bot not found by Viber (${said})`, 'provider-refused');
    case 9:
      return new TerminalError(`bot suspended by Viber (${said})`, 'provider-refused');
    case 15:
      return new TerminalError(`bot not authorized by Viber (${said})`, 'provider-refused');
    case 10:
      return new TerminalError(`webhook not set: connect the channel again so the relay calls set_webhook (${said})`, 'provider-refused');
    case 3:
    case 4:
      return new TerminalError(`bad request (relay bug) (${said})`, 'provider-refused');
    default:
      return new TerminalError(`Viber error ${status}: ${message ?? STATUS_NAMES[status] ?? 'unknown error'}`, 'provider-refused');
  }
}

/** One POST to a Viber API method; the answer's `status` must be 0. */
export async function call(ctx: Ctx, method: string, body: unknown): Promise<{ status: number; message?: string; token?: string; body: Obj }> {
  const s = ctx.channel.settings;
  const res = await send(ctx.policy, 'provider', apiUrl(s, method), {
    method: 'POST',
    headers: { 'x-viber-auth-token': s.authToken, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    timeoutMs: ctx.timeoutMs,
  });
  if (res.status !== 200) throw new TerminalError(`Viber ${method} answered HTTP ${res.status}${res.text ? `: ${res.text.slice(0, 200)}` : ''}`, 'provider-refused');
  const a = answerOf(res);
  if (a.status === undefined) throw new TerminalError(`Viber ${method} answered without a status: ${res.text.slice(0, 200)}`, 'provider-refused');
  return { ...a, status: a.status };
}

/**
 * Tokens of messages already accepted by Viber for replies whose send failed part-way (e.g. status 12
 * on the third of four messages): the worker's retry then skips them instead of repeating them to
 * the customer. In memory only; bounded.
 */
export const partial = new Map<string, string>();
const PARTIAL_MAX = 5000;

export function remember(key: string, token: string): void {
  partial.set(key, token);
  while (partial.size > PARTIAL_MAX) partial.delete(partial.keys().next().value!);
}
