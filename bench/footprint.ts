// Figure 4, footprint: the relay started on a data directory with 1,000 accounts (each with a
// Chatra channel, made through the admin API) and 100 conversations stored in each (bench/seed.ts);
// time from spawning `node dist/relay.js` to its ready line, and its resident memory once every
// account has had a webhook delivered (the SQLite store loads nothing of an account at start: the
// delivery reads its rows), by /proc (the relay's own process.memoryUsage() is not reachable from
// outside; /proc/<pid>/status VmRSS is the same number).
import { rm } from 'node:fs/promises';
import { chatraAccount, chatraBody, fmt, heapOf, median, RelayProc, rssOf, sleep, tempDir, waitFor, type FigureResult } from './lib.ts';
import { seedConversations } from './seed.ts';

export const FOOTPRINT = { accounts: 1000, conversations: 100, starts: 3 };

export async function footprint(sim: { origin: string }): Promise<FigureResult> {
  const dir = await tempDir('footprint');
  const notes: string[] = [];
  let t = performance.now();
  const setup = await RelayProc.start(dir);
  const ids: string[] = [];
  const hooks: string[] = [];
  try {
    const next = { i: 0 };
    await Promise.all(Array.from({ length: 8 }, async () => {
      while (next.i < FOOTPRINT.accounts) {
        const n = next.i++;
        const { accountId, webhookUrl } = await chatraAccount(setup, sim.origin, `Account ${n}`);
        ids.push(accountId);
        hooks.push(new URL(webhookUrl).pathname);
      }
    }));
  } finally {
    await setup.stop();
  }
  notes.push(`${FOOTPRINT.accounts} accounts with a Chatra channel each made through the admin API in ${fmt((performance.now() - t) / 1000, 1)} s`);
  t = performance.now();
  await seedConversations(dir, ids, FOOTPRINT.conversations);
  notes.push(`${FOOTPRINT.accounts * FOOTPRINT.conversations} conversations stored (${FOOTPRINT.conversations} per account) in ${fmt((performance.now() - t) / 1000, 1)} s`);

  const readies: number[] = [];
  const loadeds: number[] = [];
  const rss: number[] = [];
  const peaks: number[] = [];
  try {
    for (let i = 0; i < FOOTPRINT.starts; i++) {
      const relay = await RelayProc.start(dir);
      try {
        readies.push(relay.readyMs);
        // Every account's rows read: each account gets one webhook in one of its stored
        // conversations, and the footprint is read once all are delivered.
        const spawnedAt = performance.now() - relay.readyMs;
        await waitFor(async () => (await fetch(`${relay.url}/healthz`)).ok, 10_000, 'healthz');
        let n = 0;
        const sendAll = async () => {
          while (n < hooks.length) {
            const k = n++;
            const res = await fetch(`${relay.url}${hooks[k]}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: chatraBody(k * FOOTPRINT.conversations, `fp-${i}-${k}`) });
            if (res.status !== 200) throw new Error(`webhook ${k}: ${res.status}`);
          }
        };
        await Promise.all(Array.from({ length: 8 }, sendAll));
        await relay.drained(60_000);
        loadeds.push(performance.now() - spawnedAt);
        await sleep(1000);
        const m = await rssOf(relay.pid);
        rss.push(m.rssMB);
        peaks.push(m.peakMB);
        const heap = await heapOf(relay.url);
        notes.push(`start ${i + 1}: ready ${fmt(relay.readyMs, 0)} ms; one webhook delivered for each of the ${FOOTPRINT.accounts} accounts ${fmt(loadeds.at(-1)!, 0)} ms after spawn; `
          + `RSS then ${fmt(m.rssMB, 0)} MB (peak ${fmt(m.peakMB, 0)} MB; V8 heap ${fmt(heap.used, 0)} MB used of ${fmt(heap.total, 0)} MB, external ${fmt(heap.external, 0)} MB)`);
      } finally {
        await relay.stop();
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const ready = median(readies);
  const mem = Math.max(...rss);
  return {
    rows: [
      { figure: '4 footprint: RSS, 1,000 accounts x 100 conversations', target: '< 300 MB', measured: `${fmt(mem, 0)} MB (peak ${fmt(Math.max(...peaks), 0)} MB)`, met: mem < 300 },
      { figure: '4 footprint: time to ready', target: '< 2 s', measured: `${fmt(ready / 1000, 2)} s (median of ${FOOTPRINT.starts})`, met: ready < 2000 },
    ],
    notes,
  };
}

