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

/**
 * Holds the simulator's requests whose path matches for `ms` before Planfix acts on them (setDelay
 * delays only the answer): a way to decide which of two racing operations Planfix sees first.
 */
export function holdBefore(pf: PlanfixSim, path: RegExp, ms: number): void {
  const sim = pf as unknown as { onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> };
  const original = sim.onRequest.bind(pf);
  sim.onRequest = async (req, res) => {
    if (path.test(req.url ?? '')) {
      // Read the body first, so the held request is not cut off while it waits.
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      await new Promise((r) => setTimeout(r, ms));
      const { Readable } = await import('node:stream');
      const replay = Object.assign(Readable.from(chunks), { url: req.url, method: req.method, headers: req.headers }) as unknown as http.IncomingMessage;
      return original(replay, res);
    }
    return original(req, res);
  };
}
