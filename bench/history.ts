// Figure 7, history: the relay started on stores that hold a long history, to show that memory and
// start-up no longer grow with it (the SQLite store keeps history on disk, with a bounded page
// cache). Three stores are seeded (bench/stores.ts, bench/seed.ts): 10,000 conversations in one
// account (the baseline, delivered by relay/deliver.ts one by one), 100 accounts × 10,000 and
// 1,000,000 in one account (written through the store's API: see seedConversationsFast). The relay
// (`node dist/relay.js`) is started three times on each; for each start:
//  - ready: from spawning it until its port is open and a webhook (a message in a stored
//    conversation) is answered 200;
//  - first delivered: from the spawn until that message's newMessage reaches the Planfix simulator;
//  - RSS at ready (read once it is delivered) and after a short load (webhooks half in stored
//    conversations across the store, half from new visitors, all delivered, then one second), from
//    /proc/<pid>/status, with its peak (VmHWM) and the V8 heap;
//  - disk: relay.db, relay.db-wal and relay.db-shm while it runs, and per stored conversation.
// On the last start with 1,000,000 stored, webhooks are sent every 50 ms from ready until 16 s
// after the spawn, across the relay's first retention pass (10 s after start), before the load, to
// see what the pass costs the requests it delays.
//
// And a retention run: a store of 100,000 conversations, and a period later (when they are all
// older than it) the relay started with RELAY_RETENTION_DAYS=0.001 (86 s) and a steady 100
// webhooks a second, each a new conversation of a stored customer, for three periods, sampling the
// disk (the files' sizes, and the pages in use from relay.db's header). It runs while the large
// stores are being seeded: it measures bytes, not time. Met when over the last period the disk and
// the pages in use grew by at most a fifth of what the pages in use grew over the first (from the
// end of the relay's first pass, which deletes the seeded conversations, a period on: the load's
// rows accumulating before any of them is old enough to go); growth over a period is the slope
// of its samples (least squares) times the period.
//
// HISTORY_SCALE=0.01 makes every store a hundredth; HISTORY_RETENTION_DAYS, HISTORY_RETENTION_PERIODS
// and HISTORY_RETENTION_RATE change the retention run.
import { rm } from 'node:fs/promises';
import http from 'node:http';
import { chatraBody, fmt, heapOf, median, RelayProc, rssOf, sleep, waitFor, type FigureResult, type Row } from './lib.ts';
import { diskOf, inUseOf, keepShared, makeStore, mb, MILLION, MILLION_KEY, scaled, seedStores, sharedStore, signedMb, stored, visitorOf, type Disk, type SeededStore } from './stores.ts';

export const HISTORY = {
  million: MILLION,
  many: { accounts: 100, perAccount: scaled(10_000) },
  base: scaled(10_000),
  starts: 3,
  /** The short load after ready: webhooks, half in stored conversations, half new visitors. */
  load: 2000,
  lanes: 32,
  retention: {
    stored: scaled(100_000),
    days: Number(process.env.HISTORY_RETENTION_DAYS ?? 0.001),
    periods: Number(process.env.HISTORY_RETENTION_PERIODS ?? 3),
    rate: Number(process.env.HISTORY_RETENTION_RATE ?? 100),
    samples: 8,
  },
  /** Visitor numbers: each store's and each load's own, so no two share a customer by accident. */
  visitors: { million: 0, many: 1_000_000, base: 2_000_000, retention: 2_100_000, load: 3_000_000 },
};

interface Sim { origin: string; newMessages(): Promise<number> }

interface Start {
  readyLineMs: number;
  readyMs: number;
  firstDeliveredMs: number;
  firstLatencyMs: number;
  rssReady: number;
  rssLoad: number;
  peak: number;
  heapUsed: number;
  loadRate: number;
  disk: Disk;
}

