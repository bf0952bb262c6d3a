import { chatApiUrl, providerId, type Account } from '../core/account.ts';
import { RetryableError } from '../errors.ts';
import { countPlanfix } from '../metrics.ts';
import { errorText, send, type OutboundPolicy } from '../net/outbound.ts';
import { isNotFound, readNumbered } from './chat-answers.ts';
import { ChatApiError } from './chat-error.ts';

export { ChatApiError };

export type FormValue = string | number | boolean | undefined | { name: string; url: string }[];
export type FormParams = Record<string, FormValue>;

/**
 * The Chat API's form encoding: attachments as repeated `attachments[name]`/`attachments[url]`
 * pairs in order (the documented form), data_<field> keys verbatim, booleans as `true`.
 */
export function encodeForm(params: FormParams): URLSearchParams {
  const form = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === '') continue;
    if (Array.isArray(v)) {
      for (const a of v) {
        form.append(`${k}[name]`, a.name);
        form.append(`${k}[url]`, a.url);
      }
    } else form.append(k, String(v));
  }
  return form;
}

export class ChatApi {
  constructor(private readonly policy: OutboundPolicy, private readonly timeoutMs: number) {}

  /** One command; answers the parsed JSON (an empty success body is undefined). */
  async call(account: Account, cmd: string, params: FormParams): Promise<unknown> {
    const body = encodeForm({ cmd, providerId: providerId(account), ...params, planfix_token: account.planfix.chatToken });
    return countPlanfix('chat', async () => {
      const res = await send(this.policy, 'planfix', chatApiUrl(account), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
        timeoutMs: this.timeoutMs,
      });
      if (res.status >= 200 && res.status < 300) return res.json;
      throw new ChatApiError(cmd, res.status, errorText(res.json, res.text), isNotFound(res.status, res.json));
    }, (err) => err instanceof RetryableError);
  }

  /** The task of a chat; undefined while Planfix has none ("task not found"). */
  async getTask(account: Account, chatId: string): Promise<{ number: number; statusIsActive?: boolean } | undefined> {
    try {
      return readNumbered('getTask', await this.call(account, 'getTask', { chatId }));
    } catch (err) {
      if (err instanceof ChatApiError && err.notFound) return undefined;
      throw err;
    }
  }

  /** The Planfix number of a provider's contact; undefined while Planfix does not know it ("unknown contact"). */
  async getContact(account: Account, contactId: string): Promise<number | undefined> {
    try {
      return readNumbered('getContact', await this.call(account, 'getContact', { contactId })).number;
    } catch (err) {
      if (err instanceof ChatApiError && err.notFound) return undefined;
      throw err;
    }
  }
}
