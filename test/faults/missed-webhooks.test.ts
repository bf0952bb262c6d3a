// Missed webhooks: the relay is down (SIGKILL) while 50 calls happen. Ringostat tries each call's
// "after the call" webhook and gets no answer; the calls are in its call log (the fake's). The
// relay starts again → reconciliation reads the log, and every call is in Planfix within one
// period, each once; the calls whose webhooks came before the outage are not delivered again, and
// Ringostat's manual resends of the missed webhooks afterwards add nothing.
import test from 'ava';
import { finish, record } from './helpers/results.ts';
import { request, sleep, waitUntil, type Answer } from './helpers/http.ts';
import { newPhone, type Item } from './helpers/load.ts';
import { debug, latencyBound, scale, TIMEOUT } from './helpers/scale.ts';
import { arrivals, drained, tally } from './helpers/tally.ts';
import { startWorld } from './helpers/world.ts';

test.after.always(() => finish(import.meta.url));

const CALLS = 50;
const BEFORE = 5;
const RESENT = 5;

test('missed webhooks: 50 calls while the relay is down reach Planfix from the call log within one reconciliation period, each once', async (t) => {
  t.timeout(TIMEOUT);
  const periodMin = scale(0.05, 0.5);
  const periodMs = periodMin * 60_000;
  const downMs = scale(3000, 120_000);
  // No REST token: a call costs Telephony API requests only, not REST at 1 a second, so the figure
  // is reconciliation's, not Planfix's REST limit.
  const w = await startWorld(t, { kinds: ['ringostat'], rest: false, env: { RELAY_RECONCILE_MINUTES: String(periodMin) } });
  const ch = w.account.channels.ringostat!;
  const patched = await w.relay.api('PATCH', `/api/accounts/${w.account.id}/channels/${ch.id}`, { settings: { callLogTimeZone: w.rs.callLog.timeZone } });
  if (patched.status !== 200) throw new Error(JSON.stringify(patched.body));
  const recovery = async () => (await w.relay.api('GET', `/api/accounts/${w.account.id}/channels/${ch.id}`)).body.recovery as { last?: { to?: string; error?: string } };
  const hook = (row: Record<string, unknown>) => request(`${w.relay.url}${ch.path}?event=call_end`, { body: JSON.stringify(row), headers: { 'content-type': 'application/json' } });
  const items: Item[] = [];
  const answers: Answer[] = [];
  const happen = (id: string, n: number) => {
    const row = w.rs.logCall({ uniqueid: id, at: Date.now(), caller: newPhone().slice(1), disposition: n % 4 ? 'ANSWERED' : 'NO ANSWER', billsec: n % 4 ? 30 + n : 0 });
    const item: Item = { id: `${id}#COMPLETED`, kind: 'call', account: w.account.id, conv: id, seq: 0, firstSentAt: Date.now(), attempts: 0, ackedAt: Date.now() };
    items.push(item);
    return { row, item };
  };

  // Before the outage: calls whose webhooks came, in the log too.
  for (let n = 0; n < BEFORE; n++) {
    const { row, item } = happen(`hooked-${n}`, n);
    const a = await hook(row);
    answers.push(a);
    if (a.status !== 200) throw new Error(`webhook before the outage: ${a.status} ${a.text}`);
    item.attempts++;
  }
  const hooked = Date.now();
  // The log was read past them: the relay's mark is after them when it goes down.
  await waitUntil(async () => { const r = await recovery(); return r.last?.to && Date.parse(r.last.to) > hooked; }, periodMs * 3 + 10_000, 'a run past the webhooked calls');

  await w.relay.kill('SIGKILL');
  const downAt = Date.now();
  const refused: Answer[] = [];
  for (let n = 0; n < CALLS; n++) {
    const { row, item } = happen(`missed-${n}`, n);
    // Ringostat sends the webhook; nobody answers.
    const a = await hook(row);
    refused.push(a);
    item.attempts++;
    await sleep(downMs / CALLS);
  }
  const downFor = Date.now() - downAt;
  debug('calls during the outage', CALLS, 'down for', downFor);
  const upAt = Date.now();
  await w.relay.restart();

  const missed = items.filter((i) => i.conv.startsWith('missed-'));
  // Not drained(): between two runs the backlog is empty while calls still wait for the next run.
  const deadline = Date.now() + periodMs * 3 + 60_000;
  while (tally([w.pf], items).lost.length && Date.now() < deadline) await sleep(100);
  const result = await drained(w.relay, [w.pf], items, 30_000);
  const first = arrivals([w.pf]);
  const lastArrival = Math.max(...missed.map((i) => first.get(i.id) ?? Infinity));
  const allInMs = lastArrival - upAt;
  // Each run reads one page (the outage is shorter than the page): runs = call-log requests.
  const runsNeeded = w.rs.callLogRequests.filter((q) => q.at >= upAt && q.at <= lastArrival).length;

  // Ringostat's manual resend of some of the failed webhooks, after they were recovered.
  const resent: Answer[] = [];
  for (const i of missed.slice(0, RESENT)) resent.push(await hook(w.rs.callLog.rows.find((r) => r.uniqueid === i.conv)!));
  // One more run over everything, after all of it was delivered.
  const settled = Date.now();
  await waitUntil(async () => { const r = await recovery(); return r.last?.to && Date.parse(r.last.to) > settled; }, periodMs * 3 + 10_000, 'a run after the resends');
  const after = await drained(w.relay, [w.pf], items, 30_000);
  const metrics = await (await fetch(`${w.relay.url}/metrics`)).text();
  const recovered = Number(/relay_recovered_events_total\{kind="ringostat"\} (\d+)/.exec(metrics)?.[1] ?? 0);

  const row = {
    scenario: 'missed webhooks (relay down, calls only in Ringostat\'s log)',
    load: `${BEFORE} calls with webhooks, then ${CALLS} calls in ${Math.round(downFor / 1000)} s with the relay down; reconciliation every ${periodMs / 1000} s`,
    faults: `relay SIGKILLed for ${Math.round(downFor / 1000)} s: ${refused.filter((a) => a.status === 0).length} webhooks unanswered; ${RESENT} resent after recovery`,
    inputs: answers.length + refused.length + resent.length,
    lost: after.lost.length,
    duplicated: after.duplicated,
    fiveXX: [...answers, ...resent].filter((a) => a.status >= 500).length,
    notes: `all ${missed.length} in Planfix ${(allInMs / 1000).toFixed(1)} s after the restart, after ${runsNeeded} reconciliation runs (period ${periodMs / 1000} s); recovered ${recovered}; resends answered as duplicates: ${resent.filter((a) => /"duplicates":1/.test(a.text)).length}/${RESENT}`,
  };
  record(import.meta.url, row);
  t.log(row);
  t.deepEqual(result.lost, [], 'every call in Planfix');
  t.deepEqual(after.lost, []);
  t.is(after.duplicated, 0, `duplicated: ${after.duplicatedIds.slice(0, 5).join(', ')}`);
  t.is(recovered, CALLS, 'exactly the calls whose webhooks never came were recovered');
  t.true(refused.every((a) => a.status === 0), 'no webhook was answered while the relay was down');
  t.true(resent.every((a) => a.status === 200 && /"duplicates":1/.test(a.text)), 'a late webhook is a duplicate');
  t.is(row.fiveXX, 0);
  // The run at start reads up to a moment before it; the calls of that moment come with the next, one period later.
  latencyBound(t, runsNeeded <= 2, `every call in Planfix within one reconciliation period: ${runsNeeded} runs, ${allInMs} ms after the restart`);
});
