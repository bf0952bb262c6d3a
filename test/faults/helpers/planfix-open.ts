import type http from 'node:http';
import type { PlanfixSim } from '../../sim/planfix.ts';

/**
 * Counts the requests the simulator is holding (received, not yet answered). Such a request may
 * have changed Planfix's state while its answer never reaches the relay: an operation in flight.
 */
export function trackOpen(pf: PlanfixSim): { open(): number } {
  const sim = pf as unknown as { onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> };
  const original = sim.onRequest.bind(pf);
  let open = 0;
  sim.onRequest = (req, res) => {
    open++;
    res.once('close', () => { open--; });
    return original(req, res);
  };
  return { open: () => open };
}
