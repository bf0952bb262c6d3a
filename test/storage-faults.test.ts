// What the fault suite (test/faults/disk.test.ts) found in relay/store/jsonl.ts, pinned down
// without mounting anything: short writes, repair after a failed write, retryable storage errors.
import { mkdtemp, readFile, rm, writeFile, type FileHandle } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import type { MessageEvent } from '../relay/core/events.ts';
import { RetryableError } from '../relay/errors.ts';
import { Journal, type Entry } from '../relay/store/journal.ts';
import { JsonlFile, eachJsonl, readJsonl } from '../relay/store/jsonl.ts';
import { AccountState } from '../relay/store/state.ts';

async function tmpDir(t: ExecutionContext): Promise<string> {
  const dir = await mkdtemp(join(os.tmpdir(), 'relay-test-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

function item(id: string): Omit<Entry, 'seq' | 'step'> {
  const at = Date.now();
  const event: MessageEvent = { kind: 'message', eventId: id, customer: { clientId: 'v1' }, at, text: `text of ${id}`, attachments: [] };
  return { id: `ch1:${id}`, account: 'acc1', channel: 'ch1', key: 'ch1:v1', at, event };
}

type Writable = { fh: FileHandle };
const fhOf = (o: unknown): FileHandle => (o as Writable).fh;

/** The next write on the file's handle takes only `keep` bytes, as write(2) does on a nearly full disk. */
function shortWriteOnce(file: unknown, keep: number): void {
  const fh = fhOf(file);
  const original = fh.write.bind(fh) as (...a: unknown[]) => Promise<{ bytesWritten: number }>;
  let done = false;
  (fh as unknown as { write: unknown }).write = (buf: Buffer, off = 0, len = buf.length - off) => {
    if (done) return original(buf, off, len);
    done = true;
    return original(buf, off, Math.min(keep, len));
  };
}

/**
 * Every write on the handle fails with ENOSPC until `heal()`; with `partial`, the first one first
 * puts that many bytes of its buffer in the file, as a write cut short by a full disk does.
 */
function diskFull(file: unknown, partial = 0): { heal(): void } {
  const fh = fhOf(file);
  const original = fh.write.bind(fh) as (...a: unknown[]) => Promise<{ bytesWritten: number }>;
  let left = partial;
  (fh as unknown as { write: unknown }).write = async (buf: Buffer, off = 0) => {
    if (left > 0) {
      const n = left;
      left = 0;
      return original(buf, off, n);
    }
    throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  };
  return { heal: () => { (fh as unknown as { write: unknown }).write = original; } };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Found by the disk-full scenario: on a nearly full tmpfs write(2) took 296 of 700 bytes without an
// error; the journal acknowledged the event (webhook 200) with half its record on disk, and the
// event was gone after the next restart.
test('a short write is completed, not acknowledged torn', async (t) => {
  const dir = await tmpDir(t);
  const path = join(dir, 'log.jsonl');
  const file = new JsonlFile(path, true);
  await file.open();
  await file.append({ n: 1 });
  shortWriteOnce(file, 7);
  await file.append({ n: 2, pad: 'x'.repeat(500) });
  await file.append({ n: 3 });
  await file.close();
  const { records, skipped } = await readJsonl(path);
  t.is(skipped, 0);
  t.deepEqual(records.map((r) => (r as { n: number }).n), [1, 2, 3]);
});

test('a failed append rejects with a retryable storage error (a 503 for providers, a backoff for the worker)', async (t) => {
  const dir = await tmpDir(t);
  const j = new Journal(dir);
  await j.open();
  t.teardown(() => j.close());
  diskFull((j as unknown as { file: unknown }).file);
  const err = await t.throwsAsync(j.add([item('m1')]));
  t.true(err instanceof RetryableError, err?.constructor.name);
  t.regex(err!.message, /ENOSPC/);
});

// Found by the disk-full scenario: after one failed write the journal refused every append until
// the process was restarted, so webhooks got 503 and /healthz said 503 long after space returned.
test('the journal repairs itself once the disk takes writes again, without a restart', async (t) => {
  const dir = await tmpDir(t);
  const j = new Journal(dir);
  await j.open();
  t.teardown(() => j.close());
  await j.add([item('m1')]);
  const file = (j as unknown as { file: unknown }).file;
  // Part of m2's record reaches the file, then the disk is full.
  const full = diskFull(file, 10);
  await t.throwsAsync(j.add([item('m2')]));
  t.false(j.healthy);
  await t.throwsAsync(j.add([item('m3')]), undefined, 'refused at once while the disk is full');
  full.heal();
  // The background repair turns /healthz green without any traffic.
  for (let i = 0; i < 60 && !j.healthy; i++) await sleep(50);
  t.true(j.healthy, 'repaired by itself');
  t.is((await j.add([item('m2')])).length, 1, 'the provider retry is accepted');
  await j.close();
  const { records, skipped } = await readJsonl(join(dir, 'journal.jsonl'));
  t.is(skipped, 0, 'no partial record left behind');
  const again = new Journal(dir);
  await again.open();
  t.teardown(() => again.close());
  t.deepEqual([...again.pending.keys()], ['ch1:m1', 'ch1:m2']);
  t.true(records.length >= 2);
});

// Found by the disk-full scenario's review: a state change made while its record could not be
// written stayed in memory only (a later identical change writes nothing), so a restart forgot it.
test('state changes made while the disk was full reach the file after the repair', async (t) => {
  const dir = await tmpDir(t);
  const s = new AccountState(join(dir, 'acc1'));
  await s.open();
  t.teardown(() => s.close());
  const full = diskFull((s as unknown as { file: unknown }).file);
  await t.throwsAsync(s.bindContact('+79051234567', { client: 'ch1/v1', phone: '+79051234567' }, { name: 'Olga' }));
  full.heal();
  for (let i = 0; i < 60 && !s.healthy; i++) await sleep(50);
  t.true(s.healthy);
  await s.close();
  const text = await readFile(join(dir, 'acc1', 'state.jsonl'), 'utf8');
  t.regex(text, /Olga/);
  const again = new AccountState(join(dir, 'acc1'));
  await again.open();
  t.teardown(() => again.close());
  t.is(again.byClient('ch1/v1'), '+79051234567');
});

// The disk scenarios' torn journal and truncated state: the start-up warning said only how many
// lines it skipped, not where or what.
test('skipped lines are located: line, byte offset, length, whether torn, and the record type and id', async (t) => {
  const dir = await tmpDir(t);
  const path = join(dir, 'log.jsonl');
  const good = '{"t":"e","id":"ch1:a","text":"hello"}\n';
  const corrupt = '{"t":"e","id":"ch1:b","te\n';
  const torn = '{"t":"p","id":"ch1:c","plan":[{"do":"newMes';
  await writeFile(path, good + corrupt + good + torn);
  const seen: unknown[] = [];
  const { skipped, skippedLines } = await eachJsonl(path, (r) => seen.push(r));
  t.is(seen.length, 2);
  t.is(skipped, 2);
  t.deepEqual(skippedLines, [
    { line: 2, offset: good.length, bytes: corrupt.length - 1, torn: false, record: 'type e, id ch1:b' },
    { line: 4, offset: 2 * good.length + corrupt.length, bytes: torn.length, torn: true, record: 'type p, id ch1:c' },
  ]);
  t.false(JSON.stringify(skippedLines).includes('hello'), 'never the content');
});
