// Tests of the simulator itself, over real HTTP on 127.0.0.1.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import test from 'ava';
import { ChatraFake, chatraWebhook, postJson } from './sim/chatra.ts';
import { encodeForm, parseForm, type Attachment } from './sim/form.ts';
import { postForm, readBody } from './sim/http.ts';
import { PlanfixSim, type PlanfixSimOptions } from './sim/planfix.ts';
import { EXTERNAL_CALLBACK, RingostatFake } from './sim/ringostat.ts';

const TOKEN = 'pf-chat-token';
const REST = 'pf-rest-token';
const TEL = 'pf-tel-token';

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
  // Sent together, so that all three land within one second however loaded the machine is.
  const answers = await Promise.all([0, 1, 2].map(() => rest(s, 'GET', '/ping')));
  t.deepEqual(answers.map((a) => a.status).sort(), [200, 200, 429]);
  const third = answers.find((a) => a.status === 429)!;
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

// ---------------------------------------------------------------- Telephony API (relay → Planfix)

function tel(s: PlanfixSim, fields: Record<string, string | undefined>) {
  return postForm(s.telephonyApiUrl, encodeForm({ planfix_token: TEL, ...fields }));
}

/** One event of call `callid` from 380671234567 through line 380441112233. */
function callEvent(s: PlanfixSim, fields: Record<string, string | undefined>) {
  return tel(s, { cmd: 'event', type: 'in', phone: '380671234567', diversion: '380441112233', callid: 'call-1', ...fields });
}

async function withEmployees(t: { teardown(fn: () => Promise<void>): void }, opts?: PlanfixSimOptions) {
  const s = await sim(t, opts);
  s.addEmployee({ email: 'anna@company.example', name: 'Anna', lastName: 'Smirnova', ext: '101' });
  s.addEmployee({ email: 'boris@company.example', name: 'Boris', ext: '102', phone: '+380 50 000 00 02' });
  return s;
}

test('telephony: wrong token 401, missing or bad fields 400, all logged and nothing recorded', async (t) => {
  const s = await withEmployees(t);
  t.is(s.telephonyApiUrl, `${s.origin}/tel/api`);
  t.is(s.telephonyToken, TEL);
  const invalid = { status: 400, body: { error: 'Invalid parameters' } };
  t.deepEqual(await callEvent(s, { event: 'INCOMING', ext: '101', planfix_token: 'nope' }), { status: 401, body: { error: 'Invalid token' } });
  t.deepEqual(await tel(s, { cmd: 'ping', planfix_token: TOKEN }), { status: 401, body: { error: 'Invalid token' } }, 'the chat token is not the telephony token');
  for (const field of ['type', 'event', 'phone', 'ext', 'callid', 'planfix_token']) {
    t.deepEqual(await callEvent(s, { event: 'INCOMING', ext: '101', [field]: undefined }), invalid, field);
  }
  const bad: Record<string, string>[] = [
    { event: 'INCOMING', type: 'inbound' },
    { event: 'RINGING' },
    { event: 'OUTGOING' }, // an incoming call cannot start as OUTGOING
    { event: 'INCOMING', type: 'out' },
    { event: 'COMPLETED' }, // no status
    { event: 'COMPLETED', status: 'Busy' }, // an outgoing status on an incoming call
    { event: 'COMPLETED', status: 'Success', duration: '1.5' },
    { event: 'COMPLETED', status: 'Success', is_recorded: 'yes' },
  ];
  for (const fields of bad) t.deepEqual(await callEvent(s, { ext: '101', ...fields }), invalid, JSON.stringify(fields));
  t.deepEqual(await tel(s, { cmd: 'dial' }), invalid);
  t.deepEqual(await tel(s, { cmd: 'contact' }), invalid, 'contact needs a phone');
  t.deepEqual(await tel(s, { cmd: 'record', callid: 'call-1' }), invalid, 'record needs a link');
  const asJson = await postJson(s.telephonyApiUrl, { cmd: 'ping', planfix_token: TEL });
  t.deepEqual(asJson, invalid, 'form bodies only');
  t.is(s.telephonyEvents.length, 0);
  t.is(s.telephonyCalls.length, 0);
  t.is(s.contacts.length, 0);
  t.is(s.telephonyCommands.length, 2 + 6 + bad.length + 4);
  t.true(s.telephonyCommands.every((c) => c.status === 400 || c.status === 401));
  t.like(s.telephonyCommands[0]!, { cmd: 'event', status: 401, params: { planfix_token: 'nope', ext: '101' } });
});

