// A profiling aid, not a figure: runs the relay under `node --cpu-prof` with the ingest load of
// figure 1 (or a paced load: `--rate 200`), lets it deliver everything (unless `--no-drain`), and
// prints where its CPU time went: functions by self time, and by inclusive time.
//   npx tsx bench/profile.ts [--seconds 8] [--conns 100] [--rate N] [--no-drain]
// With DOWN=1 the account's Planfix is a closed port: the profile is then of ingest alone.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cannon, INGEST } from './ingest.ts';
import { bundle, chatraAccount, chatraBody, RelayProc, SimHost, sleep, tempDir } from './lib.ts';

interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
interface Profile { nodes: Node[]; samples: number[]; timeDeltas: number[] }

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const seconds = arg('seconds', 8);
const rate = arg('rate', 0);
const conns = arg('conns', INGEST.connections);

const outDir = await tempDir('profile');
const sim = await SimHost.start(await bundle('bench/sim-host.ts', outDir));
const relay = await RelayProc.start(join(outDir, 'data'), { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${outDir}`] });
const { webhookUrl } = await chatraAccount(relay, process.env.DOWN ? 'http://127.0.0.1:9' : sim.origin);
if (rate) {
  const until = Date.now() + seconds * 1000;
  let i = 0;
  while (Date.now() < until) {
    void fetch(webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: chatraBody(i % 100, `p-${i}`) });
    i++;
    await sleep(1000 / rate);
  }
} else {
  const r = await cannon(webhookUrl, { connections: conns, seconds, visitors: INGEST.visitors, prefix: 'p' });
  console.log(`relay ${r.rps.toFixed(0)} req/s`);
}
if (!process.argv.includes('--no-drain')) await relay.drained();
await relay.stop();
await sim.stop();

const file = (await readdir(outDir)).find((f) => f.endsWith('.cpuprofile'))!;
const prof = JSON.parse(await readFile(join(outDir, file), 'utf8')) as Profile;
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const self = new Map<number, number>();
let total = 0;
prof.samples.forEach((id, i) => { const dt = prof.timeDeltas[i] ?? 0; self.set(id, (self.get(id) ?? 0) + dt); total += dt; });

const where = (url: string) => {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1]!;
  if (url.includes('dist/relay.js')) return 'relay';
  return url ? url.replace(/^.*\/(lib|internal)\//, 'node:$1/') : '(native/gc/idle)';
};
const fnSelf = new Map<string, number>();
for (const [id, t] of self) {
  const n = byId.get(id)!;
  const k = `${n.callFrame.functionName || '(anon)'} ${where(n.callFrame.url)}:${n.callFrame.lineNumber}`;
  fnSelf.set(k, (fnSelf.get(k) ?? 0) + t);
}
// Inclusive time per relay function (by name), counted once per sample.
const incl = new Map<string, number>();
prof.samples.forEach((id, i) => {
  const dt = prof.timeDeltas[i] ?? 0;
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const n = byId.get(cur)!;
    const k = `${n.callFrame.functionName || '(anon)'} ${where(n.callFrame.url)}`;
    if (seen.has(k)) continue;
    seen.add(k);
    incl.set(k, (incl.get(k) ?? 0) + dt);
  }
});
const top = (m: Map<string, number>, n: number) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n)
  .map(([k, t]) => `${(t / 1000).toFixed(0).padStart(7)} ms ${((100 * t) / total).toFixed(1).padStart(5)}%  ${k}`).join('\n');
console.log(`total ${(total / 1000).toFixed(0)} ms sampled\n\nself time:\n${top(fnSelf, 40)}\n\ninclusive:\n${top(incl, 60)}`);
console.log(`\nprofile: ${join(outDir, file)}`);
