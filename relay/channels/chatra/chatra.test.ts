// Chatra webhooks → normalised events (docs/reference/channels.md §2.1), relay/channels/chatra.ts `parse`.
import test from 'ava';
import type { ChannelConfig } from '../../core/account.ts';
import type { CustomerEvent, EndEvent, InboundEvent, MessageEvent } from '../../core/events.ts';
import { chatra, RECEIVED_FROM } from './adapter.ts';
import { HttpError } from '../../errors.ts';

function channel(options: Record<string, unknown> = {}): ChannelConfig {
  return {
    id: 'ch1', kind: 'chatra', name: 'Shop chat', secret: 'secret-path', settings: { publicKey: 'pk', secretKey: 'sk' }, options, createdAt: '2024-01-01T00:00:00Z',
  };
}

function parse(body: unknown, options: Record<string, unknown> = {}): InboundEvent[] {
  const raw = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  return chatra.parse({ raw, contentType: 'application/json', headers: {}, query: {} }, channel(options)).events;
}

function messages(events: InboundEvent[]): MessageEvent[] {
  return events.filter((e): e is MessageEvent => e.kind === 'message');
}

/** The example envelope of docs/reference/channels.md §2.1, verbatim. */
const DOC_EXAMPLE = {
  eventName: 'chatStarted',
  client: {
    id: 'kX3pQ9mWz2YbT7cAf',
    displayedName: 'Pumpkin Ninja',
    name: 'Olga Petrenko',
    email: 'olga@example.com',
    phone: '+380501112233',
    info: { orderId: 'A-1001' },
    country: 'Ukraine', city: 'Kyiv',
    ip: '203.0.113.7', browser: 'Chrome 120', os: 'Windows 10',
    referrer: 'https://www.google.com/',
    utm: { source: 'google', medium: 'cpc', campaign: 'spring' },
    visitedPages: [{ url: 'https://shop.example.com/p/42', title: 'Blue kettle' }],
  },
  messages: [
    { id: 'C5ukGSxjkpNTG2jDN', type: 'client', message: 'Hi! Is the blue kettle in stock?', createdAt: 1700000000000 },
  ],
  agents: [],
};

function body(over: Record<string, unknown> = {}, client: Record<string, unknown> = {}) {
  return { ...DOC_EXAMPLE, ...over, client: { ...DOC_EXAMPLE.client, ...client } };
}

test('the documented envelope gives one message with the visitor and the visit', (t) => {
  const events = parse(DOC_EXAMPLE);
  t.is(events.length, 1);
  const [m] = messages(events);
  t.truthy(m);
  t.is(m!.eventId, 'C5ukGSxjkpNTG2jDN');
  t.is(m!.text, 'Hi! Is the blue kettle in stock?');
  t.is(m!.at, 1700000000000);
  t.deepEqual(m!.attachments, []);
  t.is(m!.echo, undefined);
  t.true(m!.newVisit);
  t.like(m!.customer, {
    clientId: 'kX3pQ9mWz2YbT7cAf', name: 'Olga Petrenko', displayName: 'Pumpkin Ninja', email: 'olga@example.com', phone: '+380501112233',
  });
  const v = m!.visit!;
  t.is(v.city, 'Kyiv');
  t.is(v.country, 'Ukraine');
  t.is(v.ip, '203.0.113.7');
  t.is(v.browser, 'Chrome 120');
  t.is(v.os, 'Windows 10');
  t.is(v.referrer, 'https://www.google.com/');
  t.deepEqual(v.utm, { utm_source: 'google', utm_medium: 'cpc', utm_campaign: 'spring' });
  t.deepEqual(v.pages, [{ url: 'https://shop.example.com/p/42', title: 'Blue kettle', at: undefined }]);
  t.is(v.landing, 'https://shop.example.com/p/42');
});

test('eventIds are the Chatra message ids, stable across deliveries', (t) => {
  const b = body({
    eventName: 'chatFragment',
    messages: [
      { id: 'msg-1', type: 'client', message: 'one' },
      { id: 'msg-2', type: 'client', message: 'two' },
    ],
  });
  t.deepEqual(parse(b).map((e) => e.eventId), ['msg-1', 'msg-2']);
  t.deepEqual(parse(b).map((e) => e.eventId), ['msg-1', 'msg-2']);
  // A transcript repeats them with the same ids, so the journal drops them as duplicates.
  t.deepEqual(messages(parse(body({ eventName: 'chatTranscript', messages: b.messages }))).map((e) => e.eventId), ['msg-1', 'msg-2']);
});