test('telephony: group ring → ACCEPTED → COMPLETED: events parsed, one "Звонок" with data_ fields, record later', async (t) => {
  const s = await withEmployees(t);
  const known = s.addContact({ name: 'Olga', phones: ['+380 67 123 45 67'] });
  const before = Date.now();
  for (const ext of ['101', '102']) t.deepEqual(await callEvent(s, { event: 'INCOMING', ext }), { status: 200, body: null });
  await callEvent(s, { event: 'ACCEPTED', ext: '101' });
  await callEvent(s, { event: 'COMPLETED', ext: '102', status: 'Cancelled' });
  const done = await callEvent(s, {
    event: 'COMPLETED', ext: '101', status: 'Success', duration: '95', is_recorded: '1',
    data_utm_source: 'google', data_utm_medium: 'cpc', data_gclid: 'not-a-call-field',
  });
  t.deepEqual(done, { status: 200, body: null }, 'documented success: empty body');

  t.deepEqual(s.telephonyEvents.map((e) => [e.event, e.ext, e.status]), [
    ['INCOMING', '101', undefined], ['INCOMING', '102', undefined], ['ACCEPTED', '101', undefined],
    ['COMPLETED', '102', 'Cancelled'], ['COMPLETED', '101', 'Success'],
  ]);
  const last = s.telephonyEvents.at(-1)!;
  t.like(last, { callid: 'call-1', type: 'in', phone: '380671234567', diversion: '380441112233', duration: 95, isRecorded: true });
  t.deepEqual(last.data, { utm_source: 'google', utm_medium: 'cpc', gclid: 'not-a-call-field' });
  t.false('recordLink' in last);
  t.true(last.at >= before);
  t.false('ignored' in last);

  t.is(s.telephonyCalls.length, 1);
  const call = s.telephonyCalls[0]!;
  t.like(call, { callid: 'call-1', tag: 'Звонок', status: 'Success', ext: '101', duration: 95, isRecorded: true, contactNumber: known.number });
  t.deepEqual(call.fields, { utm_source: 'google', utm_medium: 'cpc' }, 'only the "Звонок" fields are kept');
  t.deepEqual(call.legs, {
    '101': { events: ['INCOMING', 'ACCEPTED', 'COMPLETED'], status: 'Success' },
    '102': { events: ['INCOMING', 'COMPLETED'], status: 'Cancelled' },
  });
  t.is(call.recordLink, undefined);
  t.is(s.contacts.length, 1, 'the stored number in another format is the same contact');

  const link = 'https://app.ringostat.com/recordings/call-1.ogg?token=x';
  t.deepEqual(await tel(s, { cmd: 'record', callid: 'call-1', record_link: link, is_temp: '1' }), { status: 200, body: null });
  t.is(call.recordLink, link);
  t.like(call.records[0]!, { recordLink: link, isTemp: true });
  t.is((await tel(s, { cmd: 'record', callid: 'call-1', record_link: link, is_temp: 'maybe' })).status, 400);
  t.is((await tel(s, { cmd: 'record', callid: 'never-seen', record_link: link })).status, 400);
  t.deepEqual(s.telephonyCommands.map((c) => c.status), [200, 200, 200, 200, 200, 200, 400, 400]);
});

test('telephony: unknown ext and employee numbers are accepted but ignored', async (t) => {
  const s = await withEmployees(t);
  t.is((await callEvent(s, { event: 'INCOMING', ext: '999' })).status, 200);
  t.is((await callEvent(s, { callid: 'call-2', event: 'INCOMING', ext: '101', phone: '380500000002' })).status, 200);
  t.deepEqual(s.telephonyEvents.map((e) => e.ignored), ['unknown ext 999', "380500000002 is an employee's number"]);
  t.is(s.telephonyCalls.length, 0);
  t.is(s.contacts.length, 0, 'no contact for an ignored call');
  // Planfix saw the callid, so a later recording is not an error, just nothing to attach to.
  t.is((await tel(s, { cmd: 'record', callid: 'call-1', record_link: 'https://r/1.mp3' })).status, 200);
});

test('telephony: a missed call from a new number creates one contact; telCreatesContacts off creates none', async (t) => {
  const s = await withEmployees(t);
  await callEvent(s, { event: 'INCOMING', ext: '101', phone: '380931112233', callid: 'm-1' });
  await callEvent(s, { event: 'COMPLETED', ext: '101', status: 'Missed', duration: '0', phone: '380931112233', callid: 'm-1' });
  await callEvent(s, { event: 'INCOMING', ext: '102', phone: '+380 93 111 22 33', callid: 'm-2' });
  t.is(s.contacts.length, 1);
  t.like(s.contacts[0]!, { source: 'telephony', name: '380931112233', phone: '380931112233', templateId: 1 });
  t.like(s.telephonyCalls[0]!, { tag: 'Пропущенный звонок', status: 'Missed', contactNumber: s.contacts[0]!.number });
  t.is(s.telephonyCalls[1]!.contactNumber, s.contacts[0]!.number, 'the second call matches the created contact');

  // Outgoing calls never create contacts; a failed one is a missed call of outgoing type.
  await tel(s, { cmd: 'event', type: 'out', event: 'OUTGOING', phone: '380991234567', ext: '101', callid: 'o-1' });
  await tel(s, { cmd: 'event', type: 'out', event: 'COMPLETED', status: 'NoAnswer', phone: '380991234567', ext: '101', callid: 'o-1' });
  t.is(s.contacts.length, 1);
  t.like(s.telephonyCalls[2]!, { type: 'out', tag: 'Пропущенный звонок', status: 'NoAnswer', contactNumber: undefined });

  const off = await withEmployees(t, { telCreatesContacts: false });
  await callEvent(off, { event: 'INCOMING', ext: '101' });
  t.is(off.contacts.length, 0);
  t.is(off.telephonyCalls[0]!.contactNumber, undefined);
});

