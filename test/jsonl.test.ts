// The append-only file under the journal and the state logs: relay/store/jsonl.ts.
import { mkdir, mkdtemp, rm, rmdir } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { JsonlFile, readJsonl } from '../relay/store/jsonl.ts';

test('a failed automatic compaction is recorded, appends go on, and it is not retried at once', async (t) => {
  const dir = await mkdtemp(join(os.tmpdir(), 'relay-test-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'log.jsonl');
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
  const dir = await mkdtemp(join(os.tmpdir(), 'relay-test-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = new JsonlFile(join(dir, 'log.jsonl'), false);
  await file.open();
  for (let i = 0; i < 50; i++) await file.append({ pad: 'x'.repeat(20), i });
  let made = 0;
  file.maybeCompact(100, () => { made++; return [{ i: 49 }]; });
  await file.close();
  t.is(made, 1);
  const again = new JsonlFile(join(dir, 'log.jsonl'), false);
  await again.open();
  again.maybeCompact(1, () => { made++; return []; });
  await again.close();
  t.is(made, 1, 'a freshly compacted file is not compacted again');
});
