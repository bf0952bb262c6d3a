// `npm run test:faults`: the fault suite (test/faults) in its long form, then its table of figures.
//   --bounded      the form `npm test` runs (shorter load, fewer faults)
//   --update-doc   also write the table into docs/RELIABILITY.md (between its table markers)
// Extra arguments go to AVA (e.g. a file: `npm run test:faults -- test/faults/crash.test.ts`).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readRows, table } from '../test/faults/helpers/results.ts';

const args = process.argv.slice(2);
const bounded = args.includes('--bounded');
const updateDoc = args.includes('--update-doc');
const avaArgs = args.filter((a) => !a.startsWith('--update-doc') && a !== '--bounded');
const files = avaArgs.some((a) => a.endsWith('.ts')) ? [] : ['test/faults/*.test.ts'];

const run = (cmd: string, cmdArgs: string[], env: NodeJS.ProcessEnv = process.env) => {
  const r = spawnSync(cmd, cmdArgs, { stdio: 'inherit', env });
  return r.status ?? 1;
};

if (run('npx', ['--no-install', 'tsx', 'scripts/build.ts']) !== 0) process.exit(1);

const results = join(mkdtempSync(join(tmpdir(), 'faults-')), 'results.jsonl');
const started = Date.now();
// One file at a time: the scenarios measure latencies and hold loads; they should not share the two cores.
const code = run('npx', ['--no-install', 'ava', '--concurrency', '1', '--timeout', '20m', ...files, ...avaArgs], {
  ...process.env,
  FAULTS: bounded ? 'bounded' : 'long',
  FAULTS_RESULTS: results,
});
const minutes = ((Date.now() - started) / 60_000).toFixed(1);

const { rows } = readRows(results);
const md = table(rows);
console.log(`\nFault suite, ${bounded ? 'bounded' : 'long'} form (${minutes} min, ${new Date().toISOString().slice(0, 10)}):\n\n${md}\n`);

if (updateDoc) {
  const doc = 'docs/RELIABILITY.md';
  const text = readFileSync(doc, 'utf8');
  const begin = '<!-- faults:table:begin -->';
  const end = '<!-- faults:table:end -->';
  const at = text.indexOf(begin);
  const until = text.indexOf(end);
  if (at < 0 || until < at) throw new Error(`${doc} has no ${begin} … ${end} block`);
  const block = `${begin}\n_${bounded ? 'Bounded' : 'Long'} form, ${new Date().toISOString().slice(0, 10)}, ${minutes} min on this machine (2 cores)._\n\n${md}\n`;
  writeFileSync(doc, text.slice(0, at) + block + text.slice(until));
  console.log(`table written to ${doc}`);
}
process.exit(code);
