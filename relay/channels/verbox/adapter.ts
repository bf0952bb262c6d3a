import { z } from 'zod';
import { UTM_KEYS, type Attachment, type Customer, type InboundEvent, type MessageEvent, type Visit } from '../../core/events.ts';
import { AuthError, HttpError, TerminalError } from '../../errors.ts';
import { errorText, providerError, send } from '../../net/outbound.ts';
import { safeEqual } from '../../http/secure.ts';
import { defineChannel } from '../channel.ts';
import { verboxTexts } from './texts.ts';
import { FieldReader, bodyHash, header, httpUrl, isObj, readJsonOrForm, readPages, readUtm, str, time, urlFileName } from '../read.ts';

// Verbox publishes no server webhook format (docs/reference/channels.md §4): whatever forwards its chats (a CRM
// hook, the site's own code, a small middleware) posts a flat body whose key names are
// configuration. The defaults below are the relay's own documented shape, not Verbox's.

/** Every value the relay reads, with the body key it is read from by default. */
export const DEFAULT_FIELD_MAP = {
  event: 'event',
  messageId: 'messageId',
  chatId: 'chatId',
  clientId: 'clientId',
  author: 'author',
  operatorId: 'operatorId',
  operatorEmail: 'operatorEmail',
  operatorName: 'operatorName',
  text: 'text',
  files: 'files',
  date: 'date',
  name: 'name',
  phone: 'phone',
  email: 'email',
  title: 'title',
  description: 'description',
  startedAt: 'startedAt',
  endedAt: 'endedAt',
  postponedUntil: 'postponedUntil',
  browser: 'browser',
  os: 'os',
  device: 'device',
  ip: 'ip',
  city: 'city',
  country: 'country',
  page: 'page',
  pages: 'pages',
  referrer: 'referrer',
  status: 'status',
  statusText: 'statusText',
  ...Object.fromEntries(UTM_KEYS.map((k) => [k, k])) as Record<(typeof UTM_KEYS)[number], string>,
} as const;
export type VerboxField = keyof typeof DEFAULT_FIELD_MAP;

/** Event names by meaning; the message ones include the names Verbox's own widget API uses. */
export const DEFAULT_EVENT_NAMES = {
  message: ['message', 'clientSendMessage', 'operatorSendMessage'],
  start: ['chatStarted', 'chat_start'],
  end: ['chatEnded', 'chat_end', 'chatClosed'],
  contact: ['contactsUpdated', 'clientMakeSubscribe', 'contact'],
  status: ['status', 'messageStatus'],
};
const OPERATOR_AUTHORS = ['operator', 'agent', 'admin', 'employee'];
export const DEFAULT_TOKEN_HEADER = 'x-relay-token';

const fieldKeys = Object.keys(DEFAULT_FIELD_MAP) as [VerboxField, ...VerboxField[]];

const settings = z.object({
  /** When set, every request must carry it in `tokenHeader` (or as `Authorization: Bearer`). */
  token: z.string().min(16).optional(),
  tokenHeader: z.string().regex(/^[A-Za-z0-9-]+$/).optional(),
  /** Where replies typed in Planfix are POSTed; its host must be in RELAY_ALLOW_HOSTS. */
  replyUrl: z.string().url().optional(),
  /** Sent to replyUrl as `Authorization: Bearer <replyToken>`. */
  replyToken: z.string().min(1).optional(),
  /** Relay field → body key; a dotted key reads a nested object ("client.phone"). */
  // `default` only describes (the admin page shows it greyed); nothing is filled in: a key left out takes it when read.
  fieldMap: z.partialRecord(z.enum(fieldKeys), z.string().min(1).max(200)).optional().meta({ default: DEFAULT_FIELD_MAP }),
  eventNames: z.object({
    message: z.array(z.string().min(1)).optional(),
    start: z.array(z.string().min(1)).optional(),
    end: z.array(z.string().min(1)).optional(),
    contact: z.array(z.string().min(1)).optional(),
    status: z.array(z.string().min(1)).optional(),
  }).strict().optional().meta({ default: DEFAULT_EVENT_NAMES }),
  /** Values of `author` that mean an operator wrote the message; anything else is the client. */
  operatorAuthors: z.array(z.string().min(1)).optional(),
  /** The operator id replies are sent as when the employee has no operator of their own. */
  defaultOperator: z.string().min(1).optional(),
}).strict();

