// The Planfix Chat API client (docs/reference/planfix-api.md §1): form encoding, answers, and Planfix's own form as the relay reads it.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import test, { type ExecutionContext } from 'ava';
import type { Account } from '../relay/core/account.ts';
import { RetryableError, TerminalError } from '../relay/errors.ts';
import { readAttachments } from '../relay/http/planfix.ts';
import { OutboundPolicy } from '../relay/net/outbound.ts';
import { readNumbered } from '../relay/planfix/chat-answers.ts';
import { ChatApi, ChatApiError, encodeForm } from '../relay/planfix/chat.ts';
import { RestApi, RestError } from '../relay/planfix/rest.ts';

test('encodeForm: the documented newMessage example, attachments as repeated pairs in order', (t) => {
  const form = encodeForm({
    cmd: 'newMessage',
    providerId: 'chatra',
    chatId: 'EFHASFN1239351',
    message: 'Hello, I have a question',
    attachments: [
      { name: 'photo1.jpg', url: 'https://cdn.example/5444.jpg' },
      { name: 'photo2.jpg', url: 'https://cdn.example/5445.jpg' },
    ],
    data_utm_source: 'google',
  });
  t.deepEqual([...form.entries()], [
    ['cmd', 'newMessage'],
    ['providerId', 'chatra'],
    ['chatId', 'EFHASFN1239351'],
    ['message', 'Hello, I have a question'],
    ['attachments[name]', 'photo1.jpg'],
    ['attachments[url]', 'https://cdn.example/5444.jpg'],
    ['attachments[name]', 'photo2.jpg'],
    ['attachments[url]', 'https://cdn.example/5445.jpg'],
    ['data_utm_source', 'google'],
  ]);
  const wire = form.toString();
  t.true(wire.includes('attachments%5Bname%5D=photo1.jpg&attachments%5Burl%5D=https%3A%2F%2Fcdn.example%2F5444.jpg&attachments%5Bname%5D=photo2.jpg&attachments%5Burl%5D=https%3A%2F%2Fcdn.example%2F5445.jpg'), wire);
  // The wire form decodes back to the same pairs.
  t.deepEqual(new URLSearchParams(wire).getAll('attachments[url]'), ['https://cdn.example/5444.jpg', 'https://cdn.example/5445.jpg']);
});

test('encodeForm: booleans and numbers as text, undefined and empty values left out', (t) => {
  const form = encodeForm({ isEcho: true, other: false, n: 42, title: undefined, contactLastName: '', attachments: [], userEmail: 'ivan@company.example' });
  t.deepEqual([...form.entries()], [['isEcho', 'true'], ['other', 'false'], ['n', '42'], ['userEmail', 'ivan@company.example']]);
});

test('encodeForm: data_ keys with Cyrillic and spaces are percent-encoded and decode back exactly', (t) => {
  const form = encodeForm({ 'data_Источник трафика': 'Яндекс Директ', 'data_utm & co=1': 'a&b=c' });
  const wire = form.toString();
  t.false(/[^\x21-\x7e]/.test(wire), `only printable ASCII on the wire: ${wire}`);
  t.true(wire.startsWith('data_%D0%98%D1%81%D1%82%D0%BE%D1%87%D0%BD%D0%B8%D0%BA'), wire);
  const back = new URLSearchParams(wire);
  t.is(back.get('data_Источник трафика'), 'Яндекс Директ');
  t.is(back.get('data_utm & co=1'), 'a&b=c');
  t.is([...back.keys()].length, 2);
});

test('readNumbered: data as an object, as a JSON string, or number at the top level', (t) => {
  t.deepEqual(readNumbered('getTask', { data: { number: 1014 } }), { number: 1014, statusIsActive: undefined });
  t.deepEqual(readNumbered('getTask', { data: '{"number":1014,"statusIsActive":true}' }), { number: 1014, statusIsActive: true });
  t.deepEqual(readNumbered('getTask', { number: 1058 }), { number: 1058, statusIsActive: undefined });
  t.deepEqual(readNumbered('getTask', { data: {}, number: 1058 }), { number: 1058, statusIsActive: undefined });
  t.deepEqual(readNumbered('getTask', { data: null, number: 7 }), { number: 7, statusIsActive: undefined });
  t.deepEqual(readNumbered('getTask', { number: 7, statusIsActive: false }), { number: 7, statusIsActive: false }, 'statusIsActive beside a top-level number');
  t.deepEqual(readNumbered('getTask', { data: { number: '1014' } }), { number: 1014, statusIsActive: undefined }, 'a number sent as a string');
  t.deepEqual(readNumbered('getContact', { data: { number: 1058, name: 'extra fields are ignored' } }), { number: 1058, statusIsActive: undefined });
});

