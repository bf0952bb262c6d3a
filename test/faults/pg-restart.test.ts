// PostgreSQL restarted under load: two relays on one database of a server the test starts itself,
// a mixed load through a round-robin proxy, the server stopped (as an operator's restart or a
// failover of a managed database does) and started again. While it is away, no webhook is
// answered 2xx (a provider would count it delivered), /healthz says why, and once it is back both
// relays carry on by themselves: nothing acknowledged lost, order kept.
import test from 'ava';
import { startCluster } from '../helpers/pg-cluster.ts';
import { sqlRows } from '../helpers/postgres.ts';
import { finish, record } from './helpers/results.ts';
import { sleep } from './helpers/http.ts';
import { Load, MIXED } from './helpers/load.ts';
import { startPair } from './helpers/pair.ts';
import { loadTarget } from './helpers/world.ts';
import { debug, scale, TIMEOUT } from './helpers/scale.ts';
import { drained } from './helpers/tally.ts';

test.after.always(() => finish(import.meta.url));

test('PostgreSQL restarted under load: webhooks 503 while it is away, /healthz says why, delivery resumes by itself', async (t) => {
  t.timeout(TIMEOUT);
  const restarts = scale(2, 5);
  const awayMs = scale(3_000, 15_000);
  // A server of the test's own: the one other tests share is not to be stopped.
  const cluster = await startCluster();
  t.teardown(() => cluster.stop());
  await sqlRows(cluster.url, 'CREATE DATABASE relay');
  const w = await startPair(t, { url: cluster.url.replace(/\/postgres$/, '/relay') });
  w.pf.setDelay(30);
  const load = new Load(loadTarget({ ...w, relay: w.front }),
    MIXED, 'pgrestart').start();
  t.teardown(() => load.stop(0));
  const away: { status: number; reasons: string[] }[] = [];
  let ackedWhileAway = 0;
  for (let r = 0; r < restarts; r++) {
    await sleep(1_500 + Math.random() * 1_500);
    await cluster.down();
    const downAt = Date.now();
    const before = load.acked().length;
    // Asked while it is away: each relay's own answer, not the proxy's choice.
    await sleep(awayMs / 2);
    for (const relay of [w.relay, w.second]) {
      // On a loaded machine an answer may take longer than the probe waits: asked again then.
      let h: Awaited<ReturnType<typeof relay.health>> | undefined;
      for (let i = 0; i < 3 && !h; i++) h = await relay.health().catch(() => undefined);
      away.push({ status: h?.status ?? 0, reasons: (h?.body as { problems?: string[] } | undefined)?.problems ?? [] });
    }
    await sleep(Math.max(0, awayMs - (Date.now() - downAt)));
    // Webhooks answered 2xx while the server was away: any would be a promise the relay could not keep.
    ackedWhileAway += load.items.filter((i) => i.ackedAt !== undefined && i.ackedAt > downAt + 200 && i.ackedAt < Date.now()).length;
    await cluster.up();
    debug('restart', r, 'acked before', before, 'after', load.acked().length);
  }
  await sleep(2_000);
  await load.stop();
  const result = await drained(w.front, [w.pf], load.items, 90_000);
  const healthAfter = await w.front.health();

  const row = {
    scenario: 'PostgreSQL restarted under load (2 relays)',
    load: `chatra 4, viber 4, verbox 2 conversations + 1 caller through a round-robin proxy; ${load.acked().length} acked`,
    faults: `${restarts} × server stopped for ${awayMs / 1000} s, then started`,
    inputs: load.requests,
    lost: result.lost.length,
    duplicated: result.duplicated,
    fiveXX: load.fiveXX,
    notes: `/healthz while away: ${away.map((a) => a.status).join(', ')}; 2xx answered while away: ${ackedWhileAway}; out of order: ${result.outOfOrder.length}`,
  };
  record(import.meta.url, row);
  t.log(row);
  t.deepEqual(load.refused, [], 'the load sends only valid requests');
  t.true(load.fiveXX > 0, 'webhooks were refused while the server was away');
  t.is(ackedWhileAway, 0, 'no webhook answered 2xx while the server was away');
  for (const a of away) {
    t.is(a.status, 503, '/healthz answers 503 while the database is away');
    t.true(a.reasons.some((x) => /^PostgreSQL unavailable/.test(x)), `/healthz says why: ${a.reasons.join('; ')}`);
  }
  t.deepEqual(result.lost, [], 'every acknowledged event reached Planfix');
  // When the server goes, each conversation or call (11 here) has at most one Planfix operation
  // carried out whose step cannot be recorded: it is done again once the server is back.
  t.true(result.duplicated <= restarts * 11, `duplicates ${result.duplicated} ≤ operations that can be in flight at the stops (${restarts * 11})`);
  t.deepEqual(result.outOfOrder, [], 'order kept per conversation');
  t.is(healthAfter.status, 200, '/healthz is 200 again by itself');
});