const operatorSchema = z.object({
  /** Verbox operator id or e-mail. */
  operator: z.string().min(1),
  /** The Planfix employee's e-mail: operator messages are attributed to them. */
  employee: z.string().email(),
  /** The employee's full name as Planfix shows it: Planfix's replies name the employee, not the e-mail. */
  name: z.string().min(1).optional(),
}).strict();

const options = z.object({
  /** Replies go as the employee's own operator (from `operators`) instead of defaultOperator. */
  sendAsEmployee: z.boolean().default(true),
  closeTaskOnChatEnd: z.boolean().default(true),
  operators: z.array(operatorSchema).default([]),
}).strict();

type Operator = z.infer<typeof operatorSchema>;

type Reader = FieldReader<VerboxField>;

function readFiles(v: unknown): Attachment[] {
  let list = v;
  if (typeof v === 'string') {
    try { list = JSON.parse(v); } catch { list = [v]; }
  }
  return (Array.isArray(list) ? list : []).flatMap((f) => {
    const url = httpUrl(typeof f === 'string' ? f : str(f, 'url', 'link', 'href'));
    return url ? [{ name: (isObj(f) ? str(f, 'name', 'fileName', 'filename') : undefined) ?? (urlFileName(url) || 'file'), url }] : [];
  });
}

function readVisit(r: Reader): Visit {
  const page = httpUrl(r.str('page'));
  const pages = readPages(r.raw('pages')) ?? (page ? [{ url: page }] : undefined);
  const landing = pages?.[0]?.url;
  return {
    browser: r.str('browser'), os: r.str('os'), device: r.str('device'),
    ip: r.str('ip'), city: r.str('city'), country: r.str('country'),
    referrer: httpUrl(r.str('referrer')) ?? r.str('referrer'),
    landing,
    pages,
    utm: readUtm(Object.fromEntries(UTM_KEYS.map((k) => [k, r.str(k)])), landing),
  };
}

function findOperator(ops: Operator[], id?: string, email?: string): Operator | undefined {
  const wanted = [id, email?.toLowerCase()].filter(Boolean);
  return ops.find((o) => wanted.includes(o.operator) || wanted.includes(o.operator.toLowerCase()));
}

/**
 * A transcript-style body (CRM integration) carries the conversation's dates. They go out as data,
 * not text: the planner writes them in the account's language and time zone, which an adapter
 * (knowing nothing of Planfix) should not have to be told.
 */
function transcriptDates(r: Reader): MessageEvent['dates'] {
  const d = { started: time(r.raw('startedAt')), ended: time(r.raw('endedAt')), postponedUntil: time(r.raw('postponedUntil')) };
  return d.started || d.ended || d.postponedUntil ? d : undefined;
}

