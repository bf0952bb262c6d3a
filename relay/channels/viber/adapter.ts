import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { onOwnPlanfix } from '../../core/account.ts';
import type { Attachment, Customer, CustomerEvent, MessageContent, MessageEvent, ReplyEvent, StatusEvent } from '../../core/events.ts';
import { AuthError, HttpError, RetryableError, TerminalError } from '../../errors.ts';
import { send } from '../../net/outbound.ts';
import { defineChannel, type InboundRequest, type SendContext } from '../channel.ts';
import { bodyHash, header, httpUrl, isObj, str, time, urlFileName, type Obj } from '../read.ts';
import { parseViberJson } from './json.ts';

// Viber REST Bot API (channels.md §1). Every callback is signed; tokens are 64-bit and kept as strings.

export const VIBER_API_URL = 'https://chatapi.viber.com/pa';
export const WEBHOOK_EVENTS = ['delivered', 'seen', 'failed', 'subscribed', 'unsubscribed', 'conversation_started'] as const;
/** Events Viber documents; one the relay does not use is acknowledged with no events so Viber stops retrying. */
const KNOWN_EVENTS = new Set(['webhook', 'message', 'subscribed', 'unsubscribed', 'conversation_started', 'delivered', 'seen', 'failed']);
const SENDER_NAME_MAX = 28;
const TEXT_MAX = 7000;
const IMAGE = /\.(jpe?g|png|gif)$/i;
/** Viber's limit for a file message; a bigger file goes as a link. */
const FILE_MAX = 50 * 1024 * 1024;

const settings = z.object({
  authToken: z.string().min(1),
  /** The name shown as the sender, and the bot's chat URI in the deep link. */
  botName: z.string().min(1),
  avatar: z.string().url().optional(),
  apiUrl: z.string().url().optional(),
  /** Sent as the answer to `conversation_started` (the one message a non-subscriber may get). */
  welcomeText: z.string().min(1).max(TEXT_MAX).optional(),
}).strict();

const options = z.object({
  /** Show the Planfix employee's name and avatar as the sender instead of the bot's. */
  sendAsEmployee: z.boolean().default(false),
}).strict();

type Settings = z.infer<typeof settings>;
type Ctx = SendContext<Settings, z.infer<typeof options>>;

export const STATUS_NAMES: Record<number, string> = {
  0: 'ok', 1: 'invalidUrl', 2: 'invalidAuthToken', 3: 'badData', 4: 'missingData', 5: 'receiverNotRegistered',
  6: 'receiverNotSubscribed', 7: 'publicAccountBlocked', 8: 'publicAccountNotFound', 9: 'publicAccountSuspended',
  10: 'webhookNotSet', 11: 'receiverNoSuitableDevice', 12: 'tooManyRequests', 13: 'apiVersionNotSupported',
  14: 'incompatibleWithVersion', 15: 'publicAccountNotAuthorized', 16: 'inchatReplyMessageNotAllowed',
  17: 'publicAccountIsNotInline', 18: 'noPublicChat', 19: 'cannotSendBroadcast', 20: 'broadcastNotAllowed',
};

const apiUrl = (s: Settings) => (s.apiUrl ?? VIBER_API_URL).replace(/\/+$/, '');

// ---------------------------------------------------------------- inbound

/** Lower-case hex HMAC-SHA256 of the exact body bytes under the bot token. */
export function viberSignature(raw: Buffer | string, authToken: string): string {
  return createHmac('sha256', authToken).update(raw).digest('hex');
}

/** A callback's time in ms; a missing, placeholder or absurd value (SDK vectors carry both) becomes now. */
function callbackTime(v: unknown, now: number): number {
  const t = time(v);
  return t !== undefined && t >= Date.UTC(2000, 0, 1) && t <= now + 86_400_000 ? t : now;
}

function fileName(m: Obj, url: string | undefined, type: string): string {
  const given = str(m, 'file_name', 'fileName', 'name');
  if (given) return given;
  const last = urlFileName(url ?? '');
  if (last && last.includes('.')) return last;
  const ext = type === 'picture' ? '.jpg' : type === 'video' ? '.mp4' : '';
  return `${last || type}${ext}`;
}