test('telephony: contact lookup and ping', async (t) => {
  const s = await withEmployees(t);
  s.addContact({ name: 'Ivan', lastName: 'Ivanov', phones: ['067 123 45 67'], responsible: 'anna@company.example' });
  s.addContact({ name: 'Petro', phones: ['+380501112233'] });
  t.deepEqual(await tel(s, { cmd: 'contact', phone: '380671234567', callid: 'c1' }), {
    status: 200,
    body: { contact_name: 'Ivanov Ivan', responsible: 101 },
  });
  t.deepEqual((await tel(s, { cmd: 'contact', phone: '380501112233' })).body, { contact_name: 'Petro' }, 'no responsible → no key');
  t.deepEqual(await tel(s, { cmd: 'contact', phone: '380000000000' }), { status: 200, body: {} });
  t.deepEqual(await tel(s, { cmd: 'ping' }), { status: 200, body: { pbxToken: '', pbxUrl: '' } });
});

// ---------------------------------------------------------------- Telephony drivers (Planfix → relay)

test('telephonySetup saves the settings and posts setup; makeCall and ping go to the saved URL', async (t) => {
  const s = await sim(t);
  const relay = await fakeRelay(t, (f) => (f.token === 'pbx-token' ? { status: 200, body: {} } : { status: 401, body: { error: 'Invalid token' } }));
  t.throws(() => void s.makeCall({ from: '101', to: '380671234567' }), { message: /telephonySetup/ });

  const setup = await s.telephonySetup({ relayUrl: relay.url, token: 'pbx-token' });
  t.deepEqual(setup, { status: 200, body: {} });
  t.deepEqual(Object.fromEntries(relay.received[0]!), {
    cmd: 'setup', token: 'pbx-token', planfix_token: TEL, planfix_url: s.telephonyApiUrl,
  });
  t.deepEqual(s.telephonySettings, { pbxUrl: relay.url, pbxToken: 'pbx-token' });
  t.deepEqual((await tel(s, { cmd: 'ping' })).body, { pbxToken: 'pbx-token', pbxUrl: relay.url });

  t.is((await s.makeCall({ from: '101', to: '380671234567' })).status, 200);
  t.deepEqual(Object.fromEntries(relay.received[1]!), { cmd: 'makeCall', from: '101', to: '380671234567', token: 'pbx-token' });
  const wrong = await s.makeCall({ from: '101', to: '380671234567', token: 'other' });
  t.deepEqual(wrong, { status: 401, body: { error: 'Invalid token' } });
  t.is((await s.telephonyPing()).status, 200);
  t.deepEqual(Object.fromEntries(relay.received[3]!), { cmd: 'ping', token: 'pbx-token' });
  t.deepEqual(s.telephonyOutbound.map((o) => [o.cmd, o.status]), [['setup', 200], ['makeCall', 200], ['makeCall', 401], ['ping', 200]]);
  t.like(s.telephonyOutbound[2]!, { url: relay.url, params: { token: 'other' }, body: { error: 'Invalid token' } });
});

// ---------------------------------------------------------------- REST contacts

const PHONES = ['+380 67 123 45 67', '0501112233'];

test('rest: contact create validates template, name and e-mail; phones are stored as written', async (t) => {
  const s = await sim(t);
  const base = { template: { id: 1 }, name: 'Olga', lastname: 'Petrenko', phones: [{ number: PHONES[0], type: 1 }] };
  t.like(await rest(s, 'POST', '/contact/', { ...base, template: undefined }), { status: 400, body: { result: 'fail', code: 40 } });
  t.like(await rest(s, 'POST', '/contact/', { ...base, template: { id: 77 } }), { status: 400, body: { code: 41 } });
  t.like(await rest(s, 'POST', '/contact/', { ...base, name: ' ' }), { status: 400, body: { code: 2006 } });
  t.like(await rest(s, 'POST', '/contact/', { ...base, email: 'not-an-email' }), { status: 400, body: { code: 2004 } });
  t.like(await rest(s, 'POST', '/contact/', { ...base, phones: [{ type: 1 }] }), { status: 400, body: { code: 41 } });
  t.is(s.contacts.length, 0);

  const r = await rest(s, 'POST', '/contact/', { ...base, email: 'olga@example.com', description: 'Ringostat caller' });
  t.is(r.status, 201);
  t.deepEqual(r.body, { result: 'success', id: s.contacts[0]!.number });
  t.like(s.contacts[0]!, { name: 'Olga', lastName: 'Petrenko', phone: PHONES[0], source: 'rest', templateId: 1, data: 'Ringostat caller' });
  t.like(await rest(s, 'POST', '/contact/', { ...base, email: 'OLGA@example.com' }), { status: 400, body: { code: 2001 } });
  const viaTemplateId = await rest(s, 'POST', '/contact', { templateId: 1, name: 'Petro', phones: [{ number: 380501112233 }] });
  t.is(viaTemplateId.status, 201, 'templateId (generated model) accepted too; no trailing slash needed');
  t.deepEqual(s.contacts[1]!.phones, [{ number: '380501112233', type: 1 }]);

  const got = await rest(s, 'GET', `/contact/${r.body.id}?fields=id,name,phones,template,email`);
  t.deepEqual(got.body.contact, {
    id: r.body.id, name: 'Olga', email: 'olga@example.com', template: { id: 1 },
    phones: [{ number: PHONES[0], maskedNumber: PHONES[0], type: 1 }],
  });

  const custom = await sim(t, { duplicateEmailCode: 2005 });
  await rest(custom, 'POST', '/contact/', { ...base, email: 'x@example.com' });
  t.like((await rest(custom, 'POST', '/contact/', { ...base, email: 'x@example.com' })).body, { code: 2005 });
  t.like((await rest(custom, 'POST', '/contact/', { ...base, email: 'default@planfix.sim' })).body, { code: 2005 }, 'employee e-mails count');
});

