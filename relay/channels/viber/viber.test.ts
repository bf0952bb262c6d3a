// The Viber adapter at unit level (verify, parse) and against the Viber fake over loopback HTTP (send, set_webhook).
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import type { ChannelConfig, Account } from '../../core/account.ts';
import type { CustomerEvent, MessageEvent, ReplyEvent, StatusEvent } from '../../core/events.ts';
import { HttpError, RetryableError, TerminalError } from '../../errors.ts';
import { OutboundPolicy } from '../../net/outbound.ts';
import type { InboundRequest, SendContext } from '../channel.ts';
import { adapters } from '../index.ts';
import { viber } from './adapter.ts';
import { quoteBigInts } from './json.ts';
import { readBody } from '../../../test/sim/http.ts';
import { ViberFake, viberCallback, viberJson } from '../../../test/sim/viber.ts';

const TOKEN = '4453b6ac12345678-e02c5f12174805f9-daec9cbb5448c51a';
const USER = 'a1B2c3D4e5F6g7H8i9J0kA==';

function channel(settings: Record<string, unknown> = {}, options: Record<string, unknown> = {}): ChannelConfig {
  return {
    id: 'ch-viber', kind: 'viber', name: 'Viber bot', secret: 'secret',
    settings: { authToken: TOKEN, botName: 'Acme Support', ...settings },
    options: { sendAsEmployee: false, ...options },
    createdAt: '2024-01-01T00:00:00.000Z',
  };
}

function req(body: string | Buffer, headers: InboundRequest['headers'] = {}): InboundRequest {
  return { raw: Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8'), contentType: 'application/json', headers, query: {} };
}

const parse = (body: string, ch = channel()) => viber.parse(req(body), ch);
const only = <T>(body: string, ch = channel()) => {
  const { events } = parse(body, ch);
  if (events.length !== 1) throw new Error(`expected one event, got ${JSON.stringify(events)}`);
  return events[0] as T;
};

function status(t: ExecutionContext, fn: () => unknown, code: number, message?: RegExp): void {
  const err = t.throws(fn, { instanceOf: HttpError });
  t.is(err?.status, code);
  if (message) t.regex(err!.message, message);
}

/** A message callback as Viber writes it: the token is a bare 64-bit integer. */
function messageBody(message: Record<string, unknown>, token = '5916837654388304302', timestamp: string = '1700000001000'): string {
  return `{"event":"message","timestamp":${timestamp},"chat_hostname":"SN-CHAT-05_","message_token":${token},`
    + `"sender":{"id":"${USER}","name":"Olena","avatar":"https://example.invalid/a.jpg","country":"UA","language":"uk","api_version":10},`
    + `"message":${JSON.stringify(message)},"silent":false}`;
}

// ---------------------------------------------------------------- signature

test('verify accepts the signature openssl computes and rejects changed bodies and bad headers', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'viber-sig-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const body = messageBody({ type: 'text', text: 'Привіт, є питання щодо замовлення 🙂' });
  const file = join(dir, 'body.json');
  await writeFile(file, body);
  const out = execFileSync('openssl', ['dgst', '-sha256', '-hmac', TOKEN, file], { encoding: 'utf8' });
  const sig = /=\s*([0-9a-f]{64})\s*$/.exec(out)?.[1];
  t.truthy(sig, out);

  const ch = channel();
  t.notThrows(() => viber.verify!(req(body, { 'x-viber-content-signature': sig }), ch));
  // One byte changed anywhere in the body.
  const changed = Buffer.from(body);
  const at = changed.length - 2;
  changed[at] = changed[at]! ^ 1;
  status(t, () => viber.verify!(req(changed, { 'x-viber-content-signature': sig }), ch), 401);
  status(t, () => viber.verify!(req(body, {}), ch), 401, /missing/);
  status(t, () => viber.verify!(req(body, { 'x-viber-content-signature': '' }), ch), 401);
  status(t, () => viber.verify!(req(body, { 'x-viber-content-signature': sig!.toUpperCase() }), ch), 401);
  status(t, () => viber.verify!(req(body, { 'x-viber-content-signature': 'not-a-signature' }), ch), 401);
  status(t, () => viber.verify!(req(body, { 'x-viber-content-signature': `${sig}00` }), ch), 401);
  status(t, () => viber.verify!(req(body, { 'x-viber-content-signature': [sig!, sig!] }), ch), 401);
  // Another bot's token.
  status(t, () => viber.verify!(req(body, { 'x-viber-content-signature': sig }), channel({ authToken: `${TOKEN}x` })), 401);
});

