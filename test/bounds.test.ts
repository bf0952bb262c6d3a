// What one webhook can become (relay/core/bounds.ts), per adapter: the biggest fan-out a body under
// 1 MB can carry goes through the adapter's parse and then boundRequest, as relay/http/hooks.ts does.
import test from 'ava';
import { adapters } from '../relay/channels/index.ts';
import type { ChannelConfig } from '../relay/core/account.ts';
import {
  boundRequest, MAX_EVENTS_PER_REQUEST, MAX_FIELD_LENGTH, MAX_ID_LENGTH, MAX_PAGES_PER_VISIT, MAX_REQUEST_JOURNAL_BYTES, MAX_TEXT_LENGTH, MAX_URL_LENGTH,
} from '../relay/core/bounds.ts';
import type { InboundEvent, MessageEvent } from '../relay/core/events.ts';
import { plan, type PlanContext } from '../relay/core/plan.ts';
import { HttpError } from '../relay/errors.ts';
import { chatraFanOut, chatraOverJournal, ringostatFanOut, verboxFanOut, viberFanOut } from './helpers/hostile.ts';

const SETTINGS: Record<string, Record<string, unknown>> = {
  chatra: { publicKey: 'pk', secretKey: 'sk' },
  viber: { authToken: 'token', botName: 'Bot' },
  verbox: {},
  ringostat: {},
};

function parse(kind: string, body: string): InboundEvent[] {
  const channel: ChannelConfig = { id: `ch-${kind}`, kind, name: kind, secret: 's', settings: SETTINGS[kind]!, options: {}, createdAt: '2024-01-01T00:00:00Z' };
  return adapters[kind]!.parse({ raw: Buffer.from(body), contentType: 'application/json', headers: {}, query: {} }, channel).events;
}

const never = () => false;
const journaled = (events: InboundEvent[]) => Buffer.byteLength(JSON.stringify(events));

/** Every string anywhere in the events, with its path, for "no field over its limit". */
function strings(v: unknown, path = ''): [string, string][] {
  if (typeof v === 'string') return [[path, v]];
  if (Array.isArray(v)) return v.flatMap((x, i) => strings(x, `${path}[${i}]`));
  if (v && typeof v === 'object') return Object.entries(v).flatMap(([k, x]) => strings(x, path ? `${path}.${k}` : k));
  return [];
}

function assertAllFit(t: import('ava').ExecutionContext, events: InboundEvent[]) {
  for (const [path, s] of strings(events)) {
    const leaf = path.replace(/.*\./, '').replace(/\[\d+\]$/, '');
    const max = leaf === 'text' || leaf === 'caption' ? MAX_TEXT_LENGTH + 200 : ['url', 'media', 'avatar', 'referrer', 'landing', 'recordingUrl', 'cardUrl', 'dashboardUrl', 'context'].includes(leaf) ? MAX_URL_LENGTH : MAX_FIELD_LENGTH;
    if (s.length > max) t.fail(`${path} has ${s.length} characters (limit ${max})`);
  }
}

test('chatra: 10,000 one-character messages and a 500 KB visit become at most 1,000 events carrying the visit once', (t) => {
  const body = chatraFanOut('a1');
  t.true(body.length < 1024 * 1024);
  const parsed = parse('chatra', body);
  t.true(parsed.length > 5000, `the body yields ${parsed.length} events`);
  const events = boundRequest(parsed, never);
  t.is(events.length, MAX_EVENTS_PER_REQUEST);
  const messages = events as MessageEvent[];
  // The newest are kept, and the first one kept says how many went.
  t.is(messages.at(-1)!.eventId, parsed.at(-1)!.eventId);
  t.regex(messages[0]!.text, new RegExp(`^\\[${parsed.length - MAX_EVENTS_PER_REQUEST} earlier messages of this webhook not imported`));
  t.is(messages[1]!.text, 'a');
  // The visit once, on the first event, with its pages and fields cut.
  t.truthy(events[0]!.visit);
  t.is(events.filter((e) => e.visit).length, 1);
  t.is(events[0]!.visit!.pages!.length, MAX_PAGES_PER_VISIT);
  t.is(events[0]!.visit!.pages!.at(-1)!.url, 'https://shop.example.com/a1/p/99');
  t.true(events[0]!.visit!.pages!.every((p) => p.title!.length <= MAX_FIELD_LENGTH && p.title!.endsWith('…')));
  t.is(events[0]!.visit!.referrer, undefined, 'a link too long to be whole is dropped, not cut');
  assertAllFit(t, events);
  const bytes = journaled(events);
  t.true(bytes < 1024 * 1024, `journaled ${bytes} bytes`);
});

