// ViberFake: the Viber REST Bot API as the relay uses it (send_message, set_webhook; docs/reference/channels.md §1),
// plus helpers to post signed callbacks. Answers are HTTP 200 with `status` in the body, like Viber,
// and every message_token is above 2^53, written into the JSON text as a bare integer.
import { createHmac } from 'node:crypto';
import type http from 'node:http';
import { HOST, RestartableServer, assertLoopback, parseMaybeJson, readBody, waitFor } from './http.ts';

export const VIBER_STATUS: Record<number, string> = {
  0: 'ok', 1: 'invalidUrl', 2: 'invalidAuthToken', 3: 'badData', 4: 'missingData', 5: 'receiverNotRegistered',
  6: 'receiverNotSubscribed', 7: 'publicAccountBlocked', 8: 'publicAccountNotFound', 9: 'publicAccountSuspended',
  10: 'webhookNotSet', 11: 'receiverNoSuitableDevice', 12: 'tooManyRequests', 13: 'apiVersionNotSupported',
};

const ALL_EVENTS = ['delivered', 'seen', 'failed', 'subscribed', 'unsubscribed', 'conversation_started'];
const TYPES = new Set(['text', 'picture', 'video', 'file', 'location', 'contact', 'sticker', 'url', 'rich_media']);
const FIRST_TOKEN = 5741311803571721087n;
const BODY_MAX = 30 * 1024;

/** JSON text in which BigInt values are written as bare integers, as Viber writes its tokens. */
export function viberJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `__bigint__${v}` : v))
    .replace(/"__bigint__(-?\d+)"/g, '$1');
}

export function viberSign(body: string | Buffer, authToken: string): string {
  return createHmac('sha256', authToken).update(body).digest('hex');
}

/**
 * POSTs a raw callback body as Viber would, signed with the bot token; `signature` overrides the
 * header (null leaves it out), `badSignature` signs under another key.
 */
export async function viberCallback(
  url: string,
  authToken: string,
  bodyText: string,
  opts: { badSignature?: boolean; signature?: string | null } = {},
): Promise<{ status: number; body: unknown }> {
  assertLoopback(url);
  const signature = opts.signature !== undefined ? opts.signature
    : viberSign(bodyText, opts.badSignature ? `${authToken}-wrong` : authToken);
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(signature !== null ? { 'x-viber-content-signature': signature } : {}) },
    body: bodyText,
  });
  return { status: res.status, body: parseMaybeJson(await res.text()) };
}

/** A send_message body Viber accepted, with the token it answered (exact, as a string). */
export type ViberSentMessage = Record<string, unknown> & { message_token: string; receiver: string; type: string };

export interface ViberWebhookCall {
  url: string;
  event_types?: unknown;
  send_name?: unknown;
  send_photo?: unknown;
  /** The HTTP status the webhook check callback got (undefined when it was not made or failed). */
  callbackStatus?: number;
  /** The `status` set_webhook answered. */
  status: number;
}

export interface ViberRequest {
  method: string;
  body: unknown;
  status: number;
}

interface Answer {
  http?: number;
  status: number;
  message?: string;
  extra?: string;
}

export class ViberFake {
  readonly origin: string;
  readonly apiUrl: string;
  /** Every send_message body Viber accepted, in order, with its token; refused ones are only in `requests`. */
  sent: ViberSentMessage[] = [];
  /** Every set_webhook call, including removals (url '') and refused ones. */
  webhooks: ViberWebhookCall[] = [];
  /** Every API call with the `status` it got, including refused ones. */
  requests: ViberRequest[] = [];
  /** The registered webhook URL ('' when none). */
  webhookUrl = '';
  private counter = 0n;
  private readonly unsubscribed = new Set<string>();
  private failures: { left: number; status: number; after: number } | null = null;
  private webhookRefusal: { status: number; message: string } | null = null;