test('verify accepts the Viber SDKs\' published signature test vector', (t) => {
  const token = '44dafb7e0f40021e-61a47a1e6778d187-f2c5a676a07050b3';
  const body = '{"event":"webhook","timestamp":4977069964384421269,"message_token":1478683725125}';
  const sig = 'd21b343448c8aee33b8e93768ef6ceb64a6ba6163099973a2b8bd028fea510ef';
  const ch = channel({ authToken: token });
  t.notThrows(() => viber.verify!(req(body, { 'x-viber-content-signature': sig }), ch));
  status(t, () => viber.verify!(req(body.replace('1478683725125', '1478683725126'), { 'x-viber-content-signature': sig }), ch), 401);
  // The check must run on the raw bytes: re-serialised JSON (rounded timestamp) no longer matches.
  status(t, () => viber.verify!(req(JSON.stringify(JSON.parse(body)), { 'x-viber-content-signature': sig }), ch), 401);
  t.deepEqual(viber.parse(req(body), ch), { events: [] });
});

// ---------------------------------------------------------------- parse: messages

test('a text message keeps its 64-bit token exactly and maps the sender', (t) => {
  const ev = only<MessageEvent>(messageBody({ type: 'text', text: 'Hello', tracking_data: 'planfix-task-12345' }));
  t.like(ev, {
    kind: 'message', eventId: '5916837654388304302', at: 1700000001000, text: 'Hello', attachments: [],
    customer: { clientId: USER, name: 'Olena', avatar: 'https://example.invalid/a.jpg' },
    visit: { country: 'UA', context: 'planfix-task-12345' },
  });
  t.is(ev.customer.phone, undefined);
});

test('a sender avatar that is not an http(s) link is dropped: it would reach Planfix as contactIco', (t) => {
  for (const avatar of ['javascript:alert(1)', 'data:text/html,<script>alert(1)</script>', 'file:///etc/passwd', '//evil.example/a.jpg']) {
    const body = messageBody({ type: 'text', text: 'Hi' }).replace('"https://example.invalid/a.jpg"', JSON.stringify(avatar));
    t.is(only<MessageEvent>(body).customer.avatar, undefined, avatar);
  }
  const subscribed = parse(JSON.stringify({ event: 'subscribed', timestamp: 1700000001000, message_token: 1, user: { id: USER, name: 'Olena', avatar: 'javascript:alert(1)' } }));
  t.is((subscribed.events[0] as CustomerEvent).customer.avatar, undefined);
});

test('tokens above 2^53 that differ in the last digit stay different', (t) => {
  const a = only<MessageEvent>(messageBody({ type: 'text', text: 'a' }, '5916837654388304302'));
  const b = only<MessageEvent>(messageBody({ type: 'text', text: 'b' }, '5916837654388304303'));
  t.is(a.eventId, '5916837654388304302');
  t.is(b.eventId, '5916837654388304303');
  // What a plain JSON.parse would have done:
  t.is(String(JSON.parse('{"t":5916837654388304302}').t), String(JSON.parse('{"t":5916837654388304303}').t));
});

test('timestamp may be a string; a placeholder or 64-bit timestamp becomes the arrival time', (t) => {
  t.is(only<MessageEvent>(messageBody({ type: 'text', text: 'x' }, '5916837654388304302', '"1700000001000"')).at, 1700000001000);
  const before = Date.now();
  const placeholder = only<MessageEvent>(messageBody({ type: 'text', text: 'x' }, '5916837654388304302', '"12345"'));
  t.true(placeholder.at >= before && placeholder.at <= Date.now());
  const huge = only<MessageEvent>(messageBody({ type: 'text', text: 'x' }, '5916837654388304302', '4977069964384421269'));
  t.true(huge.at >= before && huge.at <= Date.now());
});