test('chatra: over 1,000 messages, the mark goes on the first kept message not journaled before', (t) => {
  const messages = Array.from({ length: 1200 }, (_, i) => ({ id: `m${i}`, type: 'client', message: `text ${i}` }));
  const body = JSON.stringify({ eventName: 'chatFragment', client: { id: 'v1' }, messages });
  // m0..m1099 were delivered by earlier fragments.
  const events = boundRequest(parse('chatra', body), (id) => Number(id.slice(1)) < 1100) as MessageEvent[];
  t.is(events.length, MAX_EVENTS_PER_REQUEST);
  t.is(events[0]!.eventId, 'm200');
  t.is(events[0]!.text, 'text 200');
  t.is(events[900]!.eventId, 'm1100');
  t.regex(events[900]!.text, /^\[200 earlier messages of this webhook not imported by the relay: at most 1000 per request\]\ntext 1100$/);
});

test('chatra: the visit goes on the first event not journaled before', (t) => {
  const body = JSON.stringify({
    eventName: 'chatTranscript', client: { id: 'v1', city: 'Kyiv', visitedPages: [{ url: 'https://shop.example.com/x' }] },
    messages: [{ id: 'm1', type: 'client', message: 'one' }, { id: 'm2', type: 'client', message: 'two' }, { id: 'm3', type: 'client', message: 'three' }],
  });
  const events = boundRequest(parse('chatra', body), (id) => id === 'm1');
  t.deepEqual(events.map((e) => [e.eventId.replace(/-.*/, ''), !!e.visit]), [['m1', false], ['m2', true], ['m3', false], ['end', false]]);
  t.is(events[1]!.visit!.city, 'Kyiv');
});

test('chatra: 1,000 messages repeating a customer whose fields are all at their limit are refused with 413', (t) => {
  const parsed = parse('chatra', chatraOverJournal('b1'));
  t.is(parsed.length, 1000);
  const err = t.throws(() => boundRequest(parsed, never), { instanceOf: HttpError });
  t.is(err.status, 413);
  t.regex(err.message, new RegExp(`at most ${MAX_REQUEST_JOURNAL_BYTES / 1048576} MB`));
});

test('viber: one message with every field as long as 1 MB allows is cut to its limits', (t) => {
  const [ev] = boundRequest(parse('viber', viberFanOut('123')), never) as MessageEvent[];
  t.is(ev!.customer.name!.length, MAX_FIELD_LENGTH);
  t.is(ev!.customer.avatar, undefined);
  t.true(ev!.text.length < MAX_TEXT_LENGTH + 200);
  t.regex(ev!.text, /cut by the relay: the message had \d+ characters/);
  t.is(ev!.visit!.context!.length, 4096);
  assertAllFit(t, [ev!]);
  t.true(journaled([ev!]) < 64 * 1024);
});

test('viber: a location, contact, sticker or unknown type with fields as long as 1 MB allows is cut to its limits', (t) => {
  const body = (message: Record<string, unknown>) => JSON.stringify({ event: 'message', timestamp: Date.now(), message_token: 5916837654388304302, sender: { id: 'u1' }, message });
  const big = 300_000;
  const kinds = [
    { type: 'location', location: { lat: 1, lon: 2, address: 'a'.repeat(big) } },
    { type: 'contact', contact: { name: 'n'.repeat(big), phone_number: '1'.repeat(big) } },
    { type: 'sticker', sticker_id: 's'.repeat(big), media: `https://viber.example/${'m'.repeat(big)}` },
    { type: 't'.repeat(big), text: 'c'.repeat(big), media: `https://viber.example/${'m'.repeat(big)}` },
  ];
  for (const message of kinds) {
    const [ev] = boundRequest(parse('viber', body(message)), never) as MessageEvent[];
    t.truthy(ev!.content, String(message.type).slice(0, 20));
    assertAllFit(t, [ev!]);
  }
});

test('verbox: long fields and 5,000 pages are cut to their limits', (t) => {
  const events = boundRequest(parse('verbox', verboxFanOut('c1')), never);
  t.is(events.length, 1);
  const ev = events[0] as MessageEvent;
  t.is(ev.visit!.pages!.length, MAX_PAGES_PER_VISIT);
  t.is(ev.visit!.pages!.at(-1)!.url, 'https://shop.example.com/c1/p/4999');
  t.is(ev.title!.length, MAX_FIELD_LENGTH);
  t.is(ev.visit!.utm!.utm_source!.length, MAX_FIELD_LENGTH);
  assertAllFit(t, events);
  t.true(journaled(events) < 64 * 1024);
});

test('ringostat: UTM values, names and links as long as 1 MB allows are cut to their limits', (t) => {
  const events = boundRequest(parse('ringostat', ringostatFanOut('d1')), never);
  t.is(events.length, 1);
  const ev = events[0]!;
  t.is(ev.kind, 'call');
  t.is(ev.visit!.utm!.utm_campaign!.length, MAX_FIELD_LENGTH);
  t.is(ev.visit!.landing, undefined);
  assertAllFit(t, events);
  t.true(journaled(events) < 16 * 1024);
});