test('"message" is the text; "text" is the fallback', (t) => {
  const events = messages(parse(body({
    eventName: 'chatFragment',
    messages: [
      { id: 'a', type: 'client', text: 'only text' },
      { id: 'b', type: 'client', message: 'the message', text: 'the text' },
      { id: 'c', type: 'client', message: '', text: 'empty message, text given' },
    ],
  })));
  t.deepEqual(events.map((e) => e.text), ['only text', 'the message', 'empty message, text given']);
});

test('messages with neither text nor file are skipped; files become attachments', (t) => {
  const events = messages(parse(body({
    eventName: 'chatFragment',
    messages: [
      { id: 'empty', type: 'client', message: '   ' },
      { id: 'file', type: 'client', files: [{ name: 'scan.pdf', url: 'https://files.chatra.io/abc/scan.pdf' }] },
    ],
  })));
  t.deepEqual(events.map((e) => e.eventId), ['file']);
  t.deepEqual(events[0]!.attachments, [{ name: 'scan.pdf', url: 'https://files.chatra.io/abc/scan.pdf' }]);
  t.is(events[0]!.text, '');
});

test('visitor info: nested location, browser and os objects', (t) => {
  const { city: _c, country: _co, browser: _b, os: _o, ip: _i, ...rest } = DOC_EXAMPLE.client;
  const [m] = messages(parse({
    ...DOC_EXAMPLE,
    client: {
      ...rest,
      location: { city: 'Moscow', country: 'Russia', ip: '198.51.100.4' },
      browser: { name: 'Firefox', version: '121.0' },
      os: { name: 'macOS' },
    },
  }));
  t.is(m!.visit!.city, 'Moscow');
  t.is(m!.visit!.country, 'Russia');
  t.is(m!.visit!.ip, '198.51.100.4');
  t.is(m!.visit!.browser, 'Firefox 121.0');
  t.is(m!.visit!.os, 'macOS');
});

test('visitor info: flat utm_* keys on the client', (t) => {
  const { utm: _u, ...rest } = DOC_EXAMPLE.client;
  const [m] = messages(parse({ ...DOC_EXAMPLE, client: { ...rest, utm_source: 'yandex', utm_medium: 'cpc', utm_term: 'blue kettle' } }));
  t.deepEqual(m!.visit!.utm, { utm_source: 'yandex', utm_medium: 'cpc', utm_term: 'blue kettle' });
});

test('visitor info: utm_* keys inside the utm object', (t) => {
  const [m] = messages(parse(body({}, { utm: { utm_source: 'vk', utm_content: 'banner-2' } })));
  t.deepEqual(m!.visit!.utm, { utm_source: 'vk', utm_content: 'banner-2' });
});

test('visitor info: UTM read from the landing page URL when the client has none', (t) => {
  const { utm: _u, ...rest } = DOC_EXAMPLE.client;
  const [m] = messages(parse({
    ...DOC_EXAMPLE,
    client: {
      ...rest,
      visitedPages: [
        { url: 'https://shop.example.com/?utm_source=facebook&utm_medium=social&utm_campaign=may', title: 'Home', time: 1699999990 },
        { url: 'https://shop.example.com/p/42', title: 'Blue kettle' },
      ],
    },
  }));
  t.deepEqual(m!.visit!.utm, { utm_source: 'facebook', utm_medium: 'social', utm_campaign: 'may' });
  t.is(m!.visit!.landing, 'https://shop.example.com/?utm_source=facebook&utm_medium=social&utm_campaign=may');
  t.is(m!.visit!.pages![0]!.at, 1699999990 * 1000, 'a time in seconds is read as milliseconds');
});

test('visitor info: an explicit utm object wins over the page URL', (t) => {
  const [m] = messages(parse(body({}, {
    utm: { source: 'google' },
    visitedPages: [{ url: 'https://shop.example.com/?utm_source=facebook&utm_medium=social' }],
  })));
  t.deepEqual(m!.visit!.utm, { utm_source: 'google', utm_medium: 'social' });
});

test('visitor info: no UTM anywhere gives none', (t) => {
  const { utm: _u, ...rest } = DOC_EXAMPLE.client;
  const [m] = messages(parse({ ...DOC_EXAMPLE, client: rest }));
  t.is(m!.visit!.utm, undefined);
});

