import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Attachment, Customer, CustomerEvent, MessageContent, MessageEvent, StatusEvent } from '../../core/events.ts';
import { checkResult, type CheckTexts } from '../../core/check.ts';
import { AuthError, HttpError, TerminalError } from '../../errors.ts';
import { defineChannel } from '../channel.ts';
import { bodyHash, header, httpUrl, isObj, str, time, urlFileName, type Obj } from '../read.ts';
import { call, partial, remember, STATUS_NAMES, viberError } from './api.ts';
import { parseViberJson } from './json.ts';
import { botSender, messagesOf, senderOf, withSizes } from './outgoing.ts';
import { options, settings } from './settings.ts';
import { viberTexts } from './texts.ts';

// Viber REST Bot API (docs/reference/channels.md §1). Every callback is signed; tokens are 64-bit and kept as strings.

export const WEBHOOK_EVENTS = ['delivered', 'seen', 'failed', 'subscribed', 'unsubscribed', 'conversation_started'] as const;
/** Events Viber documents; one the relay does not use is acknowledged with no events so Viber stops retrying. */
const KNOWN_EVENTS = new Set(['webhook', 'message', 'subscribed', 'unsubscribed', 'conversation_started', 'delivered', 'seen', 'failed']);

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

// ---------------------------------------------------------------- adapter

/** What "Test connection" can answer, in English; texts.ts words each for the admin page. */
const CHECKS = {
  token_refused: { ok: false, message: '{error}', fix: 'Copy the token again from Viber (Settings → Bots → Edit info → Your app key) into authToken.' },
  refused: { ok: false, message: '{error}' },
  webhook_here: { ok: true, message: 'Bot "{name}" ({uri}) accepted the token and sends its callbacks to this relay.' },
  webhook_elsewhere: { ok: false, message: 'Bot "{name}" ({uri}) accepted the token, but its webhook is {webhook}.', fix: 'Press Connect (POST …/connect) to set the webhook to this channel\'s webhookUrl.' },
  no_webhook: { ok: false, message: 'Bot "{name}" ({uri}) accepted the token, but has no webhook.', fix: 'Press Connect (POST …/connect) to set the webhook to this channel\'s webhookUrl.' },
} satisfies CheckTexts;

export const viber = defineChannel({
  kind: 'viber',
  title: 'Viber',
  family: 'chat',
  hosts: ['chatapi.viber.com'],
  settings,
  options,
  texts: viberTexts,
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
        return { events, response: { sender: botSender(s), type: 'text', text: s.welcomeText } };
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
      // Viber's own words for the page, beside the relay's English.
      const params = { error: viberError(a.status, a.message).message, status: String(a.status), reason: a.message ?? STATUS_NAMES[a.status] ?? '' };
      return checkResult(CHECKS, a.status === 2 ? 'token_refused' : 'refused', params);
    }
    const bot = { name: str(a.body, 'name') ?? '?', uri: str(a.body, 'uri') ?? '?' };
    const webhook = str(a.body, 'webhook');
    if (webhook === ctx.webhookUrl) return checkResult(CHECKS, 'webhook_here', bot);
    return webhook ? checkResult(CHECKS, 'webhook_elsewhere', { ...bot, webhook }) : checkResult(CHECKS, 'no_webhook', bot);
  },
  checks: CHECKS,

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

