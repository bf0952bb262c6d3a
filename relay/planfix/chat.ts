import { chatApiUrl, providerId, type Account } from '../core/account.ts';
import { RetryableError, TerminalError } from '../errors.ts';
import { countPlanfix } from '../metrics.ts';
import { errorText, send, type OutboundPolicy } from '../net/outbound.ts';

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

/** `data` may be an object or a JSON-encoded string, and `number` may sit at the top level. */
export function readNumber(json: unknown): { number: number; statusIsActive?: boolean } | undefined {
  if (!json || typeof json !== 'object') return undefined;
  let data = (json as Record<string, unknown>).data;
  if (typeof data === 'string') {
    try {
      data = JSON.parse(data);
    } catch {
      data = undefined;
    }
  }
  const src = (data && typeof data === 'object' ? data : json) as Record<string, unknown>;
  const n = Number(src.number ?? (json as Record<string, unknown>).number);
  if (!Number.isInteger(n) || n <= 0) return undefined;
  const active = src.statusIsActive;
  return { number: n, statusIsActive: typeof active === 'boolean' ? active : active === undefined ? undefined : String(active) === 'true' || String(active) === '1' };
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
      throw new ChatApiError(cmd, res.status, errorText(res.json, res.text));
    }, (err) => err instanceof RetryableError);
  }

  /** The task of a chat; undefined while Planfix has none ("task not found"). */
  async getTask(account: Account, chatId: string): Promise<{ number: number; statusIsActive?: boolean } | undefined> {
    try {
      const json = await this.call(account, 'getTask', { chatId });
      const n = readNumber(json);
      if (!n) throw new TerminalError(`getTask: unreadable answer`);
      return n;
    } catch (err) {
      if (err instanceof ChatApiError && err.status === 400 && /not found/i.test(err.message)) return undefined;
      throw err;
    }
  }

  async getContact(account: Account, contactId: string): Promise<number | undefined> {
    try {
      return readNumber(await this.call(account, 'getContact', { contactId }))?.number;
    } catch (err) {
      if (err instanceof ChatApiError && err.status === 400 && /unknown/i.test(err.message)) return undefined;
      throw err;
    }
  }
}

export class ChatApiError extends TerminalError {
  constructor(readonly cmd: string, readonly status: number, text: string) {
    super(`Planfix Chat API ${cmd} answered ${status}${text ? `: ${text}` : ''}`);
  }
}
