// Crash: SIGKILL at random moments under a steady mixed load, restart each time. Nothing the
// relay acknowledged may be lost; a duplicate is allowed only for a Planfix operation that was
// carried out but not yet journaled when the process died (the Chat API has no idempotency key).
import test from 'ava';
import { finish, record } from './helpers/results.ts';
import { percentile } from './helpers/http.ts';
import { Load, MIXED } from './helpers/load.ts';
import { debug, scale, TIMEOUT } from './helpers/scale.ts';
import { killAtRandom } from './helpers/kills.ts';
import { drained, inFlightAtKill, survivedKills } from './helpers/tally.ts';
import { loadTarget, startWorld } from './helpers/world.ts';

test.after.always(() => finish(import.meta.url));

test('crash: SIGKILL at random moments under mixed load loses nothing acknowledged', async (t) => {
  t.timeout(TIMEOUT);
  const kills = scale(10, 30);
  const w = await startWorld(t);
  // Planfix takes a moment to answer, so kills often land while an operation is in flight.
  w.pf.setDelay(30);
  const load = new Load(loadTarget(w),
    MIXED, 'crash').start();
  t.teardown(() => load.stop(0));
  const { inFlight, downs: downMs, heldMs } = await killAtRandom(kills, load, async () => {
    await w.relay.kill('SIGKILL');
    const down = Date.now();
    const inFlight = await inFlightAtKill(w.relay.dataDir, [w.pf]);
    await w.relay.restart();
    return { inFlight, downMs: Date.now() - down };
  });
  debug('stopping load');
  await load.stop();
  debug('load stopped');
  const result = await drained(w.relay, [w.pf], load.items, 90_000);

  const row = {
    scenario: 'crash (SIGKILL + restart)',
    load: `chatra 4, viber 4, verbox 2 conversations + 1 caller, ${Math.round(load.acked().length / (heldMs / 1000))} ev/s acked for ${Math.round(heldMs / 1000)} s`,
    faults: `${kills} × SIGKILL`,
    inputs: load.requests,
    lost: result.lost.length,
    duplicated: result.duplicated,
    fiveXX: load.fiveXX,
    notes: `${result.acked} acked; in flight at the kills: ${inFlight.length}; restart p50 ${percentile(downMs, 50)} ms`,
  };
  record(import.meta.url, row);
  t.log(row);
  survivedKills(t, load, result, inFlight, kills);
});
