// Figure 1, ingest: webhooks per second the relay answers 200 (journal fsync'd, the worker
// delivering to the Planfix simulator meanwhile) against a bare Koa + koa-body app answering the
// same bodies, rounds alternated A/B in one run.
import autocannon from 'autocannon';
import { chatraAccount, chatraBody, cpuMsOf, fmt, median, Proc, RelayProc, sleep, tempDir, type FigureResult } from './lib.ts';

export const INGEST = { connections: 100, seconds: 4, rounds: 7, visitors: 200 };

/** One autocannon run of unique Chatra webhooks (fresh message ids, `visitors` conversations). */
export async function cannon(url: string, opts: { connections: number; seconds?: number; amount?: number; visitors: number; prefix: string }) {
  let n = 0;
  const result = await autocannon({
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    connections: opts.connections,
    ...(opts.amount ? { amount: opts.amount } : { duration: opts.seconds }),
    timeout: 30,
    requests: [{
      method: 'POST',
      setupRequest: (req) => {
        const i = n++;
        return { ...req, body: chatraBody(i % opts.visitors, `${opts.prefix}-${i}`) };
      },
    }],
  });
  return { rps: result['2xx'] / result.duration, ok: result['2xx'], bad: result.non2xx + result.errors + result.timeouts, p99: result.latency.p99, sent: n };
}

export async function ingest(sim: { origin: string; newMessages(): Promise<number> }): Promise<FigureResult> {
  const koa = await Proc.start([process.env.BENCH_BARE_KOA!], {});
  const relay = await RelayProc.start(await tempDir('ingest'));
  const notes: string[] = [];
  try {
    const { webhookUrl } = await chatraAccount(relay, sim.origin);
    // Warm-up of both (JIT, connections, the first task of every conversation), not counted.
    await cannon(`${koa.url}/hooks/x/y`, { connections: INGEST.connections, seconds: 2, visitors: INGEST.visitors, prefix: 'wk' });
    await cannon(webhookUrl, { connections: INGEST.connections, seconds: 2, visitors: INGEST.visitors, prefix: 'wr' });
    await relay.drained();

    const ratios: number[] = [];
    const bare: number[] = [];
    const ours: number[] = [];
    const cpu = { bare: [] as number[], relay: [] as number[] };
    const measure = async (side: 'bare' | 'relay', round: number) => {
      const pid = side === 'bare' ? koa.pid : relay.pid;
      const c0 = await cpuMsOf(pid);
      const before = await sim.newMessages();
      const m = await cannon(side === 'bare' ? `${koa.url}/hooks/x/y` : webhookUrl, { connections: INGEST.connections, seconds: INGEST.seconds, visitors: INGEST.visitors, prefix: `${side}${round}` });
      const delivered = (await sim.newMessages()) - before;
      cpu[side].push(((await cpuMsOf(pid)) - c0) * 1000 / m.ok);
      return { ...m, delivered };
    };
    for (let round = 1; round <= INGEST.rounds; round++) {
      // Alternated order; the relay has delivered everything and is idle before the bare app runs.
      let a: Awaited<ReturnType<typeof measure>>;
      let b: Awaited<ReturnType<typeof measure>>;
      let drainS = 0;
      const drain = async () => {
        const t = performance.now();
        await relay.drained();
        await idle(relay.pid);
        drainS = (performance.now() - t) / 1000;
      };
      if (round % 2) {
        a = await measure('bare', round);
        b = await measure('relay', round);
        await drain();
      } else {
        b = await measure('relay', round);
        await drain();
        a = await measure('bare', round);
      }
      if (b.bad || a.bad) notes.push(`round ${round}: non-2xx or errors: bare ${a.bad}, relay ${b.bad}`);
      bare.push(a.rps);
      ours.push(b.rps);
      ratios.push(b.rps / a.rps);
      notes.push(`round ${round}: bare Koa ${fmt(a.rps, 0)} req/s (p99 ${a.p99} ms, ${fmt(cpu.bare.at(-1)!, 0)} µs CPU each), relay ${fmt(b.rps, 0)} req/s (p99 ${b.p99} ms, ${fmt(cpu.relay.at(-1)!, 0)} µs CPU each), ratio ${fmt(b.rps / a.rps, 2)}; `
        + `${fmt(b.delivered / INGEST.seconds, 0)} newMessage/s reached the simulator meanwhile, the rest in ${fmt(drainS, 1)} s after`);
    }
    notes.push(`median CPU time per request (process, all threads): bare Koa ${fmt(median(cpu.bare), 0)} µs, relay ${fmt(median(cpu.relay), 0)} µs (ratio ${fmt(median(cpu.bare) / median(cpu.relay), 2)}: less sensitive than req/s to other load on the machine)`);
    const r = median(ratios);
    return {
      rows: [{
        figure: '1 ingest: relay / bare Koa req/s',
        target: 'ratio >= 0.5',
        measured: `${fmt(r, 2)} (${fmt(median(ours), 0)} / ${fmt(median(bare), 0)} req/s)`,
        met: r >= 0.5,
      }],
      notes,
    };
  } finally {
    await relay.destroy();
    await koa.stop();
  }
}

/** Waits until a process has used no CPU for half a second (background compaction finished). */
async function idle(pid: number): Promise<void> {
  let last = await cpuMsOf(pid);
  for (let i = 0; i < 60; i++) {
    await sleep(500);
    const now = await cpuMsOf(pid);
    if (now - last <= 10) return;
    last = now;
  }
}