test('ringostat: the department, missed reason, analytics id and call card as long as 1 MB allows are cut to their limits', (t) => {
  // Read since issue 13 and kept with the call in the state (call card, analytics id) and its comment in Planfix.
  const share = 200_000;
  const body = JSON.stringify({
    event: 'call_end', uniqueid: 'call-new-fields', caller: '+380671234567', call_type: 'in', disposition: 'NO ANSWER', billsec: 0,
    department: 'D'.repeat(share), missing_reason: 'R'.repeat(share), client_id: 'G'.repeat(share),
    call_card: `https://app.ringostat.com/calls/${'c'.repeat(share)}`,
  });
  const events = boundRequest(parse('ringostat', body), never);
  const ev = events[0]!;
  if (ev.kind !== 'call') return t.fail();
  t.is(ev.department?.length, MAX_FIELD_LENGTH);
  t.is(ev.missedReason?.length, MAX_FIELD_LENGTH);
  t.is(ev.analyticsId?.length, MAX_FIELD_LENGTH);
  t.is(ev.cardUrl, undefined, 'a link too long to be whole is dropped, not cut');
  assertAllFit(t, events);
  t.true(journaled(events) < 16 * 1024);
});

test('an id longer than any provider gives is refused with 400', (t) => {
  const long = 'x'.repeat(MAX_ID_LENGTH + 1);
  for (const [kind, body] of [
    ['chatra', JSON.stringify({ eventName: 'chatFragment', client: { id: long }, messages: [{ id: 'm', message: 'hi' }] })],
    ['chatra', JSON.stringify({ eventName: 'chatFragment', client: { id: 'c' }, messages: [{ id: long, message: 'hi' }] })],
    ['ringostat', JSON.stringify({ event: 'call_end', uniqueid: long, caller: '+380671234567' })],
    ['verbox', JSON.stringify({ event: 'message', clientId: long, text: 'hi' })],
  ] as const) {
    const err = t.throws(() => boundRequest(parse(kind, body), never), { instanceOf: HttpError }, kind);
    t.is(err.status, 400, kind);
  }
});

test('an id holding a control character is refused with 400: no provider gives one, and PostgreSQL cannot key a NUL', (t) => {
  for (const [kind, body] of [
    ['chatra', JSON.stringify({ eventName: 'chatFragment', client: { id: 'v\u00001' }, messages: [{ id: 'm', message: 'hi' }] })],
    ['chatra', JSON.stringify({ eventName: 'chatFragment', client: { id: 'c' }, messages: [{ id: 'm\u0000', message: 'hi' }] })],
    ['chatra', JSON.stringify({ eventName: 'chatFragment', client: { id: 'c' }, messages: [{ id: 'm\n2', message: 'hi' }] })],
    ['ringostat', JSON.stringify({ event: 'call_end', uniqueid: 'call\u00001', caller: '+380671234567' })],
  ] as const) {
    const err = t.throws(() => boundRequest(parse(kind, body), never), { instanceOf: HttpError }, kind);
    t.is(err.status, 400, kind);
    t.regex(err.message, /holds a control character: not a provider id$/, kind);
  }
});

test('a webhook within every limit comes out as it went in', (t) => {
  const body = JSON.stringify({
    eventName: 'chatStarted', client: { id: 'v1', name: 'Olga', city: 'Kyiv', utm: { source: 'google' }, visitedPages: [{ url: 'https://shop.example.com/', title: 'Home' }] },
    messages: [{ id: 'm1', type: 'client', message: 'Hello' }],
  });
  const parsed = parse('chatra', body);
  const events = boundRequest(parsed, never);
  t.is(events[0], parsed[0], 'the same object: nothing copied on the usual path');
});

test('a message that opens a task without the visit takes the stored one for the summary and data fields', (t) => {
  const ctx: PlanContext = {
    channel: { id: 'ch', title: 'Chatra', name: 'Site', options: {} }, chatId: 'ch:k', contactKey: 'k', customer: { name: 'Olga' },
    fresh: true, hasRest: false, fieldName: (k) => (k === 'utm_source' ? 'utm_source' : undefined), locale: { language: 'en', timeZone: 'UTC' },
    storedVisit: { city: 'Kyiv', utm: { utm_source: 'google' }, pages: [{ url: 'https://shop.example.com/' }] },
  };
  const ev: MessageEvent = { kind: 'message', eventId: 'm2', customer: { clientId: 'c' }, at: 1, text: 'second', attachments: [] };
  const [op] = plan(ev, ctx).filter((o) => o.do === 'newMessage');
  t.truthy(op);
  if (op?.do !== 'newMessage') return;
  t.regex(String(op.params.message), /Location: Kyiv/);
  t.is(op.params.data_utm_source, 'google');
  // A message that does not open a task sends no stored data again.
  const [later] = plan(ev, { ...ctx, fresh: false }).filter((o) => o.do === 'newMessage');
  if (later?.do !== 'newMessage') return t.fail();
  t.is(later.params.message, 'second');
  t.is(later.params.data_utm_source, undefined);
});