test('rest: contact update replaces phones as a whole and keeps omitted keys', async (t) => {
  const s = await sim(t);
  const c = s.addContact({ name: 'Olga', email: 'olga@example.com', phones: PHONES });
  t.deepEqual((await rest(s, 'POST', `/contact/contact:${c.number}`, { phones: [{ number: '+380671234567', type: 1 }] })).body, { result: 'success' });
  t.deepEqual(c.phones, [{ number: '+380671234567', type: 1 }]);
  t.like(c, { name: 'Olga', email: 'olga@example.com', phone: '+380671234567' });
  t.like(await rest(s, 'POST', `/contact/${c.number}`, { name: '' }), { status: 400, body: { code: 2006 } });
  t.like((await rest(s, 'POST', '/contact/1', { name: 'x' })).body, { code: 2000 });
  await rest(s, 'POST', `/contact/${c.number}`, { name: 'Olha', lastname: 'P.' });
  t.like(c, { name: 'Olha', lastName: 'P.', email: 'olga@example.com' });
  c.phone = '+380 67 000 00 00';
  t.deepEqual(c.phones, [{ number: '+380 67 000 00 00', type: 1 }], '`phone` writes through to phones[0]');
});

test("rest: contact/list phone filter 4003 — 'stored' is a substring of the text as written", async (t) => {
  const s = await sim(t);
  const olga = s.addContact({ name: 'Olga', phones: PHONES });
  s.addContact({ name: 'Ivan', phones: ['+380671234568'] });
  const find = async (value: string, operator = 'equal') => {
    const r = await rest(s, 'POST', '/contact/list', { fields: 'id,name,phones', filters: [{ type: 4003, operator, value }] });
    t.is(r.body.result, 'success');
    return r.body.contacts.map((c: { name: string }) => c.name);
  };
  t.deepEqual(await find('+380 67 123 45 67'), ['Olga']);
  t.deepEqual(await find('67 123'), ['Olga']);
  t.deepEqual(await find('+380671234567'), [], 'E.164 does not find the spaced spelling');
  t.deepEqual(await find('380671234567'), []);
  t.deepEqual(await find('0501112233'), ['Olga'], 'any of the phones');
  t.deepEqual(await find('+38067123456'), ['Ivan'], 'contains, not equals');
  t.deepEqual(await find('+380 67 123 45 67', 'notequal'), ['Ivan']);
  const r = await rest(s, 'POST', '/contact/list', { fields: 'id,phones', filters: [{ type: 4003, operator: 'equal', value: '67 123' }] });
  t.deepEqual(r.body.contacts, [{ id: olga.number, phones: PHONES.map((n) => ({ number: n, maskedNumber: n, type: 1 })) }]);
});

test("rest: contact/list phone filter 4003 — 'digits' compares digits only", async (t) => {
  const s = await sim(t, { phoneFilter: 'digits' });
  s.addContact({ name: 'Olga', phones: PHONES });
  s.addContact({ name: 'Ivan', phones: ['+380671234568'] });
  const find = async (value: string) =>
    (await rest(s, 'POST', '/contact/list', { filters: [{ type: 4003, operator: 'equal', value }] })).body.contacts.map((c: { name: string }) => c.name);
  t.deepEqual(await find('+380671234567'), ['Olga']);
  t.deepEqual(await find('380671234567'), ['Olga']);
  t.deepEqual(await find('(067) 123-45-67'), ['Olga']);
  t.deepEqual(await find('38050 111 22 33'), [], 'the stored 0501112233 lacks the country code');
  t.deepEqual(await find('+'), [], 'no digits, no match');
});

test('rest: contact/list other filters, AND, paging, unsupported filters', async (t) => {
  const s = await sim(t);
  const a = s.addContact({ name: 'Olga', lastName: 'Petrenko', email: 'olga@example.com', phones: ['+380671234567'] });
  s.addContact({ name: 'Oleg', lastName: 'Petrenko', email: 'oleg@example.com' });
  for (let i = 0; i < 120; i++) s.addContact({ name: `Bulk ${i}` });
  const names = async (filters: unknown[], extra: Record<string, unknown> = {}) =>
    (await rest(s, 'POST', '/contact/list', { filters, ...extra })).body.contacts.map((c: { name: string }) => c.name);
  t.deepEqual(await names([{ type: 4026, operator: 'equal', value: 'OLGA@example.com' }]), ['Olga']);
  t.deepEqual(await names([{ type: 4005, operator: 'equal', value: 'example.com' }]), ['Olga', 'Oleg']);
  t.deepEqual(await names([{ type: 4001, operator: 'equal', value: 'petrenko' }, { type: 4014, operator: 'equal', value: 'Ole' }]), ['Oleg']);
  t.deepEqual(await names([{ type: 4231, operator: 'equal', value: a.number }]), ['Olga']);
  t.deepEqual(await names([{ type: 4016, operator: 'equal', value: 1 }], { pageSize: 500 }).then((x) => x.length), 100, 'pages are capped at 100');
  t.deepEqual(await names([], { offset: 120, pageSize: 10 }), ['Bulk 118', 'Bulk 119']);
  t.like(await rest(s, 'POST', '/contact/list', { filters: [{ type: 4999, operator: 'equal', value: 1 }] }), { status: 400, body: { code: 41 } });
  t.like(await rest(s, 'POST', '/contact/list', { filters: [{ type: 4003, operator: 'gt', value: '1' }] }), { status: 400, body: { code: 41 } });
  t.like(await rest(s, 'POST', '/contact/list', { filters: { type: 4003 } }), { status: 400, body: { code: 41 } });
  t.deepEqual((await rest(s, 'GET', '/contact/templates?fields=id,name')).body, { result: 'success', templates: [{ id: 1, name: 'Клиент' }] });
});