export async function history(sim: Sim): Promise<FigureResult> {
  const notes: string[] = [];
  const t0 = performance.now();
  const v = HISTORY.visitors;
  const reused = sharedStore(MILLION_KEY);
  const addedBefore = reused?.added ?? 0;
  const million = reused ?? await makeStore(MILLION_KEY, sim.origin, 1, MILLION, v.million, ['history', 'growth']);
  keepShared(million);
  const many = await makeStore(`${HISTORY.many.accounts} accounts x ${HISTORY.many.perAccount}`, sim.origin, HISTORY.many.accounts, HISTORY.many.perAccount, v.many, []);
  const base = await makeStore(`1 account x ${HISTORY.base}`, sim.origin, 1, HISTORY.base, v.base, []);
  const ret = await makeStore(`retention, 1 account x ${HISTORY.retention.stored}`, sim.origin, 1, HISTORY.retention.stored, v.retention, []);
  notes.push(`stores made (accounts and channels through the admin API) in ${fmt((performance.now() - t0) / 1000, 1)} s`);
  let retentionRun: Promise<Retained> | undefined;
  try {
    // Two seeding processes: the million store in one, the others in the other, the retention
    // run's store first so that the run can go on while the large stores are seeded.
    const tSeed = performance.now();
    await seedStores([
      reused ? [] : [{ store: million }],
      [{ store: ret }, { store: base, deliver: true }, { store: many }],
    ], (s) => {
      if (s !== ret) return;
      // Started once the seeded rows are older than the retention period: the relay's first pass
      // deletes them, and from then on every webhook of the load opens a new conversation.
      retentionRun = sleep(HISTORY.retention.days * 86_400_000).then(() => retention(ret, sim));
      // Awaited after the seeding; until then a failure must not count as an unhandled rejection.
      retentionRun.catch(() => undefined);
    });
    const seededAt = performance.now();
    notes.push(`seeding ${reused ? '(the million store reused from an earlier figure) ' : ''}in ${fmt((seededAt - tSeed) / 1000, 0)} s, two processes: `
      + [million, many, base, ret].filter((s) => s.seedMs).map((s) => `${s.key} ${fmt(s.seedMs / 1000, 1)} s (${fmt(stored(s) / (s.seedMs / 1000), 0)}/s${s === base ? ', through deliver()' : ''}), `
        + `relay.db ${fmt(mb(s.seedBytes), 0)} MB (${fmt(s.seedBytes / 1024 / (s.accounts.length * s.perAccount), 2)} KB a conversation)`).join('; '));
    const tWait = performance.now();
    const retained = await retentionRun!;
    if (performance.now() - tWait > 1000) notes.push(`waited ${fmt((performance.now() - tWait) / 1000, 0)} s after the seeding for the retention run to end`);
    const overlap = Math.max(0, Math.min(seededAt, retained.to) - retained.from);
    retained.notes[0] += overlap > 0
      ? ` (the seeding of the other stores went on for ${fmt(overlap / 1000, 0)} s of its ${fmt((retained.to - retained.from) / 1000, 0)} s: two more busy processes on the machine)`
      : ' (after the seeding: nothing else of the bench running)';

    const results = new Map<SeededStore, Start[]>();
    let loadVisitor = v.load;
    let probe: string | undefined;
    for (const s of [base, many, million]) {
      const starts: Start[] = [];
      for (let i = 0; i < HISTORY.starts; i++) {
        const last = s === million && i === HISTORY.starts - 1;
        const r = await measureStart(s, sim, `${s === million ? 'm' : s === many ? 'a' : 'b'}${i}`, loadVisitor, last ? (p) => { probe = p; } : undefined);
        loadVisitor += HISTORY.load;
        starts.push(r);
        notes.push(`${s.key}, start ${i + 1} (${fmt((performance.now() - t0) / 1000, 0)} s into the figure): ready ${fmt(r.readyMs, 0)} ms (ready line ${fmt(r.readyLineMs, 0)} ms), first webhook delivered ${fmt(r.firstDeliveredMs, 0)} ms after spawn `
          + `(${fmt(r.firstLatencyMs, 1)} ms after its send); RSS ${fmt(r.rssReady, 0)} MB at ready, ${fmt(r.rssLoad, 0)} MB after ${HISTORY.load} webhooks `
          + `(${fmt(r.loadRate, 0)}/s delivered; peak ${fmt(r.peak, 0)} MB, V8 heap ${fmt(r.heapUsed, 0)} MB used); disk ${diskText(r.disk)}`);
        console.log(`  ${s.key}, start ${i + 1}: ready ${fmt(r.readyMs, 0)} ms, RSS ${fmt(r.rssReady, 0)} / ${fmt(r.rssLoad, 0)} MB`);
      }
      results.set(s, starts);
    }
    if (probe) notes.push(probe);
    // What the loads left on disk: each start's load is the same number of webhooks, half of them new conversations.
    notes.push(`disk added by each start's ${HISTORY.load} webhooks (${HISTORY.load / 2} new conversations; relay.db + -wal + -shm, from one start to the next): `
      + [base, many, million].map((s) => {
        const d = results.get(s)!.map((r) => r.disk.total);
        return `${s.key} ${d.slice(1).map((x, i) => `${signedMb(x - d[i]!)} MB`).join(', ')}`;
      }).join('; ') + ` (the last of ${MILLION_KEY} with the webhooks across the retention pass)`);
    notes.push(...retained.notes);

    const agg = (s: SeededStore) => {
      const st = results.get(s)!;
      return {
        rss: Math.max(...st.map((r) => Math.max(r.rssReady, r.rssLoad))),
        rssReady: Math.max(...st.map((r) => r.rssReady)),
        ready: median(st.map((r) => r.readyMs)),
        first: median(st.map((r) => r.firstDeliveredMs)),
        disk: st.at(-1)!.disk,
        perConversation: st.at(-1)!.disk.total / stored(s),
      };
    };
    const [b, a, m] = [agg(base), agg(many), agg(million)];
    const ratio = m.rss / b.rss;
    const kb = (n: number) => `${fmt(n / 1024, 2)} KB`;
    const rows: Row[] = [
      {
        figure: `7 history: RSS, ${fmt(MILLION, 0)} stored in one account`,
        target: `< 200 MB, <= 1.3 x at ${fmt(HISTORY.base, 0)}`,
        measured: `${fmt(m.rss, 0)} MB, ${fmt(ratio, 2)} x ${fmt(b.rss, 0)} MB (${HISTORY.many.accounts} x ${fmt(HISTORY.many.perAccount, 0)}: ${fmt(a.rss, 0)} MB)`,
        met: m.rss < 200 && ratio <= 1.3,
      },
      {
        figure: `7 history: time to ready, ${fmt(MILLION, 0)} stored`,
        target: '< 1 s',
        measured: `${fmt(m.ready / 1000, 2)} s; first delivered ${fmt(m.first, 0)} ms (${HISTORY.many.accounts} x ${fmt(HISTORY.many.perAccount, 0)}: ${fmt(a.ready / 1000, 2)} s, ${fmt(a.first, 0)} ms)`,
        met: m.ready < 1000,
      },
      {
        figure: '7 history: disk per stored conversation',
        target: 'reported',
        measured: `${kb(m.perConversation)} (${fmt(mb(m.disk.total), 0)} MB; ${HISTORY.many.accounts} x ${fmt(HISTORY.many.perAccount, 0)}: ${kb(a.perConversation)}; ${fmt(HISTORY.base, 0)}: ${kb(b.perConversation)})`,
        met: true,
      },
      retained.row,
    ];
    notes.push(`RSS is the largest of the ${HISTORY.starts} starts (at ready or after the load), ready and first delivered their median; disk per conversation is relay.db, -wal and -shm while the relay runs after its last start's load, over the conversations stored then`
      + (reused ? ` (the million store came with ${fmt(addedBefore, 0)} conversations more from an earlier figure's load)` : ''));
    return { rows, notes };
  } finally {
    await retentionRun?.catch(() => undefined);
    for (const s of [many, base, ret]) await rm(s.dir, { recursive: true, force: true });
  }
}

