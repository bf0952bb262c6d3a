// `npm run bench`: every figure of the relay's benchmark in one run on loopback, then the table.
// `npm run bench -- ingest latency` runs only the figures named.
import { cpus, platform, release, totalmem } from 'node:os';
import { readFile, rm } from 'node:fs/promises';
import { footprint } from './footprint.ts';
import { growth } from './growth.ts';
import { history } from './history.ts';
import { ingest } from './ingest.ts';
import { latency } from './latency.ts';
import { limiter } from './limiter.ts';
import { popup } from './popup.ts';
import { stopPostgres } from './postgres.ts';
import { releaseStores } from './stores.ts';
import { widget } from './widget.ts';
import { bundle, loadAverage, SimHost, tempDir, type FigureResult, type Row } from './lib.ts';

// In the order they run. History (figure 7) runs before growth: both start the relay on 1,000,000
// stored conversations, and history seeds that store beside its others, one process per CPU.
const FIGURES: Record<string, (ctx: Ctx) => Promise<FigureResult>> = {
  ingest: (ctx) => ingest(ctx.sim),
  latency: () => latency(),
  history: (ctx) => history(ctx.sim),
  growth: (ctx) => growth(ctx.sim),
  footprint: (ctx) => footprint(ctx.sim),
  widget: () => widget(),
  limiter: () => limiter(),
  popup: () => popup(),
};

export interface Ctx {
  sim: SimHost;
}

const only = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const names = only.length ? only : Object.keys(FIGURES);
for (const n of names) if (!FIGURES[n]) throw new Error(`no figure ${n}; figures: ${Object.keys(FIGURES).join(', ')}`);

const started = performance.now();
const outDir = await tempDir('bundles');
process.env.BENCH_BARE_KOA = await bundle('bench/bare-koa.ts', outDir);
const sim = await SimHost.start(await bundle('bench/sim-host.ts', outDir));
const cpuModel = (await readFile('/proc/cpuinfo', 'utf8').catch(() => '')).match(/^model name\s*:\s*(.+)$/m)?.[1] ?? cpus()[0]?.model ?? '?';
console.log(`machine: ${cpus().length} CPUs (${cpuModel}), ${Math.round(totalmem() / 2 ** 20)} MB memory, node ${process.version}, ${platform()} ${release()}; load average ${await loadAverage()}`);

const rows: Row[] = [];
try {
  for (const n of names) {
    const t = performance.now();
    console.log(`\n— ${n} (load average ${await loadAverage()})`);
    let r: FigureResult;
    try {
      r = await FIGURES[n]!({ sim });
    } catch (err) {
      // One figure failing (a missing browser, a timeout) still leaves the others' rows.
      r = { rows: [{ figure: n, target: '-', measured: `failed: ${(err as Error).message.split('\n')[0]!.slice(0, 120)}`, met: false }], notes: [(err as Error).stack ?? String(err)] };
    }
    for (const line of r.notes) console.log(`  ${line}`);
    for (const row of r.rows) console.log(`  ${row.figure}: ${row.measured} (${row.target}) ${row.met ? 'met' : 'NOT MET'}`);
    console.log(`  (${((performance.now() - t) / 1000).toFixed(0)} s)`);
    rows.push(...r.rows);
    // A seeded store two figures share (history, growth) is kept until the last of them has run.
    await releaseStores(names.slice(names.indexOf(n) + 1));
  }
} finally {
  await releaseStores([]);
  await stopPostgres();
  await sim.stop();
  await rm(outDir, { recursive: true, force: true });
}

const cols = ['figure', 'target', 'measured', 'met'] as const;
const cells = rows.map((r) => [r.figure, r.target, r.measured, r.met ? 'yes' : 'NO']);
const width = cols.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i]!.length)));
const line = (vals: readonly string[]) => `| ${vals.map((v, i) => v.padEnd(width[i]!)).join(' | ')} |`;
console.log(`\n${line(cols)}\n|${width.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const c of cells) console.log(line(c));
console.log(`\nload average at the end ${await loadAverage()}; ${((performance.now() - started) / 1000).toFixed(0)} s in all`);
console.log(`targets met: ${rows.filter((r) => r.met).length}/${rows.length}`);