test('readNumbered: statusIsActive as boolean, string or digit', (t) => {
  const active = (v: unknown) => readNumbered('getTask', { data: { number: 5, statusIsActive: v } }).statusIsActive;
  t.is(active(true), true);
  t.is(active(false), false);
  t.is(active('true'), true);
  t.is(active('false'), false);
  t.is(active(1), true);
  t.is(active(0), false);
  t.is(active('1'), true);
  t.is(active('0'), false);
  t.is(active(undefined), undefined);
  t.is(active(null), undefined);
  t.is(readNumbered('getTask', { data: '{"number":5,"statusIsActive":false}' }).statusIsActive, false);
});

// A shape Planfix did not promise is a ChatApiError naming the field, never its value (an answer
// may carry anything), and never "no task".
for (const [label, v, field] of [
  ['undefined', undefined, 'answer'], ['null', null, 'answer'], ['a string', '1014', 'answer'], ['a number', 1014, 'answer'],
  ['an empty object', {}, 'answer.data.number'], ['data null', { data: null }, 'answer.data.number'],
  ['unparsable data string', { data: '{"number":' }, 'answer.data'], ['data not an object', { data: 5 }, 'answer.data'],
  ['number not numeric', { data: { number: 'abc' } }, 'answer.data.number'], ['number zero', { data: { number: 0 } }, 'answer.data.number'],
  ['negative', { data: { number: -3 } }, 'answer.data.number'], ['fraction', { data: { number: 10.5 } }, 'answer.data.number'],
  ['empty string number', { data: { number: '' } }, 'answer.data.number'], ['number an object', { data: { number: { n: 1 } } }, 'answer.data.number'],
  ['statusIsActive a word', { data: { number: 5, statusIsActive: 'yes' } }, 'answer.data.statusIsActive'],
  ['top-level statusIsActive a word', { number: 5, statusIsActive: 'closed' }, 'answer.statusIsActive'],
  ['an error answered with 200', { error: 'task not found' }, 'answer.data.number'],
] as [string, unknown, string][]) {
  test(`readNumbered: ${label} is refused naming ${field}`, (t) => {
    const err = t.throws(() => readNumbered('getTask', v), { instanceOf: ChatApiError });
    t.true(err!.message.startsWith(`Planfix Chat API getTask failed: unexpected answer: ${field}: `), err!.message);
    t.false(err!.notFound);
    t.is(err!.status, undefined);
    for (const said of ['abc', 'yes', 'closed', 'task not found']) t.false(err!.message.includes(said), `the value is not quoted: ${err!.message}`);
  });
}

test('readAttachments: repeated pairs as qs parses them ({name: [...], url: [...]})', (t) => {
  t.deepEqual(readAttachments({ name: ['a.pdf', 'b.jpg'], url: ['https://acme.planfix.ru/file/1', 'https://acme.planfix.ru/file/2'] }), [
    { name: 'a.pdf', url: 'https://acme.planfix.ru/file/1' },
    { name: 'b.jpg', url: 'https://acme.planfix.ru/file/2' },
  ]);
});

test('readAttachments: a single pair', (t) => {
  t.deepEqual(readAttachments({ name: 'a.pdf', url: 'https://acme.planfix.ru/file/1' }), [{ name: 'a.pdf', url: 'https://acme.planfix.ru/file/1' }]);
});

test('readAttachments: indexed keys, as an array or (past qs arrayLimit) an object', (t) => {
  const two = [{ name: 'a.pdf', url: 'https://acme.planfix.ru/file/1' }, { name: 'b.jpg', url: 'https://acme.planfix.ru/file/2' }];
  t.deepEqual(readAttachments(two), two);
  t.deepEqual(readAttachments({ 0: two[0], 200: two[1] }), two);
});

test('readAttachments: a missing name falls back to the URL; entries without a URL are dropped', (t) => {
  t.deepEqual(readAttachments({ url: 'https://acme.planfix.ru/file/9' }), [{ name: 'https://acme.planfix.ru/file/9', url: 'https://acme.planfix.ru/file/9' }]);
  t.deepEqual(readAttachments([{ name: 'no-url.pdf' }, { name: 'ok.pdf', url: 'https://acme.planfix.ru/file/3' }, null, 'x']), [
    { name: 'ok.pdf', url: 'https://acme.planfix.ru/file/3' },
  ]);
  t.deepEqual(readAttachments(undefined), []);
  t.deepEqual(readAttachments(''), []);
  t.deepEqual(readAttachments({ name: 'only-a-name.pdf' }), []);
});

// The client over real HTTP against a loopback stand-in for /webchat/api.

interface Seen { form: URLSearchParams; contentType: string | undefined }