test('picture, video and file become attachments with the caption as text', (t) => {
  const pic = only<MessageEvent>(messageBody({ type: 'picture', text: 'my receipt', media: 'https://dl-media.viber.com/1/share/2/long/img/0x0/ab12/4f0c.jpg', thumbnail: 'https://dl-media.viber.com/t.jpg' }));
  t.is(pic.text, 'my receipt');
  t.deepEqual(pic.attachments, [{ name: '4f0c.jpg', url: 'https://dl-media.viber.com/1/share/2/long/img/0x0/ab12/4f0c.jpg' }]);

  const bare = only<MessageEvent>(messageBody({ type: 'picture', text: '', media: 'https://media-direct.cdn.viber.com/download_photo?dlid=Xy&fltp=jpg' }));
  t.is(bare.text, '');
  t.deepEqual(bare.attachments, [{ name: 'download_photo.jpg', url: 'https://media-direct.cdn.viber.com/download_photo?dlid=Xy&fltp=jpg' }]);

  const video = only<MessageEvent>(messageBody({ type: 'video', media: 'https://dl-media.viber.com/v/clip.mp4', size: 1048576, duration: 12 }));
  t.deepEqual(video.attachments, [{ name: 'clip.mp4', url: 'https://dl-media.viber.com/v/clip.mp4' }]);

  const file = only<MessageEvent>(messageBody({ type: 'file', media: 'https://dl-media.viber.com/f/8c1e', file_name: 'Invoice 42.pdf', file_size: 20480 }));
  t.deepEqual(file.attachments, [{ name: 'Invoice 42.pdf', url: 'https://dl-media.viber.com/f/8c1e' }]);
  t.is(file.text, '');
});

test('location, contact, sticker, url and unknown types become structured content, worded by the planner', (t) => {
  const loc = only<MessageEvent>(messageBody({ type: 'location', location: { lat: 50.4501, lon: 30.5234, address: 'Khreshchatyk 1' } }));
  t.deepEqual(loc.content, { kind: 'location', lat: 50.4501, lon: 30.5234, address: 'Khreshchatyk 1' });
  t.is(loc.text, '', 'no English prose from the adapter');
  const locStrings = only<MessageEvent>(messageBody({ type: 'location', location: { lat: '48.1', lon: '11.5' } }));
  t.deepEqual(locStrings.content, { kind: 'location', lat: 48.1, lon: 11.5 });
  t.deepEqual(only<MessageEvent>(messageBody({ type: 'location', location: { lat: 'north' } })).content, { kind: 'location' });

  const contact = only<MessageEvent>(messageBody({ type: 'contact', contact: { name: 'Olena K', phone_number: '+380501112233' }, tracking_data: 'x' }));
  t.deepEqual(contact.content, { kind: 'contact', name: 'Olena K', phone: '+380501112233' });
  t.is(contact.text, '');
  t.is(contact.customer.phone, '+380501112233');
  t.is(contact.customer.clientId, USER);
  t.deepEqual(only<MessageEvent>(messageBody({ type: 'contact', contact: {} })).content, { kind: 'contact' });

  const sticker = only<MessageEvent>(messageBody({ type: 'sticker', sticker_id: 40133, media: 'https://viber.com/stickers/40133.png' }));
  t.deepEqual(sticker.content, { kind: 'sticker', id: '40133', media: 'https://viber.com/stickers/40133.png' });
  t.is(sticker.text, '');

  const url = only<MessageEvent>(messageBody({ type: 'url', media: 'https://shop.example.com/p/42?ref=viber' }));
  t.is(url.text, 'https://shop.example.com/p/42?ref=viber');
  t.is(url.content, undefined);

  const rich = only<MessageEvent>(messageBody({ type: 'rich_media', rich_media: { Type: 'rich_media' } }));
  t.deepEqual(rich.content, { kind: 'unsupported', type: 'rich_media' });
  const odd = only<MessageEvent>(messageBody({ type: 'hologram', text: 'look', media: 'https://dl-media.viber.com/h/1' }));
  t.deepEqual(odd.content, { kind: 'unsupported', type: 'hologram', caption: 'look', media: 'https://dl-media.viber.com/h/1' });
  t.is(odd.text, '');

  const noLink = only<MessageEvent>(messageBody({ type: 'picture', text: '' }));
  t.deepEqual(noLink.content, { kind: 'missingMedia', media: 'picture' });
  t.deepEqual(noLink.attachments, []);
  const captioned = only<MessageEvent>(messageBody({ type: 'video', text: 'my clip' }));
  t.is(captioned.text, 'my clip', 'a caption says enough without a link');
  t.is(captioned.content, undefined);
});