// ---------------------------------------------------------------- REST tasks and comments

test('rest: task create from a template with counterparty, description and custom fields', async (t) => {
  const s = await sim(t);
  const c = s.addContact({ name: 'Olga', phones: ['+380671234567'] });
  const body = {
    template: { id: 2 }, name: 'Call from +380671234567', description: 'Missed call<br>UTM: google',
    counterparty: { id: `contact:${c.number}` },
    customFieldData: [{ field: { id: 201 }, value: 'google' }, { field: { id: 999 }, value: 'dropped' }],
  };
  t.like(await rest(s, 'POST', '/task/', { ...body, name: undefined }), { status: 400, body: { code: 40 } });
  t.like(await rest(s, 'POST', '/task/', { ...body, template: { id: 9 } }), { status: 400, body: { code: 41 } });
  t.like(await rest(s, 'POST', '/task/', { ...body, counterparty: { id: 'contact:1' } }), { status: 400, body: { code: 2000 } });
  t.like(await rest(s, 'POST', '/task/', { ...body, status: { id: 0 } }), { status: 400, body: { code: 41 } });
  t.is(s.tasks.length, 0);

  const r = await rest(s, 'POST', '/task/', body);
  t.is(r.status, 201);
  const task = s.tasks[0]!;
  t.deepEqual(r.body, { result: 'success', id: task.number });
  t.like(task, { name: body.name, description: body.description, templateId: 2, source: 'rest', statusId: 1, active: true, chatId: '' });
  t.deepEqual(task.counterparty, { contactNumber: c.number });
  t.deepEqual(task.assigner, { employeeEmail: 'robot@planfix.sim' }, 'the token user by default');
  t.deepEqual(task.fields, { utm_source: 'google' });
  const got = await rest(s, 'GET', `/task/${task.number}?fields=id,description,template,counterparty,assigner,dateTime,201`);
  t.like(got.body.task, {
    description: body.description, template: { id: 2 },
    counterparty: { id: `contact:${c.number}`, name: 'Olga' }, assigner: { id: 'user:1', name: 'Robot' },
    customFieldData: [{ field: { id: 201, name: 'utm_source', type: 0 }, value: 'google' }],
  });
  t.regex(got.body.task.dateTime.datetime, /^\d{4}-\d\d-\d\dT/);

  const bare = await rest(s, 'POST', '/task/', { name: 'Internal', assignees: { users: [{ id: 'user:2' }] }, status: { id: 2 } });
  t.is(bare.status, 201);
  t.like(s.tasks[1]!, { counterparty: undefined, statusId: 2, assignees: { users: ['default@planfix.sim'], groups: [] } });
  t.false('counterparty' in (await rest(s, 'GET', `/task/${bare.body.id}?fields=counterparty`)).body.task);
  t.like(await rest(s, 'POST', '/task/', { name: 'x', assignees: { users: [{ id: 'user:99' }] } }), { status: 400, body: { code: 4000 } });

  await rest(s, 'POST', `/task/${task.number}`, { customFieldData: [{ field: { id: 202 }, value: 'cpc' }] });
  t.deepEqual(task.fields, { utm_source: 'google', utm_medium: 'cpc' }, 'an update writes only the fields it names');
});

