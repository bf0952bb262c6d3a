// The append-only file under the journal and the state logs: relay/store/jsonl.ts.
import { mkdir, mkdtemp, rm, rmdir } from 'node:fs/promises';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import os from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { JsonlFile, readJsonl } from '../relay/store/jsonl.ts';

/** `log.jsonl` in a directory of its own, removed after the test. */
async function tmpLog(t: ExecutionContext): Promise<{ dir: string; path: string }> {
  const dir = await mkdtemp(join(os.tmpdir(), 'relay-test-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return { dir, path: join(dir, 'log.jsonl') };
}

test('a failed automatic compaction is recorded, appends go on, and it is not retried at once', async (t) => {
  const { path } = await tmpLog(t);
  const file = new JsonlFile(path, false);
  await file.open();
  for (let i = 0; i < 20; i++) await file.append({ i });
  // The rewrite goes through `<path>.tmp`; a directory there makes it fail as a full disk would.
  await mkdir(`${path}.tmp`);
  let made = 0;
  const make = () => { made++; return [{ i: 19 }]; };
  file.maybeCompact(100, make);
  const waitFor = async () => { for (let n = 0; n < 200 && !file.compactionError; n++) await new Promise((r) => setTimeout(r, 5)); };
  await waitFor();
  t.regex(file.compactionError ?? '', /EISDIR|directory/i);
  t.is(made, 1);
  file.maybeCompact(100, make);
  t.is(made, 1, 'no second attempt right after a failure');
  await file.append({ i: 20 });
  t.true(file.healthy);
  await file.close();
  await rmdir(`${path}.tmp`);
  const { records } = await readJsonl(path);
  t.is(records.length, 21, 'nothing was lost: the original file stays in place');
});

test('compaction waits until the file has doubled since the last one', async (t) => {
  const { path } = await tmpLog(t);
  const file = new JsonlFile(path, false);
  await file.open();
  for (let i = 0; i < 50; i++) await file.append({ pad: 'x'.repeat(20), i });
  let made = 0;
  file.maybeCompact(100, () => { made++; return [{ i: 49 }]; });
  await file.close();
  t.is(made, 1);
  const again = new JsonlFile(path, false);
  await again.open();
  again.maybeCompact(1, () => { made++; return []; });
  await again.close();
  t.is(made, 1, 'a freshly compacted file is not compacted again');
});

test('appends go on while a compaction writes its snapshot, and land after it in the new file', async (t) => {
  const { path } = await tmpLog(t);
  const file = new JsonlFile(path, true);
  await file.open();
  for (let i = 0; i < 10; i++) await file.append({ i });
  // A snapshot of 20 MB takes a while to write and sync; appends started meanwhile must not wait
  // for it (the whole ingest used to stand still for as long).
  const big = Array.from({ length: 20_000 }, (_, i) => ({ i, pad: 'x'.repeat(1000) }));
  let rewritten = false;
  const during: Promise<void>[] = [];
  const rewrite = file.rewrite(() => {
    setImmediate(() => { for (let i = 100; i < 105; i++) during.push(file.append({ i })); });
    return big;
  }).then(() => { rewritten = true; });
  while (!during.length) await new Promise((r) => setImmediate(r));
  await Promise.all(during);
  t.false(rewritten, 'the appends were on disk before the snapshot was');
  await rewrite;
  await file.append({ i: 200 });
  await file.close();
  const { records, skipped } = await readJsonl(path);
  t.is(skipped, 0);
  t.is(records.length, 20_000 + 5 + 1);
  t.deepEqual(records.slice(20_000).map((r) => (r as { i: number }).i), [100, 101, 102, 103, 104, 200]);
});

test('a write that fails while a compaction runs leaves the old file, and the repair rebuilds it', async (t) => {
  const { path } = await tmpLog(t);
  let memory = [{ i: 0 }, { i: 1 }];
  const file = new JsonlFile(path, true, () => memory);
  await file.open();
  for (const r of memory) await file.append(r);
  const rewrite = file.rewrite(() => {
    // The file fails under the compaction's feet: as a disk that fills up would.
    setImmediate(() => { (file as unknown as { fail(e: Error): void }).fail(new Error('ENOSPC: no space left on device')); });
    return Array.from({ length: 5_000 }, (_, i) => ({ i, pad: 'x'.repeat(1000) }));
  });
  await t.throwsAsync(rewrite, { message: /ENOSPC/ });
  t.false(file.healthy);
  memory = [{ i: 0 }, { i: 1 }, { i: 2 }];
  // The next append repairs the file from memory (after the repair pause) and lands after it.
  await new Promise((r) => setTimeout(r, 300));
  await file.append({ i: 3 });
  t.true(file.healthy);
  await file.close();
  const { records } = await readJsonl(path);
  t.deepEqual(records, [{ i: 0 }, { i: 1 }, { i: 2 }, { i: 3 }]);
});

test('a failure after the rename (syncing the directory) leaves the file failed, never appending to the old one', async (t) => {
  const { dir, path } = await tmpLog(t);
  let memory: unknown[] = [{ i: 0 }];
  const file = new JsonlFile(path, true, () => memory);
  await file.open();
  await file.append({ i: 0 });
  // Opening the directory to sync it fails once, as it may with EMFILE or EIO.
  const fsp = createRequire(import.meta.url)('node:fs/promises') as { open: (...a: unknown[]) => Promise<unknown> };
  const realOpen = fsp.open;
  fsp.open = async (...a: unknown[]) => {
    if (a[0] === dir) {
      fsp.open = realOpen;
      syncBuiltinESMExports();
      throw Object.assign(new Error('EMFILE: too many open files, open'), { code: 'EMFILE' });
    }
    return realOpen(...a);
  };
  syncBuiltinESMExports();
  t.teardown(() => { fsp.open = realOpen; syncBuiltinESMExports(); });
  await t.throwsAsync(file.rewrite(() => memory), { message: /EMFILE/ });
  t.false(file.healthy, 'the old handle\'s file has no name any more');
  memory = [{ i: 0 }, { i: 1 }];
  await t.throwsAsync(file.append({ i: 1 }), undefined, 'refused at once, not acknowledged into a file nobody will read');
  // After the repair pause the next append rebuilds the file from memory and lands after it.
  await new Promise((r) => setTimeout(r, 300));
  await file.append({ i: 2 });
  await file.close();
  t.deepEqual((await readJsonl(path)).records, [{ i: 0 }, { i: 1 }, { i: 2 }]);
});
