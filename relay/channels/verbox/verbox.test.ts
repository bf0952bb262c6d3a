// The Verbox adapter at unit level: token check, default and renamed field maps, form bodies,
// operator echoes, transcripts and receipts.
import test from 'ava';
import type { ChannelConfig } from '../../core/account.ts';
import type { CustomerEvent, EndEvent, MessageEvent, StatusEvent } from '../../core/events.ts';
import { HttpError } from '../../errors.ts';
import type { InboundRequest } from '../channel.ts';
import { verbox } from './adapter.ts';

const TOKEN = 'verbox-shared-token-0123456789';

function channel(settings: Record<string, unknown> = {}, options: Record<string, unknown> = {}): ChannelConfig {
  return {
    id: 'ch-verbox', kind: 'verbox', name: 'Site chat', secret: 's',
    settings,
    options: verbox.options.parse(options),
    createdAt: '2024-01-01T00:00:00.000Z',
  };
}

function req(body: unknown, headers: InboundRequest['headers'] = {}, contentType = 'application/json'): InboundRequest {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return { raw: Buffer.from(text, 'utf8'), contentType, headers, query: {} };
}

const status = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return err instanceof HttpError ? err.status : -1;
  }
  return 0;
};

test('the token is checked in constant time from its header or as a bearer, only when set', (t) => {
  const ch = channel({ token: TOKEN });
  t.is(status(() => verbox.verify!(req({}, { 'x-relay-token': TOKEN }), ch)), 0);
  t.is(status(() => verbox.verify!(req({}, { Authorization: `Bearer ${TOKEN}` }), ch)), 0);
  t.is(status(() => verbox.verify!(req({}, { 'x-relay-token': `${TOKEN}x` }), ch)), 401);
  t.is(status(() => verbox.verify!(req({}), ch)), 401);
  t.is(status(() => verbox.verify!(req({}, { 'x-site-key': TOKEN }), channel({ token: TOKEN, tokenHeader: 'X-Site-Key' }))), 0);
  t.is(status(() => verbox.verify!(req({}), channel())), 0, 'no token configured: the secret URL alone');
});

test('a client message in the default shape becomes a message with the customer, phone as written and the visit', (t) => {
  const { events } = verbox.parse(req({
    event: 'message', messageId: 'm-1', clientId: 'v-42', author: 'client', text: 'Hello', name: 'Olga',
    phone: '+7 (905) 123-45-67', email: 'olga@example.com', browser: 'Chrome 120', ip: '203.0.113.5', city: 'Kazan',
    page: 'https://shop.example.com/boilers?utm_source=google&utm_medium=cpc', date: '2024-11-14T10:15:02+02:00',
  }), channel());
  t.is(events.length, 1);
  const m = events[0] as MessageEvent;
  t.like(m, { kind: 'message', eventId: 'm-1', text: 'Hello', customer: { clientId: 'v-42', name: 'Olga', phone: '+7 (905) 123-45-67', email: 'olga@example.com' } });
  t.is(m.echo, undefined);
  t.is(m.at, Date.parse('2024-11-14T08:15:02Z'));
  t.like(m.visit, { browser: 'Chrome 120', ip: '203.0.113.5', city: 'Kazan', landing: 'https://shop.example.com/boilers?utm_source=google&utm_medium=cpc' });
  t.deepEqual(m.visit?.utm, { utm_source: 'google', utm_medium: 'cpc' });
});

test('a renamed and nested field map is read, and a form body works like JSON', (t) => {
  const ch = channel({ fieldMap: { clientId: 'visitor.uid', text: 'msg', name: 'visitor.fio', phone: 'visitor.tel', messageId: 'mid', author: 'from' } });
  const json = verbox.parse(req({ mid: 'x1', msg: 'Hi', from: 'visitor', visitor: { uid: 'u-7', fio: 'Ivan', tel: '8 905 123 45 67' } }), ch).events[0] as MessageEvent;
  t.like(json, { eventId: 'x1', text: 'Hi', customer: { clientId: 'u-7', name: 'Ivan', phone: '8 905 123 45 67' } });
  const flat = channel({ fieldMap: { clientId: 'visitor.uid', text: 'msg' } });
  const form = verbox.parse(req('visitor.uid=u-8&msg=From+a+form&utm_campaign=spring', {}, 'application/x-www-form-urlencoded'), flat).events[0] as MessageEvent;
  t.like(form, { text: 'From a form', customer: { clientId: 'u-8' } });
  t.deepEqual(form.visit?.utm, { utm_campaign: 'spring' });
});