test('rest: task/list by counterparty and active statuses; order switch; other filters', async (t) => {
  const s = await sim(t);
  const olga = s.addContact({ name: 'Olga', phones: ['+380671234567'] });
  const ivan = s.addContact({ name: 'Ivan' });
  const old = s.addTask({ contactNumber: olga.number, name: 'old', statusId: 2 });
  const done = s.addTask({ contactNumber: olga.number, name: 'done', statusId: 3 });
  const recent = s.addTask({ contactNumber: olga.number, name: 'recent', statusId: 1 });
  s.addTask({ contactNumber: ivan.number, name: 'other contact', statusId: 1 });
  const list = async (sim_: PlanfixSim, filters: unknown[], extra: Record<string, unknown> = {}) => {
    const r = await rest(sim_, 'POST', '/task/list', { fields: 'id,name,status,counterparty,dateTime', filters, ...extra });
    t.is(r.status, 200, JSON.stringify(r.body));
    return r.body.tasks.map((x: { name: string }) => x.name);
  };
  const active = [1, 2, 5];
  t.deepEqual(await list(s, [{ type: 7, operator: 'equal', value: olga.number }, { type: 10, operator: 'equal', value: active }]), ['old', 'recent']);
  t.deepEqual(await list(s, [{ type: 7, operator: 'equal', value: `contact:${olga.number}` }]), ['old', 'done', 'recent']);
  t.deepEqual(await list(s, [{ type: 10, operator: 'equal', value: 3 }]), ['done']);
  t.deepEqual(await list(s, [{ type: 10, operator: 'notequal', value: active }]), ['done']);
  t.deepEqual(await list(s, [{ type: 57, operator: 'equal', value: [old.number, recent.number] }]), ['old', 'recent']);
  t.deepEqual(await list(s, [{ type: 51, operator: 'equal', value: 2 }]), []);
  t.deepEqual(await list(s, [{ type: 8, operator: 'equal', value: 'CONTACT' }]), ['other contact']);
  t.deepEqual(await list(s, [{ type: 1, operator: 'equal', value: 'user:1' }]), ['old', 'done', 'recent', 'other contact']);
  t.deepEqual(await list(s, [], { filterId: ':all', pageSize: 2, offset: 1 }), ['done', 'recent']);
  t.like(await rest(s, 'POST', '/task/list', { filterId: '12345' }), { status: 400, body: { code: 41 } });
  t.like(await rest(s, 'POST', '/task/list', { filters: [{ type: 12, operator: 'equal', value: {} }] }), { status: 400, body: { code: 41 } });
  t.like(await rest(s, 'POST', '/task/list', { filters: [{ type: 10, operator: 'equal', value: 'x' }] }), { status: 400, body: { code: 41 } });
  s.setTaskStatus(done.number, 2);
  t.deepEqual(await list(s, [{ type: 7, operator: 'equal', value: olga.number }, { type: 10, operator: 'equal', value: active }]), ['old', 'done', 'recent']);

  const desc = await sim(t, { taskListOrder: 'desc' });
  const c = desc.addContact({ name: 'Olga' });
  desc.addTask({ contactNumber: c.number, name: 'first', createdAt: Date.now() - 60_000 });
  desc.addTask({ contactNumber: c.number, name: 'second' });
  t.deepEqual(await list(desc, [{ type: 7, operator: 'equal', value: c.number }]), ['second', 'first']);
  const r = await rest(desc, 'POST', '/task/list', { fields: 'id,dateTime' });
  t.true(Date.parse(r.body.tasks[0].dateTime.datetime) > Date.parse(r.body.tasks[1].dateTime.datetime));
});

test('rest: task comments by owner (employee, contact, robot by default); contact comments too', async (t) => {
  const s = await sim(t);
  const anna = s.addEmployee({ email: 'anna@company.example', name: 'Anna', lastName: 'Smirnova', ext: '101' });
  const c = s.addContact({ name: 'Olga' });
  const task = s.addTask({ contactNumber: c.number });
  const post = (body: unknown, n = task.number) => rest(s, 'POST', `/task/${n}/comments/`, body);
  const link = '<a href="https://app.ringostat.com/recordings/1.ogg">recording</a>';
  const r = await post({ description: `Incoming call, 1:35 ${link}`, owner: { id: `user:${anna.id}` }, recipients: { roles: ['assignee'] } });
  t.is(r.status, 201);
  t.deepEqual(r.body, { result: 'success', id: task.comments[0]!.id });
  t.like(task.comments[0]!, { text: `Incoming call, 1:35 ${link}`, author: { employeeEmail: 'anna@company.example' }, fromType: 'Planfix', recipients: { roles: ['assignee'] } });
  await post({ description: 'Missed call' });
  await post({ description: 'from the client', owner: { id: `contact:${c.number}` } });
  t.deepEqual(task.comments.map((x) => x.author), [
    { employeeEmail: 'anna@company.example' }, { employeeEmail: 'robot@planfix.sim' }, { contactNumber: c.number },
  ]);
  t.like(await post({}), { status: 400, body: { code: 40 } });
  t.like(await post({ description: 'x', owner: { id: 'user:99' } }), { status: 400, body: { code: 4000 } });
  t.like(await post({ description: 'x', owner: { id: 'anna' } }), { status: 400, body: { code: 41 } });
  t.like(await post({ description: 'x' }, 999999), { status: 404, body: { code: 1000 } });
  t.is(task.comments.length, 3);
  const listed = await rest(s, 'POST', `/task/${task.number}/comments/list`, { fields: 'id,owner,description' });
  t.deepEqual(listed.body.comments[0].owner, { id: `user:${anna.id}`, name: 'Anna Smirnova' });

  const cc = await rest(s, 'POST', `/contact/${c.number}/comments/`, { description: 'Missed call', owner: { id: `user:${anna.id}` } });
  t.is(cc.status, 201);
  t.like(s.contactComments[0]!, { id: cc.body.id, contactNumber: c.number, description: 'Missed call', author: { employeeEmail: 'anna@company.example' } });
  await rest(s, 'POST', `/contact/${c.number}/comments/`, { description: 'by robot' });
  t.deepEqual(s.contactComments[1]!.author, { employeeEmail: 'robot@planfix.sim' });
});

