import { sleep } from './http.ts';
import type { Load } from './load.ts';
import { debug, scale } from './scale.ts';

/** What one kill left: the Planfix operations in flight (see tally.ts inFlightAtKill), and how long the relay was down. */
export interface Strike {
  inFlight: string[];
  downMs: number;
}

/**
 * `kills` times, at random moments under the running load (sometimes mid-burst, sometimes right
 * after a restart while the backlog replays), `strike` kills a relay and starts it again.
 */
export async function killAtRandom(kills: number, load: Load, strike: () => Promise<Strike>): Promise<{ inFlight: string[]; downs: number[]; heldMs: number }> {
  const started = Date.now();
  const inFlight: string[] = [];
  const downs: number[] = [];
  for (let k = 0; k < kills; k++) {
    await sleep(300 + Math.random() * scale(1500, 2500));
    const s = await strike();
    inFlight.push(...s.inFlight);
    downs.push(s.downMs);
    debug('kill', k, 'acked', load.acked().length, 'in flight', inFlight.length, 'down ms', s.downMs);
  }
  return { inFlight, downs, heldMs: Date.now() - started };
}
