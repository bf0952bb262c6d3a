// Tests of the simulator itself, over real HTTP on 127.0.0.1.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import test from 'ava';
import { ChatraFake, chatraWebhook, postJson } from './sim/chatra.ts';
import { encodeForm, parseForm, type Attachment } from './sim/form.ts';
import { postForm, readBody } from './sim/http.ts';
import { PlanfixSim, type PlanfixSimOptions } from './sim/planfix.ts';

const TOKEN = 'pf-chat-token';
const REST = 'pf-rest-token';

async function sim(t: { teardown(fn: () => Promise<void>): void }, opts?: PlanfixSimOptions) {
  const s = await PlanfixSim.start(opts);
  t.teardown(() => s.close());
  return s;
}

function msg(s: PlanfixSim, fields: Record<string, string | undefined>, attachments: Attachment[] = []) {
  const base = { cmd: 'newMessage', providerId: 'chatra', planfix_token: TOKEN, chatId: 'chat-1' };
  const defaults = { message: 'hi', contactId: 'c-1', contactName: 'Olga' };
  return postForm(s.chatApiUrl, encodeForm({ ...base, ...defaults, ...fields }, attachments));
}

function cmd(s: PlanfixSim, fields: Record<string, string>) {
  return postForm(s.chatApiUrl, encodeForm({ providerId: 'chatra', planfix_token: TOKEN, ...fields }));
}

async function rest(s: PlanfixSim, method: string, path: string, body?: unknown, token: string | null = REST) {
  const res = await fetch(s.restUrl + path, {
    method,
    headers: {
      'content-type': 'application/json',
      ...(token !== null ? { authorization: `Bearer ${token}` } : {}),
    },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text) as any, remaining: res.headers.get('x-ratelimit-remaining') };
}