async function fakeChatApi(t: ExecutionContext, answer: (form: URLSearchParams) => { status: number; body: string }) {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => { raw += c; });
    req.on('end', () => {
      const form = new URLSearchParams(raw);
      seen.push({ form, contentType: req.headers['content-type'] });
      const a = answer(form);
      res.writeHead(a.status, { 'content-type': 'application/json' }).end(a.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  const port = (server.address() as AddressInfo).port;
  const account: Account = {
    id: 'acc1', name: 'Acme', defaultCountry: 'RU',
    planfix: { url: 'https://acme.planfix.ru', chatToken: 'pf-token', chatApiUrl: `http://127.0.0.1:${port}/webchat/api`, providerId: 'chatra' },
    callback: { chatToken: 'cb', telephonyToken: 'tel' }, widget: { key: 'w' }, channels: [], createdAt: '2024-01-01T00:00:00Z',
  };
  const api = new ChatApi(new OutboundPolicy([`127.0.0.1:${port}`]), 5000);
  return { api, account, seen };
}

test('ChatApi.getTask posts the documented form and reads the JSON-string answer', async (t) => {
  const { api, account, seen } = await fakeChatApi(t, () => ({ status: 200, body: JSON.stringify({ data: '{"number":1014,"statusIsActive":false}' }) }));
  t.deepEqual(await api.getTask(account, 'ch1:+79051234567'), { number: 1014, statusIsActive: false });
  t.is(seen.length, 1);
  t.is(seen[0]!.contentType, 'application/x-www-form-urlencoded');
  const f = seen[0]!.form;
  t.is(f.get('cmd'), 'getTask');
  t.is(f.get('providerId'), 'chatra');
  t.is(f.get('planfix_token'), 'pf-token');
  t.is(f.get('chatId'), 'ch1:+79051234567');
});

test('ChatApi.getTask: "task not found" is no task yet, not an error', async (t) => {
  const { api, account } = await fakeChatApi(t, () => ({ status: 400, body: '{"error":"task not found"}' }));
  t.is(await api.getTask(account, 'ch1:k'), undefined);
});

test('ChatApi: "not found" is Planfix\'s documented 400 words, read from its error field; any other refusal stays an error', async (t) => {
  let answer = { status: 400, body: '{"error":"Invalid parameters"}' };
  const { api, account } = await fakeChatApi(t, () => answer);
  const refused = await t.throwsAsync(api.getTask(account, 'ch1:k'), { instanceOf: ChatApiError });
  t.is(refused!.status, 400);
  t.false(refused!.notFound);
  answer = { status: 400, body: '{"error":"Task Not Found "}' };
  t.is(await api.getTask(account, 'ch1:k'), undefined, 'case and spaces aside');
  answer = { status: 400, body: '{"message":"task not found"}' };
  t.false((await t.throwsAsync(api.getTask(account, 'ch1:k'), { instanceOf: ChatApiError }))!.notFound, 'the words in another field');
  answer = { status: 404, body: '{"error":"task not found"}' };
  t.false((await t.throwsAsync(api.getTask(account, 'ch1:k'), { instanceOf: ChatApiError }))!.notFound, 'another status');
  answer = { status: 400, body: 'task not found' };
  t.false((await t.throwsAsync(api.getTask(account, 'ch1:k'), { instanceOf: ChatApiError }))!.notFound, 'the words outside JSON');
  answer = { status: 400, body: '{"error":"unknown contact"}' };
  t.is(await api.getContact(account, 'stranger'), undefined);
  answer = { status: 400, body: '{"error":"Invalid token for unknown reasons"}' };
  await t.throwsAsync(api.getContact(account, 'stranger'), { instanceOf: ChatApiError }, 'no longer any text that holds "unknown"');
});

test('ChatApi.getContact: an unreadable answer is an error naming the field, not an unknown contact', async (t) => {
  const { api, account } = await fakeChatApi(t, () => ({ status: 200, body: '{"data":{"number":"none"}}' }));
  await t.throwsAsync(api.getContact(account, 'known'), { instanceOf: ChatApiError, message: /getContact failed: unexpected answer: answer\.data\.number: / });
});

test('ChatApi.getContact: the number, or undefined for an unknown contact', async (t) => {
  const { api, account, seen } = await fakeChatApi(t, (f) => (f.get('contactId') === 'known'
    ? { status: 200, body: '{"data":{"number":1058}}' }
    : { status: 400, body: '{"error":"unknown contact"}' }));
  t.is(await api.getContact(account, 'known'), 1058);
  t.is(await api.getContact(account, 'stranger'), undefined);
  t.is(seen[0]!.form.get('cmd'), 'getContact');
});

test('ChatApi.call: an empty 200 body is success; 401 is terminal; 5xx is retryable', async (t) => {
  let status = 200;
  const { api, account } = await fakeChatApi(t, () => (status === 200 ? { status, body: '' } : { status, body: status === 401 ? '{"error":"Invalid token"}' : 'oops' }));
  t.is(await api.call(account, 'newMessage', { chatId: 'c', message: 'hi' }), undefined);
  status = 401;
  const e401 = await t.throwsAsync(api.call(account, 'newMessage', { chatId: 'c', message: 'hi' }));
  t.true(e401 instanceof ChatApiError && e401 instanceof TerminalError);
  t.is((e401 as ChatApiError).status, 401);
  t.regex(e401!.message, /Invalid token/);
  status = 503;
  const e503 = await t.throwsAsync(api.call(account, 'newMessage', { chatId: 'c', message: 'hi' }));
  t.true(e503 instanceof RetryableError);
});

test('ChatApi.call: an unreadable getTask answer is terminal, not "no task"', async (t) => {
  const { api, account } = await fakeChatApi(t, () => ({ status: 200, body: '{"data":{}}' }));
  await t.throwsAsync(api.getTask(account, 'ch1:k'), { instanceOf: TerminalError, message: /answer\.data\.number: missing/ });
});

test('readAttachments keeps only http(s) links: anything else never reaches the customer', (t) => {
  t.deepEqual(readAttachments({ name: ['ok.pdf', 'evil', 'local'], url: ['https://acme.planfix.ru/file/abc', 'javascript:alert(1)', 'file:///etc/passwd'] }), [
    { name: 'ok.pdf', url: 'https://acme.planfix.ru/file/abc' },
  ]);
  t.deepEqual(readAttachments([{ name: 'x', url: 'data:text/html,<b>x</b>' }, { name: 'y', url: 'http://cdn.example/y.png' }]), [
    { name: 'y', url: 'http://cdn.example/y.png' },
  ]);
});

// REST answers are checked where they enter (relay/planfix/rest-answers.ts).

async function fakeRest(t: ExecutionContext, answer: (path: string) => unknown) {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer(req.url ?? ''))));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  const port = (server.address() as AddressInfo).port;
  const account: Account = {
    id: 'acc1', name: 'Acme', defaultCountry: 'RU',
    planfix: { url: 'https://acme.planfix.ru', chatToken: 'pf-token', restToken: 'rest', restUrl: `http://127.0.0.1:${port}/rest`, restRps: 1000 },
    callback: { chatToken: 'cb', telephonyToken: 'tel' }, widget: { key: 'w' }, channels: [], createdAt: '2024-01-01T00:00:00Z',
  };
  return { api: new RestApi(new OutboundPolicy([`127.0.0.1:${port}`]), 5000), account };
}

