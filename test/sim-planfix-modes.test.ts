// The Planfix simulator's fault switches: down, 503 and a delay on every answer.
import test from 'ava';
import { msg, REST, rest, sim } from './helpers/planfix-sim.ts';

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

test('holdBefore holds the matching requests before Planfix acts on them; openRequests counts those not yet answered', async (t) => {
  const s = await sim(t);
  t.is(s.openRequests, 0);
  s.holdBefore(/^\/webchat\/api/, 1000);
  const held = msg(s, { message: 'held' });
  await s.waitFor(() => s.openRequests === 1);
  t.is(s.tasks.length, 0, 'read, not acted on yet');
  t.is((await rest(s, 'GET', '/ping')).status, 200, 'another path is not held');
  await s.waitFor(() => s.openRequests === 1); // the answered REST request is no longer open, the held one still is
  t.is((await held).status, 200);
  t.deepEqual(s.tasks[0]!.comments.map((c) => c.text), ['held']);
  await s.waitFor(() => s.openRequests === 0);
});
