// The planner: which Planfix Chat API / REST operations deliver one event (docs/reference/planfix-api.md §1.3).
import test from 'ava';
import type { FieldKey } from '../relay/core/account.ts';
import type { CustomerEvent, EndEvent, MessageEvent, ReplyEvent, StatusEvent, Visit } from '../relay/core/events.ts';
import { contactParams, plan, type Op, type PlanContext } from '../relay/core/plan.ts';

const CHAT_ID = 'ch1:+79051234567';
const KEY = '+79051234567';

function ctx(over: Partial<PlanContext> = {}): PlanContext {
  return {
    channel: { id: 'ch1', title: 'Chatra', name: 'Shop chat', options: {} },
    chatId: CHAT_ID,
    contactKey: KEY,
    customer: { name: 'Olga', lastName: 'Petrenko', email: 'olga@example.com', phone: KEY },
    fresh: true,
    hasRest: true,
    fieldName: (k) => k,
    locale: { language: 'en', timeZone: 'UTC' },
    ...over,
  };
}

const visit: Visit = {
  city: 'Kyiv',
  country: 'Ukraine',
  ip: '203.0.113.7',
  browser: 'Chrome 120',
  os: 'Windows 10',
  referrer: 'https://www.google.com/',
  utm: { utm_source: 'google', utm_medium: 'cpc', utm_campaign: '' },
  pages: [{ url: 'https://shop.example.com/p/42', title: 'Blue kettle' }],
};

function message(over: Partial<MessageEvent> = {}): MessageEvent {
  return {
    kind: 'message',
    eventId: 'm1',
    customer: { clientId: 'v1', name: 'Olga' },
    visit,
    at: 1_700_000_000_000,
    text: 'Is the blue kettle in stock?',
    attachments: [],
    ...over,
  };
}

function only<T extends Op['do']>(ops: Op[], kind: T): Extract<Op, { do: T }> {
  const found = ops.filter((o) => o.do === kind);
  if (found.length !== 1) throw new Error(`expected one ${kind}, got ${JSON.stringify(ops.map((o) => o.do))}`);
  return found[0] as Extract<Op, { do: T }>;
}

