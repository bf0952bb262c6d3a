// The Planfix simulator's REST API: auth, rate and quota, tasks, comments, contacts, users, the
// call log; and its seed helpers. Over real HTTP on 127.0.0.1.
import test from 'ava';
import type { PlanfixSim } from './sim/planfix.ts';
import { msg, REST, rest, sim } from './helpers/planfix-sim.ts';

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