test('an operator message is an echo attributed to the mapped employee; an unmapped operator still echoes', (t) => {
  const ch = channel({}, { operators: [{ operator: '17', employee: 'anna@acme.test', name: 'Anna Smirnova' }, { operator: 'boris@verbox.test', employee: 'boris@acme.test' }] });
  const byId = verbox.parse(req({ clientId: 'v', author: 'operator', operatorId: '17', text: 'Hi there' }), ch).events[0] as MessageEvent;
  t.deepEqual(byId.echo, { email: 'anna@acme.test', name: undefined });
  const byEmail = verbox.parse(req({ clientId: 'v', author: 'agent', operatorEmail: 'Boris@Verbox.test', text: 'x' }), ch).events[0] as MessageEvent;
  t.is(byEmail.echo?.email, 'boris@acme.test');
  const unknown = verbox.parse(req({ clientId: 'v', author: 'operator', operatorId: '99', operatorName: 'Night shift', text: 'x' }), ch).events[0] as MessageEvent;
  t.deepEqual(unknown.echo, { email: undefined, name: 'Night shift' });
});

test('a CRM-style transcript carries its title and dates and closes the task', (t) => {
  const { events } = verbox.parse(req({
    chatId: 'c-9', clientId: 'v-9', title: 'Chat with Olga from shop.example.com', name: 'Olga',
    description: 'Client: Hi!\nOperator: Hello!', startedAt: '2024-11-14T10:15:02+02:00', endedAt: '2024-11-14T10:21:40+02:00',
    postponedUntil: '2024-11-20T09:00:00Z',
  }), channel());
  t.deepEqual(events.map((e) => e.kind), ['message', 'end']);
  const m = events[0] as MessageEvent;
  t.is(m.title, 'Chat with Olga from shop.example.com');
  t.is(m.text, 'Client: Hi!\nOperator: Hello!');
  // The dates go as data: the planner writes them in the account's language and zone (plan.test.ts).
  t.deepEqual(m.dates, { started: Date.parse('2024-11-14T08:15:02Z'), ended: Date.parse('2024-11-14T08:21:40Z'), postponedUntil: Date.parse('2024-11-20T09:00:00Z') });
  t.is((events[1] as EndEvent).eventId, 'end-c-9');
  t.deepEqual(verbox.parse(req({ chatId: 'c-9', clientId: 'v-9', description: 'x', endedAt: '2024-11-14T10:21:40Z' }), channel({}, { closeTaskOnChatEnd: false })).events.map((e) => e.kind), ['message', 'end'], 'the planner decides whether the task is completed');
});

test('start, contact, end and status events; an unknown event is acknowledged and ignored', (t) => {
  const ch = channel();
  t.like(verbox.parse(req({ event: 'chatStarted', clientId: 'v' }), ch).events[0] as CustomerEvent, { kind: 'customer', newVisit: true });
  t.like(verbox.parse(req({ event: 'contactsUpdated', clientId: 'v', phone: '+380501112233' }), ch).events[0] as CustomerEvent, { kind: 'customer', newVisit: false });
  t.like(verbox.parse(req({ event: 'chatEnded', clientId: 'v', chatId: 'c1' }), ch).events[0] as EndEvent, { kind: 'end' });
  t.like(verbox.parse(req({ event: 'status', messageId: 'vb-out-1', status: 'read' }), ch).events[0] as StatusEvent, { kind: 'status', providerMessageId: 'vb-out-1', status: 'read' });
  t.like(verbox.parse(req({ event: 'status', messageId: 'vb-out-1', status: 'failed', statusText: 'visitor left' }), ch).events[0] as StatusEvent, { status: 'error', text: 'visitor left' });
  t.deepEqual(verbox.parse(req({ event: 'sendRate', clientId: 'v', rate: 5 }), ch).events, []);
  t.deepEqual(verbox.parse(req({ event: 'message', clientId: 'v', text: 'x' }), channel({ eventNames: { message: ['msg'] } })).events, [], 'renamed event names replace the defaults');
});

test('bad bodies get 400 with a reason naming the configured key', (t) => {
  const ch = channel({ fieldMap: { clientId: 'visitor.uid' } });
  const err = (body: unknown, type?: string) => {
    try {
      verbox.parse(req(body, {}, type), ch);
    } catch (e) {
      return e as HttpError;
    }
    throw new Error('no error');
  };
  t.regex(err({ text: 'hi' }).message, /visitor\.uid/);
  t.is(err('{not json').status, 400);
  t.is(err('[1,2]').status, 400);
  t.is(err('').status, 400);
  t.regex(err({ visitor: { uid: 'u' } }).message, /needs text/);
  t.regex(err({ event: 'status', messageId: 'm', status: 'weird' }).message, /delivered, read or failed/);
});

test('files are taken only as http(s) links', (t) => {
  const m = verbox.parse(req({ clientId: 'v', files: [{ name: 'a.pdf', url: 'https://cdn.example.com/a.pdf' }, { url: 'javascript:alert(1)' }, 'https://cdn.example.com/b%20c.png'] }), channel()).events[0] as MessageEvent;
  t.deepEqual(m.attachments, [{ name: 'a.pdf', url: 'https://cdn.example.com/a.pdf' }, { name: 'b c.png', url: 'https://cdn.example.com/b%20c.png' }]);
});
