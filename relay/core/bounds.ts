import { HttpError } from '../errors.ts';
import type { Attachment, CallEvent, Customer, InboundEvent, MessageContent, MessageEvent, Page, StatusEvent, UtmKey, Visit } from './events.ts';

// What one webhook can become, whatever the provider (or whoever has its URL) sends. The body is
// at most 1 MB, but an adapter copies what a body says once into every event it yields: a Chatra
// chatFragment of 8,000 one-character messages carrying a visit of 100 pages with 5,800-character
// titles became 8,000 journal records each holding the whole visit (gigabytes). Every inbound
// event passes boundRequest before it is journaled, so these limits hold for every channel.
//
// Each limit is far above what a real provider sends, so it never bites real traffic:

/**
 * Events one request yields. A Chatra chatTranscript carries the whole chat, and a long support
 * chat is a few hundred messages; every other provider sends one event (two with an end).
 */
export const MAX_EVENTS_PER_REQUEST = 1000;
/** Provider ids (message, client, call ids) are at most a few dozen characters. */
export const MAX_ID_LENGTH = 256;
/** A message's text: Viber caps one at 7,000 characters, chat widgets at a few thousand. */
export const MAX_TEXT_LENGTH = 20_000;
/** One-line values: names, e-mail (at most 254 by RFC 5321), phone, place, browser, page titles, UTM values, employee, line. */
export const MAX_FIELD_LENGTH = 512;
/** Links: browsers and ad platforms stop at about 2,000 characters; signed file links stay under 4,096. */
export const MAX_URL_LENGTH = 4096;
/** What a Viber deep link or message carries as context (tracking_data is at most 4,096 characters). */
export const MAX_CONTEXT_LENGTH = 4096;
/** Pages of one visit, the newest kept; the widget keeps 100 per conversation and the summary shows 10. */
export const MAX_PAGES_PER_VISIT = 50;
/** Files of one message: providers send one, a chat widget a handful. */
export const MAX_ATTACHMENTS_PER_MESSAGE = 20;
/**
 * The events of one request as JSON, which is what the journal holds (and, once read, memory):
 * twice the 1 MB body limit. Within the limits above a real request stays far below it; a body
 * that still comes out bigger (a thousand messages, each repeating a customer whose every field is
 * at its limit) is refused whole with 413 and nothing of it is journaled.
 */
export const MAX_REQUEST_JOURNAL_BYTES = 2 * 1024 * 1024;

/** Requests of at most this many events are under MAX_REQUEST_JOURNAL_BYTES by the field limits alone. */
const SMALL_REQUEST_EVENTS = 2;

type Rule = 'id' | 'field' | 'url' | 'text' | 'context';
const MAX: Record<Rule, number> = { id: MAX_ID_LENGTH, field: MAX_FIELD_LENGTH, url: MAX_URL_LENGTH, text: MAX_TEXT_LENGTH, context: MAX_CONTEXT_LENGTH };

/** The first `keep` characters of `s`, one fewer where the last would be half a surrogate pair. */
function head(s: string, keep: number): string {
  return s.slice(0, /[\uD800-\uDBFF]/.test(s[keep - 1] ?? '') ? keep - 1 : keep);
}

/** `s` within `max` characters, ending in `…` where it was cut. */
export function ellipsize(s: string, max: number): string {
  return s.length > max ? `${head(s, max - 1)}…` : s;
}

/** `s` cut to `max` characters with a mark, never splitting a surrogate pair. */
function cut(s: string, max: number, rule: Rule): string {
  return rule === 'text'
    ? `${head(s, max)}\n[… cut by the relay: the message had ${s.length} characters, at most ${max} are kept]`
    : ellipsize(s, max);
}

/**
 * A provider id is a few dozen printable characters. A control character cannot be one, and a NUL
 * is what PostgreSQL cannot store in a key at all: refused, as on every engine.
 */
function checkId(id: string, what: string): void {
  if (id.length > MAX_ID_LENGTH) throw new HttpError(400, `${what} is longer than ${MAX_ID_LENGTH} characters: not a provider id`);
  if (/[\u0000-\u001f\u007f]/.test(id)) throw new HttpError(400, `${what} holds a control character: not a provider id`);
}

/**
 * `o` with each string named in `rules` within its limit; `o` itself when all are. A cut link would
 * lead elsewhere, so an over-long one is dropped; an over-long id cannot be a provider's, and the
 * request is refused (an id cut or hashed would no longer reach the provider's customer).
 */