test('first message of a fresh conversation: title, summary in the message, data fields, then learnTask', (t) => {
  const attachments = [{ name: 'photo1.jpg', url: 'https://cdn.example/5444.jpg' }, { name: 'photo2.jpg', url: 'https://cdn.example/5445.jpg' }];
  const ops = plan(message({ newVisit: true, attachments }), ctx());
  t.deepEqual(ops.map((o) => o.do), ['newMessage', 'learnTask', 'visitComment']);
  const nm = only(ops, 'newMessage');
  const p = nm.params;
  t.is(p.chatId, CHAT_ID);
  t.is(p.channel, 'ch1');
  t.is(p.contactId, KEY);
  t.is(p.contactName, 'Olga');
  t.is(p.contactLastName, 'Petrenko');
  t.is(p.contactEmail, 'olga@example.com');
  t.is(p.contactPhone, KEY);
  t.is(p.title, 'Shop chat: Olga Petrenko');
  t.is(typeof p.contactData, 'string');
  t.regex(p.contactData as string, /Kyiv/);
  // The visitor's text first, then the summary: the place, the referrer, UTM and the pages.
  const text = p.message as string;
  t.true(text.startsWith('Is the blue kettle in stock?\n\n'), text);
  t.regex(text, /Kyiv, Ukraine/);
  t.regex(text, /https:\/\/www\.google\.com\//);
  t.regex(text, /utm_source=google/);
  t.regex(text, /Blue kettle — https:\/\/shop\.example\.com\/p\/42/);
  t.notRegex(text, /utm_campaign/, 'an empty UTM value is not shown');
  t.deepEqual(p.attachments, attachments);
  // data_<field> only for non-empty values (an empty one would wipe an earlier visit's value).
  t.is(p.data_utm_source, 'google');
  t.is(p.data_utm_medium, 'cpc');
  t.false('data_utm_campaign' in p);
  t.false('data_utm_term' in p);
  t.is(p.data_city, 'Kyiv');
  t.is(p.data_pages, 'https://shop.example.com/p/42');
  t.false('isEcho' in p);
  t.deepEqual(only(ops, 'learnTask'), { do: 'learnTask', chatId: CHAT_ID });
  t.is(nm.contactKey, KEY);
  t.is(nm.fingerprint, contactParams(KEY, ctx().customer, 'Visitor').fingerprint);
});

test('data fields are renamed by fieldName and dropped where it answers undefined', (t) => {
  const names: Partial<Record<FieldKey, string>> = { utm_source: 'Источник трафика', utm_medium: 'utm medium' };
  const ops = plan(message(), ctx({ fieldName: (k) => names[k] }));
  const p = only(ops, 'newMessage').params;
  t.is(p['data_Источник трафика'], 'google');
  t.is(p['data_utm medium'], 'cpc');
  t.deepEqual(Object.keys(p).filter((k) => k.startsWith('data_')).sort(), ['data_utm medium', 'data_Источник трафика'].sort());
});

test('a later message of a known conversation: no title, no summary, no contactData; the task is checked after it', (t) => {
  const ops = plan(message({ eventId: 'm2', text: 'Thanks' }), ctx({ fresh: false }));
  t.deepEqual(ops.map((o) => o.do), ['newMessage', 'learnTask']);
  const p = only(ops, 'newMessage').params;
  t.is(p.message, 'Thanks');
  t.is(p.title, undefined);
  t.is(p.contactData, undefined);
  t.is(p.attachments, undefined);
});

test('a new visit in a known conversation repeats the summary but opens no task', (t) => {
  const ops = plan(message({ newVisit: true }), ctx({ fresh: false }));
  t.deepEqual(ops.map((o) => o.do), ['newMessage', 'learnTask', 'visitComment']);
  const p = only(ops, 'newMessage').params;
  t.is(p.title, undefined);
  t.regex(p.message as string, /^Is the blue kettle in stock\?\n\n.*Kyiv/s);
});

test('an agent message from the provider goes as an echo with the agent e-mail', (t) => {
  const ops = plan(message({ echo: { email: 'ivan@company.example', name: 'Ivan' } }), ctx({ fresh: false }));
  const p = only(ops, 'newMessage').params;
  t.is(p.isEcho, true);
  t.is(p.userEmail, 'ivan@company.example');
});

test('a changed contact is updated before the message; an unchanged or never-sent one is not', (t) => {
  const before = contactParams(KEY, { name: 'Pumpkin Ninja' }, 'Visitor').fingerprint;
  const ops = plan(message(), ctx({ fresh: false, contactSent: before }));
  t.deepEqual(ops.map((o) => o.do), ['updateContact', 'newMessage', 'learnTask']);
  const up = only(ops, 'updateContact');
  t.is(up.params.contactId, KEY);
  t.is(up.params.contactName, 'Olga');
  t.is(up.params.contactLastName, 'Petrenko');
  t.is(up.params.contactEmail, 'olga@example.com');
  t.is(up.params.contactPhone, KEY);
  t.is(up.fingerprint, only(ops, 'newMessage').fingerprint);

  const same = contactParams(KEY, ctx().customer, 'Visitor').fingerprint;
  t.deepEqual(plan(message(), ctx({ fresh: false, contactSent: same })).map((o) => o.do), ['newMessage', 'learnTask']);
  t.deepEqual(plan(message(), ctx({ fresh: false, contactSent: undefined })).map((o) => o.do), ['newMessage', 'learnTask']);
});

test('contact names: a full name splits, a placeholder name stays whole, nothing gives "Visitor"', (t) => {
  t.like(contactParams('k', { name: 'Olga Petrenko' }, 'Visitor').params, { contactName: 'Olga', contactLastName: 'Petrenko' });
  t.like(contactParams('k', { displayName: 'Pumpkin Ninja' }, 'Visitor').params, { contactName: 'Pumpkin Ninja', contactLastName: undefined });
  t.like(contactParams('k', {}, 'Visitor').params, { contactName: 'Visitor' });
  t.not(contactParams('k', { name: 'Olga' }, 'Visitor').fingerprint, contactParams('k', { name: 'Olga', email: 'o@example.com' }, 'Visitor').fingerprint);
});

test('empty text: attachments are named, nothing at all is marked empty', (t) => {
  const withFile = plan(message({ text: '  ', attachments: [{ name: 'scan.pdf', url: 'https://cdn.example/scan.pdf' }] }), ctx({ fresh: false }));
  t.is(only(withFile, 'newMessage').params.message, '📎 scan.pdf');
  const nothing = plan(message({ text: '' }), ctx({ fresh: false }));
  t.is(only(nothing, 'newMessage').params.message, '(empty message)');
});

test('new visit: a contact comment with OS, browser and IP when REST is set, none without', (t) => {
  const withRest = plan(message({ newVisit: true }), ctx({ fresh: false, hasRest: true }));
  const vc = only(withRest, 'visitComment');
  t.is(vc.contactId, KEY);
  t.regex(vc.description, /Windows 10/);
  t.regex(vc.description, /Chrome 120/);
  t.regex(vc.description, /203\.0\.113\.7/);
  t.false(plan(message({ newVisit: true }), ctx({ fresh: false, hasRest: false })).some((o) => o.do === 'visitComment'));
  t.false(plan(message({ newVisit: false }), ctx({ fresh: false, hasRest: true })).some((o) => o.do === 'visitComment'));
});

test('a customer event (chat opened without a message): contact update and visit comment only', (t) => {
  const ev: CustomerEvent = { kind: 'customer', eventId: 'visit-1', customer: { clientId: 'v1' }, visit, at: 1, newVisit: true };
  const before = contactParams(KEY, { name: 'Pumpkin Ninja' }, 'Visitor').fingerprint;
  t.deepEqual(plan(ev, ctx({ contactSent: before })).map((o) => o.do), ['updateContact', 'visitComment']);
  t.deepEqual(plan(ev, ctx({ hasRest: false })), []);
});

test('end of chat: completeTask with REST unless closeTaskOnChatEnd is false', (t) => {
  const ev: EndEvent = { kind: 'end', eventId: 'end-1', customer: { clientId: 'v1' }, at: 1 };
  t.deepEqual(plan(ev, ctx()), [{ do: 'completeTask', chatId: CHAT_ID }]);
  t.deepEqual(plan(ev, ctx({ channel: { ...ctx().channel, options: { closeTaskOnChatEnd: true } } })), [{ do: 'completeTask', chatId: CHAT_ID }]);
  t.deepEqual(plan(ev, ctx({ channel: { ...ctx().channel, options: { closeTaskOnChatEnd: false } } })), []);
  t.deepEqual(plan(ev, ctx({ hasRest: false })), []);
});

test('an employee reply: send, then messageStatus sent for its Planfix messageId', (t) => {
  const reply: ReplyEvent = {
    kind: 'reply', eventId: 'pf:77', messageId: '77', chatId: CHAT_ID, clientId: 'v1', text: 'Yes', attachments: [],
    user: { name: 'Ivan', lastName: 'Ivanov' }, at: 1,
  };
  t.deepEqual(plan(reply, ctx()), [{ do: 'send' }, { do: 'messageStatus', messageId: '77', status: 'sent' }]);
});

function status(s: StatusEvent['status'], text?: string): StatusEvent {
  return { kind: 'status', eventId: `st-${s}`, customer: { clientId: 'v1' }, at: 1, providerMessageId: 'prov-1', status: s, text };
}

test('delivery receipts only move forward', (t) => {
  const at = (last: 'sent' | 'read' | 'error' | undefined) => ctx({ outbound: { messageId: '77', status: last } });
  t.deepEqual(plan(status('read'), at('sent')), [{ do: 'messageStatus', messageId: '77', status: 'read', text: undefined }]);
  t.deepEqual(plan(status('sent'), at('read')), []);
  t.deepEqual(plan(status('sent'), at('sent')), [], 'the same status twice is sent once');
  t.deepEqual(plan(status('read'), at('read')), []);
  t.deepEqual(plan(status('sent'), at('error')), []);
  t.deepEqual(plan(status('error', 'blocked'), at('sent')), [{ do: 'messageStatus', messageId: '77', status: 'error', text: 'blocked' }]);
  t.deepEqual(plan(status('sent'), at(undefined)), [{ do: 'messageStatus', messageId: '77', status: 'sent', text: undefined }]);
});

test('a receipt for a message the relay does not know is dropped', (t) => {
  t.deepEqual(plan(status('read'), ctx({ outbound: undefined })), []);
});

test('the planner is pure: the same inputs give the same plan', (t) => {
  const ev = message({ newVisit: true });
  t.deepEqual(plan(ev, ctx()), plan(ev, ctx()));
});

test('a fresh conversation gets the summary even when the provider did not flag a new visit', (t) => {
  const ops = plan(message({ newVisit: false }), ctx({ fresh: true }));
  t.deepEqual(ops.map((o) => o.do), ['newMessage', 'learnTask']);
  t.regex(only(ops, 'newMessage').params.message as string, /— Chatra visitor —/);
});

test('a conversation title from the provider names the new task; later messages carry no title', (t) => {
  t.is(only(plan(message({ title: 'Chat with Olga from shop.example.com' }), ctx()), 'newMessage').params.title, 'Chat with Olga from shop.example.com');
  t.is(only(plan(message(), ctx()), 'newMessage').params.title, 'Shop chat: Olga Petrenko');
  t.is(only(plan(message({ title: 'ignored' }), ctx({ fresh: false })), 'newMessage').params.title, undefined);
});

test('contactParams sends only an http(s) avatar as contactIco, whatever the state holds from before', (t) => {
  t.is(contactParams('k', { name: 'Olena', avatar: 'https://media.example/a.jpg' }, 'Visitor').params.contactIco, 'https://media.example/a.jpg');
  for (const avatar of ['javascript:alert(1)', 'JavaScript:alert(1)', 'data:text/html,x', '//evil.example/a.jpg']) {
    const { params, fingerprint } = contactParams('k', { name: 'Olena', avatar }, 'Visitor');
    t.is(params.contactIco, undefined, avatar);
    t.is(fingerprint, contactParams('k', { name: 'Olena' }, 'Visitor').fingerprint, avatar);
  }
});

test('task fields go with the opening message, then only the values that changed', (t) => {
  const dataKeys = (ops: Op[]) => Object.keys(only(ops, 'newMessage').params).filter((k) => k.startsWith('data_')).sort();
  const opening = only(plan(message(), ctx()), 'newMessage');
  t.deepEqual(dataKeys([opening]), ['data_browser', 'data_city', 'data_country', 'data_ip', 'data_os', 'data_pages', 'data_referrer', 'data_utm_medium', 'data_utm_source']);
  const sent = opening.fields!.sent;
  t.is(opening.fields!.chatId, CHAT_ID);
  t.deepEqual(Object.keys(sent).sort(), dataKeys([opening]).map((k) => k.slice(5)));
  t.true(Object.values(sent).every((h) => h.length <= 12), 'hashes, not values, are kept');

  // The same visit again: nothing is sent, nothing is recorded.
  const same = only(plan(message({ eventId: 'm2' }), ctx({ fresh: false, fieldsSent: sent })), 'newMessage');
  t.deepEqual(dataKeys([same]), []);
  t.is(same.fields, undefined);

  // A changed UTM source: that field alone, and the record takes its new value.
  const changed = only(plan(message({ eventId: 'm3', visit: { ...visit, utm: { ...visit.utm, utm_source: 'bing' } } }), ctx({ fresh: false, fieldsSent: sent })), 'newMessage');
  t.deepEqual(dataKeys([changed]), ['data_utm_source']);
  t.is(changed.params.data_utm_source, 'bing');
  t.deepEqual(Object.keys(changed.fields!.sent).sort(), Object.keys(sent).sort());
  t.not(changed.fields!.sent.utm_source, sent.utm_source);
  t.is(changed.fields!.sent.city, sent.city);

  // A conversation whose next message opens a task sends everything again, whatever was sent before.
  const reopened = only(plan(message({ eventId: 'm4' }), ctx({ fresh: true, fieldsSent: sent })), 'newMessage');
  t.deepEqual(dataKeys([reopened]), dataKeys([opening]));
  // Never sent before (e.g. a task Planfix opened on its own): everything.
  t.deepEqual(dataKeys([only(plan(message({ eventId: 'm5' }), ctx({ fresh: false })), 'newMessage')]), dataKeys([opening]));
});