test('one or two events with every field at its limit stay under the journal limit, so boundRequest need not measure them', (t) => {
  // Every text as control characters (6 bytes each in JSON); links as adapters give them (parsed
  // URLs, ASCII) except the ones read as plain strings (referrer, landing, dashboard link).
  const esc = (n: number) => '\u0001'.repeat(n);
  const link = (n: number, base = 'https://shop.example.com/') => `${base}${'a'.repeat(n - base.length)}`;
  const body = JSON.stringify({
    eventName: 'chatTranscript',
    client: {
      id: 'v'.repeat(MAX_ID_LENGTH), name: esc(MAX_FIELD_LENGTH), displayedName: esc(MAX_FIELD_LENGTH), email: esc(MAX_FIELD_LENGTH), phone: esc(MAX_FIELD_LENGTH),
      city: esc(MAX_FIELD_LENGTH), country: esc(MAX_FIELD_LENGTH), ip: esc(MAX_FIELD_LENGTH), browser: esc(MAX_FIELD_LENGTH), os: esc(MAX_FIELD_LENGTH), device: esc(MAX_FIELD_LENGTH),
      referrer: esc(MAX_URL_LENGTH), chatStartPage: esc(MAX_URL_LENGTH), chatUrl: esc(MAX_URL_LENGTH),
      utm: Object.fromEntries(['source', 'medium', 'campaign', 'term', 'content'].map((k) => [k, esc(MAX_FIELD_LENGTH)])),
      visitedPages: Array.from({ length: MAX_PAGES_PER_VISIT }, (_, i) => ({ url: link(MAX_URL_LENGTH, `https://shop.example.com/${i}/`), title: esc(MAX_FIELD_LENGTH), time: 1 })),
    },
    agents: [{ id: 'a1', email: esc(MAX_FIELD_LENGTH), name: esc(MAX_FIELD_LENGTH) }],
    messages: [{
      id: 'm'.repeat(MAX_ID_LENGTH), type: 'agent', agentId: 'a1', message: esc(MAX_TEXT_LENGTH),
      files: Array.from({ length: 20 }, (_, i) => ({ url: link(MAX_URL_LENGTH, `https://files.example.com/${i}/`), name: esc(MAX_FIELD_LENGTH) })),
    }],
  });
  t.true(body.length < 1024 * 1024, `the body is ${body.length} bytes`);
  const events = boundRequest(parse('chatra', body), never);
  t.is(events.length, 2);
  t.is((events[0] as MessageEvent).attachments.length, 20);
  t.is(events[0]!.visit!.pages!.length, MAX_PAGES_PER_VISIT);
  const bytes = journaled(events);
  t.true(bytes < MAX_REQUEST_JOURNAL_BYTES, `${bytes} bytes`);
  t.log(`the largest pair journals ${(bytes / 1024).toFixed(0)} KB`);
});

test('a cut never splits a character written as a surrogate pair', (t) => {
  const name = `${'a'.repeat(MAX_FIELD_LENGTH - 2)}${'😀'.repeat(10)}`;
  const [ev] = boundRequest([{ kind: 'customer', eventId: 'e1', customer: { clientId: 'c', name }, at: 1 }], never);
  const cut = ev!.customer.name!;
  t.true(cut.length <= MAX_FIELD_LENGTH);
  t.true(cut.endsWith('…'));
  t.false(/[\uD800-\uDBFF]…$/.test(cut), 'no lone high surrogate before the mark');
  t.is(Buffer.from(cut).toString(), cut, 'well-formed UTF-16 survives a UTF-8 round trip');
});

test('files beyond 20 per message, or with a link too long to be whole, are left out and counted in the message', (t) => {
  const files = Array.from({ length: 25 }, (_, i) => ({ url: `https://files.example.com/${i === 0 ? 'a'.repeat(MAX_URL_LENGTH) : i}`, name: `f${i}.pdf` }));
  const body = JSON.stringify({ eventName: 'chatFragment', client: { id: 'v1' }, messages: [{ id: 'm1', type: 'client', message: 'see files', files }] });
  const [ev] = boundRequest(parse('chatra', body), never) as MessageEvent[];
  t.deepEqual(ev!.attachments.map((a) => a.name), Array.from({ length: 19 }, (_, i) => `f${i + 1}.pdf`));
  t.is(ev!.text, 'see files\n[6 more files not imported by the relay: at most 20 per message, links at most 4096 characters]');
});