function fit<T extends object>(o: T, rules: { [K in keyof T]?: Rule }, what: string): T {
  let out = o;
  for (const k in rules) {
    const v = o[k];
    const rule = rules[k];
    if (typeof v !== 'string' || !rule) continue;
    if (rule === 'id') {
      checkId(v, `${what}.${k}`);
      continue;
    }
    if (v.length <= MAX[rule]) continue;
    out = { ...out, [k]: rule === 'url' ? undefined : cut(v, MAX[rule], rule) };
  }
  return out;
}

// The rules are built once: bounding runs on every webhook.
const CUSTOMER: { [K in keyof Customer]?: Rule } = { clientId: 'id', name: 'field', lastName: 'field', displayName: 'field', email: 'field', phone: 'field', avatar: 'url' };
const VISIT: { [K in keyof Visit]?: Rule } = {
  city: 'field', country: 'field', ip: 'field', browser: 'field', os: 'field', device: 'field',
  referrer: 'url', landing: 'url', dashboardUrl: 'url', context: 'context',
};
const UTM: { [K in UtmKey]?: Rule } = { utm_source: 'field', utm_medium: 'field', utm_campaign: 'field', utm_term: 'field', utm_content: 'field' };
const PAGE: { [K in keyof Page]?: Rule } = { url: 'url', title: 'field' };
const MESSAGE: { [K in keyof MessageEvent]?: Rule } = { text: 'text', title: 'field' };
const ECHO: { [K in keyof NonNullable<MessageEvent['echo']>]?: Rule } = { email: 'field', name: 'field' };
const ATTACHMENT: { [K in keyof Attachment]?: Rule } = { name: 'field', url: 'url' };
const STATUS: { [K in keyof StatusEvent]?: Rule } = { providerMessageId: 'id', text: 'field' };
const CALL: { [K in keyof CallEvent]?: Rule } = {
  callId: 'id', line: 'field', employee: 'field', employeeName: 'field', department: 'field', missedReason: 'field', analyticsId: 'field',
  recordingUrl: 'url', cardUrl: 'url',
};

function boundVisit(v: Visit): Visit {
  let out = fit(v, VISIT, 'visit');
  if (v.utm) {
    const utm = fit(v.utm, UTM, 'utm');
    if (utm !== v.utm) out = { ...out, utm };
  }
  const pages = v.pages;
  if (pages && (pages.length > MAX_PAGES_PER_VISIT || pages.some((p) => p.url.length > MAX_URL_LENGTH || (p.title?.length ?? 0) > MAX_FIELD_LENGTH))) {
    const kept = pages.slice(-MAX_PAGES_PER_VISIT).map((p) => fit(p, PAGE, 'page')).filter((p) => p.url);
    out = { ...out, pages: kept.length ? kept : undefined };
  }
  return out;
}

const CONTACT_CARD: { name?: Rule; phone?: Rule } = { name: 'field', phone: 'field' };
const STICKER: { id?: Rule; media?: Rule } = { id: 'field', media: 'url' };
const UNSUPPORTED: { type?: Rule; caption?: Rule; media?: Rule } = { type: 'field', caption: 'text', media: 'url' };
const PLACE: { address?: Rule } = { address: 'field' };

function boundContent(c: MessageContent): MessageContent {
  switch (c.kind) {
    case 'location': return fit(c, PLACE, 'content');
    case 'contact': return fit(c, CONTACT_CARD, 'content');
    case 'sticker': return fit(c, STICKER, 'content');
    case 'unsupported': return fit(c, UNSUPPORTED, 'content');
    case 'missingMedia': return c;
  }
}

function boundMessage(ev: MessageEvent): MessageEvent {
  let out = fit(ev, MESSAGE, 'message');
  if (ev.content) {
    const content = boundContent(ev.content);
    if (content !== ev.content) out = { ...out, content };
  }
  if (ev.echo) {
    const echo = fit(ev.echo, ECHO, 'echo');
    if (echo !== ev.echo) out = { ...out, echo };
  }
  const files = ev.attachments;
  if (files.length > MAX_ATTACHMENTS_PER_MESSAGE || files.some((a) => a.name.length > MAX_FIELD_LENGTH || a.url.length > MAX_URL_LENGTH)) {
    const kept = files.slice(0, MAX_ATTACHMENTS_PER_MESSAGE).map((a) => fit(a, ATTACHMENT, 'attachment')).filter((a) => a.url);
    const left = files.length - kept.length;
    const note = `[${left} more file${left === 1 ? '' : 's'} not imported by the relay: at most ${MAX_ATTACHMENTS_PER_MESSAGE} per message, links at most ${MAX_URL_LENGTH} characters]`;
    out = { ...out, attachments: kept, text: left ? [out.text, note].filter(Boolean).join('\n') : out.text };
  }
  return out;
}