test('a message without a token gets a stable hash id', (t) => {
  const body = `{"event":"message","timestamp":1700000001000,"sender":{"id":"${USER}"},"message":{"type":"text","text":"hi"}}`;
  const a = only<MessageEvent>(body);
  t.regex(a.eventId, /^h[0-9a-f]{32}$/);
  t.is(only<MessageEvent>(body).eventId, a.eventId);
});

// ---------------------------------------------------------------- parse: other events

test('conversation_started creates no task, keeps the deep link context; with welcomeText it answers the welcome message', (t) => {
  const body = '{"event":"conversation_started","timestamp":1700000000000,"message_token":5916837284433914373,"type":"open","context":"site-footer",'
    + `"user":{"id":"${USER}","name":"Olena","country":"UA","language":"uk","api_version":10},"subscribed":false}`;
  const { events } = parse(body);
  t.is(events.length, 1);
  t.like(events[0] as CustomerEvent, { kind: 'customer', customer: { clientId: USER, name: 'Olena' }, visit: { context: 'site-footer' } });
  t.is((events[0] as CustomerEvent).newVisit, undefined, 'opening the chat is not a visit worth a contact action');
  t.deepEqual(parse(body.replace('"context":"site-footer",', '')), { events: [] });
  t.like(parse(body, channel({ welcomeText: 'Hi! Write your question.' })), {
    response: { sender: { name: 'Acme Support' }, type: 'text', text: 'Hi! Write your question.' },
  });
  t.like(parse(body, channel({ welcomeText: 'Hi!', avatar: 'https://acme.example/bot.png', botName: 'A very long bot name that exceeds' })), {
    response: { sender: { name: 'A very long bot name that ex', avatar: 'https://acme.example/bot.png' }, type: 'text', text: 'Hi!' },
  });
});

test('webhook produces no events; subscribed and unsubscribed are recorded as the customer opting in and out', (t) => {
  t.deepEqual(parse('{"event":"webhook","timestamp":1700000000000,"chat_hostname":"SN-CHAT-01_","message_token":5916836919477944763}'), { events: [] });
  t.deepEqual(parse('{"event":"webhook","timestamp":"12345","message_token":5916836919477944763}'), { events: [] });
  t.like(only<CustomerEvent>(`{"event":"subscribed","timestamp":1700000000000,"message_token":5916837284433914371,"user":{"id":"${USER}","name":"Olena","api_version":10}}`),
    { kind: 'customer', eventId: 'subscribed-5916837284433914371', subscribed: true, customer: { clientId: USER, name: 'Olena' } });
  t.like(only<CustomerEvent>(`{"event":"unsubscribed","timestamp":1700000000000,"user_id":"${USER}","message_token":5916837284433914372}`),
    { kind: 'customer', eventId: 'unsubscribed-5916837284433914372', subscribed: false, customer: { clientId: USER } });
  const err = t.throws(() => parse('{"event":"unsubscribed","timestamp":1700000000000,"message_token":5916837284433914372}'));
  t.is((err as HttpError).status, 400);
});

test('delivered, seen and failed become status events keyed by event and exact token', (t) => {
  const receipt = (event: string, extra = '') =>
    `{"event":"${event}","timestamp":1700000000500,"message_token":5741311803571721087,"user_id":"${USER}"${extra}}`;
  const delivered = only<StatusEvent>(receipt('delivered'));
  t.deepEqual(delivered, {
    kind: 'status', eventId: 'delivered:5741311803571721087', customer: { clientId: USER }, at: 1700000000500,
    providerMessageId: '5741311803571721087', status: 'sent',
  });
  const seen = only<StatusEvent>(receipt('seen'));
  t.is(seen.eventId, 'seen:5741311803571721087');
  t.is(seen.status, 'read');
  t.is(seen.providerMessageId, '5741311803571721087');
  const failed = only<StatusEvent>(receipt('failed', ',"desc":"keyboard is not valid"'));
  t.like(failed, { eventId: 'failed:5741311803571721087', status: 'error', text: 'keyboard is not valid', providerMessageId: '5741311803571721087' });
  const bare = only<StatusEvent>(receipt('failed'));
  t.is(bare.status, 'error');
  t.false('text' in bare, 'without Viber\'s reason the planner words one in the account\'s language');
  // A receipt for the neighbouring token stays a different message.
  t.is(only<StatusEvent>(receipt('seen').replace('087', '088')).providerMessageId, '5741311803571721088');
});