const diskText = (d: Disk) => `${fmt(mb(d.total), 1)} MB (relay.db ${fmt(mb(d.db), 1)}, -wal ${fmt(mb(d.wal), 1)}, -shm ${fmt(mb(d.shm), 2)})`;

/** A webhook answered 200, or an error. */
async function post(url: string, body: string): Promise<void> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`webhook ${url}: ${res.status}`);
}

/** A pseudo-random stored conversation: its account index and visitor number. */
function storedPick(s: SeededStore, k: number): { account: number; visitor: number } {
  // Spread over the whole store (a multiplicative hash of k), so pages of every part are read.
  const i = Number((BigInt(k) * 2654435761n) % BigInt(s.accounts.length * s.perAccount));
  const account = Math.floor(i / s.perAccount);
  return { account, visitor: visitorOf(s, account, i % s.perAccount) };
}

async function measureStart(s: SeededStore, sim: Sim, tag: string, firstNew: number, onProbe?: (note: string) => void): Promise<Start> {
  const before = await sim.newMessages();
  const relay = await RelayProc.start(s.dir);
  const spawnedAt = performance.now() - relay.readyMs;
  try {
    // A message in a stored conversation of the middle account, sent as soon as the port is open.
    const mid = Math.floor(s.accounts.length / 2);
    const sentAt = performance.now();
    await post(`${relay.url}${s.accounts[mid]!.hookPath}`, chatraBody(visitorOf(s, mid, Math.floor(s.perAccount / 2)), `h-${tag}-first`));
    const answeredAt = performance.now();
    await waitFor(async () => (await sim.newMessages()) > before, 30_000, 'the first webhook delivered', 1);
    const deliveredAt = performance.now();
    const ready = await rssOf(relay.pid);

    let probes = 0;
    if (onProbe) {
      // Webhooks every 50 ms until 16 s after the spawn: the first retention pass runs 10 s after start.
      const times: { at: number; ms: number }[] = [];
      for (let k = 0; performance.now() < spawnedAt + 16_000; k++) {
        const pick = storedPick(s, 1_000_003 + k);
        const ts = performance.now();
        await post(`${relay.url}${s.accounts[pick.account]!.hookPath}`, chatraBody(pick.visitor, `h-${tag}-probe-${k}`));
        times.push({ at: ts - spawnedAt, ms: performance.now() - ts });
        await sleep(50);
      }
      probes = times.length;
      const worst = times.reduce((w, x) => (x.ms > w.ms ? x : w));
      const slow = times.filter((x) => x.ms > 50);
      onProbe(`${s.key}, across the relay's first retention pass (10 s after start; RELAY_RETENTION_DAYS at its default, nothing old enough to delete): ${times.length} webhooks, one every 50 ms `
        + `from ${fmt(times[0]!.at / 1000, 1)} to ${fmt(times.at(-1)!.at / 1000, 1)} s after spawn, each answered in a median ${fmt(median(times.map((x) => x.ms)), 1)} ms, the slowest in ${fmt(worst.ms, 0)} ms (sent ${fmt(worst.at / 1000, 2)} s after spawn)`
        + (slow.length ? `; over 50 ms: ${slow.map((x) => `${fmt(x.ms, 0)} ms at ${fmt(x.at / 1000, 2)} s`).join(', ')}` : ''));
    }

    // The short load: half in stored conversations across the store, half from new visitors.
    const t = performance.now();
    let n = 0;
    const lane = async () => {
      while (n < HISTORY.load) {
        const k = n++;
        const pick = k % 2 ? { account: k % s.accounts.length, visitor: firstNew + k } : storedPick(s, k + 1);
        await post(`${relay.url}${s.accounts[pick.account]!.hookPath}`, chatraBody(pick.visitor, `h-${tag}-${k}`));
      }
    };
    await Promise.all(Array.from({ length: HISTORY.lanes }, lane));
    await waitFor(async () => (await sim.newMessages()) - before >= HISTORY.load + probes + 1, 120_000, 'the load delivered', 10);
    const loadRate = HISTORY.load / ((performance.now() - t) / 1000);
    s.added += HISTORY.load / 2;
    await relay.drained(60_000);
    await sleep(1000);
    const after = await rssOf(relay.pid);
    const heap = await heapOf(relay.url);
    const disk = await diskOf(s.dir);
    return {
      readyLineMs: relay.readyMs, readyMs: answeredAt - spawnedAt, firstDeliveredMs: deliveredAt - spawnedAt, firstLatencyMs: deliveredAt - sentAt,
      rssReady: ready.rssMB, rssLoad: after.rssMB, peak: after.peakMB, heapUsed: heap.used, loadRate, disk,
    };
  } finally {
    await relay.stop();
  }
}

