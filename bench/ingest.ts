// Figure 1, ingest: webhooks per second the relay answers 200 (journal fsync'd, the worker
// delivering to the Planfix simulator meanwhile) against a bare Koa + koa-body app answering the
// same bodies: the relay on its default SQLite store and on PostgreSQL, each a row, every one of
// them measured in each round, the order turning from round to round.
import autocannon from 'autocannon';
import { chatraAccount, chatraBody, cpuMsOf, fmt, median, Proc, RelayProc, sleep, tempDir, type FigureResult, type Row } from './lib.ts';
import { benchDatabase, clusterCpuMs } from './postgres.ts';

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

/**
 * Several URLs at once (the relays of one subject): the connections split between them, the
 * answers summed. Client-side balancing rather than a proxy in this process, which would compete
 * with autocannon for the CPU and measure itself.
 */
export async function cannons(urls: string[], opts: Parameters<typeof cannon>[1]): ReturnType<typeof cannon> {
  const parts = await Promise.all(urls.map((url, k) => cannon(url, { ...opts, connections: Math.ceil(opts.connections / urls.length), prefix: `${opts.prefix}-${k}` })));
  return parts.reduce((a, b) => ({ rps: a.rps + b.rps, ok: a.ok + b.ok, bad: a.bad + b.bad, p99: Math.max(a.p99, b.p99), sent: a.sent + b.sent }));
}

/** What takes the webhooks of one subject: its URLs (one a relay), the CPU it spends, and how to let it finish. */
interface Side {
  urls: string[];
  /** CPU time used so far, in ms: `relay` by the relay process(es), `db` by their database server (when there is one to measure). */
  cpuMs(): Promise<{ relay: number; db?: number }>;
  /** Waits until everything it took is delivered (or dead) and it is idle again. */
  settle(): Promise<void>;
  stop(): Promise<void>;
}

/** What the figure measures beside bare Koa, each in every round and each a row of the table. */
interface Subject {
  name: string;
  figure: string;
  target: string;
  met(ratio: number): boolean;
  start(sim: { origin: string }): Promise<Side>;
}

/** One relay process, on the SQLite store of its data directory or with `env`'s RELAY_DATABASE_URL. */
async function relaySide(sim: { origin: string }, env: Record<string, string> = {}, dbCpuMs?: () => Promise<number>, script?: string): Promise<Side> {
  const relay = await RelayProc.start(await tempDir('ingest'), { env, ...(script ? { script } : {}) });
  try {
    const { webhookUrl } = await chatraAccount(relay, sim.origin);
    return {
      urls: [webhookUrl],
      cpuMs: async () => ({ relay: await cpuMsOf(relay.pid), ...(dbCpuMs ? { db: await dbCpuMs() } : {}) }),
      settle: async () => {
        await relay.drained();
        await idle(relay.pid);
      },
      stop: () => relay.destroy(),
    };
  } catch (err) {
    await relay.destroy();
    throw err;
  }
}

const SQLITE: Subject = { name: 'relay on SQLite', figure: '1 ingest: relay / bare Koa req/s', target: 'ratio >= 0.5', met: (r) => r >= 0.5, start: (sim) => relaySide(sim) };

/**
 * BENCH_COMPARE=<another build's relay.js>: the figure compares two builds on SQLite in the same
 * rounds (an A/B of a change, the PostgreSQL rows left out), each against the same bare Koa.
 */
const COMPARE = process.env.BENCH_COMPARE;
const SUBJECTS: Subject[] = COMPARE ? [SQLITE, {
  name: 'the other build on SQLite', figure: `1 ingest: ${COMPARE} / bare Koa req/s`, target: 'reported', met: () => true,
  start: (sim) => relaySide(sim, {}, undefined, COMPARE),
}] : [
  SQLITE,
  {
    name: 'relay on PostgreSQL', figure: '1 ingest: relay on PostgreSQL / bare Koa req/s', target: 'reported', met: () => true,
    start: async (sim) => relaySide(sim, { RELAY_DATABASE_URL: await benchDatabase() }, clusterCpuMs),
  },
  {
    name: 'two relays on PostgreSQL', figure: '1 ingest: two relays on one PostgreSQL / bare Koa req/s', target: 'reported', met: () => true,
    start: (sim) => twoRelays(sim),
  },
];

/** Two relay processes on one database, the webhooks spread over both as a load balancer does. */
async function twoRelays(sim: { origin: string }): Promise<Side> {
  const env = { RELAY_DATABASE_URL: await benchDatabase() };
  const relays: RelayProc[] = [];
  try {
    relays.push(await RelayProc.start(await tempDir('ingest'), { env }));
    const { webhookUrl } = await chatraAccount(relays[0]!, sim.origin);
    // The second reads the account from the database at its start, as a second host does.
    relays.push(await RelayProc.start(await tempDir('ingest'), { env }));
    return {
      urls: relays.map((r) => r.local(webhookUrl)),
      cpuMs: async () => ({ relay: (await Promise.all(relays.map((r) => cpuMsOf(r.pid)))).reduce((a, b) => a + b), db: await clusterCpuMs() }),
      settle: async () => {
        for (const r of relays) await r.drained();
        for (const r of relays) await idle(r.pid);
      },
      stop: async () => { for (const r of relays) await r.destroy(); },
    };
  } catch (err) {
    for (const r of relays) await r.destroy();
    throw err;
  }
}

