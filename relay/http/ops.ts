import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type Router from '@koa/router';
import { newRouter } from './router.ts';
import type { Relay } from '../context.ts';
import { backlog, registry } from '../metrics.ts';
import { createPrivate } from '../store/files.ts';

const PROBE_EVERY_MS = 2000;

/**
 * Whether the data directory takes a write right now. The journal only learns of a read-only or
 * full disk at its next append; a probe lets /healthz say so before a webhook finds out.
 */
function writeProbe(dataDir: string): () => Promise<boolean> {
  let last = 0;
  let ok = true;
  let running: Promise<boolean> | undefined;
  return () => {
    if (Date.now() - last < PROBE_EVERY_MS) return Promise.resolve(ok);
    running ??= (async () => {
      // A fresh name each time, created exclusively: a link planted in the data directory is
      // neither followed nor even guessed.
      const file = join(dataDir, `.healthz-probe-${randomBytes(6).toString('hex')}`);
      try {
        const fh = await createPrivate(file);
        try {
          await fh.writeFile(String(Date.now()));
        } finally {
          await fh.close();
        }
        await rm(file, { force: true });
        ok = true;
      } catch {
        ok = false;
        await rm(file, { force: true }).catch(() => undefined);
      }
      last = Date.now();
      running = undefined;
      return ok;
    })();
    return running;
  };
}

/** /healthz for load balancers and systemd watchdogs, /metrics for Prometheus. */
export function opsRouter(relay: Relay): Router {
  const router = newRouter();
  const writable = writeProbe(relay.config.dataDir);

  router.get('/healthz', async (ctx) => {
    const oldest = relay.worker.oldestPendingAt();
    const diskOk = await writable();
    const journalWritable = relay.store.journal.healthy && diskOk;
    // In words, for whoever reads /healthz when it says 503; the status is read from the same list,
    // so the two cannot disagree (the store's problem covers its journal).
    const problems = [
      ...(relay.store.problem ? [relay.store.problem] : []),
      ...(diskOk ? [] : ['the data directory is not writable']),
      ...(relay.worker.alive ? [] : ['the relay is stopping']),
    ];
    const ok = problems.length === 0;
    ctx.status = ok ? 200 : 503;
    ctx.set('Cache-Control', 'no-store');
    ctx.body = {
      ok,
      ...(problems.length ? { problems } : {}),
      journalWritable,
      workerAlive: relay.worker.alive,
      backlog: relay.worker.backlog,
      oldestPendingAgeMs: oldest === undefined ? 0 : Date.now() - oldest,
    };
  });

  router.get('/metrics', async (ctx) => {
    backlog.set(relay.worker.backlog);
    ctx.type = registry.contentType;
    ctx.set('Cache-Control', 'no-store');
    ctx.body = await registry.metrics();
  });

  return router;
}