// Regression (fixed in 52184db, chatra.ts readVisit): readUtm was given the whole client object, so
// its bare `source`, `medium`, `campaign`… were read as UTM. `source` is a traffic source / referrer
// (chatra.ts reads it as the referrer), so a visitor from Google without any UTM got utm_source
// "https://www.google.com/" and Planfix a wrong data_utm_source.
test('a client "source" (the referrer) is not taken for utm_source', (t) => {
  const { utm: _u, referrer: _r, ...rest } = DOC_EXAMPLE.client;
  const [m] = messages(parse({ ...DOC_EXAMPLE, client: { ...rest, source: 'https://www.google.com/' } }));
  t.is(m!.visit!.referrer, 'https://www.google.com/');
  t.is(m!.visit!.utm, undefined);
});

test('an agent message becomes an echo with the agent e-mail from agents[]', (t) => {
  const events = messages(parse(body({
    eventName: 'chatFragment',
    agents: [
      { id: 'ag-1', name: 'Maria', email: 'maria@company.example' },
      { id: 'ag-2', name: 'Ivan', email: 'ivan@company.example' },
    ],
    messages: [
      { id: 'm-agent', type: 'agent', agentId: 'ag-2', message: 'Yes, it is in stock.' },
      { id: 'm-client', type: 'client', message: 'Great' },
    ],
  })));
  t.deepEqual(events.map((e) => e.eventId), ['m-agent', 'm-client']);
  t.deepEqual(events[0]!.echo, { email: 'ivan@company.example', name: 'Ivan' });
  t.is(events[1]!.echo, undefined);
});

test('an agent message the relay itself sent (receivedFrom planfix-relay) is skipped', (t) => {
  t.is(RECEIVED_FROM, 'planfix-relay');
  const events = parse(body({
    eventName: 'chatFragment',
    agents: [{ id: 'ag-1', name: 'Planfix', email: 'bot@company.example' }],
    messages: [
      { id: 'ours', type: 'agent', agentId: 'ag-1', message: 'Reply from Planfix', receivedFrom: 'planfix-relay' },
      { id: 'theirs', type: 'agent', agentId: 'ag-1', message: 'Typed in Chatra', receivedFrom: 'dashboard' },
    ],
  }));
  t.deepEqual(events.map((e) => e.eventId), ['theirs']);
});

test('system and other message types are not imported', (t) => {
  const events = parse(body({ eventName: 'chatFragment', messages: [{ id: 'sys', type: 'system', message: 'Visitor left' }] }));
  t.deepEqual(events, []);
});

test('chatStarted: only the first event is a new visit', (t) => {
  const events = messages(parse(body({
    messages: [
      { id: 'm1', type: 'client', message: 'one' },
      { id: 'm2', type: 'client', message: 'two' },
    ],
  })));
  t.deepEqual(events.map((e) => !!e.newVisit), [true, false]);
  // chatFragment is never a new visit.
  const frag = messages(parse(body({ eventName: 'chatFragment' })));
  t.deepEqual(frag.map((e) => !!e.newVisit), [false]);
});

test('chatStarted without messages gives one customer event with the new visit', (t) => {
  const events = parse(body({ messages: [] }));
  t.is(events.length, 1);
  const e = events[0] as CustomerEvent;
  t.is(e.kind, 'customer');
  t.true(e.newVisit);
  t.is(e.customer.clientId, 'kX3pQ9mWz2YbT7cAf');
  t.is(e.visit?.city, 'Kyiv');
  t.is(parse(body({ messages: [] }))[0]!.eventId, e.eventId, 'the same body gives the same id');
  t.not(parse(body({ messages: [] }, { city: 'Lviv' }))[0]!.eventId, e.eventId);
  // No messages key at all: the same.
  const { messages: _m, ...noMessages } = DOC_EXAMPLE;
  t.deepEqual(parse(noMessages).map((x) => x.kind), ['customer']);
});

test('chatFragment without messages gives nothing', (t) => {
  t.deepEqual(parse(body({ eventName: 'chatFragment', messages: [] })), []);
});

test('chatTranscript: the messages, then an end event', (t) => {
  const events = parse(body({
    eventName: 'chatTranscript',
    messages: [
      { id: 'm1', type: 'client', message: 'one' },
      { id: 'm2', type: 'agent', message: 'two' },
    ],
  }));
  t.deepEqual(events.map((e) => e.kind), ['message', 'message', 'end']);
  const end = events[2] as EndEvent;
  t.is(end.customer.clientId, 'kX3pQ9mWz2YbT7cAf');
  t.false(['m1', 'm2'].includes(end.eventId));
  t.false(messages(events).some((m) => m.newVisit));
  t.deepEqual(parse(body({ eventName: 'chatTranscript', messages: [] })).map((e) => e.kind), ['end']);
});