  private constructor(private readonly server: RestartableServer, readonly authToken: string, private readonly bot: { name: string; uri: string }) {
    this.origin = `http://${HOST}:${server.port}`;
    this.apiUrl = `${this.origin}/pa`;
  }

  /** `bot`: the public account get_account_info describes, so a check names the bot the demo set up. */
  static async start(opts: { authToken?: string; port?: number; bot?: { name: string; uri: string } } = {}): Promise<ViberFake> {
    let fake: ViberFake | undefined;
    const server = new RestartableServer((req, res) => void fake!.onRequest(req, res));
    await server.listen(opts.port ?? 0);
    fake = new ViberFake(server, opts.authToken ?? '4453b6ac12345678-e02c5f12174805f9-daec9cbb5448c51a', opts.bot ?? { name: 'Acme Support', uri: 'acmebot' });
    return fake;
  }

  async close(): Promise<void> {
    await this.server.stop();
  }

  /** Later sends to this user answer status 6 (receiverNotSubscribed). */
  unsubscribe(userId: string): void {
    this.unsubscribed.add(userId);
  }

  /** The next n send_message calls (after `after` more succeed) answer this status. */
  failNext(n: number, status: number, opts: { after?: number } = {}): void {
    this.failures = n > 0 ? { left: n, status, after: opts.after ?? 0 } : null;
  }

  /**
   * Later set_webhook calls answer this status and message, as Viber does when it cannot reach the
   * URL over https with a trusted certificate; null accepts them again (checking the URL as usual).
   */
  refuseWebhooks(refusal: { status: number; message: string } | null = { status: 1, message: 'Result[HttpStatus=400] Invalid certificate' }): void {
    this.webhookRefusal = refusal;
  }

  waitFor<T>(fn: () => T | undefined | false | PromiseLike<T | undefined | false>, timeoutMs?: number): Promise<T> {
    return waitFor(fn, timeoutMs, 'ViberFake.waitFor');
  }

  /** Posts a signed callback (a body object, BigInts written bare, or raw text) to the registered webhook. */
  async emit(body: unknown): Promise<{ status: number; body: unknown }> {
    if (!this.webhookUrl) throw new Error('ViberFake.emit: no webhook is set');
    return viberCallback(this.webhookUrl, this.authToken, typeof body === 'string' ? body : viberJson(body));
  }

  nextToken(): bigint {
    return FIRST_TOKEN + this.counter++;
  }

