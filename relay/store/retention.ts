import type { Logger } from '../log.ts';
import type { Store } from './store.ts';

/**
 * Deletes, every so often, what is older than the retention period (RELAY_RETENTION_DAYS):
 * finished events, conversations with their widget data, calls, message ids and activity. Runs
 * once soon after start, then every hour (or a quarter of the period, when that is shorter).
 */
export function startRetention(store: Store, retentionMs: number, log: Logger, leads: () => boolean = () => true): () => void {
  let running = false;
  const run = async () => {
    // Several processes on one database: one of them prunes.
    if (running || !leads()) return;
    running = true;
    const t0 = Date.now();
    try {
      const deleted = await store.prune(Date.now() - retentionMs);
      if (deleted) log.info({ deleted, ms: Date.now() - t0 }, 'retention: deleted rows older than the retention period');
    } catch (err) {
      log.warn({ err }, 'retention: pruning failed; it runs again later');
    } finally {
      running = false;
    }
  };
  const every = Math.max(1_000, Math.min(3_600_000, retentionMs / 4));
  const first = setTimeout(() => void run(), Math.min(every, 10_000)).unref();
  const timer = setInterval(() => void run(), every).unref();
  return () => {
    clearTimeout(first);
    clearInterval(timer);
  };
}