test('bodies that are not Viber callbacks are 400; an unused Viber event is acknowledged', (t) => {
  status(t, () => parse('not json'), 400);
  status(t, () => parse('[1,2]'), 400);
  status(t, () => parse('{"message_token":5916837284433914371}'), 400, /event/);
  status(t, () => parse('{"event":"chatFragment","client":{}}'), 400, /unknown event/);
  status(t, () => parse('{"event":"message","message_token":5916837654388304302,"message":{"type":"text","text":"x"}}'), 400, /sender/);
  status(t, () => parse(`{"event":"message","message_token":5916837654388304302,"sender":{"id":"${USER}"}}`), 400, /message/);
  status(t, () => parse('{"event":"seen","message_token":5741311803571721087}'), 400, /user_id/);
  t.deepEqual(parse(`{"event":"client_status","timestamp":1700000000000,"message_token":5916837284433914399,"user_id":"${USER}"}`), { events: [] });
});

// Before the fix this took minutes (quadratic: 80 KB held the event loop for 2 s), past ava's timeout.
test('quoteBigInts takes a 1 MB string that never closes in one pass, and such a body is a 400', (t) => {
  const open = `{"s":"${'\\"'.repeat(500_000)}`;
  t.is(quoteBigInts(open), open);
  status(t, () => parse(open), 400);
});

test('quoteBigInts quotes only long bare integers', (t) => {
  t.is(quoteBigInts('{"a":5741311803571721087,"b":"5741311803571721087","c":0.12345678901234567,"d":[1234567890123456,12]}'),
    '{"a":"5741311803571721087","b":"5741311803571721087","c":0.12345678901234567,"d":["1234567890123456",12]}');
  t.is(quoteBigInts('{"s":"a \\" 5741311803571721087"}'), '{"s":"a \\" 5741311803571721087"}');
});

// ---------------------------------------------------------------- send

async function fake(t: ExecutionContext): Promise<ViberFake> {
  const f = await ViberFake.start({ authToken: TOKEN });
  t.teardown(() => f.close());
  return f;
}

/** The account's Planfix is `planfixUrl`: the only origin the file-size HEAD may go to. */
function ctx(f: ViberFake, settings: Record<string, unknown> = {}, options: Record<string, unknown> = {}, planfixUrl = 'https://acme.planfix.com'): SendContext {
  return {
    account: { id: 'acc-1', planfix: { url: planfixUrl, chatToken: 'pf-chat' } } as Account,
    channel: channel({ apiUrl: f.apiUrl, ...settings }, options),
    policy: new OutboundPolicy(['127.0.0.1']),
    timeoutMs: 5000,
  };
}

let replySeq = 0;
function reply(parts: Partial<ReplyEvent> = {}): ReplyEvent {
  replySeq++;
  return {
    kind: 'reply', eventId: `reply-${replySeq}`, messageId: `m-${replySeq}`, chatId: `ch-viber:${USER}`, clientId: USER,
    text: 'Your order has shipped.', attachments: [],
    user: { name: 'Ivan', lastName: 'Petrov', ico: 'https://acme.planfix.com/ico/ivan.jpg' }, at: Date.now(), ...parts,
  };
}