test('chatTranscript ends the chat whatever closeTaskOnChatEnd says: completing the task is the planner\'s decision (plan.test.ts)', (t) => {
  const b = body({ eventName: 'chatTranscript' });
  t.deepEqual(parse(b, { closeTaskOnChatEnd: false }).map((e) => e.kind), ['message', 'end']);
  t.deepEqual(parse(b, { closeTaskOnChatEnd: true }).map((e) => e.kind), ['message', 'end']);
});

test('an unknown eventName gives no events', (t) => {
  t.deepEqual(parse(body({ eventName: 'chatRated' })), []);
  t.deepEqual(parse({ eventName: 'somethingNew' }), []);
});

function status(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof HttpError ? err.status : -1;
  }
  return undefined;
}

test('a body that is not a Chatra webhook is a 400', (t) => {
  const { client: _c, ...noClient } = DOC_EXAMPLE;
  const { id: _id, ...clientNoId } = DOC_EXAMPLE.client;
  t.is(status(() => parse('not json')), 400);
  t.is(status(() => parse('')), 400);
  t.is(status(() => parse('[1,2]')), 400);
  t.is(status(() => parse('"chatStarted"')), 400);
  t.is(status(() => parse({ client: DOC_EXAMPLE.client, messages: [] })), 400, 'no eventName');
  t.is(status(() => parse(noClient)), 400, 'no client');
  t.is(status(() => parse({ ...DOC_EXAMPLE, client: 'kX3pQ9mWz2YbT7cAf' })), 400, 'client not an object');
  t.is(status(() => parse({ ...DOC_EXAMPLE, client: clientNoId })), 400, 'no client.id');
  t.is(status(() => parse({ ...DOC_EXAMPLE, client: { ...clientNoId, id: '' } })), 400, 'empty client.id');
  t.is(status(() => parse({ ...DOC_EXAMPLE, messages: { id: 'x' } })), 400, 'messages not an array');
  t.is(status(() => parse(DOC_EXAMPLE)), undefined);
});

test('attachments and visited pages with non-http(s) URLs are dropped', (t) => {
  const [m] = messages(parse({
    ...DOC_EXAMPLE,
    client: { ...DOC_EXAMPLE.client, visitedPages: [{ url: 'javascript:alert(1)', title: 'x' }, { url: 'https://shop.example.com/ok', title: 'ok' }] },
    messages: [{ id: 'att1', type: 'client', message: 'files', files: [{ name: 'a', url: 'javascript:alert(1)' }, { name: 'b.png', url: 'https://cdn.example/b.png' }] }],
  }));
  t.deepEqual(m!.attachments, [{ name: 'b.png', url: 'https://cdn.example/b.png' }]);
  t.deepEqual(m!.visit!.pages!.map((p) => p.url), ['https://shop.example.com/ok']);
});

test('a channel with no agent to send as warns the admin; one with agentEmail or agentId does not', (t) => {
  const bare = { ...channel(), settings: chatra.settings.parse({ publicKey: 'pk', secretKey: 'sk' }), options: chatra.options.parse({}) };
  t.deepEqual(chatra.warnings!(bare), [{ code: 'agent_missing' }]);
  t.regex(chatra.texts.warnings.agent_missing.en, /agentEmail/);
  t.deepEqual(chatra.warnings!({ ...bare, settings: { ...bare.settings, agentEmail: 'support@acme.test' } }), []);
  t.deepEqual(chatra.warnings!({ ...bare, settings: { ...bare.settings, agentId: 'ag1' } }), []);
});

test('replying as the employee with no employee mapped warns the admin; a mapping ends the warning', (t) => {
  const base = { ...channel(), settings: chatra.settings.parse({ publicKey: 'pk', secretKey: 'sk', agentEmail: 'support@acme.test' }) };
  t.deepEqual(chatra.warnings!({ ...base, options: chatra.options.parse({ sendAsEmployee: true }) }), [{ code: 'employees_missing' }]);
  t.deepEqual(chatra.warnings!({ ...base, options: chatra.options.parse({ sendAsEmployee: true, employees: {} }) }), [{ code: 'employees_missing' }]);
  t.deepEqual(chatra.warnings!({ ...base, options: chatra.options.parse({ sendAsEmployee: true, employees: { 'Ivan Petrov': 'ivan@acme.test' } }) }), []);
  t.deepEqual(chatra.warnings!({ ...base, options: chatra.options.parse({ sendAsEmployee: false }) }), []);
});