test('rest: user/list by e-mail, short number, name and phone', async (t) => {
  const s = await sim(t);
  s.addEmployee({ email: 'anna@company.example', name: 'Anna', lastName: 'Smirnova', ext: '101', phone: '+380 50 000 00 01' });
  s.addEmployee({ email: 'boris@company.example', name: 'Boris', ext: '102' });
  const users = async (filters: unknown[], fields = 'id,name,lastname,email,role') => {
    const r = await rest(s, 'POST', '/user/list', { fields, filters });
    t.is(r.status, 200);
    return r.body.users;
  };
  t.deepEqual(await users([{ type: 9004, operator: 'equal', value: '101' }]), [
    { id: 3, name: 'Anna', lastname: 'Smirnova', email: 'anna@company.example', role: 'User' },
  ]);
  t.deepEqual((await users([{ type: 9003, operator: 'equal', value: 'company.example' }], 'email')).map((u: { email: string }) => u.email), [
    'anna@company.example', 'boris@company.example',
  ]);
  t.deepEqual(await users([{ type: 9006, operator: 'equal', value: 'smirn' }], 'id'), [{ id: 3 }]);
  t.deepEqual(await users([{ type: 9002, operator: 'equal', value: '000 00 01' }], 'id'), [{ id: 3 }]);
  t.deepEqual(await users([{ type: 9004, operator: 'equal', value: '10' }]), [], 'short numbers match exactly');
  t.deepEqual(await users([], 'email,role'), [
    { id: 1, email: 'robot@planfix.sim', role: 'Robot' }, { id: 2, email: 'default@planfix.sim', role: 'User' },
    { id: 3, email: 'anna@company.example', role: 'User' }, { id: 4, email: 'boris@company.example', role: 'User' },
  ]);
  t.like(await rest(s, 'POST', '/user/list', { filters: [{ type: 9001, operator: 'equal', value: 1 }] }), { status: 400, body: { code: 41 } });
  t.throws(() => s.addEmployee({ email: 'c@company.example', name: 'C', ext: '101' }), { message: /101/ });
});

test('rest: every call is logged with a millisecond time; peakRestCalls counts the busiest second', async (t) => {
  const s = await sim(t);
  const start = Date.now();
  await rest(s, 'GET', '/ping');
  await rest(s, 'POST', '/contact/list', {});
  await rest(s, 'GET', '/ping', undefined, 'wrong');
  t.deepEqual(s.restCalls.map((c) => [c.method, c.path, c.status]), [
    ['GET', '/rest/ping', 200], ['POST', '/rest/contact/list', 200], ['GET', '/rest/ping', 401],
  ]);
  for (const c of s.restCalls) t.true(Number.isInteger(c.at) && c.at >= start && c.at <= Date.now());
  // The count itself on fixed times: three real calls need not land within a second on a busy machine.
  s.restCalls.splice(0, s.restCalls.length, ...[0, 999, 1000, 2500].map((ms) => ({ method: 'GET', path: '/rest/ping', body: null, status: 200, at: start + ms })));
  t.is(s.peakRestCalls(), 2, '0 and 999 ms are within one second');
  t.is(s.peakRestCalls(1), 1);
});

test('seed helpers: contacts with phones in any spelling, contactsWithPhone, tasks with status', (t) => {
  return (async () => {
    const s = await sim(t);
    const a = s.addContact({ name: 'Olga', phones: ['+380 67 123 45 67'] });
    const b = s.addContact({ name: 'Olga again', phones: ['067 123 45 67', { number: '+380441112233', type: 2 }] });
    s.addContact({ name: 'Other', phones: ['+380671234568'] });
    t.deepEqual(s.contactsWithPhone('380671234567').map((c) => c.number), [a.number, b.number]);
    t.deepEqual(s.contactsWithPhone('+7 905 123-45-67'), []);
    t.deepEqual(b.phones[1], { number: '+380441112233', type: 2 });
    t.like(a, { source: 'seed', phone: '+380 67 123 45 67', templateId: 1 });
    const task = s.addTask({ contactNumber: a.number, statusId: 3, fields: { utm_source: 'bing' } });
    t.like(task, { statusId: 3, active: false, name: 'Task for Olga', source: 'seed', fields: { utm_source: 'bing' } });
    s.setTaskStatus(task.number, 1);
    t.true(task.active);
    t.throws(() => s.addTask({ contactNumber: 1 }), { message: /no contact/ });
    t.throws(() => s.setTaskStatus(task.number, 42), { message: /unknown status/ });
  })();
});

// ---------------------------------------------------------------- Ringostat

async function ringostat(t: { teardown(fn: () => Promise<void>): void }, opts?: { projectId?: string; projectNumbers?: string[] }) {
  const r = await RingostatFake.start({ authKey: 'rs-key', ...opts });
  t.teardown(() => r.close());
  return r;
}

function outwardCall(r: RingostatFake, body: string | Record<string, unknown>, headers: Record<string, string> = { 'auth-key': 'rs-key' }) {
  const form = typeof body === 'string';
  return fetch(`${r.apiUrl}/callback/outward_call`, {
    method: 'POST',
    headers: { 'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json', ...headers },
    body: form ? body : JSON.stringify(body),
  }).then(async (res) => ({ status: res.status, text: await res.text() }));
}