/** Planfix's file host on loopback: HEAD gives the size of /sized/*, none for other paths; `heads` counts what it was asked. */
async function fileHost(t: ExecutionContext): Promise<{ origin: string; heads: string[] }> {
  const heads: string[] = [];
  const server = http.createServer((req, res) => {
    heads.push(`${req.method} ${req.url}`);
    if (req.url?.startsWith('/sized/')) res.writeHead(200, { 'content-length': '20480', 'content-type': 'application/pdf' }).end();
    else res.writeHead(200, { 'transfer-encoding': 'chunked' }).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, heads };
}

test('send: text, picture and file reach Viber in order as the bot, with exact tokens', async (t) => {
  const f = await fake(t);
  const { origin: host } = await fileHost(t);
  const r = reply({
    attachments: [
      { name: 'photo.JPG', url: 'https://acme.planfix.com/file/abc/photo.JPG' },
      { name: 'Invoice 42.pdf', url: `${host}/file/def` },
    ],
  });
  const { providerMessageIds } = await viber.send(r, ctx(f, { avatar: 'https://acme.example/bot.png' }));
  t.is(f.sent.length, 3);
  t.deepEqual(providerMessageIds, f.sent.map((m) => m.message_token));
  t.deepEqual(providerMessageIds, ['5741311803571721087', '5741311803571721088', '5741311803571721089']);
  for (const m of f.sent) {
    t.is(m.receiver, USER);
    t.is(m.min_api_version, 1);
    t.deepEqual(m.sender, { name: 'Acme Support', avatar: 'https://acme.example/bot.png' });
  }
  t.like(f.sent[0], { type: 'text', text: 'Your order has shipped.' });
  t.like(f.sent[1], { type: 'picture', media: 'https://acme.planfix.com/file/abc/photo.JPG' });
  // Neither Planfix nor the file's host gives a size, which Viber requires for `file`: a link line.
  t.like(f.sent[2], { type: 'text', text: `📎 Invoice 42.pdf: ${host}/file/def` });
  t.true(f.requests.every((q) => q.method === 'send_message' && q.status === 0));
});

test('send: a file with a known size goes as a Viber file message', async (t) => {
  const f = await fake(t);
  const att = { name: 'Invoice 42.pdf', url: 'https://acme.planfix.com/file/def', size: 20480 };
  await viber.send(reply({ text: '', attachments: [att] }), ctx(f));
  t.is(f.sent.length, 1);
  t.like(f.sent[0], { type: 'file', media: att.url, size: 20480, file_name: 'Invoice 42.pdf' });
  // Planfix gives no size: the file's host is asked with HEAD.
  const { origin: host } = await fileHost(t);
  await viber.send(reply({ text: '', attachments: [{ name: 'Act.pdf', url: `${host}/sized/act` }] }), ctx(f, {}, {}, host));
  t.like(f.sent[1], { type: 'file', media: `${host}/sized/act`, size: 20480, file_name: 'Act.pdf' });
});

test('send: the file-size HEAD goes only to the account\'s own Planfix origin, not to another allowed host or port', async (t) => {
  const f = await fake(t);
  const { origin: host, heads } = await fileHost(t);
  const port = Number(new URL(host).port);
  const files = [{ name: 'Act.pdf', url: `${host}/sized/act` }];
  // The file's host is allow-listed (127.0.0.1), but the account's Planfix is elsewhere: no HEAD, a link.
  await viber.send(reply({ text: '', attachments: files }), ctx(f));
  await viber.send(reply({ text: '', attachments: files }), ctx(f, {}, {}, `http://127.0.0.1:${port === 65535 ? port - 1 : port + 1}`));
  t.deepEqual(heads, []);
  t.like(f.sent[0], { type: 'text', text: `📎 Act.pdf: ${host}/sized/act` });
  t.like(f.sent[1], { type: 'text', text: `📎 Act.pdf: ${host}/sized/act` });
  await viber.send(reply({ text: '', attachments: files }), ctx(f, {}, {}, `${host}/`));
  t.deepEqual(heads, ['HEAD /sized/act']);
  t.like(f.sent[2], { type: 'file', size: 20480 });
});

test('send: a picture Viber refuses as bad data (URL without the extension) is sent as a link', async (t) => {
  const f = await fake(t);
  const { providerMessageIds } = await viber.send(reply({ text: '', attachments: [{ name: 'scan.png', url: 'https://acme.planfix.com/file/9f8e' }] }), ctx(f));
  t.deepEqual(f.requests.map((q) => q.status), [3, 0]);
  t.is(f.sent.length, 1);
  t.like(f.sent[0], { type: 'text', text: '📎 scan.png: https://acme.planfix.com/file/9f8e' });
  t.deepEqual(providerMessageIds, [f.sent[0]!.message_token]);
});

test('send as employee: the employee name (cut to 28) and avatar are the sender', async (t) => {
  const f = await fake(t);
  await viber.send(reply({ user: { name: 'Konstantin', lastName: 'Konstantinopolsky-Venediktov', ico: 'https://acme.planfix.com/ico/k.png' } }),
    ctx(f, {}, { sendAsEmployee: true }));
  await viber.send(reply({ user: { name: 'Ivan', lastName: '' } }), ctx(f, { avatar: 'https://acme.example/bot.png' }, { sendAsEmployee: true }));
  await viber.send(reply(), ctx(f, {}, { sendAsEmployee: false }));
  t.deepEqual(f.sent.map((m) => m.sender), [
    { name: 'Konstantin Konstantinopolsky', avatar: 'https://acme.planfix.com/ico/k.png' },
    { name: 'Ivan', avatar: 'https://acme.example/bot.png' },
    { name: 'Acme Support' },
  ]);
  t.is((f.sent[0]!.sender as { name: string }).name.length, 28);
});

test('send: a text over 7000 characters goes as several messages; an empty reply sends nothing', async (t) => {
  const f = await fake(t);
  const text = 'Ж'.repeat(7000) + 'tail';
  const { providerMessageIds } = await viber.send(reply({ text }), ctx(f));
  t.is(providerMessageIds.length, 2);
  t.deepEqual(f.sent.map((m) => (m.text as string).length), [7000, 4]);
  t.deepEqual(await viber.send(reply({ text: '  ' }), ctx(f)), { providerMessageIds: [] });
  t.is(f.requests.length, 2);
});

test('send: an unsubscribed user is a TerminalError saying so', async (t) => {
  const f = await fake(t);
  f.unsubscribe(USER);
  const err = await t.throwsAsync(viber.send(reply(), ctx(f)), { instanceOf: TerminalError });
  t.regex(err!.message, /not subscribed to the bot/);
  t.deepEqual(f.requests.map((q) => q.status), [6]);
});

test('send: status 12 is a RetryableError, and the retry does not repeat what Viber already accepted', async (t) => {
  const f = await fake(t);
  const r = reply({ attachments: [{ name: 'a.png', url: 'https://acme.planfix.com/file/1/a.png' }] });
  f.failNext(1, 12, { after: 1 });
  const err = await t.throwsAsync(viber.send(r, ctx(f)), { instanceOf: RetryableError });
  t.regex(err!.message, /rate limited by Viber/);
  t.is(f.sent.length, 1);
  const { providerMessageIds } = await viber.send(r, ctx(f));
  t.deepEqual(f.sent.map((m) => m.type), ['text', 'picture']);
  t.deepEqual(providerMessageIds, f.sent.map((m) => m.message_token));
});

test('send: other Viber statuses are clear TerminalErrors', async (t) => {
  const f = await fake(t);
  const cases: [number, RegExp][] = [
    [5, /not subscribed/], [2, /bad bot token/], [7, /blocked/], [8, /not found/], [9, /suspended/],
    [10, /webhook not set/], [3, /bad request \(relay bug\)/], [4, /relay bug/], [13, /Viber error 13: apiVersionNotSupported/],
  ];
  for (const [code, message] of cases) {
    f.failNext(1, code);
    const err = await t.throwsAsync(viber.send(reply(), ctx(f)), { instanceOf: TerminalError }, `status ${code}`);
    t.regex(err!.message, message);
  }
  const wrong = await t.throwsAsync(viber.send(reply(), ctx(f, { authToken: 'wrong' })), { instanceOf: TerminalError });
  t.regex(wrong!.message, /bad bot token/);
  const notFound = await t.throwsAsync(viber.send(reply(), ctx(f, { apiUrl: `${f.origin}/nope` })), { instanceOf: TerminalError });
  t.regex(notFound!.message, /HTTP 404/);
  t.is(f.sent.length, 0);
});

test('send: a URL outside the allow-list is refused before any request', async (t) => {
  const f = await fake(t);
  const c = ctx(f);
  await t.throwsAsync(viber.send(reply(), { ...c, policy: new OutboundPolicy([]) }), { instanceOf: TerminalError, message: /outbound URL refused/ });
  t.is(f.requests.length, 0);
});

// ---------------------------------------------------------------- set_webhook

async function relayStandIn(t: ExecutionContext, answer: number) {
  const received: { body: string; signature: string | undefined }[] = [];
  const server = http.createServer(async (q, res) => {
    received.push({ body: await readBody(q), signature: q.headers['x-viber-content-signature'] as string | undefined });
    res.writeHead(answer, { 'content-type': 'application/json' });
    res.end('{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/ch-viber/secret`, received };
}

test('onConnect sets the webhook once the relay URL answers the signed check callback', async (t) => {
  const f = await fake(t);
  const relay = await relayStandIn(t, 200);
  const result = await viber.onConnect!({ ...ctx(f), webhookUrl: relay.url });
  const events = ['delivered', 'seen', 'failed', 'subscribed', 'unsubscribed', 'conversation_started'];
  t.deepEqual(result, { webhook: 'set', eventTypes: events });
  t.deepEqual(f.webhooks, [{ url: relay.url, event_types: events, send_name: true, send_photo: true, callbackStatus: 200, status: 0 }]);
  t.is(f.webhookUrl, relay.url);
  // The check callback is a real, signed Viber callback the adapter accepts and ignores.
  t.is(relay.received.length, 1);
  const cb = relay.received[0]!;
  t.regex(cb.body, /"message_token":\d{19}\}/);
  t.notThrows(() => viber.verify!(req(cb.body, { 'x-viber-content-signature': cb.signature }), channel()));
  t.deepEqual(viber.parse(req(cb.body), channel()), { events: [] });

  await viber.onDisconnect!(ctx(f));
  t.is(f.webhooks.at(-1)!.url, '');
  t.is(f.webhookUrl, '');
});

test('onConnect reports a clear error when the relay URL does not answer 200', async (t) => {
  const f = await fake(t);
  const relay = await relayStandIn(t, 500);
  const err = await t.throwsAsync(viber.onConnect!({ ...ctx(f), webhookUrl: relay.url }));
  t.regex(err!.message, /set_webhook failed: status 1/);
  t.regex(err!.message, /HttpStatus=500/);
  t.regex(err!.message, /HTTP 200 from the webhook URL/);
  t.is(relay.received.length, 1);
  t.is(f.webhookUrl, '');
  const bad = await t.throwsAsync(viber.onConnect!({ ...ctx(f, { authToken: 'wrong' }), webhookUrl: relay.url }));
  t.regex(bad!.message, /status 2/);
});

// ---------------------------------------------------------------- fake helpers, registration, schema

test('viberCallback signs the raw body, or signs it wrongly on request', async (t) => {
  const relay = await relayStandIn(t, 200);
  const body = viberJson({ event: 'seen', timestamp: 1700000000500, message_token: 5741311803571721087n, user_id: USER });
  t.is(body, `{"event":"seen","timestamp":1700000000500,"message_token":5741311803571721087,"user_id":"${USER}"}`);
  await viberCallback(relay.url, TOKEN, body);
  await viberCallback(relay.url, TOKEN, body, { badSignature: true });
  await viberCallback(relay.url, TOKEN, body, { signature: null });
  const [good, wrong, none] = relay.received;
  t.notThrows(() => viber.verify!(req(good!.body, { 'x-viber-content-signature': good!.signature }), channel()));
  status(t, () => viber.verify!(req(wrong!.body, { 'x-viber-content-signature': wrong!.signature }), channel()), 401);
  t.is(none!.signature, undefined);
});

test('the adapter is registered and describes its settings', (t) => {
  t.is(adapters.viber, viber);
  t.is(viber.title, 'Viber');
  t.deepEqual(viber.secretFields, ['authToken']);
  t.deepEqual(viber.urlFields, ['apiUrl']);
  t.deepEqual(viber.describe!(channel()), { deepLink: 'viber://pa?chatURI=Acme%20Support' });
  t.deepEqual(viber.describe!(channel({ botName: 'acmeshop' })), { deepLink: 'viber://pa?chatURI=acmeshop' });
  t.true(viber.settings.safeParse({ authToken: 't', botName: 'b', apiUrl: 'https://chatapi.viber.com/pa', welcomeText: 'Hi' }).success);
  t.false(viber.settings.safeParse({ authToken: 't', botName: 'b', extra: 1 }).success);
  t.false(viber.settings.safeParse({ botName: 'b' }).success);
  t.deepEqual(viber.options.parse({}), { sendAsEmployee: false });
  t.false(viber.options.safeParse({ sendAsEmployee: 'yes' }).success);
});
