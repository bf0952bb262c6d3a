// Operations faces over loopback: /metrics counters after real deliveries, /healthz on a
// read-only data directory, the activity list, and the test-connection answers.
import { execFileSync } from 'node:child_process';
import test from 'ava';
import { chatraSetup } from './helpers/chatra-setup.ts';
import { sharedRelays } from './helpers/relay-process.ts';
import { ViberFake } from './sim/viber.ts';
import { RingostatFake } from './sim/ringostat.ts';

// One relay for the activity and check tests, each in an account of its own on simulators of its
// own; the /metrics test (the relay's totals) and the read-only data directory test have one each.
const shared = sharedRelays((stop) => test.after.always(stop));

const client = { id: 'ops-client', name: 'Olga', email: 'olga@example.com' };
const chat = (id: string, text: string) => ({ eventName: 'chatFragment', client, messages: [{ id, type: 'client', message: text }] });

/** A counter's value from Prometheus text, 0 when the series is absent. */
function metric(text: string, name: string, labels: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(labels));
  return line ? Number(line.split(' ').pop()) : 0;
}

test('/metrics: received, journaled, delivered, Planfix requests and latency move after a delivered event', async (t) => {
  const { pf, relay, hook } = await chatraSetup(t);
  const before = await (await fetch(`${relay.url}/metrics`)).text();
  t.is(metric(before, 'relay_events_delivered_total', 'kind="chatra"'), 0);
  await hook(chat('m-1', 'Hello'));
  await hook(chat('m-1', 'Hello'));
  await pf.waitFor(() => pf.tasks[0]);
  const after = await pf.waitFor(async () => {
    const text = await (await fetch(`${relay.url}/metrics`)).text();
    return metric(text, 'relay_events_delivered_total', 'kind="chatra"') === 1 && text;
  });
  t.is(metric(after, 'relay_events_received_total', 'kind="chatra"'), 2);
  t.is(metric(after, 'relay_events_journaled_total', 'kind="chatra"'), 1, 'the duplicate was not journaled');
  t.true(metric(after, 'relay_planfix_requests_total', 'api="chat",outcome="ok"') >= 2, 'newMessage and getTask');
  t.is(metric(after, 'relay_delivery_latency_seconds_count', 'kind="chatra"'), 1);
  t.regex(after, /^relay_backlog 0$/m);
  t.false(after.includes('pf-chat-token'), 'no secret in metrics');
});

test('/healthz answers 503 while the data directory is read-only, and 200 again after', async (t) => {
  const { relay } = await chatraSetup(t);
  t.is((await fetch(`${relay.url}/healthz`)).status, 200);
  // A read-only bind mount over the data directory: root ignores file modes, not a read-only mount.
  execFileSync('mount', ['--bind', relay.dataDir, relay.dataDir]);
  let mounted = true;
  t.teardown(() => { if (mounted) execFileSync('umount', [relay.dataDir]); });
  execFileSync('mount', ['-o', 'remount,ro,bind', relay.dataDir]);
  const sick = await waitStatus(relay.url, 503);
  t.like(sick, { ok: false, journalWritable: false });
  execFileSync('umount', [relay.dataDir]);
  mounted = false;
  t.like(await waitStatus(relay.url, 200), { ok: true, journalWritable: true });
});

async function waitStatus(base: string, status: number): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const res = await fetch(`${base}/healthz`);
    if (res.status === status) return await res.json() as Record<string, unknown>;
    if (Date.now() > deadline) throw new Error(`/healthz stayed ${res.status}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

test('activity lists delivered and failed events with a short preview; test connection explains each part', async (t) => {
  const { pf, relay, account, hook } = await chatraSetup(t, { sim: { restScopes: ['contact_readonly', 'task_readonly', 'task_update', 'process_readonly'] }, shared });
  await hook(chat('a-1', 'A question about the blue kettle that goes on and on for a while'));
  await pf.waitFor(() => pf.tasks[0]);
  const activity = await pf.waitFor(async () => {
    const r = await relay.api('GET', `/api/accounts/${account.id}/activity`);
    return r.body.length && r.body;
  });
  t.like(activity[0], { kind: 'message', outcome: 'delivered', attempts: 1 });
  t.true(activity[0].preview.length <= 41, 'a preview, not the message');
  t.true(typeof activity[0].latencyMs === 'number');

  const check = (await relay.api('POST', `/api/accounts/${account.id}/check`)).body;
  t.like(check.chat, { ok: true });
  t.like(check.rest, { ok: false });
  t.regex(check.rest.message, /lacks: .*contact_add/);
  t.like(check.rest.details.scopes, { contact_readonly: 'works', contact_add: 'missing', task_add: 'missing', user_readonly: 'missing' });
  t.like(check.telephony, { ok: false });
  t.truthy(check.telephony.fix);

  await relay.api('PATCH', `/api/accounts/${account.id}`, { planfix: { chatToken: 'wrong-token' } });
  const bad = (await relay.api('POST', `/api/accounts/${account.id}/check?only=chat`)).body;
  t.deepEqual(Object.keys(bad), ['chat']);
  t.like(bad.chat, { ok: false, message: 'Planfix refused the chat token.' });
});

test('channel checks: Chatra keys, Viber token and webhook, Ringostat Auth-key', async (t) => {
  const { relay, account, channel } = await chatraSetup(t, { shared });
  t.like((await relay.api('POST', `/api/accounts/${account.id}/channels/${channel.id}/check`)).body, { ok: true, message: 'Chatra accepted the API keys.' });
  await relay.api('PATCH', `/api/accounts/${account.id}/channels/${channel.id}`, { settings: { secretKey: 'wrong' } });
  t.like((await relay.api('POST', `/api/accounts/${account.id}/channels/${channel.id}/check`)).body, { ok: false });

  const viber = await ViberFake.start();
  t.teardown(() => viber.close());
  const rs = await RingostatFake.start();
  t.teardown(() => rs.close());
  const vb = (await relay.api('POST', `/api/accounts/${account.id}/channels`, { kind: 'viber', name: 'Bot', settings: { authToken: viber.authToken, botName: 'acmebot', apiUrl: viber.apiUrl } })).body;
  const vCheck = (await relay.api('POST', `/api/accounts/${account.id}/channels/${vb.id}/check`)).body;
  t.like(vCheck, { ok: true });
  t.regex(vCheck.message, /Acme Support.*this relay/);
  await relay.api('PATCH', `/api/accounts/${account.id}/channels/${vb.id}`, { settings: { authToken: 'another-token' } });
  t.like((await relay.api('POST', `/api/accounts/${account.id}/channels/${vb.id}/check`)).body, { ok: false });

  const ro = (await relay.api('POST', `/api/accounts/${account.id}/channels`, { kind: 'ringostat', name: 'Calls', settings: { authKey: rs.authKey, apiUrl: rs.apiUrl } })).body;
  t.like((await relay.api('POST', `/api/accounts/${account.id}/channels/${ro.id}/check`)).body, { ok: true });
  await relay.api('PATCH', `/api/accounts/${account.id}/channels/${ro.id}`, { settings: { authKey: 'wrong-key' } });
  t.like((await relay.api('POST', `/api/accounts/${account.id}/channels/${ro.id}/check`)).body, { ok: false });
});