export async function ingest(sim: { origin: string; newMessages(): Promise<number> }): Promise<FigureResult> {
  const koa = await Proc.start([process.env.BENCH_BARE_KOA!], {});
  const sides: (Side & { subject: Subject })[] = [];
  const notes: string[] = [];
  // A subject that cannot start (no PostgreSQL on the machine) is a failed row; the others run.
  const failed: Row[] = [];
  try {
    for (const subject of SUBJECTS) {
      try {
        sides.push({ ...await subject.start(sim), subject });
      } catch (err) {
        failed.push({ figure: subject.figure, target: subject.target, measured: `failed: ${(err as Error).message.split('\n')[0]!.slice(0, 120)}`, met: false });
      }
    }
    const bareUrl = `${koa.url}/hooks/x/y`;
    // Warm-up of each (JIT, connections, the first task of every conversation), not counted.
    await cannon(bareUrl, { connections: INGEST.connections, seconds: 2, visitors: INGEST.visitors, prefix: 'wk' });
    for (const [i, side] of sides.entries()) {
      await cannons(side.urls, { connections: INGEST.connections, seconds: 2, visitors: INGEST.visitors, prefix: `w${i}` });
      await side.settle();
    }

    type Measured = Awaited<ReturnType<typeof cannon>> & { delivered: number; cpu: { relay: number; db?: number }; settleS: number };
    const rounds: { bare: Measured; subjects: Measured[] }[] = [];
    const measure = async (urls: string[], cpuMs: () => Promise<{ relay: number; db?: number }>, prefix: string, settle?: () => Promise<void>): Promise<Measured> => {
      const c0 = await cpuMs();
      const before = await sim.newMessages();
      const m = await cannons(urls, { connections: INGEST.connections, seconds: INGEST.seconds, visitors: INGEST.visitors, prefix });
      const delivered = (await sim.newMessages()) - before;
      const c1 = await cpuMs();
      const cpu = { relay: (c1.relay - c0.relay) * 1000 / m.ok, ...(c1.db !== undefined ? { db: (c1.db - c0.db!) * 1000 / m.ok } : {}) };
      // Each subject has delivered everything and is idle before the next one runs.
      const t = performance.now();
      await settle?.();
      return { ...m, delivered, cpu, settleS: (performance.now() - t) / 1000 };
    };
    for (let round = 1; round <= INGEST.rounds; round++) {
      // Each round starts with another of them: bare Koa, then each subject in turn.
      const order = [-1, ...sides.keys()];
      const turn = (round - 1) % order.length;
      const got = new Map<number, Measured>();
      for (const i of [...order.slice(turn), ...order.slice(0, turn)]) {
        got.set(i, i < 0
          ? await measure([bareUrl], async () => ({ relay: await cpuMsOf(koa.pid) }), `bare${round}`)
          : await measure(sides[i]!.urls, () => sides[i]!.cpuMs(), `s${i}r${round}`, () => sides[i]!.settle()));
      }
      const bare = got.get(-1)!;
      const subjects = sides.map((_, i) => got.get(i)!);
      rounds.push({ bare, subjects });
      const bad = [bare, ...subjects].map((m) => m.bad);
      if (bad.some(Boolean)) notes.push(`round ${round}: non-2xx or errors: bare ${bad[0]}, ${sides.map((s, i) => `${s.subject.name} ${bad[i + 1]}`).join(', ')}`);
      notes.push(`round ${round}: bare Koa ${fmt(bare.rps, 0)} req/s (p99 ${bare.p99} ms, ${fmt(bare.cpu.relay, 0)} µs CPU each)`
        + subjects.map((m, i) => `; ${sides[i]!.subject.name} ${fmt(m.rps, 0)} req/s (p99 ${m.p99} ms, ${cpuText(m.cpu)}), ratio ${fmt(m.rps / bare.rps, 2)}, `
          + `${fmt(m.delivered / INGEST.seconds, 0)} newMessage/s reached the simulator meanwhile, the rest in ${fmt(m.settleS, 1)} s after`).join(''));
    }
    const bareCpu = median(rounds.map((r) => r.bare.cpu.relay));
    return {
      rows: [...sides.map(({ subject: s }, i) => {
        const ratio = median(rounds.map((r) => r.subjects[i]!.rps / r.bare.rps));
        const relayCpu = median(rounds.map((r) => r.subjects[i]!.cpu.relay));
        const dbCpu = median(rounds.map((r) => r.subjects[i]!.cpu.db ?? NaN));
        notes.push(`${s.name}: median CPU time per request (process, all threads) ${fmt(relayCpu, 0)} µs${Number.isNaN(dbCpu) ? '' : ` and PostgreSQL's ${fmt(dbCpu, 0)} µs`}, bare Koa ${fmt(bareCpu, 0)} µs `
          + `(ratio ${fmt(bareCpu / relayCpu, 2)}: less sensitive than req/s to other load on the machine)`);
        return {
          figure: s.figure,
          target: s.target,
          measured: `${fmt(ratio, 2)} (${fmt(median(rounds.map((r) => r.subjects[i]!.rps)), 0)} / ${fmt(median(rounds.map((r) => r.bare.rps)), 0)} req/s)`,
          met: s.met(ratio),
        };
      }), ...failed],
      notes,
    };
  } finally {
    for (const side of sides) await side.stop();
    await koa.stop();
  }
}

const cpuText = (cpu: { relay: number; db?: number }) => `${fmt(cpu.relay, 0)} µs CPU each${cpu.db === undefined || Number.isNaN(cpu.db) ? '' : ` + ${fmt(cpu.db, 0)} µs PostgreSQL's`}`;

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