function boundCustomer(c: Customer): Customer {
  return fit(c, CUSTOMER, 'customer');
}

function boundEvent(ev: InboundEvent, customer: Customer): InboundEvent {
  checkId(ev.eventId, 'the event id');
  const base = customer === ev.customer ? ev : { ...ev, customer };
  switch (base.kind) {
    case 'message': return boundMessage(base);
    case 'status': return fit(base, STATUS, 'status');
    case 'call': return fit(base, CALL, 'call');
    default: return base;
  }
}

/**
 * Messages beyond MAX_EVENTS_PER_REQUEST: the oldest go, the newest stay, and the first one kept
 * says how many went. Refusing the request instead would lose all of them: the provider resends
 * the very same body, refused again each time. Chatra's transcript repeats the messages its
 * fragments already delivered (they are dropped as duplicates anyway), so the newest are the
 * ones most likely new; and the mark, on the first of them not journaled before, keeps the cut
 * from being silent.
 */
function capMessages(events: InboundEvent[], seen: (eventId: string) => boolean): InboundEvent[] {
  if (events.length <= MAX_EVENTS_PER_REQUEST) return events;
  const others = events.filter((e) => e.kind !== 'message').length;
  let drop = events.length - MAX_EVENTS_PER_REQUEST;
  const dropped = Math.min(drop, events.length - others);
  const kept: InboundEvent[] = [];
  let marked = false;
  for (const ev of events) {
    if (ev.kind === 'message' && drop > 0) { drop--; continue; }
    // On the first new one: on a duplicate the mark would be dropped with it.
    if (ev.kind === 'message' && !marked && !seen(ev.eventId)) {
      marked = true;
      const note = `[${dropped} earlier message${dropped === 1 ? '' : 's'} of this webhook not imported by the relay: at most ${MAX_EVENTS_PER_REQUEST} per request]`;
      kept.push({ ...ev, text: ev.text ? `${note}\n${ev.text}` : note });
    } else kept.push(ev);
  }
  // Only non-message events over the cap (no adapter makes those): the request is not a provider's.
  if (kept.length > MAX_EVENTS_PER_REQUEST) throw new HttpError(413, `the request yields ${kept.length} events; at most ${MAX_EVENTS_PER_REQUEST} are taken`);
  return kept;
}

/**
 * The events of one request as they may be journaled: at most MAX_EVENTS_PER_REQUEST, each field
 * within its limit, the visit carried once, the whole within MAX_REQUEST_JOURNAL_BYTES (else 413).
 *
 * The visit goes on the first event not journaled before (`seen` says which were): a webhook's
 * events all come with the same visit, and the state keeps it for the conversation, so the later
 * ones read it from there. Carried by a duplicate, it would be dropped with it.
 */
export function boundRequest(events: InboundEvent[], seen: (eventId: string) => boolean): InboundEvent[] {
  const capped = capMessages(events, seen);
  const customers = new Map<Customer, Customer>();
  const found = capped.find((e) => e.visit)?.visit;
  const carrier = found && capped.find((e) => e.kind !== 'status' && !seen(e.eventId));
  const visit = carrier && found ? boundVisit(found) : undefined;
  const out = capped.map((ev) => {
    let customer = customers.get(ev.customer);
    if (!customer) customers.set(ev.customer, (customer = boundCustomer(ev.customer)));
    const b = boundEvent(ev, customer);
    if (ev === carrier) return b.visit === visit ? b : { ...b, visit };
    if (!b.visit) return b;
    const copy = { ...b };
    delete copy.visit;
    return copy;
  });
  // One or two events within the field limits stay far below the journal limit (test/bounds.test.ts
  // builds the largest pair: every text escaped to 6 bytes a character, links as the adapters give
  // them, parsed; 0.75 MB). Serialising costs as much as the parse: only bigger requests pay it.
  if (out.length <= SMALL_REQUEST_EVENTS) return out;
  const bytes = Buffer.byteLength(JSON.stringify(out));
  if (bytes > MAX_REQUEST_JOURNAL_BYTES) {
    throw new HttpError(413, `the request would journal ${(bytes / 1048576).toFixed(1)} MB; at most ${MAX_REQUEST_JOURNAL_BYTES / 1048576} MB per request`);
  }
  return out;
}
