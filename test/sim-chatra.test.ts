// The Chatra fake (its REST API for agent messages) and the webhook builder, over real HTTP on 127.0.0.1.
import test from 'ava';
import { ChatraFake, chatraWebhook, postJson } from './sim/chatra.ts';
import type { Teardown } from './helpers/planfix-sim.ts';

async function chatra(t: Teardown) {
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