function coordinate(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() ? Number(v) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

/** The visible text, attachments, content and any phone a `message` callback's message object carries. */
function readMessage(m: Obj): { text: string; attachments: Attachment[]; content?: MessageContent; phone?: string } {
  const type = str(m, 'type') ?? 'unknown';
  const caption = typeof m.text === 'string' ? m.text.trim() : '';
  const media = httpUrl(str(m, 'media'));
  switch (type) {
    case 'text':
      return { text: caption, attachments: [] };
    case 'picture':
    case 'video':
    case 'file':
      return media
        ? { text: caption, attachments: [{ name: fileName(m, media, type), url: media }] }
        : caption ? { text: caption, attachments: [] } : { text: '', attachments: [], content: { kind: 'missingMedia', media: type } };
    case 'location': {
      const loc = isObj(m.location) ? m.location : {};
      const lat = coordinate(loc.lat);
      const lon = coordinate(loc.lon);
      const address = str(loc, 'address');
      return { text: '', attachments: [], content: { kind: 'location', ...(lat !== undefined && lon !== undefined ? { lat, lon } : {}), ...(address ? { address } : {}) } };
    }
    case 'contact': {
      const c = isObj(m.contact) ? m.contact : {};
      const name = str(c, 'name');
      const phone = str(c, 'phone_number', 'phoneNumber', 'phone');
      return { text: '', attachments: [], content: { kind: 'contact', ...(name ? { name } : {}), ...(phone ? { phone } : {}) }, ...(phone ? { phone } : {}) };
    }
    case 'sticker': {
      const id = str(m, 'sticker_id');
      return { text: '', attachments: [], content: { kind: 'sticker', ...(id ? { id } : {}), ...(media ? { media } : {}) } };
    }
    case 'url':
      return { text: media ?? caption, attachments: [] };
    default:
      return { text: '', attachments: [], content: { kind: 'unsupported', type, ...(caption ? { caption } : {}), ...(media ? { media } : {}) } };
  }
}

function userOf(user: Obj, clientId: string): Customer {
  return { clientId, name: str(user, 'name'), avatar: httpUrl(str(user, 'avatar')) };
}

function messageEvent(body: Obj, eventId: string, at: number): MessageEvent {
  const sender = body.sender;
  const clientId = str(sender, 'id');
  if (!clientId) throw new HttpError(400, 'not a Viber message callback: sender.id is missing');
  if (!isObj(body.message)) throw new HttpError(400, 'not a Viber message callback: message is missing');
  const { text, attachments, content, phone } = readMessage(body.message);
  // The avatar goes to Planfix as contactIco: only an http(s) link (userOf), never `javascript:…`.
  const customer: Customer = { ...userOf(isObj(sender) ? sender : {}, clientId), ...(phone ? { phone } : {}) };
  const visit = { country: str(sender, 'country'), context: str(body.message, 'tracking_data') };
  return { kind: 'message', eventId, customer, ...(visit.country || visit.context ? { visit } : {}), at, text, attachments, ...(content ? { content } : {}) };
}

function statusEvent(body: Obj, event: 'delivered' | 'seen' | 'failed', token: string, at: number): StatusEvent {
  const clientId = str(body, 'user_id', 'user.id');
  if (!clientId) throw new HttpError(400, `not a Viber ${event} callback: user_id is missing`);
  const desc = str(body, 'desc');
  return {
    kind: 'status',
    // Delivered, seen and failed all carry the token of OUR message: the event name keeps them apart
    // and keeps them from looking like the relay's own message coming back.
    eventId: `${event}:${token}`,
    customer: { clientId },
    at,
    providerMessageId: token,
    status: event === 'delivered' ? 'sent' : event === 'seen' ? 'read' : 'error',
    // Without Viber's reason the planner writes its own, in the account's language.
    ...(event === 'failed' && desc ? { text: desc } : {}),
  };
}

// ---------------------------------------------------------------- outbound

type Outgoing = Record<string, unknown> & { type: string };

function cut(s: string, max: number): string {
  let out = '';
  for (const ch of s) {
    if (out.length + ch.length > max) break;
    out += ch;
  }
  return out;
}

function senderOf(reply: ReplyEvent, s: Settings, sendAsEmployee: boolean): { name: string; avatar?: string } {
  const employee = sendAsEmployee ? `${reply.user.name ?? ''} ${reply.user.lastName ?? ''}`.replace(/\s+/g, ' ').trim() : '';
  const name = cut(employee || s.botName, SENDER_NAME_MAX);
  const avatar = (employee && reply.user.ico) || s.avatar;
  return avatar ? { name, avatar } : { name };
}

function splitText(text: string): string[] {
  const parts: string[] = [];
  let rest = text;
  while (rest.length) {
    const part = cut(rest, TEXT_MAX);
    parts.push(part);
    rest = rest.slice(part.length);
  }
  return parts;
}

const linkLine = (a: Attachment) => `📎 ${a.name}: ${a.url}`;

/**
 * The Viber messages of one reply, in order: the text (split at 7000 characters), then one per
 * attachment. Images go as `picture`. Anything else would be a `file`, which Viber accepts only with
 * its `size` in bytes; Planfix gives no size and `send()` exposes no response headers to learn it
 * from a HEAD, so such a file goes as a text line with its name and link (Viber makes it clickable).
 */
const isImage = (a: Attachment) => {
  try {
    return IMAGE.test(new URL(a.url).pathname) || IMAGE.test(a.name);
  } catch {
    return IMAGE.test(a.name);
  }
};

/**
 * Viber sends a file only with its size, which Planfix does not give: the account's own Planfix is
 * asked (HEAD). A link elsewhere, even on an allowed host, is not probed: an employee's attachment
 * must not make the relay knock on any path and port. Without an answer the file goes as a link.
 */
async function withSizes(reply: ReplyEvent, ctx: Ctx): Promise<ReplyEvent> {
  const attachments = await Promise.all(reply.attachments.map(async (a) => {
    if (a.size || isImage(a) || !onOwnPlanfix(ctx.account, a.url)) return a;
    try {
      const res = await send(ctx.policy, 'planfix', a.url, { method: 'HEAD', timeoutMs: Math.min(ctx.timeoutMs, 5000) });
      const size = Number(res.headers.get('content-length'));
      return res.status >= 200 && res.status < 300 && size > 0 ? { ...a, size } : a;
    } catch {
      return a;
    }
  }));
  return { ...reply, attachments };
}

function messagesOf(reply: ReplyEvent): Outgoing[] {
  const out: Outgoing[] = splitText(reply.text.trim()).map((text) => ({ type: 'text', text }));
  for (const a of reply.attachments) {
    const size = a.size;
    if (isImage(a)) out.push({ type: 'picture', media: a.url, text: '', fallback: linkLine(a) });
    else if (typeof size === 'number' && size > 0 && size <= FILE_MAX) out.push({ type: 'file', media: a.url, size, file_name: cut(a.name, 256), fallback: linkLine(a) });
    else out.push({ type: 'text', text: linkLine(a) });
  }
  return out;
}

/** The status code and token of a Viber API answer; the token read from the text so it stays exact. */
function answerOf(res: { status: number; text: string }): { status?: number; message?: string; token?: string; body: Obj } {
  let body: Obj = {};
  try {
    body = parseViberJson(res.text);
  } catch { /* not JSON: status stays undefined */ }
  const code = typeof body.status === 'number' ? body.status : typeof body.status === 'string' && /^\d+$/.test(body.status) ? Number(body.status) : undefined;
  return { status: code, message: str(body, 'status_message'), token: str(body, 'message_token'), body };
}

function viberError(status: number, message: string | undefined): Error {
  const said = `Viber status ${status}${message ? `: ${message}` : STATUS_NAMES[status] ? `: ${STATUS_NAMES[status]}` : ''}`;
  switch (status) {
    case 5:
    case 6:
      return new TerminalError(`the Viber user is not subscribed to the bot (or left) (${said})`);
    case 12:
      return new RetryableError(`rate limited by Viber (${said})`);
    case 2:
      return new TerminalError(`bad bot token: Viber refused the channel's authToken (${said})`);
    case 7:
      return new TerminalError(`bot blocked by Viber (${said})`);
    case 8:
      return new TerminalError(`bot not found by Viber (${said})`);
    case 9:
      return new TerminalError(`bot suspended by Viber (${said})`);
    case 15:
      return new TerminalError(`bot not authorized by Viber (${said})`);
    case 10:
      return new TerminalError(`webhook not set: connect the channel again so the relay calls set_webhook (${said})`);
    case 3:
    case 4:
      return new TerminalError(`bad request (relay bug) (${said})`);
    default:
      return new TerminalError(`Viber error ${status}: ${message ?? STATUS_NAMES[status] ?? 'unknown error'}`);
  }
}

/** One POST to a Viber API method; the answer's `status` must be 0. */
async function call(ctx: Ctx, method: string, body: unknown): Promise<{ status: number; message?: string; token?: string; body: Obj }> {
  const s = ctx.channel.settings;
  const res = await send(ctx.policy, 'provider', `${apiUrl(s)}/${method}`, {
    method: 'POST',
    headers: { 'x-viber-auth-token': s.authToken, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    timeoutMs: ctx.timeoutMs,
  });
  if (res.status !== 200) throw new TerminalError(`Viber ${method} answered HTTP ${res.status}${res.text ? `: ${res.text.slice(0, 200)}` : ''}`);
  const a = answerOf(res);
  if (a.status === undefined) throw new TerminalError(`Viber ${method} answered without a status: ${res.text.slice(0, 200)}`);
  return { ...a, status: a.status };
}

/**
 * Tokens of messages already accepted by Viber for replies whose send failed part-way (e.g. status 12
 * on the third of four messages): the worker's retry then skips them instead of repeating them to
 * the customer. In memory only; bounded.
 */
const partial = new Map<string, string>();
const PARTIAL_MAX = 5000;

function remember(key: string, token: string): void {
  partial.set(key, token);
  while (partial.size > PARTIAL_MAX) partial.delete(partial.keys().next().value!);
}

// ---------------------------------------------------------------- adapter

export const viber = defineChannel({
  kind: 'viber',
  title: 'Viber',
  family: 'chat',
  hosts: ['chatapi.viber.com'],
  settings,
  options,
  secretFields: ['authToken'],
  urlFields: ['apiUrl'],

  verify(req, channel) {
    const token = channel.settings.authToken;
    const got = header(req, 'x-viber-content-signature');
    if (typeof got !== 'string' || !got.trim()) throw new AuthError('webhook', 401, 'X-Viber-Content-Signature is missing');
    const want = Buffer.from(viberSignature(req.raw, token), 'utf8');
    const have = Buffer.from(got.trim(), 'utf8');
    if (have.length !== want.length || !timingSafeEqual(have, want)) throw new AuthError('webhook', 401, 'X-Viber-Content-Signature does not match the body');
  },

  parse(req, channel) {
    const body = parseViberJson(req.raw);
    const event = str(body, 'event');
    if (!event) throw new HttpError(400, 'not a Viber callback: event is missing');
    const token = str(body, 'message_token');
    const now = Date.now();
    const at = callbackTime(body.timestamp, now);
    switch (event) {
      case 'message':
        return { events: [messageEvent(body, token ?? `h${bodyHash(req.raw)}`, at)] };
      case 'delivered':
      case 'seen':
      case 'failed':
        // Without a token there is nothing to match the receipt to.
        return { events: token ? [statusEvent(body, event, token, at)] : [] };
      case 'conversation_started': {
        const s = channel.settings;
        // The deep link's context says where the user came from: kept for the widget, no task yet.
        const context = str(body, 'context');
        const userId = str(body.user, 'id');
        const events = context && userId
          ? [{ kind: 'customer', eventId: `cs-${token ?? bodyHash(req.raw)}`, customer: userOf(body.user as Obj, userId), visit: { context }, at } satisfies CustomerEvent]
          : [];
        if (!s.welcomeText) return { events };
        const sender = s.avatar ? { name: cut(s.botName, SENDER_NAME_MAX), avatar: s.avatar } : { name: cut(s.botName, SENDER_NAME_MAX) };
        return { events, response: { sender, type: 'text', text: s.welcomeText } };
      }
      case 'subscribed':
      case 'unsubscribed': {
        const userId = str(body.user, 'id') ?? str(body, 'user_id');
        if (!userId) throw new HttpError(400, `not a Viber ${event} callback: the user id is missing`);
        const customer = event === 'subscribed' && isObj(body.user) ? userOf(body.user, userId) : { clientId: userId };
        return { events: [{ kind: 'customer', eventId: `${event}-${token ?? bodyHash(req.raw)}`, customer, at, subscribed: event === 'subscribed' } satisfies CustomerEvent] };
      }
      default: {
        if (KNOWN_EVENTS.has(event)) return { events: [] };
        // An event name Viber added later still comes with Viber's common fields: acknowledge it.
        const viberShaped = token !== undefined || body.timestamp !== undefined || body.chat_hostname !== undefined;
        if (viberShaped) return { events: [] };
        throw new HttpError(400, `not a Viber callback: unknown event "${event.slice(0, 50)}"`);
      }
    }
  },

  async send(reply, ctx) {
    const s = ctx.channel.settings;
    const sender = senderOf(reply, s, ctx.channel.options.sendAsEmployee === true);
    const ids: string[] = [];
    const keys: string[] = [];
    const messages = messagesOf(await withSizes(reply, ctx));
    for (const [i, m] of messages.entries()) {
      const key = `${ctx.channel.id}:${reply.eventId}:${i}`;
      keys.push(key);
      const done = partial.get(key);
      if (done) {
        ids.push(done);
        continue;
      }
      const { fallback, ...content } = m;
      let a = await call(ctx, 'send_message', { receiver: reply.clientId, min_api_version: 1, sender, ...content });
      // Viber wants a picture's URL to end in the image extension and a file's size to be right;
      // when it refuses the media as bad data, the customer still gets the link.
      if (a.status === 3 && typeof fallback === 'string') {
        a = await call(ctx, 'send_message', { receiver: reply.clientId, min_api_version: 1, sender, type: 'text', text: fallback });
      }
      if (a.status !== 0) throw viberError(a.status, a.message);
      if (!a.token) throw new TerminalError('Viber accepted the message but returned no message_token');
      remember(key, a.token);
      ids.push(a.token);
    }
    for (const k of keys) partial.delete(k);
    return { providerMessageIds: ids };
  },

  async check(ctx) {
    const a = await call(ctx, 'get_account_info', {});
    if (a.status !== 0) {
      return { ok: false, message: viberError(a.status, a.message).message, ...(a.status === 2 ? { fix: 'Copy the token again from Viber (Settings → Bots → Edit info → Your app key) into authToken.' } : {}) };
    }
    const bot = `Bot "${str(a.body, 'name') ?? '?'}" (${str(a.body, 'uri') ?? '?'})`;
    const webhook = str(a.body, 'webhook');
    if (webhook === ctx.webhookUrl) return { ok: true, message: `${bot} accepted the token and sends its callbacks to this relay.` };
    return {
      ok: false,
      message: webhook ? `${bot} accepted the token, but its webhook is ${webhook}.` : `${bot} accepted the token, but has no webhook.`,
      fix: 'Press Connect (POST …/connect) to set the webhook to this channel\'s webhookUrl.',
    };
  },

  async onConnect(ctx) {
    const a = await call(ctx, 'set_webhook', {
      url: ctx.webhookUrl, event_types: [...WEBHOOK_EVENTS], send_name: true, send_photo: true,
    });
    if (a.status !== 0) {
      const hint = a.status === 1
        ? ': Viber could not get HTTP 200 from the webhook URL (it must be public HTTPS with a CA-signed certificate)'
        : '';
      throw new Error(`Viber set_webhook failed: status ${a.status} ${a.message ?? STATUS_NAMES[a.status] ?? ''}`.trim() + hint);
    }
    const eventTypes = Array.isArray(a.body.event_types) ? a.body.event_types : [...WEBHOOK_EVENTS];
    return { webhook: 'set', eventTypes };
  },

  async onDisconnect(ctx) {
    const a = await call(ctx, 'set_webhook', { url: '' });
    if (a.status !== 0) throw new Error(`Viber set_webhook (remove) failed: status ${a.status} ${a.message ?? STATUS_NAMES[a.status] ?? ''}`.trim());
  },

  describe(channel) {
    const botName = channel.settings.botName;
    return botName ? { deepLink: `viber://pa?chatURI=${encodeURIComponent(botName)}` } : {};
  },
});

