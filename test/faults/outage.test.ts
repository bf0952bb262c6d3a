// Planfix outage: the simulator answers 503 for a while, then refuses connections, then comes
// back. Webhooks keep being acknowledged fast meanwhile; afterwards the backlog drains, nothing
// acknowledged is lost, and each conversation reaches Planfix in its order.
import test from 'ava';
import { finish, record } from './helpers/results.ts';
import { percentile, request, sleep, waitUntil } from './helpers/http.ts';
import { Load, MIXED } from './helpers/load.ts';
import { debug, latencyBound, scale, TIMEOUT } from './helpers/scale.ts';
import { drained } from './helpers/tally.ts';
import { loadTarget, startWorld } from './helpers/world.ts';

test.after.always(() => finish(import.meta.url));

test('outage: 503, then refused connections, then recovery: lost 0, order kept, acks stay fast', async (t) => {
  t.timeout(TIMEOUT);
  const phaseMs = scale(4000, 20_000);
  const w = await startWorld(t);
  const load = new Load(loadTarget(w),
    { ...MIXED, intervalMs: 300 }, 'outage').start();
  t.teardown(() => load.stop(0));
  const loadStart = Date.now();

  // Backlog and age as /healthz shows them, sampled through the outage.
  let maxBacklog = 0;
  let maxAgeMs = 0;
  let healthFailures = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const h = await w.relay.health().catch(() => undefined);
      if (!h || h.status !== 200) healthFailures++;
      if (h) {
        maxBacklog = Math.max(maxBacklog, h.body.backlog);
        maxAgeMs = Math.max(maxAgeMs, h.body.oldestPendingAgeMs);
      }
      await sleep(200);
    }
  })();

  await sleep(scale(1500, 5000));
  const outageStart = Date.now();
  await w.pf.setMode('error503');
  debug('503 on');
  await sleep(phaseMs);
  // A request Planfix was holding when it went away may have landed without its answer reaching the relay.
  const inFlightAtDown = w.pf.openRequests;
  await w.pf.setMode('down');
  debug('down, in flight', inFlightAtDown);
  await sleep(phaseMs);
  const outageEnd = Date.now();
  await w.pf.setMode('up');
  debug('up');
  await sleep(scale(1500, 5000));
  const heldS = Math.round((Date.now() - loadStart) / 1000);
  await load.stop();
  const result = await drained(w.relay, [w.pf], load.items, 60_000);
  sampling = false;
  await sampler;

  const ackMs = (from: number, to: number) => load.items
    .filter((i) => i.ackedAt !== undefined && i.ackedAt >= from && i.ackedAt <= to && i.attempts === 1)
    .map((i) => i.ackedAt! - i.firstSentAt);
  const before = ackMs(0, outageStart);
  const inOutage = ackMs(outageStart, outageEnd);
  const refused503 = w.pf.commands.filter((c) => c.status === 503).length + w.pf.telephonyCommands.filter((c) => c.status === 503).length;
  const row = {
    scenario: 'Planfix outage (503, then refused)',
    load: `chatra 4, viber 4, verbox 2 + 1 caller, ${load.acked().length} acked over ${heldS} s`,
    faults: `503 for ${phaseMs / 1000} s (${refused503} answered 503), then connections refused for ${phaseMs / 1000} s`,
    inputs: load.requests,
    lost: result.lost.length,
    duplicated: result.duplicated,
    fiveXX: load.fiveXX,
    notes: `ack p95 ${percentile(before, 95)} ms before, ${percentile(inOutage, 95)} ms during (max ${Math.max(0, ...inOutage)}); backlog peak ${maxBacklog}, oldest ${Math.round(maxAgeMs / 1000)} s; out of order ${result.outOfOrder.length}`,
  };
  record(import.meta.url, row);
  t.log(row);
  t.deepEqual(load.refused, []);
  t.is(load.fiveXX, 0, 'webhooks are acknowledged while Planfix is away');
  t.true(refused503 > 0 && maxBacklog > 0, 'the outage was real: Planfix refused work and a backlog built up');
  t.true(inOutage.length > 10, `webhooks kept coming during the outage (${inOutage.length})`);
  // Generous: the acknowledgement never waits for Planfix, so it is nowhere near a Planfix timeout.
  latencyBound(t, percentile(inOutage, 95) < 1500, `ack p95 during the outage ${percentile(inOutage, 95)} ms < 1500 ms`);
  t.is(healthFailures, 0, 'the relay itself stays healthy through a Planfix outage');
  t.deepEqual(result.lost, [], 'nothing acknowledged is lost');
  t.true(result.duplicated <= inFlightAtDown, `duplicates ${result.duplicated} ≤ requests Planfix held when it went down (${inFlightAtDown})`);
  t.deepEqual(result.outOfOrder, [], 'per-conversation order kept');
});

// Found by the fuzz (a Chatra `createdAt` in 1970): the journal entry took the provider's own time
// as its age, so an event stamped long ago — a resend, an old message, a skewed clock — was given
// up on at its first failed attempt and went straight to the dead letters. Now the age counts from
// when the relay got it (relay/http/hooks.ts).
test('outage: events the provider stamped long ago are retried like any other, not given up at once', async (t) => {
  t.timeout(TIMEOUT);
  const w = await startWorld(t, { kinds: ['chatra', 'verbox'], rest: false, env: { RELAY_GIVE_UP_AFTER_MS: '60000' } });
  await w.pf.setMode('error503');
  const old = Date.now() - 3 * 3_600_000;
  const ids = ['old-1', 'old-2'];
  const chatra = await request(`${w.relay.url}${w.account.channels.chatra!.path}`, {
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ eventName: 'chatFragment', client: { id: 'old-visitor' }, messages: [{ id: ids[0], type: 'client', message: `resent ${ids[0]}`, createdAt: old }] }),
  });
  const verbox = await request(`${w.relay.url}${w.account.channels.verbox!.path}`, {
    headers: { 'content-type': 'application/json', 'x-relay-token': w.secrets.configured.verboxToken1! },
    body: JSON.stringify({ event: 'message', messageId: ids[1], clientId: 'old-client', text: `resent ${ids[1]}`, date: new Date(old).toISOString() }),
  });
  t.deepEqual([chatra.status, verbox.status], [200, 200]);
  await waitUntil(() => w.pf.commands.filter((c) => c.status === 503).length >= 2, 10_000, 'Planfix refused the first attempts');
  // Long enough for several retries (backoff 50–400 ms here).
  await sleep(1500);
  await w.pf.setMode('up');
  await waitUntil(() => ids.every((id) => w.pf.commands.some((c) => c.status === 200 && String(c.params.message).includes(`resent ${id}`))), 15_000, 'delivered after the outage')
    .catch(() => undefined);
  const dead = (await w.relay.api('GET', `/api/accounts/${w.account.id}/dead-letters`)).body as { reason: string }[];
  t.deepEqual(dead.map((d) => d.reason), []);
  for (const id of ids) t.true(w.pf.commands.some((c) => c.status === 200 && String(c.params.message).includes(`resent ${id}`)), `${id} delivered`);
});
