// The admin page's Planfix lists (GET /api/accounts/:id/planfix/choices) from the relay process,
// read from the Planfix simulator over loopback: templates, task fields and employees parsed,
// employees page by page; a token without a scope, no token and a refused token each answered
// 200 with why, for the page to fall back to typing; a bad request refused with its reason.
import test, { type ExecutionContext } from 'ava';
import { FAST_REST, sharedRelays } from './helpers/relay-process.ts';
import { PlanfixSim, type PlanfixSimOptions } from './sim/planfix.ts';
import { ALL_SCOPES } from './sim/rest-scopes.ts';

// One relay for the file: each test has a Planfix simulator and an account of its own on it.
const relayFor = sharedRelays((stop) => test.after.always(stop));

async function setup(t: ExecutionContext, opts: { sim?: PlanfixSimOptions; restToken?: string | null } = {}) {
  const pf = await PlanfixSim.start(opts.sim);
  t.teardown(() => pf.close());
  // The lists are the subject, not the REST pace: their pages and lists are read 100 ms apart.
  const relay = await relayFor(FAST_REST);
  const restToken = opts.restToken === undefined ? 'pf-rest-token' : opts.restToken;
  const created = await relay.api('POST', '/api/accounts', {
    name: 'Acme', planfix: { url: pf.origin, chatToken: 'pf-chat-token', ...(restToken ? { restToken } : {}) },
  });
  if (created.status !== 201) throw new Error(`account: ${JSON.stringify(created.body)}`);
  const id = created.body.id as string;
  const choices = (what: string) => relay.api('GET', `/api/accounts/${id}/planfix/choices?what=${what}`);
  return { pf, relay, id, choices };
}

test('each list comes from the account\'s Planfix: templates, task fields, employees with their e-mail', async (t) => {
  const { pf, choices } = await setup(t);
  pf.addEmployee({ email: 'ivan@acme.test', name: 'Ivan', lastName: 'Petrov' });
  pf.addEmployee({ email: 'olga@acme.test', name: 'Olga', lastName: 'Shevchenko' });

  const tasks = await choices('taskTemplates');
  t.is(tasks.status, 200);
  t.deepEqual(tasks.body, { items: [{ id: 1, name: 'Диалог с клиентом' }, { id: 2, name: 'Звонок клиента' }] });
  t.deepEqual((await choices('contactTemplates')).body, { items: [{ id: 1, name: 'Клиент' }] });
  const fields = (await choices('taskFields')).body;
  t.deepEqual(fields.items.map((f: { name: string }) => f.name), ['utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content']);
  t.true(fields.items.every((f: { id: number }) => Number.isInteger(f.id) && f.id > 0), 'task fields come with their ids');

  const users = (await choices('users')).body;
  t.is(users.truncated, undefined);
  const ivan = users.items.find((u: { email?: string }) => u.email === 'ivan@acme.test');
  t.deepEqual(ivan, { id: pf.employees.find((e) => e.email === 'ivan@acme.test')!.id, name: 'Ivan Petrov', email: 'ivan@acme.test', firstName: 'Ivan', lastName: 'Petrov' });
  t.deepEqual(users.items.map((u: { name: string }) => u.name), ['Default Employee', 'Ivan Petrov', 'Olga Shevchenko', 'Robot'], 'sorted by name');
  // The fields the reference (§3.11) names for a user are what was asked for.
  const asked = pf.restCalls.find((c) => c.path.endsWith('/user/list'))!;
  t.like(asked.body, { offset: 0, pageSize: 100, fields: 'id,name,lastname,email' });
});

test('employees are read page by page to the last one', async (t) => {
  const { pf, choices } = await setup(t);
  for (let i = 0; i < 250; i++) pf.addEmployee({ email: `e${i}@acme.test`, name: `Employee${String(i).padStart(3, '0')}` });
  const users = (await choices('users')).body;
  t.is(users.items.length, 252, 'the robot, the default employee and 250 more');
  t.is(new Set(users.items.map((u: { id: number }) => u.id)).size, 252, 'each once');
  t.is(users.truncated, undefined);
  t.deepEqual(pf.restCalls.filter((c) => c.path.endsWith('/user/list')).map((c) => (c.body as { offset: number }).offset), [0, 100, 200]);
});

test('a token without a scope: that list answers why, with 200, and the others still come', async (t) => {
  const scopes = ALL_SCOPES.filter((s) => s !== 'user_readonly' && s !== 'contact_readonly');
  const { choices } = await setup(t, { sim: { restScopes: scopes } });
  const users = await choices('users');
  t.is(users.status, 200);
  t.deepEqual(users.body, { unavailable: { reason: 'scope', scope: 'user_readonly' } });
  t.deepEqual((await choices('contactTemplates')).body, { unavailable: { reason: 'scope', scope: 'contact_readonly' } });
  t.is((await choices('taskTemplates')).body.items.length, 2);
});

test('no REST token: every list answers so, and Planfix is not asked', async (t) => {
  const { pf, choices } = await setup(t, { restToken: null });
  for (const what of ['taskTemplates', 'contactTemplates', 'taskFields', 'users']) {
    const r = await choices(what);
    t.is(r.status, 200, what);
    t.deepEqual(r.body, { unavailable: { reason: 'no_rest_token' } }, what);
  }
  t.deepEqual(pf.restCalls, []);
});

test('a token Planfix refuses: Planfix\'s own words, never the token', async (t) => {
  const { choices, relay } = await setup(t, { restToken: 'a-wrong-rest-token-0123' });
  const r = await choices('users');
  t.is(r.status, 200);
  t.is(r.body.unavailable.reason, 'planfix_error');
  t.regex(r.body.unavailable.message, /Access denied, unknown token/);
  t.false(JSON.stringify(r.body).includes('a-wrong-rest-token'));
  t.false(relay.output.includes('a-wrong-rest-token'), 'nor in the log');
});

test('a list read a moment ago is answered again without asking Planfix', async (t) => {
  const { pf, choices } = await setup(t);
  const first = (await choices('taskTemplates')).body;
  const calls = pf.restCalls.length;
  t.deepEqual((await choices('taskTemplates')).body, first);
  t.is(pf.restCalls.length, calls);
  await choices('users');
  t.is(pf.restCalls.length, calls + 1, 'another list is read');
});

test('a bad request is refused with its reason; an unknown account is 404, no admin token 401', async (t) => {
  const { relay, id } = await setup(t);
  const bad = async (query: string) => relay.api('GET', `/api/accounts/${id}/planfix/choices${query}`);
  for (const q of ['?what=contacts', '', '?what=users&what=users', '?what=users&more=1', '?what=constructor']) {
    const r = await bad(q);
    t.is(r.status, 400, q);
    t.regex(r.body.error, /what|more/, q);
  }
  const unknown = await bad('?what=nothing');
  t.is(unknown.body.error, 'what: one of taskTemplates, contactTemplates, taskFields, users');
  t.like(unknown.body.field, { path: 'what' });
  t.is((await relay.api('GET', '/api/accounts/nope/planfix/choices?what=users')).status, 404);
  t.is((await relay.api('GET', `/api/accounts/${id}/planfix/choices?what=users`, undefined, 'wrong-admin-token')).status, 401);
});
