// The Planfix simulator's Chat API (relay → Planfix) and its driver for what Planfix sends a relay
// (employee replies, first messages), over real HTTP on 127.0.0.1.
import test from 'ava';
import { postJson } from './sim/chatra.ts';
import { encodeForm } from './sim/form.ts';
import { postForm } from './sim/http.ts';
import { cmd, fakeRelay, msg, rest, sim, TOKEN } from './helpers/planfix-sim.ts';

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