test('RestApi: answers are read through their schemas, prefixed ids included; an unexpected shape is a clear error, not an undefined', async (t) => {
  let shape: 'good' | 'bad' = 'good';
  const { api, account } = await fakeRest(t, (path) => {
    if (path.startsWith('/rest/contact/list')) {
      return shape === 'good' ? { result: 'success', contacts: [{ id: 'contact:12', phones: [{ number: '+380 67 123 45 67' }, { number: 380671234567 }] }] } : { result: 'success', contacts: 'none' };
    }
    if (path.startsWith('/rest/task/7')) return shape === 'good' ? { result: 'success', task: { id: 7, processId: 3, status: { id: 2, name: 'Done', isActive: false } } } : { result: 'success' };
    if (path === '/rest/task/') return { result: 'success', id: shape === 'good' ? 'task:99' : 0 };
    return { result: 'success' };
  });
  t.deepEqual(await api.contactsByPhone(account, '380671234567'), [{ id: 12, phones: ['+380 67 123 45 67', '380671234567'] }]);
  t.like(await api.task(account, 7), { id: 7, processId: 3, status: { name: 'Done', isActive: false } });
  t.is(await api.createTask(account, { name: 'x' }), 99);
  shape = 'bad';
  await t.throwsAsync(api.contactsByPhone(account, '380671234567'), { instanceOf: RestError, message: /\/contact\/list failed: unexpected answer: answer\.contacts/ });
  await t.throwsAsync(api.task(account, 7), { instanceOf: RestError, message: /unexpected answer: answer\.task/ });
  await t.throwsAsync(api.createTask(account, { name: 'x' }), { instanceOf: RestError, message: /answer\.id: not an id/ });
});

test('RestApi: a list whose pages never end (the server ignores offset) stops with an error instead of reading for ever', async (t) => {
  let requests = 0;
  const { api, account } = await fakeRest(t, () => {
    requests++;
    return { result: 'success', tasks: Array.from({ length: 100 }, (_, i) => ({ id: i + 1 })) };
  });
  await t.throwsAsync(api.contactTasks(account, 12), { instanceOf: RestError, message: /more than 5000 results/ });
  t.is(requests, 50);
});
