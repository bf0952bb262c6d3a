import { appendFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LONG } from './scale.ts';

/** One line of the figures table. Counts are measured, never assumed. */
export interface Row {
  scenario: string;
  load: string;
  faults: string;
  inputs: number;
  lost: number;
  duplicated: number;
  fiveXX: number;
  /** Anything the numbers need to be read right (latencies, in-flight bound, skipped parts). */
  notes?: string;
}

const FAULTS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Every test file of one AVA run appends here; AVA's workers share their parent, so its pid names
 * the run unless `npm run test:faults` chose the file.
 */
export function resultsFile(): string {
  if (process.env.FAULTS_RESULTS) return process.env.FAULTS_RESULTS;
  const dir = join(tmpdir(), 'planfix-relay-faults');
  mkdirSync(dir, { recursive: true });
  return join(dir, `run-${process.ppid}.jsonl`);
}

function fileOf(url: string): string {
  return basename(fileURLToPath(url));
}

export function record(testFileUrl: string, row: Row): void {
  appendFileSync(resultsFile(), `${JSON.stringify({ file: fileOf(testFileUrl), row })}\n`);
}

/** The test files of the suite: the table is complete when each has said it is done. */
function suiteFiles(): string[] {
  return readdirSync(FAULTS_DIR).filter((f) => f.endsWith('.test.ts')).sort();
}

export function readRows(file = resultsFile()): { rows: Row[]; done: Set<string> } {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return { rows: [], done: new Set() };
  }
  const rows: Row[] = [];
  const done = new Set<string>();
  for (const line of text.split('\n')) {
    if (!line) continue;
    const r = JSON.parse(line) as { file: string; row?: Row; done?: boolean };
    if (r.row) rows.push(r.row);
    if (r.done) done.add(r.file);
  }
  return { rows, done };
}

export function table(rows: Row[]): string {
  const head = ['scenario', 'load held', 'faults injected', 'inputs tried', 'lost', 'duplicated', '5xx', 'notes'];
  const body = [...rows].sort((a, b) => a.scenario.localeCompare(b.scenario)).map((r) => [
    r.scenario, r.load, r.faults, String(r.inputs), String(r.lost), String(r.duplicated), String(r.fiveXX), r.notes ?? '',
  ]);
  const esc = (s: string) => s.replaceAll('|', '\\|');
  return [
    `| ${head.join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
    ...body.map((cells) => `| ${cells.map(esc).join(' | ')} |`),
  ].join('\n');
}

/**
 * Marks this file done; the last file of the run to finish prints the whole table (once: the
 * marker file is created exclusively), so `npm test` shows the figures without a separate step.
 */
export function finish(testFileUrl: string): void {
  const file = resultsFile();
  appendFileSync(file, `${JSON.stringify({ file: fileOf(testFileUrl), done: true })}\n`);
  // `npm run test:faults` chose the file and prints the table itself.
  if (process.env.FAULTS_RESULTS) return;
  const { rows, done } = readRows(file);
  if (!suiteFiles().every((f) => done.has(f))) return;
  try {
    writeFileSync(`${file}.printed`, '', { flag: 'wx' });
  } catch {
    return;
  }
  console.log(`\nFault suite (${LONG ? 'long' : 'bounded'} form), figures:\n${table(rows)}\n`);
}
