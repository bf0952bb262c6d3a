// Per-channel admission limits over loopback: the relay process, the Planfix simulator and hand-made
// webhooks. Small limits are set through the admin API; a refused webhook gets 429 or 503 with
// Retry-After, and nothing of it reaches the journal.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { chatraWebhook } from './sim/chatra.ts';
import { chatraSetup } from './helpers/chatra-setup.ts';
import { PlanfixSim } from './sim/planfix.ts';
import { RelayProcess } from './helpers/relay-process.ts';
import { journalText } from './helpers/journal.ts';

const HOUR = 3_600_000;

/** The new-customer caps count per clock hour: a test must not straddle the hour's end. */
async function clearOfHourEnd(): Promise<void> {
  const left = HOUR - (Date.now() % HOUR);
  if (left < 30_000) await new Promise((r) => setTimeout(r, left + 100));
}

const client = (id: string) => ({ id, name: `Visitor ${id}`, email: `${id.toLowerCase()}@example.com`, phone: undefined });

async function post(relay: RelayProcess, shownUrl: string, body: unknown) {
  const u = new URL(shownUrl);
  const res = await fetch(`${relay.url}${u.pathname}${u.search}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: await res.json() as { error?: string; reason?: string; retryAfter?: number; accepted?: number } };
}

const journal = (relay: RelayProcess) => journalText(relay.dataDir);

async function refusals(relay: RelayProcess, kind: string, reason: string): Promise<number> {
  const text = await (await fetch(`${relay.url}/metrics`)).text();
  const m = new RegExp(`^relay_admission_refused_total\\{kind="${kind}",reason="${reason}"\\} (\\d+)$`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

async function setLimits(t: ExecutionContext, relay: RelayProcess, accountId: string, channelId: string, limits: Record<string, number>) {
  const r = await relay.api('PATCH', `/api/accounts/${accountId}/channels/${channelId}`, { limits });
  t.is(r.status, 200, JSON.stringify(r.body));
  t.like(r.body.limits, limits);
}

test('over the channel\'s rate: 429 with Retry-After, nothing journaled, counted in /metrics and on the channel', async (t) => {
  const { relay, account, channel } = await chatraSetup(t);
  await setLimits(t, relay, account.id, channel.id, { ratePerSecond: 0.01, burst: 2 });
  const msg = (id: string) => chatraWebhook('chatFragment', { client: client('rate1'), messages: [{ id, message: `text ${id}` }] });
  t.is((await post(relay, channel.webhookUrl, msg('rate-m1'))).status, 200);
  t.is((await post(relay, channel.webhookUrl, msg('rate-m2'))).status, 200);
  const refused = await post(relay, channel.webhookUrl, msg('rate-m3'));
  t.is(refused.status, 429);
  t.is(refused.body.reason, 'rate');
  t.true(Number(refused.retryAfter) >= 1, `Retry-After ${refused.retryAfter}`);
  t.is(refused.body.retryAfter, Number(refused.retryAfter));
  t.regex(refused.body.error!, /webhooks per second/);
  const j = await journal(relay);
  t.true(j.includes('rate-m2'));
  t.false(j.includes('rate-m3'), 'the refused webhook is not journaled');
  t.is(await refusals(relay, 'chatra', 'rate'), 1);
  // A flood is logged once a minute per channel, not once per request.
  for (let i = 4; i < 10; i++) t.is((await post(relay, channel.webhookUrl, msg(`rate-m${i}`))).status, 429);
  t.is(await refusals(relay, 'chatra', 'rate'), 7);
  const limitLines = (out: string) => out.split('\n').filter((l) => l.includes('admission limits')).length;
  await relay.waitForOutput((out) => limitLines(out) >= 1);
  t.is(limitLines(relay.output), 1, 'one log line for seven refusals');
  const view = await relay.api('GET', `/api/accounts/${account.id}/channels/${channel.id}`);
  t.like(view.body.admission, { biting: true, refused: { rate: 7, new_conversations: 0, backlog: 0 } });
  t.is(view.body.admission.limits.newConversationsPerHour, 500, 'unset limits show their defaults');
});

test('over the new-conversation cap: new customers get 429, existing conversations keep flowing, also after a restart', async (t) => {
  await clearOfHourEnd();
  const { pf, relay, account, channel } = await chatraSetup(t);
  await setLimits(t, relay, account.id, channel.id, { newConversationsPerHour: 2 });
  const first = (c: string) => chatraWebhook('chatStarted', { client: client(c), messages: [{ id: `${c}-1`, message: `hello from ${c}` }] });
  const next = (c: string, n: number) => chatraWebhook('chatFragment', { client: client(c), messages: [{ id: `${c}-${n}`, message: `more from ${c} ${n}` }] });
  t.is((await post(relay, channel.webhookUrl, first('ConvA'))).status, 200);
  t.is((await post(relay, channel.webhookUrl, first('ConvB'))).status, 200);
  const refused = await post(relay, channel.webhookUrl, first('ConvC'));
  t.is(refused.status, 429);
  t.is(refused.body.reason, 'new_conversations');
  const retry = Number(refused.retryAfter);
  t.true(retry >= 1 && retry <= 3600, `Retry-After ${refused.retryAfter} is at most the rest of the hour`);
  // The conversations already admitted go on while the cap bites.
  t.is((await post(relay, channel.webhookUrl, next('ConvA', 2))).status, 200);
  t.is((await post(relay, channel.webhookUrl, next('ConvB', 2))).status, 200);
  t.false((await journal(relay)).includes('ConvC'), 'nothing of the refused customer is journaled');
  t.is(await refusals(relay, 'chatra', 'new_conversations'), 1);
  await pf.waitFor(() => pf.tasks.length === 2 && pf.tasks.every((x) => x.comments.length >= 2));
  t.is(pf.tasks.length, 2, 'two tasks: the refused customer opened none');

  // After a restart the hour's count starts again, and customers the state knows are not new.
  await relay.kill();
  await relay.restart();
  t.is((await post(relay, channel.webhookUrl, first('ConvD'))).status, 200);
  t.is((await post(relay, channel.webhookUrl, first('ConvE'))).status, 200);
  t.is((await post(relay, channel.webhookUrl, next('ConvA', 3))).status, 200, 'a conversation from before the restart is not new');
  t.is((await post(relay, channel.webhookUrl, first('ConvF'))).status, 429);
});

test('over the new-caller cap of a Ringostat channel: a new number gets 429, known numbers keep calling', async (t) => {
  await clearOfHourEnd();
  const pf = await PlanfixSim.start();
  t.teardown(() => pf.close());
  const relay = await RelayProcess.start();
  t.teardown(() => relay.stop());
  const account = (await relay.api('POST', '/api/accounts', {
    name: 'Acme', defaultCountry: 'UA', planfix: { url: pf.origin, chatToken: 'pf-chat-token', telephonyToken: 'pf-tel-token' },
  })).body;
  const channel = (await relay.api('POST', `/api/accounts/${account.id}/channels`, {
    kind: 'ringostat', name: 'Calls', settings: { authKey: 'rs-key-0123456789' }, options: {}, limits: { newContactsPerHour: 1 },
  })).body;
  t.is(channel.limits.newContactsPerHour, 1);
  const hook = (moment: string, id: string, caller: string) => post(relay, `${channel.webhookUrl}?event=${moment}`,
    { uniqueid: id, calldate: '2024-11-14T10:15:02+0200', call_type: 'in', caller, dst: '380443334455' });
  t.is((await hook('call_start', 'call-1', '380671234567')).status, 200);
  t.is((await hook('call_end', 'call-1', '380671234567')).status, 200, 'the next moments of an admitted call');
  const refused = await hook('call_start', 'call-2', '380679999999');
  t.is(refused.status, 429);
  t.is(refused.body.reason, 'new_contacts');
  t.truthy(refused.retryAfter);
  t.is((await hook('call_start', 'call-3', '+380 67 123 45 67')).status, 200, 'a known number, spelled otherwise');
  t.false((await journal(relay)).includes('call-2'));
  t.is(await refusals(relay, 'ringostat', 'new_contacts'), 1);
});

test('over the account\'s backlog: 503 with Retry-After while Planfix is away, nothing journaled', async (t) => {
  const { pf, relay, account, channel } = await chatraSetup(t);
  await setLimits(t, relay, account.id, channel.id, { accountBacklog: 2 });
  await pf.setMode('down');
  const msg = (id: string) => chatraWebhook('chatFragment', { client: client('backlog1'), messages: [{ id, message: `text ${id}` }] });
  t.is((await post(relay, channel.webhookUrl, msg('bl-m1'))).status, 200);
  t.is((await post(relay, channel.webhookUrl, msg('bl-m2'))).status, 200);
  const refused = await post(relay, channel.webhookUrl, msg('bl-m3'));
  t.is(refused.status, 503);
  t.is(refused.body.reason, 'backlog');
  t.is(refused.retryAfter, '60');
  t.false((await journal(relay)).includes('bl-m3'));
  t.is(await refusals(relay, 'chatra', 'backlog'), 1);
  // Planfix back: the backlog drains and the channel takes webhooks again.
  await pf.setMode('up');
  await pf.waitFor(async () => ((await (await fetch(`${relay.url}/healthz`)).json()) as { backlog: number }).backlog === 0, 30_000);
  t.is((await post(relay, channel.webhookUrl, msg('bl-m3'))).status, 200);
});

test('the admin API validates limits, names the field, and publishes their schema', async (t) => {
  const { relay, account, channel } = await chatraSetup(t);
  const patch = (limits: unknown) => relay.api('PATCH', `/api/accounts/${account.id}/channels/${channel.id}`, { limits });
  const bad: [unknown, RegExp][] = [
    [{ ratePerSecond: -1 }, /^limits\.ratePerSecond: /],
    [{ burst: 1.5 }, /^limits\.burst: /],
    [{ newConversationsPerHour: '10' }, /^limits\.newConversationsPerHour: /],
    [{ accountBacklog: 0 }, /^limits\.accountBacklog: /],
    [{ perDay: 10 }, /^limits\.perDay: unknown field/],
    [[1], /^limits: /],
  ];
  for (const [limits, reason] of bad) {
    const r = await patch(limits);
    t.is(r.status, 400, JSON.stringify(limits));
    t.regex(r.body.error, reason);
  }
  t.deepEqual((await relay.api('GET', `/api/accounts/${account.id}/channels/${channel.id}`)).body.limits, {}, 'nothing stored from a refused change');
  const created = await relay.api('POST', `/api/accounts/${account.id}/channels`, { kind: 'verbox', name: 'x', settings: { token: 'verbox-token-0123456789' }, limits: { burst: 0 } });
  t.is(created.status, 400);
  t.regex(created.body.error, /^limits\.burst: /);
  t.is((await patch({ burst: 50 })).body.limits.burst, 50);
  t.deepEqual((await patch({})).body.limits, {}, 'an empty set restores the defaults');
  const kinds = (await relay.api('GET', '/api/kinds')).body as { kind: string; limits: { properties: Record<string, unknown> } }[];
  t.deepEqual(Object.keys(kinds.find((k) => k.kind === 'chatra')!.limits.properties).sort(),
    ['accountBacklog', 'burst', 'newContactsPerHour', 'newConversationsPerHour', 'ratePerSecond']);
});