/** A stand-in relay endpoint that records Planfix's form posts. */
async function fakeRelay(
  t: { teardown(fn: () => void): void },
  answer: (f: Record<string, string>) => { status: number; body: unknown },
) {
  const received: [string, string][][] = [];
  const server = http.createServer(async (req, res) => {
    const entries = parseForm(await readBody(req));
    received.push(entries);
    const a = answer(Object.fromEntries(entries));
    res.writeHead(a.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(a.body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => server.close());
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/planfix`, received };
}

// ---------------------------------------------------------------- Chat API

test('chat api: wrong planfix_token is 401 Invalid token, and is logged', async (t) => {
  const s = await sim(t);
  const r = await msg(s, { planfix_token: 'nope' });
  t.deepEqual(r, { status: 401, body: { error: 'Invalid token' } });
  t.deepEqual((await cmd(s, { cmd: 'getTask', chatId: 'x', planfix_token: 'nope' })).status, 401);
  t.is(s.tasks.length, 0);
  t.deepEqual(
    s.commands.map((c) => [c.cmd, c.status]),
    [['newMessage', 401], ['getTask', 401]],
  );
});

test('chat api: missing required fields, ~ in providerId, unknown cmd are 400 Invalid parameters', async (t) => {
  const s = await sim(t);
  const invalid = { status: 400, body: { error: 'Invalid parameters' } };
  for (const field of ['providerId', 'chatId', 'planfix_token', 'message', 'contactId', 'contactName']) {
    t.deepEqual(await msg(s, { [field]: undefined }), invalid, field);
  }
  t.deepEqual(await msg(s, { providerId: 'chat~ra' }), invalid);
  t.deepEqual(await cmd(s, { cmd: 'sendMessage' }), invalid);
  t.deepEqual(await postForm(s.chatApiUrl, ''), invalid);
  const asJson = await postJson(s.chatApiUrl, { cmd: 'getTask', providerId: 'chatra', planfix_token: TOKEN, chatId: 'x' });
  t.deepEqual(asJson, invalid, 'the Chat API reads form bodies only');
  t.is(s.tasks.length, 0);
  t.is(s.commands.length, 10);
});

test('chat api: two messages on one chat → one task, comments in order, contact is assigner', async (t) => {
  const s = await sim(t);
  const first = await msg(s, { message: 'first', contactLastName: 'Petrenko', contactPhone: '380501112233' });
  t.deepEqual(first, { status: 200, body: null }, 'success answer is an empty body');
  await msg(s, { message: 'second' });
  t.is(s.contacts.length, 1);
  t.is(s.tasks.length, 1);
  const [contact, task] = [s.contacts[0]!, s.tasks[0]!];
  t.like(contact, { providerId: 'chatra', contactId: 'c-1', name: 'Olga', lastName: 'Petrenko', phone: '380501112233' });
  t.like(task, { chatId: 'chat-1', name: 'Chat with Olga Petrenko', statusId: 1, active: true });
  t.deepEqual(task.assigner, { contactNumber: contact.number });
  t.deepEqual(task.counterparty, { contactNumber: contact.number });
  t.deepEqual(task.comments.map((c) => c.text), ['first', 'second']);
  t.true(task.comments[1]!.id > task.comments[0]!.id);
  t.deepEqual(task.comments[0]!.author, { contactNumber: contact.number });
  t.is(task.comments[0]!.fromType, 'WebChatApi');

  const gt = await cmd(s, { cmd: 'getTask', chatId: 'chat-1' });
  t.deepEqual(gt, { status: 200, body: { data: { number: task.number, statusIsActive: true } } });
  t.deepEqual(await cmd(s, { cmd: 'getContact', contactId: 'c-1' }), {
    status: 200,
    body: { data: { number: contact.number } },
  });
  t.deepEqual(await cmd(s, { cmd: 'getTask', chatId: 'other' }), { status: 400, body: { error: 'task not found' } });
  t.deepEqual(await cmd(s, { cmd: 'getContact', contactId: 'other' }), { status: 400, body: { error: 'unknown contact' } });
});

test('chat api: title names the task; data_ fields only for template fields, never blanked', async (t) => {
  const s = await sim(t, { taskFields: ['utm_source', 'utm_medium', 'Источник'] });
  await msg(s, { title: 'Chatra: Olga', data_utm_source: 'google', data_utm_medium: 'cpc', data_gclid: 'x', 'data_Источник': 'сайт' });
  await msg(s, { data_utm_source: '', data_utm_medium: 'email' });
  const task = s.tasks[0]!;
  t.is(task.name, 'Chatra: Olga');
  t.deepEqual(task.fields, { utm_source: 'google', utm_medium: 'email', 'Источник': 'сайт' });
});

test('chat api: completed task + new message → new task with createdFrom (option on)', async (t) => {
  const s = await sim(t);
  await msg(s, { message: 'one' });
  const first = s.tasks[0]!;
  const done = await rest(s, 'POST', `/task/${first.number}`, { status: { id: 3 } });
  t.deepEqual(done.body, { result: 'success' });
  t.false(first.active);
  t.deepEqual((await cmd(s, { cmd: 'getTask', chatId: 'chat-1' })).body, {
    data: { number: first.number, statusIsActive: false },
  });
  await msg(s, { message: 'two' });
  t.is(s.tasks.length, 2);
  const second = s.tasks[1]!;
  t.like(second, { createdFrom: first.number, active: true, chatId: 'chat-1' });
  t.deepEqual(second.comments.map((c) => c.text), ['two']);
  t.is(s.contacts.length, 1, 'same contact');
  t.deepEqual((await cmd(s, { cmd: 'getTask', chatId: 'chat-1' })).body, {
    data: { number: second.number, statusIsActive: true },
  });
});

test('chat api: with newTaskIfInactive off, messages keep going to the inactive task', async (t) => {
  const s = await sim(t, { newTaskIfInactive: false });
  await msg(s, { message: 'one' });
  s.setTaskStatus(s.tasks[0]!.number, 4);
  await msg(s, { message: 'two' });
  t.is(s.tasks.length, 1);
  t.deepEqual(s.tasks[0]!.comments.map((c) => c.text), ['one', 'two']);
});

test('chat api: getTask/getContact data as JSON string, statusIsActive omitted', async (t) => {
  const s = await sim(t, { dataAsString: true, statusIsActive: false });
  await msg(s, {});
  const n = s.tasks[0]!.number;
  const r = await cmd(s, { cmd: 'getTask', chatId: 'chat-1' });
  t.deepEqual(r.body, { data: JSON.stringify({ number: n }) });
  t.deepEqual((await cmd(s, { cmd: 'getContact', contactId: 'c-1' })).body, {
    data: JSON.stringify({ number: s.contacts[0]!.number }),
  });
});

test('chat api: repeated attachments pairs keep order; indexed keys tolerated', async (t) => {
  const s = await sim(t);
  const files = [
    { name: 'photo1.jpg', url: 'https://cdn.example/5444.jpg' },
    { name: 'photo2.jpg', url: 'https://cdn.example/5445.jpg' },
  ];
  await msg(s, { message: '' }, files);
  const indexed = new URLSearchParams(encodeForm({ cmd: 'newMessage', providerId: 'chatra', planfix_token: TOKEN, chatId: 'chat-1', message: 'x', contactId: 'c-1', contactName: 'Olga' }));
  indexed.append('attachments[0][name]', 'a.pdf');
  indexed.append('attachments[0][url]', 'https://cdn.example/a.pdf');
  t.is((await postForm(s.chatApiUrl, indexed.toString())).status, 200);
  const [c1, c2] = s.tasks[0]!.comments;
  t.deepEqual(c1!.attachments, files);
  t.is(c1!.text, '', 'a file-only message may have empty text');
  t.deepEqual(c2!.attachments, [{ name: 'a.pdf', url: 'https://cdn.example/a.pdf' }]);
  t.deepEqual(s.commands[0]!.params.attachments, files);
  t.deepEqual((await msg(s, { message: '' })).status, 400, 'empty text without files is invalid');
});

test('chat api: isEcho true/1 authors the comment by the employee', async (t) => {
  const s = await sim(t);
  await msg(s, { message: 'operator', isEcho: 'true', userEmail: 'anna@company.example' });
  await msg(s, { message: 'operator2', isEcho: '1' });
  await msg(s, { message: 'client', isEcho: 'false' });
  t.deepEqual(
    s.tasks[0]!.comments.map((c) => c.author),
    [{ employeeEmail: 'anna@company.example' }, { employeeEmail: 'default@planfix.sim' }, { contactNumber: s.contacts[0]!.number }],
  );
});

test('chat api: updateContact changes present fields only; unknown contact is 400', async (t) => {
  const s = await sim(t);
  await msg(s, { contactName: 'Pumpkin Ninja', contactEmail: 'p@example.com' });
  t.deepEqual(await cmd(s, { cmd: 'updateContact', contactId: 'c-1', contactName: 'Olga', contactPhone: '79051234567' }), {
    status: 200,
    body: null,
  });
  t.like(s.contacts[0]!, { name: 'Olga', phone: '79051234567', email: 'p@example.com', updates: 1 });
  t.is((await cmd(s, { cmd: 'updateContact', contactId: 'zzz', contactName: 'X' })).status, 400);
  t.is((await cmd(s, { cmd: 'updateContact', contactId: 'c-1' })).status, 400, 'contactName required');
});

test('chat api: messageStatus accepts only messageIds the sim sent', async (t) => {
  const s = await sim(t);
  const relay = await fakeRelay(t, (f) => ({ status: 200, body: { chatId: f.chatId, contactId: 'c-1' } }));
  await msg(s, {});
  const { messageId } = await s.reply({ relayUrl: relay.url, token: 'relay-token', taskNumber: s.tasks[0]!.number, message: 'hello' });
  t.deepEqual(await cmd(s, { cmd: 'messageStatus', messageId: 'never-sent', messageStatus: 'sent' }), {
    status: 400,
    body: { error: 'Invalid parameters' },
  });
  t.is((await cmd(s, { cmd: 'messageStatus', messageId, messageStatus: 'delivered' })).status, 200);
  t.is((await cmd(s, { cmd: 'messageStatus', messageId, messageStatus: 'error', messageStatusText: 'blocked' })).status, 200);
  t.is((await cmd(s, { cmd: 'messageStatus', providerId: 'viber', messageId, messageStatus: 'read' })).status, 400, 'other provider');
  t.deepEqual(
    s.messageStatuses.map(({ messageId: id, status, text }) => ({ id, status, text })),
    [{ id: messageId, status: 'sent', text: undefined }, { id: messageId, status: 'error', text: 'blocked' }],
  );
});

// ---------------------------------------------------------------- driver (Planfix → relay)

test('reply: posts the documented form with channel and attachment pairs', async (t) => {
  const s = await sim(t);
  const relay = await fakeRelay(t, (f) => ({ status: 200, body: { chatId: f.chatId, contactId: 'c-1' } }));
  await msg(s, { channel: 'widget-7', contactPhone: '79051234567' });
  const task = s.tasks[0]!;
  const files = [{ name: 'a.pdf', url: 'https://acc.planfix.sim/file/a' }, { name: 'b.png', url: 'https://acc.planfix.sim/file/b' }];
  const r = await s.reply({
    relayUrl: relay.url,
    token: 'relay-token',
    taskNumber: task.number,
    message: 'Yes, in stock',
    user: { name: 'Anna', lastName: 'Smirnova', email: 'anna@company.example' },
    attachments: files,
  });
  t.is(r.status, 200);
  t.deepEqual(r.body, { chatId: 'chat-1', contactId: 'c-1' });
  const entries = relay.received[0]!;
  const f = Object.fromEntries(entries);
  t.like(f, {
    cmd: 'newMessage',
    providerId: 'chatra',
    chatId: 'chat-1',
    token: 'relay-token',
    message: 'Yes, in stock',
    messageId: r.messageId,
    userName: 'Anna',
    userLastName: 'Smirnova',
    taskEmail: `task${task.number}@planfix.sim`,
    channel: 'widget-7',
    contactPhone: '79051234567',
  });
  t.truthy(f.userIco);
  t.deepEqual(
    entries.filter(([k]) => k.startsWith('attachments')),
    [
      ['attachments[name]', 'a.pdf'], ['attachments[url]', 'https://acc.planfix.sim/file/a'],
      ['attachments[name]', 'b.png'], ['attachments[url]', 'https://acc.planfix.sim/file/b'],
    ],
  );
  t.like(task.comments[1]!, { text: 'Yes, in stock', fromType: 'Planfix', author: { employeeEmail: 'anna@company.example' } });
  t.like(s.outbound[0]!, { messageId: r.messageId, taskNumber: task.number, status: 200 });
});

test('firstMessage: no chatId; the answer binds chat and contact to a new task', async (t) => {
  const s = await sim(t);
  const relay = await fakeRelay(t, () => ({ status: 200, body: { chatId: 'chat-new', contactId: 'client-9' } }));
  const r = await s.firstMessage({ relayUrl: relay.url, token: 'rt', contactPhone: '+7 905 123-45-67', message: 'Hello!', providerId: 'chatra' });
  t.is(r.status, 200);
  const f = Object.fromEntries(relay.received[0]!);
  t.false('chatId' in f);
  t.like(f, { contactPhone: '+7 905 123-45-67', messageId: r.messageId, providerId: 'chatra' });
  const gt = await cmd(s, { cmd: 'getTask', chatId: 'chat-new' });
  t.deepEqual(gt.body, { data: { number: s.tasks[0]!.number, statusIsActive: true } });
  t.deepEqual((await cmd(s, { cmd: 'getContact', contactId: 'client-9' })).body, { data: { number: s.contacts[0]!.number } });
  // The client's answer lands in the same task.
  await msg(s, { chatId: 'chat-new', contactId: 'client-9', message: 'Hi back' });
  t.is(s.tasks.length, 1);
  t.deepEqual(s.tasks[0]!.comments.map((c) => c.text), ['Hello!', 'Hi back']);
});

test('firstMessage: a relay that omits chatId binds nothing and is recorded', async (t) => {
  const s = await sim(t);
  const relay = await fakeRelay(t, () => ({ status: 400, body: { error: 'Invalid parameters' } }));
  await t.throwsAsync(() => s.firstMessage({ relayUrl: relay.url, token: 'rt', contactPhone: '1', message: 'x' }), {
    message: /providerId/,
  });
  const r = await s.firstMessage({ relayUrl: relay.url, token: 'rt', contactPhone: '79051234567', message: 'x', providerId: 'viber' });
  t.is(r.status, 400);
  t.is(s.outbound[0]!.status, 400);
  t.is((await cmd(s, { cmd: 'getContact', providerId: 'viber', contactId: 'anything' })).status, 400);
  await t.throwsAsync(() => s.reply({ relayUrl: 'http://192.0.2.1/x', token: 'rt', taskNumber: s.tasks[0]!.number, message: 'm' }), {
    message: /only 127\.0\.0\.1/,
  });
});

// ---------------------------------------------------------------- REST

test('rest: missing or wrong Bearer token is 401 code 1', async (t) => {
  const s = await sim(t);
  for (const token of [null, 'wrong']) {
    const r = await rest(s, 'GET', '/ping', undefined, token);
    t.is(r.status, 401);
    t.like(r.body, { result: 'fail', code: 1 });
  }
  t.deepEqual((await rest(s, 'GET', '/ping')).body, { result: 'success' });
  const viaQuery = await fetch(`${s.restUrl}/ping?access_token=${REST}`);
  t.is(viaQuery.status, 200, 'GET may carry the token as access_token');
  t.deepEqual(s.restCalls.map((c) => c.status), [401, 401, 200, 200]);
});

test('rest: task read with fields, prefixed ids, status changes and their errors', async (t) => {
  const s = await sim(t);
  await msg(s, { data_utm_source: 'google' });
  const n = s.tasks[0]!.number;
  const contact = s.contacts[0]!.number;
  t.deepEqual((await rest(s, 'GET', `/task/${n}`)).body, { result: 'success', task: { id: n, name: 'Chat with Olga' } });
  const full = await rest(s, 'GET', `/task/task:${n}?fields=id,status,processId,assigner,counterparty,201,bogus`);
  t.deepEqual(full.body.task, {
    id: n,
    status: { id: 1, name: 'Новая', isActive: true },
    processId: 1,
    assigner: { id: `contact:${contact}`, name: 'Olga' },
    counterparty: { id: `contact:${contact}`, name: 'Olga' },
    customFieldData: [{ field: { id: 201, name: 'utm_source', type: 0 }, value: 'google' }],
  });
  const statuses = await rest(s, 'GET', '/process/task/1/statuses?fields=id,name,isActive');
  t.deepEqual(
    statuses.body.statuses.map((x: { id: number; isActive: boolean }) => [x.id, x.isActive]),
    [[1, true], [2, true], [3, false], [4, false], [5, true]],
  );
  t.like(await rest(s, 'POST', `/task/${n}`, { status: { id: 0 } }), { status: 400, body: { code: 41 } });
  t.like(await rest(s, 'POST', `/task/${n}`, { status: { id: 99 } }), { status: 400, body: { code: 41 } });
  t.like((await rest(s, 'POST', '/task/999999', { status: { id: 2 } })).body, { result: 'fail', code: 1000 });
  t.like((await rest(s, 'GET', '/task/999999')).body, { code: 1000 });
  t.like(await rest(s, 'POST', `/task/${n}`, '{"status":'), { status: 400, body: { result: 'fail', code: 30 } });
  t.is(s.tasks[0]!.statusId, 1, 'rejected updates change nothing');
  await rest(s, 'POST', `/task/task:${n}`, { status: { id: 4 } });
  t.like(s.tasks[0]!, { statusId: 4, active: false });
  await rest(s, 'POST', `/task/${n}`, { status: { id: 5 } });
  t.like(s.tasks[0]!, { statusId: 5, active: true });
});

test('rest: comments list in order (Asc and Desc, paging)', async (t) => {
  const s = await sim(t);
  for (const m of ['a', 'b', 'c']) await msg(s, { message: m });
  const n = s.tasks[0]!.number;
  const asc = await rest(s, 'POST', `/task/${n}/comments/list`, { fields: 'id,description,owner,fromType', resultOrder: 'Asc' });
  t.deepEqual(asc.body.comments.map((c: { description: string }) => c.description), ['a', 'b', 'c']);
  t.like(asc.body.comments[0], { fromType: 'WebChatApi', owner: { id: `contact:${s.contacts[0]!.number}` } });
  const desc = await rest(s, 'POST', `/task/${n}/comments/list`, { resultOrder: 'Desc', offset: 1, pageSize: 1 });
  t.deepEqual(desc.body.comments, [{ id: s.tasks[0]!.comments[1]!.id, description: 'b' }]);
});

test('rest: contact read and contact comments', async (t) => {
  const s = await sim(t);
  await msg(s, { contactLastName: 'Petrenko', contactEmail: 'olga@example.com', contactPhone: '380501112233' });
  const c = s.contacts[0]!.number;
  const r = await rest(s, 'GET', `/contact/contact:${c}?fields=id,name,lastname,email,phones`);
  t.deepEqual(r.body.contact, {
    id: c,
    name: 'Olga',
    lastname: 'Petrenko',
    email: 'olga@example.com',
    phones: [{ number: '380501112233', maskedNumber: '380501112233', type: 1 }],
  });
  const added = await rest(s, 'POST', `/contact/${c}/comments/`, { description: 'Chrome, Windows, 203.0.113.7' });
  t.is(added.body.result, 'success');
  t.is(typeof added.body.id, 'number');
  t.like(s.contactComments[0]!, { contactNumber: c, description: 'Chrome, Windows, 203.0.113.7' });
  t.like((await rest(s, 'POST', `/contact/${c}/comments/`, {})).body, { code: 40 });
  t.like((await rest(s, 'POST', '/contact/1/comments/', { description: 'x' })).body, { code: 2000 });
  t.like((await rest(s, 'GET', '/contact/1')).body, { code: 2000 });
});

test('rest: restRps answers 429 code 0 above the rate, then recovers', async (t) => {
  const s = await sim(t, { restRps: 2 });
  t.is((await rest(s, 'GET', '/ping')).status, 200);
  t.is((await rest(s, 'GET', '/ping')).status, 200);
  const third = await rest(s, 'GET', '/ping');
  t.deepEqual(third, { status: 429, body: { result: 'fail', code: 0, error: 'Too many requests' }, remaining: third.remaining });
  // Only admitted calls fill the 1 s window, so the 4th goes through once the 1st ages out.
  const ok = await s.waitFor(async () => (await rest(s, 'GET', '/ping')).status === 200, 3000);
  t.true(ok);
  t.is(s.restCalls.filter((c) => c.status === 200).length, 3);
});

test('rest: dailyQuota → code 22 for every call after the quota; X-RateLimit-Remaining counts down', async (t) => {
  const s = await sim(t, { dailyQuota: 2 });
  const a = await rest(s, 'GET', '/ping');
  const b = await rest(s, 'GET', '/ping');
  t.deepEqual([a.remaining, b.remaining], ['1', '0']);
  const c = await rest(s, 'POST', '/task/1/comments/list', {});
  t.is(c.status, 400);
  t.like(c.body, { result: 'fail', code: 22 });
  t.is(c.remaining, '0');
});

// ---------------------------------------------------------------- fault switches

test("mode: 'down' refuses connections, 'up' returns on the same port with state kept; 'error503'", async (t) => {
  const s = await sim(t);
  await msg(s, {});
  const url = s.chatApiUrl;
  await s.setMode('down');
  const err = await t.throwsAsync(() => msg(s, {}));
  t.is((err?.cause as { code?: string } | undefined)?.code, 'ECONNREFUSED');
  await s.setMode('up');
  t.is(s.chatApiUrl, url);
  t.is((await msg(s, { message: 'after outage' })).status, 200);
  t.deepEqual(s.tasks[0]!.comments.map((c) => c.text), ['hi', 'after outage']);

  await s.setMode('error503');
  const down = await msg(s, { message: 'during 503' });
  t.is(down.status, 503);
  const restDown = await fetch(`${s.restUrl}/ping`, { headers: { authorization: `Bearer ${REST}` } });
  t.is(restDown.status, 503);
  t.regex(await restDown.text(), /^<html>/, 'an outage page, not a JSON envelope');
  t.is(s.tasks[0]!.comments.length, 2, 'a 503 changes nothing');
  t.like(s.commands.at(-1)!, { cmd: 'newMessage', status: 503 });
  await s.setMode('up');
  t.is((await rest(s, 'GET', '/ping')).status, 200);
});

test('setDelay delays every answer', async (t) => {
  const s = await sim(t);
  s.setDelay(150);
  const started = Date.now();
  t.is((await rest(s, 'GET', '/ping')).status, 200);
  t.true(Date.now() - started >= 140);
  s.setDelay(0);
});

// ---------------------------------------------------------------- Chatra

async function chatra(t: { teardown(fn: () => Promise<void>): void }) {
  const c = await ChatraFake.start();
  t.teardown(() => c.close());
  return c;
}
const AUTH = { authorization: 'Chatra.Simple chatra-pub:chatra-secret' };

test('chatra: auth is required', async (t) => {
  const c = await chatra(t);
  const body = { clientId: 'kX3pQ9mWz2YbT7cAf', text: 'hi', agentId: 'a1' };
  t.deepEqual(await postJson(`${c.apiUrl}/messages/`, body), { status: 401, body: { error: 'Unauthorized' } });
  const wrong = { authorization: 'Chatra.Simple chatra-pub:nope' };
  t.is((await postJson(`${c.apiUrl}/messages/`, body, wrong)).status, 401);
  t.is(c.messages.length, 0);
});

test('chatra: validation names the field; success returns the message, readable by id', async (t) => {
  const c = await chatra(t);
  const send = (body: unknown) => postJson(`${c.apiUrl}/messages/`, body, AUTH);
  const base = { clientId: 'kX3pQ9mWz2YbT7cAf', text: 'Yes, in stock', agentEmail: 'anna@company.example', agentName: 'Anna' };
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ ...base, clientId: undefined }, /clientId/],
    [{ ...base, text: '' }, /text/],
    [{ ...base, text: 'x'.repeat(5001) }, /text/],
    [{ ...base, agentEmail: undefined }, /agentId|agentEmail/],
    [{ ...base, agentName: undefined }, /agentName/],
  ];
  for (const [body, re] of cases) {
    const r = await send(body);
    t.is(r.status, 400);
    t.regex((r.body as { error: string }).error, re);
  }
  t.is((await send({ ...base, text: 'x'.repeat(5000) })).status, 200);
  const r = await send({ ...base, receivedFrom: 'planfix-relay' });
  t.is(r.status, 200);
  const m = r.body as Record<string, unknown>;
  t.like(m, { type: 'agent', clientId: base.clientId, text: base.text, receivedFrom: 'planfix-relay' });
  t.regex(String(m.id), /^[A-Za-z0-9]{17}$/);
  t.is(typeof m.createdAt, 'number');
  t.like(c.messages[1]!, { id: m.id, agentEmail: 'anna@company.example', agentName: 'Anna', receivedFrom: 'planfix-relay' });
  const byAgentId = await send({ clientId: 'c2', text: 'hi', agentId: 'agent-1' });
  t.like(byAgentId.body, { agentId: 'agent-1' });

  const got = await fetch(`${c.apiUrl}/messages/${String(m.id)}`, { headers: AUTH });
  t.deepEqual(await got.json(), m);
  t.is((await fetch(`${c.apiUrl}/messages/nope`, { headers: AUTH })).status, 404);
});

test('chatra: failNext fails exactly n sends', async (t) => {
  const c = await chatra(t);
  c.failNext(2, 503, { error: 'busy' });
  const body = { clientId: 'k', text: 'hi', agentId: 'a' };
  const statuses = [];
  for (let i = 0; i < 3; i++) statuses.push((await postJson(`${c.apiUrl}/messages/`, body, AUTH)).status);
  t.deepEqual(statuses, [503, 503, 200]);
  t.is(c.messages.length, 1);
  t.deepEqual(c.requests.map((r) => r.status), [503, 503, 200]);
});

test('chatraWebhook builds the documented envelope', (t) => {
  const w = chatraWebhook('chatFragment', {
    client: { id: 'visitor-1', name: undefined, utm: { source: 'bing' } },
    messages: [{ message: 'one' }, { message: 'two', type: 'agent', agentId: 'a1' }],
    agents: [{ id: 'a1', name: 'Anna', email: 'anna@company.example' }],
  });
  t.is(w.eventName, 'chatFragment');
  t.like(w.client, { id: 'visitor-1', displayedName: 'Pumpkin Ninja', utm: { source: 'bing' } });
  t.false('name' in JSON.parse(JSON.stringify(w.client)));
  t.deepEqual(w.messages.map((m) => [m.type, m.message, m.agentId]), [['client', 'one', undefined], ['agent', 'two', 'a1']]);
  t.not(w.messages[0]!.id, w.messages[1]!.id);
  t.true(w.messages[1]!.createdAt > w.messages[0]!.createdAt);
  t.is(w.agents.length, 1);
});
