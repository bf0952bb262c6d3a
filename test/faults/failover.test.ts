// Failover: two relays on one PostgreSQL behind a round-robin proxy, a mixed load on every channel,
// one of them killed at random moments and restarted. Nothing acknowledged may be lost; a
// duplicate is allowed only for a Planfix operation the killed relay had carried out without
// journaling it; each conversation keeps its order whichever relay delivered which message; and
// Planfix's REST limit holds for both relays together.
import test from 'ava';
import { finish, record } from './helpers/results.ts';
import { percentile, sleep } from './helpers/http.ts';
import { Load, MIXED } from './helpers/load.ts';
import { startPair } from './helpers/pair.ts';
import { loadTarget } from './helpers/world.ts';
import { scale, TIMEOUT } from './helpers/scale.ts';
import { killAtRandom } from './helpers/kills.ts';
import { drained, inFlightAtKill, survivedKills } from './helpers/tally.ts';

test.after.always(() => finish(import.meta.url));

test('failover: one of two relays SIGKILLed at random moments under mixed load loses nothing acknowledged', async (t) => {
  t.timeout(TIMEOUT);
  const kills = scale(10, 30);
  const w = await startPair(t);
  w.pf.setDelay(30);
  const load = new Load(loadTarget({ ...w, relay: w.front }),
    MIXED, 'failover').start();
  t.teardown(() => load.stop(0));
  const { inFlight, downs: downMs, heldMs } = await killAtRandom(kills, load, async () => {
    const victim = Math.random() < 0.5 ? w.relay : w.second;
    // Frozen first: its session (and so its claims) stays open while what it had carried out in
    // Planfix is read, so the other relay cannot take its events over and move them on meanwhile.
    process.kill(victim.proc.pid, 'SIGSTOP');
    await sleep(150);
    const inFlight = await inFlightAtKill(w.open, [w.pf]);
    await victim.kill('SIGKILL');
    const down = Date.now();
    await victim.restart();
    return { inFlight, downMs: Date.now() - down };
  });
  await load.stop();
  const result = await drained(w.front, [w.pf], load.items, 90_000);
  const peak = w.pf.peakRestCalls();

  const row = {
    scenario: 'failover (2 relays on PostgreSQL, SIGKILL + restart)',
    load: `chatra 4, viber 4, verbox 2 conversations + 1 caller through a round-robin proxy, ${Math.round(load.acked().length / (heldMs / 1000))} ev/s acked for ${Math.round(heldMs / 1000)} s`,
    faults: `${kills} × SIGKILL of either relay`,
    inputs: load.requests,
    lost: result.lost.length,
    duplicated: result.duplicated,
    fiveXX: load.fiveXX,
    notes: `${result.acked} acked; in flight at the kills: ${inFlight.length}; restart p50 ${percentile(downMs, 50)} ms; REST peak ${peak} per second (${w.pf.restCalls.length} requests)`,
  };
  record(import.meta.url, row);
  t.log(row);
  survivedKills(t, load, result, inFlight, kills);
  t.true(w.pf.restCalls.length > 0, 'the load used Planfix REST');
  t.is(peak, 1, 'never more than one REST request a second for the account, both relays together');
});