test('ringostat: outward_call needs the Auth-key; a wrong project id is refused', async (t) => {
  const r = await ringostat(t, { projectId: '11111' });
  const body = 'extension=380441112233&destination=380671112233';
  t.deepEqual(await outwardCall(r, body, {}), { status: 401, text: '{"message":"Unauthorized"}' });
  t.is((await outwardCall(r, body, { 'auth-key': 'wrong' })).status, 401);
  t.is((await outwardCall(r, body, { 'auth-key': 'rs-key', 'x-project-id': '22222' })).status, 403);
  t.is(r.callbacks.length, 0);
  t.deepEqual(r.requests.map((q) => [q.authKey, q.status]), [[undefined, 401], ['wrong', 401], ['rs-key', 403]]);
  t.deepEqual(await outwardCall(r, body, { 'Auth-Key': 'rs-key', 'x-project-id': '11111' }), { status: 200, text: '' });
  t.like(r.callbacks[0]!, { via: 'outward_call', caller: '380441112233', callee: '380671112233', projectId: '11111' });
});

test('ringostat: outward_call takes only a project number as the extension, never an employee\'s', async (t) => {
  const r = await ringostat(t, { projectNumbers: ['380441112233'] });
  for (const employee of ['101', 'sip_anna', '380671112233']) {
    const refused = await outwardCall(r, { extension: employee, destination: '380671112234' });
    t.is(refused.status, 400, employee);
    t.regex(refused.text, /project number/);
  }
  t.is(r.callbacks.length, 0);
});

test('ringostat: form and JSON bodies, missing fields, failNext, unknown paths', async (t) => {
  const r = await ringostat(t, { projectNumbers: ['380441112233', '380441112244'] });
  t.is((await outwardCall(r, 'extension=380441112233&destination=380671112233')).status, 200);
  t.is((await outwardCall(r, { extension: 380441112244, destination: 'sip_anna' })).status, 200);
  t.deepEqual(r.callbacks.map((c) => [c.caller, c.callee]), [['380441112233', '380671112233'], ['380441112244', 'sip_anna']]);
  t.like(r.requests[0]!, { path: '/callback/outward_call', contentType: 'application/x-www-form-urlencoded', body: { extension: '380441112233', destination: '380671112233' } });
  t.deepEqual(await outwardCall(r, 'extension=380441112233'), { status: 400, text: '{"message":"destination is required"}' });
  t.is((await outwardCall(r, { destination: '1' })).status, 400);

  r.failNext(2, 503);
  const statuses = [];
  for (let i = 0; i < 3; i++) statuses.push((await outwardCall(r, 'extension=380441112233&destination=380671112233')).status);
  t.deepEqual(statuses, [503, 503, 200]);
  t.is(r.callbacks.length, 3);
  const other = await fetch(`${r.apiUrl}/callback/outbound_call`, { method: 'POST', headers: { 'auth-key': 'rs-key' } });
  t.is(other.status, 404, 'the legacy method name is not served');
});

function external(r: RingostatFake, body: unknown, headers: Record<string, string> = { 'auth-key': 'rs-key' }) {
  return fetch(`${r.apiUrl}/a/v2`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) })
    .then(async (res) => ({ status: res.status, body: await res.json().catch(() => undefined) as unknown }));
}

test('ringostat: /a/v2 Callback.external rings caller then callee; bad input is a JSON-RPC error in an HTTP 200', async (t) => {
  const r = await ringostat(t, { projectId: '11111' });
  const rpc = (params: Record<string, unknown>, method = EXTERNAL_CALLBACK) => ({ jsonrpc: '2.0', id: 7, method, params });
  const ok = await external(r, rpc({ projectId: '11111', caller: 'sip_anna', callee: '380632223344', manager_dst: 1 }));
  t.deepEqual(ok, { status: 200, body: { jsonrpc: '2.0', id: 7, result: true } });
  t.like(r.callbacks[0]!, { via: 'external', caller: 'sip_anna', callee: '380632223344', projectId: '11111', params: { manager_dst: 1 } });
  // The method name carries literal backslashes.
  t.true(JSON.stringify(rpc({})).includes('"Api\\\\V2\\\\Callback.external"'));

  const errors: [unknown, number][] = [
    [rpc({ projectId: '11111', callee: '380632223344' }), -32602],
    [rpc({ projectId: '11111', caller: '380671112233' }), -32602],
    [rpc({ caller: '380671112233', callee: '380632223344' }), -32602],
    [rpc({ projectId: '22222', caller: '380671112233', callee: '380632223344' }), -32602],
    [rpc({ projectId: '11111', caller: '380671112233', callee: '380632223344' }, 'Api\\V2\\Callback.simple'), -32601],
    [{ id: 1, method: EXTERNAL_CALLBACK }, -32600],
    ['not json', -32700],
  ];
  for (const [body, code] of errors) {
    const a = await external(r, body);
    t.is(a.status, 200, JSON.stringify(body));
    t.like(a.body, { jsonrpc: '2.0', error: { code } }, JSON.stringify(body));
  }
  t.is(r.callbacks.length, 1);
  t.is((await external(r, rpc({ projectId: '11111', caller: 'a', callee: 'b' }), { 'auth-key': 'wrong' })).status, 401);
});
