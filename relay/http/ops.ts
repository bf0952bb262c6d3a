import Router from '@koa/router';
import type { Relay } from '../context.ts';

/** /healthz for load balancers and systemd watchdogs. */
export function opsRouter(relay: Relay): Router {
  const router = new Router();
  router.get('/healthz', (ctx) => {
    const oldest = relay.worker.oldestPendingAt();
    const ok = relay.journal.healthy && relay.states.healthy && relay.worker.alive;
    ctx.status = ok ? 200 : 503;
    ctx.body = {
      ok,
      journalWritable: relay.journal.healthy,
      workerAlive: relay.worker.alive,
      backlog: relay.worker.backlog,
      oldestPendingAgeMs: oldest === undefined ? 0 : Date.now() - oldest,
      // Not fatal (the logs keep growing and stay correct), but the disk needs a look.
      compactionError: relay.journal.compactionError ?? relay.states.compactionError,
    };
  });
  return router;
}