export const verbox = defineChannel({
  kind: 'verbox',
  title: 'Verbox',
  family: 'chat',
  hosts: [],
  settings,
  options,
  secretFields: ['token', 'replyToken'],
  urlFields: ['replyUrl'],
  texts: verboxTexts,

  warnings(channel) {
    const s = channel.settings;
    return [
      ...(s.replyUrl ? [] : [{ code: 'reply_url_missing' }]),
      ...(s.token ? [] : [{ code: 'token_missing' }]),
    ];
  },

  describe(channel) {
    const s = channel.settings;
    return {
      tokenHeader: s.tokenHeader ?? DEFAULT_TOKEN_HEADER,
      fieldMap: { ...DEFAULT_FIELD_MAP, ...s.fieldMap },
      eventNames: { ...DEFAULT_EVENT_NAMES, ...s.eventNames },
    };
  },

  verify(req, channel) {
    const s = channel.settings;
    if (!s.token) return;
    const bearer = header(req, 'authorization')?.match(/^Bearer\s+(.+)$/i)?.[1];
    const got = header(req, (s.tokenHeader ?? DEFAULT_TOKEN_HEADER).toLowerCase()) ?? bearer;
    if (!got) throw new AuthError('webhook', 401, `the ${s.tokenHeader ?? DEFAULT_TOKEN_HEADER} header is missing`);
    if (!safeEqual(got.trim(), s.token)) throw new AuthError('webhook', 401, `the ${s.tokenHeader ?? DEFAULT_TOKEN_HEADER} header does not match the channel token`);
  },

  parse(req, channel) {
    const s = channel.settings;
    const o = channel.options;
    const body = readJsonOrForm(req.raw, req.contentType);
    if (!Object.keys(body).length) throw new HttpError(400, 'body is empty');
    const r = new FieldReader<VerboxField>(body, DEFAULT_FIELD_MAP, s.fieldMap);
    const names = { ...DEFAULT_EVENT_NAMES, ...s.eventNames };
    const name = r.str('event') ?? 'message';
    const kind = (Object.keys(names) as (keyof typeof names)[]).find((k) => names[k].includes(name));
    if (!kind) return { events: [] };
    const at = time(r.raw('date')) ?? time(r.raw('startedAt')) ?? Date.now();
    const messageId = r.str('messageId');

    if (kind === 'status') {
      if (!messageId) throw new HttpError(400, `a status needs ${r.key('messageId')}`);
      const said = (r.str('status') ?? '').toLowerCase();
      const status = ['read', 'seen'].includes(said) ? 'read' : ['failed', 'error', 'undelivered'].includes(said) ? 'error' : ['sent', 'delivered'].includes(said) ? 'sent' : undefined;
      if (!status) throw new HttpError(400, `${r.key('status')} must be delivered, read or failed`);
      const clientId = r.str('clientId') ?? r.str('chatId') ?? 'unknown';
      return { events: [{ kind: 'status', eventId: `st-${messageId}-${status}`, customer: { clientId }, at, providerMessageId: messageId, status, text: r.str('statusText') }] };
    }

    const clientId = r.str('clientId') ?? r.str('chatId');
    if (!clientId) throw new HttpError(400, `neither ${r.key('clientId')} nor ${r.key('chatId')} is in the body (see the channel's fieldMap)`);
    const customer: Customer = { clientId, name: r.str('name'), email: r.str('email'), phone: r.str('phone') };
    const visit = readVisit(r);
    const events: InboundEvent[] = [];
    const digest = `h${bodyHash(req.raw)}`;

    if (kind === 'message') {
      const files = readFiles(r.raw('files'));
      const description = r.str('description');
      let text = r.str('text') ?? '';
      // The CRM-integration shape sends one transcript per chat instead of messages.
      const dates = !text && description ? transcriptDates(r) : undefined;
      if (!text && description) text = description;
      if (!text && !files.length) throw new HttpError(400, `a message needs ${r.key('text')}, ${r.key('description')} or ${r.key('files')}`);
      const author = (r.str('author') ?? '').toLowerCase();
      const byOperator = (s.operatorAuthors?.length ? s.operatorAuthors : OPERATOR_AUTHORS).map((a) => a.toLowerCase()).includes(author) || name === 'operatorSendMessage';
      const operatorId = r.str('operatorId');
      const operatorEmail = r.str('operatorEmail');
      const op = byOperator ? findOperator(o.operators, operatorId, operatorEmail) : undefined;
      const ev: MessageEvent = {
        kind: 'message', eventId: messageId ?? digest, customer, visit, at, text, attachments: files, title: r.str('title'), ...(dates ? { dates } : {}),
        ...(byOperator ? { echo: { email: op?.employee, name: r.str('operatorName') } } : {}),
      };
      events.push(ev);
    } else if (kind === 'start' || kind === 'contact') {
      events.push({ kind: 'customer', eventId: messageId ?? digest, customer, visit, at, newVisit: kind === 'start' });
    }
    const ended = kind === 'end' || (kind === 'message' && !r.str('text') && !!r.str('endedAt'));
    // Whether the task is completed is the planner's decision (closeTaskOnChatEnd).
    if (ended) events.push({ kind: 'end', eventId: `end-${r.str('chatId') ?? digest}`, customer, at });
    return { events };
  },

  async send(reply, { channel, policy, timeoutMs }) {
    const s = channel.settings;
    const o = channel.options;
    if (!s.replyUrl) throw new TerminalError('the Verbox channel has no replyUrl: set it in the channel settings', 'not-configured');
    const fullName = [reply.user.name, reply.user.lastName].filter(Boolean).join(' ');
    const own = o.sendAsEmployee ? o.operators.find((x) => x.name === fullName) : undefined;
    const res = await send(policy, 'provider', s.replyUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(s.replyToken ? { authorization: `Bearer ${s.replyToken}` } : {}) },
      body: JSON.stringify({
        clientId: reply.clientId,
        planfixMessageId: reply.messageId,
        text: reply.text,
        files: reply.attachments,
        operator: own?.operator ?? s.defaultOperator,
        employee: { name: fullName, email: own?.employee, avatar: reply.user.ico },
      }),
      timeoutMs,
    });
    if (res.status < 200 || res.status >= 300) {
      throw providerError('replyUrl', res.status, errorText(res.json, res.text), { refused: 'refused the relay', check: 'check replyToken' });
    }
    const id = str(res.json, 'messageId', 'id');
    return { providerMessageIds: id ? [id] : [] };
  },
});