interface Sample { at: number; disk: Disk; inUse: number; delivered: number; sent: number; backlog: number }

interface Retained { row: Row; notes: string[]; from: number; to: number }

/**
 * The retention run (see the top of this file). Each webhook is a stored customer's new message,
 * sent once their stored conversation is older than the period (the relay's first pass deletes
 * it): it opens a new conversation. Customers are taken in order and none comes twice (with the
 * defaults), so the customers (contacts and their identities, which retention keeps) do not grow,
 * and what the load adds is conversations, their tasks and the journal's rows, which retention
 * deletes a period later.
 */
async function retention(s: SeededStore, sim: Sim): Promise<Retained> {
  const cfg = HISTORY.retention;
  const periodMs = cfg.days * 86_400_000;
  const runMs = cfg.periods * periodMs;
  const notes: string[] = [];
  const before = await sim.newMessages();
  const relay = await RelayProc.start(s.dir, { env: { RELAY_RETENTION_DAYS: String(cfg.days) } });
  const startedAt = performance.now();
  const wallStart = Date.now();
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const answers: { at: number; ms: number }[] = [];
  let failures = 0;
  let sent = 0;
  let accepted = 0;
  /** What the webhooks not answered 200 got: a status, or the client's error. */
  const refused = new Map<string, number>();
  const refuse = (why: string) => {
    failures++;
    refused.set(why, (refused.get(why) ?? 0) + 1);
  };
  const samples: Sample[] = [];
  const sample = async () => {
    const x = {
      at: performance.now() - startedAt, disk: await diskOf(s.dir), inUse: await inUseOf(s.dir), delivered: (await sim.newMessages()) - before, sent,
      backlog: await relay.backlog().catch(() => NaN),
    };
    samples.push(x);
    console.log(`  retention run, ${fmt(x.at / 1000, 0)} s: ${x.sent} sent, ${x.delivered} delivered, backlog ${x.backlog}; disk ${fmt(mb(x.disk.total), 1)} MB, in use ${fmt(mb(x.inUse), 1)} MB`);
  };
  const sampleText = () => samples.sort((x, y) => x.at - y.at)
    .map((x) => `${fmt(x.at / 1000, 0)} s: ${fmt(mb(x.disk.total), 1)} MB (wal ${fmt(mb(x.disk.wal), 1)}), in use ${fmt(mb(x.inUse), 1)} MB, ${x.sent} sent, backlog ${x.backlog}`).join('; ');
  try {
    const hook = new URL(`${relay.url}${s.accounts[0]!.hookPath}`);
    const every = 1000 / cfg.rate;
    const sampleEvery = periodMs / cfg.samples;
    let nextSample = 0;
    for (let k = 0; ; k++) {
      const due = k * every;
      if (due >= runMs) break;
      if (due >= nextSample) {
        nextSample += sampleEvery;
        void sample();
      }
      const wait = startedAt + due - performance.now();
      if (wait > 0) await sleep(wait);
      const body = chatraBody(visitorOf(s, 0, k % s.perAccount), `h-ret-${k}`);
      const ts = performance.now();
      sent++;
      const req = http.request({ host: hook.hostname, port: hook.port, path: hook.pathname, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
        if (res.statusCode === 200) accepted++;
        else refuse(String(res.statusCode));
        res.resume();
        res.on('end', () => answers.push({ at: ts - startedAt, ms: performance.now() - ts }));
      });
      req.on('error', (err: NodeJS.ErrnoException) => refuse(err.code ?? err.message));
      req.end(body);
    }
    // Every accepted webhook delivered: waited for as long as deliveries go on (a relay that fell
    // behind under the machine's other load drains its backlog), a minute without one is a failure.
    await waitFor(() => answers.length + failures >= sent, 60_000, 'every retention webhook answered', 50);
    let last = -1;
    let lastAt = performance.now();
    for (;;) {
      const delivered = (await sim.newMessages()) - before;
      if (delivered >= accepted) break;
      if (delivered > last) {
        last = delivered;
        lastAt = performance.now();
      } else if (performance.now() - lastAt > 60_000) {
        throw new Error(`the retention run's deliveries stopped at ${delivered} of ${accepted}`);
      }
      await sleep(200);
    }
    await sample();
  } catch (err) {
    return {
      row: { figure: '7 history: disk under retention', target: 'last period grows <= 0.2 x first', measured: `failed: ${(err as Error).message.slice(0, 120)}`, met: false },
      notes: [`retention run failed: ${(err as Error).message}; ${sent} sent, ${accepted} accepted, ${failures} not answered 200; samples: ${sampleText()}`,
        `retention run, the relay's last output: ${relay.p.output.slice(-1500).replace(/\n/g, ' | ')}`],
      from: startedAt,
      to: performance.now(),
    };
  } finally {
    agent.destroy();
    await relay.stop();
  }
  const passes = relay.p.output.split('\n').filter((l) => l.includes('retention:')).map((l) => {
    try {
      const j = JSON.parse(l) as { time: number; deleted?: number; ms?: number; msg: string; err?: string };
      return { at: j.time - wallStart, ms: j.ms ?? 0, text: j.deleted !== undefined ? `${fmt(j.deleted, 0)} rows in ${fmt(j.ms ?? NaN, 0)} ms` : `${j.msg} ${j.err ?? ''}` };
    } catch {
      return { at: NaN, ms: 0, text: l.slice(0, 200) };
    }
  });

  samples.sort((x, y) => x.at - y.at);
  const at = (t: number) => samples.reduce((best, x) => (Math.abs(x.at - t) < Math.abs(best.at - t) ? x : best));
  const end = samples.at(-1)!;
  // The first period is counted from the end of the first pass, which deleted the seeded rows
  // (older than the period by then): from there the load's rows accumulate until, a period later,
  // the oldest of them are deleted in turn. The header shows the pass at the next checkpoint: the
  // period starts at the fewest pages in use in the half period after the pass.
  const fromMs = Number.isFinite(passes[0]?.at) ? passes[0]!.at : 0;
  const trough = samples.filter((x) => x.at >= fromMs && x.at <= fromMs + periodMs / 2 && Number.isFinite(x.inUse));
  const firstFrom = trough.length ? trough.reduce((lo, x) => (x.inUse < lo.inUse ? x : lo)) : samples[0]!;
  const firstTo = at(firstFrom.at + periodMs);
  const lastFrom = at(end.at - periodMs);
  const rate = end.sent / (runMs / 1000);
  // Growth over a period: the least-squares slope of the samples in it, times the period. Pages in
  // use saw-tooth once rows are deleted (up between passes, down at each): a slope reads through
  // that where the difference of two samples would land on a tooth.
  const growth = (from: number, to: number, of: (x: Sample) => number) => {
    const pts = samples.filter((x) => x.at >= from && x.at <= to && Number.isFinite(of(x)));
    if (pts.length < 2) return NaN;
    const mx = pts.reduce((a, x) => a + x.at, 0) / pts.length;
    const my = pts.reduce((a, x) => a + of(x), 0) / pts.length;
    const sxx = pts.reduce((a, x) => a + (x.at - mx) ** 2, 0);
    return sxx ? (pts.reduce((a, x) => a + (x.at - mx) * (of(x) - my), 0) / sxx) * periodMs : NaN;
  };
  const inUseFirst = growth(firstFrom.at, firstTo.at, (x) => x.inUse);
  const diskFirst = growth(firstFrom.at, firstTo.at, (x) => x.disk.total);
  const diskLast = growth(lastFrom.at, end.at, (x) => x.disk.total);
  const inUseLast = growth(lastFrom.at, end.at, (x) => x.inUse);
  // What one period of the load would add to a store that kept everything, at the seeded store's bytes per conversation.
  const perPeriod = rate * (periodMs / 1000) * (s.seedBytes / (s.accounts.length * s.perAccount));
  const sorted = answers.map((x) => x.ms).sort((a, b) => a - b);
  // Webhooks sent while the first pass ran (its log line comes at its end, with its duration).
  const during = passes[0] ? answers.filter((x) => x.at >= passes[0]!.at - passes[0]!.ms && x.at <= passes[0]!.at).map((x) => x.ms) : [];
  notes.push(`retention run: ${fmt(s.accounts.length * s.perAccount, 0)} conversations stored (a period before), RELAY_RETENTION_DAYS=${cfg.days} (${fmt(periodMs / 1000, 1)} s; the relay prunes ${fmt(Math.min(10_000, periodMs / 4) / 1000, 1)} s after start, then every ${fmt(Math.max(1000, Math.min(3_600_000, periodMs / 4)) / 1000, 1)} s), `
    + `${fmt(rate, 0)} webhooks/s for ${cfg.periods} periods, each a stored customer's new conversation; ${end.sent} sent, ${end.delivered} delivered, `
    + `${failures} not answered 200${failures ? ` (${[...refused].map(([why, n]) => `${why}: ${n}`).join(', ')})` : ''}; `
    + `answered in p50 ${fmt(sorted[Math.floor(sorted.length / 2)] ?? NaN, 1)} ms, p99 ${fmt(sorted[Math.floor(sorted.length * 0.99)] ?? NaN, 1)} ms, max ${fmt(sorted.at(-1) ?? NaN, 0)} ms; `
    + (during.length ? `the ${during.length} sent while the first pass ran answered in up to ${fmt(Math.max(...during), 0)} ms` : 'none sent while the first pass ran'));
  notes.push(`retention passes (s after start: rows deleted): ${passes.map((x) => `${fmt(x.at / 1000, 1)} s: ${x.text}`).join('; ') || 'none logged'}`);
  notes.push(`retention samples (s after start: disk = relay.db + -wal + -shm; pages in use, from relay.db's header; webhooks sent; the relay's backlog): ${sampleText()}`);
  notes.push(`retention (growth over a period: the slope of its samples times the period): over the first period (${fmt(firstFrom.at / 1000, 0)}-${fmt(firstTo.at / 1000, 0)} s) pages in use ${signedMb(inUseFirst)} MB and the disk ${signedMb(diskFirst)} MB; `
    + `over the last (${fmt(lastFrom.at / 1000, 0)}-${fmt(end.at / 1000, 0)} s) ${signedMb(inUseLast)} MB and ${signedMb(diskLast)} MB. A period of the load is ${fmt(mb(perPeriod), 1)} MB at the seeded bytes per conversation. `
    + 'The file does not shrink (no VACUUM): SQLite reuses the pages of deleted rows, here first those of the seeded conversations; contacts and their identities are kept (see the store)');
  // Webhooks not answered 200 are in the notes (and the measured text): what is judged here is the disk.
  const met = inUseFirst > 0 && diskLast <= 0.2 * inUseFirst && inUseLast <= 0.2 * inUseFirst;
  return {
    row: {
      figure: `7 history: disk under retention of ${fmt(periodMs / 60_000, 1)} min`,
      target: 'last period grows <= 0.2 x first',
      measured: `in use ${signedMb(inUseFirst)} MB, then ${signedMb(inUseLast)} MB; disk ${signedMb(diskFirst)}, then ${signedMb(diskLast)} MB (${fmt(mb(end.disk.total), 0)} MB)`
        + (failures ? `; ${failures} of ${end.sent} webhooks not answered 200` : ''),
      met,
    },
    notes,
    from: startedAt,
    to: performance.now(),
  };
}