  private async onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const path = new URL(req.url ?? '/', this.origin).pathname;
    const method = path.startsWith('/pa/') ? path.slice(4) : '';
    if (req.method !== 'POST' || !['send_message', 'set_webhook', 'get_account_info'].includes(method)) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('Not Found');
      return;
    }
    const body = parseMaybeJson(raw);
    const a = await this.answer(method, req.headers['x-viber-auth-token'], raw, body);
    this.requests.push({ method, body, status: a.status });
    const text = `{"status":${a.status},"status_message":${JSON.stringify(a.message ?? VIBER_STATUS[a.status] ?? 'generalError')}`
      + `${a.extra ?? ''},"chat_hostname":"SN-CHAT-05_"}`;
    res.writeHead(a.http ?? 200, { 'content-type': 'application/json' });
    res.end(text);
  }

  private async answer(method: string, auth: string | string[] | undefined, raw: string, body: unknown): Promise<Answer> {
    if (auth === undefined) return { status: 2, message: 'missing_auth_token' };
    if (auth !== this.authToken) return { status: 2 };
    if (Buffer.byteLength(raw) > BODY_MAX) return { status: 3, message: 'request body exceeds 30KB' };
    if (!body || typeof body !== 'object' || Array.isArray(body)) return { status: 3, message: 'Failed parsing JSON' };
    const b = body as Record<string, unknown>;
    if (method === 'get_account_info') return this.accountInfo();
    return method === 'send_message' ? this.sendMessage(b) : this.setWebhook(b);
  }

  /** The bot's public account as get_account_info describes it (docs/reference/channels.md §1). */
  private accountInfo(): Answer {
    const webhook = this.webhookUrl ? `,"webhook":${JSON.stringify(this.webhookUrl)}` : '';
    return { status: 0, extra: `,"id":"pa:5741311803571721087","name":${JSON.stringify(this.bot.name)},"uri":${JSON.stringify(this.bot.uri)}${webhook},"subscribers_count":12` };
  }

  private sendMessage(b: Record<string, unknown>): Answer {
    const missing = (what: string): Answer => ({ status: 4, message: `missing ${what}` });
    const bad = (what: string): Answer => ({ status: 3, message: what });
    if (typeof b.receiver !== 'string' || !b.receiver) return missing('receiver');
    const sender = b.sender as Record<string, unknown> | undefined;
    if (!sender || typeof sender.name !== 'string' || !sender.name) return missing('sender.name');
    if (sender.name.length > 28) return bad('sender.name is longer than 28 characters');
    if (typeof b.type !== 'string' || !TYPES.has(b.type)) return bad(`unknown message type ${String(b.type)}`);
    if (b.min_api_version !== undefined && !Number.isInteger(b.min_api_version)) return bad('min_api_version must be an integer');
    switch (b.type) {
      case 'text':
        if (typeof b.text !== 'string' || !b.text) return missing('text');
        if (b.text.length > 7000) return bad('text is longer than 7000 characters');
        break;
      case 'picture':
        if (typeof b.media !== 'string' || !b.media) return missing('media');
        if (!/\.(jpe?g|png|gif)$/i.test(b.media)) return bad('picture media URL must end in .jpg, .jpeg, .png or .gif');
        if (typeof b.text === 'string' && b.text.length > 768) return bad('picture text is longer than 768 characters');
        break;
      case 'file':
      case 'video':
        if (typeof b.media !== 'string' || !b.media) return missing('media');
        if (typeof b.size !== 'number' || b.size <= 0) return missing('size');
        if (b.type === 'file' && (typeof b.file_name !== 'string' || !b.file_name)) return missing('file_name');
        break;
    }
    if (this.failures) {
      const f = this.failures;
      if (f.after > 0) f.after--;
      else {
        if (--f.left <= 0) this.failures = null;
        return { status: f.status };
      }
    }
    if (this.unsubscribed.has(b.receiver)) return { status: 6 };
    const token = this.nextToken();
    this.sent.push({ ...b, receiver: b.receiver, type: b.type, message_token: token.toString() });
    return { status: 0, extra: `,"message_token":${token},"billing_status":1` };
  }

  private async setWebhook(b: Record<string, unknown>): Promise<Answer> {
    if (typeof b.url !== 'string') return { status: 4, message: 'missing url' };
    const call: ViberWebhookCall = { url: b.url, event_types: b.event_types, send_name: b.send_name, send_photo: b.send_photo, status: 0 };
    this.webhooks.push(call);
    if (b.url === '') {
      this.webhookUrl = '';
      return { status: 0 };
    }
    if (this.webhookRefusal) {
      call.status = this.webhookRefusal.status;
      return { ...this.webhookRefusal };
    }
    // Like Viber: the URL must answer a signed `webhook` callback with HTTP 200 first.
    const check = viberJson({ event: 'webhook', timestamp: Date.now(), chat_hostname: 'SN-CHAT-01_', message_token: this.nextToken() });
    let failure: string | undefined;
    try {
      const r = await viberCallback(b.url, this.authToken, check);
      call.callbackStatus = r.status;
      if (r.status !== 200) failure = `Result[HttpStatus=${r.status}]`;
    } catch (err) {
      failure = (err as Error).message.startsWith('sim:') ? 'invalidUrl' : 'Connection refused';
    }
    if (failure) {
      call.status = 1;
      return { status: 1, message: failure };
    }
    this.webhookUrl = b.url;
    const types = Array.isArray(b.event_types) ? b.event_types : ALL_EVENTS;
    return { status: 0, extra: `,"event_types":${JSON.stringify(types)}` };
  }
}
