// The durable event journal (DESIGN.md, "Durability and order"): relay/store/journal.ts on jsonl.ts.
import { appendFile, mkdtemp, readFile, rm, stat, writeFile, type FileHandle } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import type { MessageEvent } from '../relay/core/events.ts';
import type { Op } from '../relay/core/plan.ts';
import { Journal, type Entry } from '../relay/store/journal.ts';
import { JsonlFile, readJsonl } from '../relay/store/jsonl.ts';

async function tmpDir(t: ExecutionContext): Promise<string> {
  const dir = await mkdtemp(os.tmpdir() + '/relay-test-');
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Opens a journal in `dir` and closes it at the end of the test (closing twice is harmless). */
async function openJournal(t: ExecutionContext, dir: string): Promise<Journal> {
  const j = new Journal(dir);
  await j.open();
  t.teardown(() => j.close());
  return j;
}

function item(id: string, text = `text of ${id}`, at = Date.now()): Omit<Entry, 'seq' | 'step'> {
  const event: MessageEvent = { kind: 'message', eventId: id, customer: { clientId: 'v1', name: 'Olga' }, at, text, attachments: [] };
  return { id: `ch1:${id}`, account: 'acc1', channel: 'ch1', key: 'ch1:v1', at, event };
}

const PLAN: Op[] = [
  { do: 'newMessage', params: { chatId: 'ch1:k', message: 'hi' }, contactKey: 'k', fingerprint: '[]' },
  { do: 'learnTask', chatId: 'ch1:k' },
];

async function journalLines(dir: string): Promise<Record<string, unknown>[]> {
  const text = await readFile(join(dir, 'journal.jsonl'), 'utf8');
  return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
}

test('added events come back after a reopen, with their plan and step', async (t) => {
  const dir = await tmpDir(t);
  const j = await openJournal(t, dir);
  const [a, b] = await j.add([item('m1'), item('m2')]);
  t.truthy(a && b);
  t.true(a!.seq < b!.seq);
  await j.setPlan(a!, PLAN);
  await j.setStep(a!, 1);
  await j.close();

  const again = await openJournal(t, dir);
  t.deepEqual([...again.pending.keys()], ['ch1:m1', 'ch1:m2']);
  const ra = again.pending.get('ch1:m1')!;
  t.deepEqual(ra.plan, PLAN);
  t.is(ra.step, 1);
  t.is(ra.seq, a!.seq);
  t.is(ra.key, 'ch1:v1');
  t.is(ra.account, 'acc1');
  t.deepEqual(ra.event, item('m1', undefined, ra.at).event);
  const rb = again.pending.get('ch1:m2')!;
  t.is(rb.plan, undefined);
  t.is(rb.step, 0);
  // Sequence numbers continue after the reopen.
  const [c] = await again.add([item('m3')]);
  t.true(c!.seq > rb.seq);
});

test('a duplicate id is rejected, in one call, in two calls and across a reopen', async (t) => {
  const dir = await tmpDir(t);
  const j = await openJournal(t, dir);
  t.is((await j.add([item('m1'), item('m1')])).length, 1);
  t.deepEqual(await j.add([item('m1', 'retry')]), []);
  await j.close();
  const again = await openJournal(t, dir);
  t.deepEqual(await again.add([item('m1', 'retry after restart')]), []);
  t.is(again.pending.size, 1);
  t.is((again.pending.get('ch1:m1')!.event as MessageEvent).text, 'text of m1', 'the first delivery is the one kept');
});

test('two concurrent add() of one id journal it once', async (t) => {
  const dir = await tmpDir(t);
  const j = await openJournal(t, dir);
  const [x, y] = await Promise.all([j.add([item('m1', 'first')]), j.add([item('m1', 'second')])]);
  t.is(x.length + y.length, 1);
  t.is(j.pending.size, 1);
  await j.close();
  const records = (await journalLines(dir)).filter((r) => r.t === 'e');
  t.is(records.length, 1);
  const again = await openJournal(t, dir);
  t.is(again.pending.size, 1);
});

test('done events are gone after a reopen but their ids are still known', async (t) => {
  const dir = await tmpDir(t);
  const j = await openJournal(t, dir);
  const [a] = await j.add([item('m1'), item('m2')]);
  await j.done(a!);
  t.false(j.pending.has('ch1:m1'));
  t.true(j.has('ch1:m1'));
  await j.close();
  const again = await openJournal(t, dir);
  t.deepEqual([...again.pending.keys()], ['ch1:m2']);
  t.true(again.has('ch1:m1'));
  t.true(again.has('ch1:m2'));
  t.false(again.has('ch1:m3'));
  t.deepEqual(await again.add([item('m1')]), [], 'a provider retry of a delivered event is still a duplicate');
});

test('markSeen ids survive a reopen', async (t) => {
  const dir = await tmpDir(t);
  const j = await openJournal(t, dir);
  await j.markSeen('ch1:our-own-message');
  await j.close();
  const again = await openJournal(t, dir);
  t.true(again.has('ch1:our-own-message'));
  t.is(again.pending.size, 0);
});

test('dead letters and their revival are persisted', async (t) => {
  const dir = await tmpDir(t);
  const j = await openJournal(t, dir);
  const [a, b] = await j.add([item('m1'), item('m2')]);
  await j.dead(a!, 'Planfix answered 400: Invalid parameters');
  await j.dead(b!, 'gone');
  await j.revive(b!);
  await j.close();

  const again = await openJournal(t, dir);
  t.is(again.pending.get('ch1:m1')!.dead?.reason, 'Planfix answered 400: Invalid parameters');
  t.is(typeof again.pending.get('ch1:m1')!.dead?.at, 'number');
  t.is(again.pending.get('ch1:m2')!.dead, undefined);
  await again.revive(again.pending.get('ch1:m1')!);
  await again.close();
  const third = await openJournal(t, dir);
  t.is(third.pending.get('ch1:m1')!.dead, undefined);
});

test('a torn last line is skipped and counted; every complete record is kept', async (t) => {
  const dir = await tmpDir(t);
  const j = await openJournal(t, dir);
  const [a] = await j.add([item('m1'), item('m2')]);
  await j.setStep(a!, 1);
  await j.close();
  // A crash in the middle of a write leaves half a JSON line.
  await appendFile(join(dir, 'journal.jsonl'), '{"t":"e","id":"ch1:m3","seq":3,"acc');

  const again = await openJournal(t, dir);
  t.is(again.skippedOnLoad, 1);
  t.deepEqual([...again.pending.keys()], ['ch1:m1', 'ch1:m2']);
  t.is(again.pending.get('ch1:m1')!.step, 1);
  t.false(again.has('ch1:m3'));
});

// Regression (fixed in 52184db, JsonlFile.open): the file was opened for append without checking
// that it ends with "\n", so after a torn last line the next record was glued onto it
// (`{"t":"e","id":"ch1:m3","acc{"t":"e","id":"ch1:m4",…}`): an event fsync'd and answered 2xx
// was unreadable, and lost, on the following start.
test('an event added after a torn last line survives the next reopen', async (t) => {
  const dir = await tmpDir(t);
  const j = await openJournal(t, dir);
  await j.add([item('m1')]);
  await j.close();
  await appendFile(join(dir, 'journal.jsonl'), '{"t":"e","id":"ch1:m3","acc');

  const second = await openJournal(t, dir);
  t.is((await second.add([item('m4')])).length, 1);
  await second.close();

  const third = await openJournal(t, dir);
  t.deepEqual([...third.pending.keys()].sort(), ['ch1:m1', 'ch1:m4']);
});

test('an event that did not reach the disk is not claimed: the provider retry is accepted after a restart', async (t) => {
  const dir = await tmpDir(t);
  const j = await openJournal(t, dir);
  await j.add([item('m1')]);
  // Make the next write fail, as a full or failing disk would.
  await (j as unknown as { file: { fh: FileHandle } }).file.fh.close();
  await t.throwsAsync(j.add([item('m2')]));
  t.false(j.has('ch1:m2'));
  t.false(j.pending.has('ch1:m2'));
  t.false(j.healthy);
  // The file stays failed until reopened, so nothing can glue onto a partial write.
  await t.throwsAsync(j.add([item('m3')]));

  const again = await openJournal(t, dir);
  t.true(again.healthy);
  t.deepEqual([...again.pending.keys()], ['ch1:m1']);
  t.is((await again.add([item('m2')])).length, 1);
  await again.close();
  const third = await openJournal(t, dir);
  t.deepEqual([...third.pending.keys()], ['ch1:m1', 'ch1:m2']);
});

test('a corrupt line in the middle is skipped, the records around it kept', async (t) => {
  const dir = await tmpDir(t);
  const j = await openJournal(t, dir);
  await j.add([item('m1')]);
  await j.close();
  await appendFile(join(dir, 'journal.jsonl'), 'garbage}\n');
  const j2 = await openJournal(t, dir);
  await j2.add([item('m2')]);
  await j2.close();
  const again = await openJournal(t, dir);
  t.is(again.skippedOnLoad, 1);
  t.deepEqual([...again.pending.keys()], ['ch1:m1', 'ch1:m2']);
});

test('compact() keeps pending, dead and seen ids, and drops the history of done events', async (t) => {
  const dir = await tmpDir(t);
  const j = await openJournal(t, dir);
  const added = await j.add(Array.from({ length: 50 }, (_, i) => item(`m${i}`, 'x'.repeat(200))));
  for (const e of added.slice(0, 45)) await j.done(e);
  const pending = added[45]!;
  await j.setPlan(pending, PLAN);
  await j.setStep(pending, 1);
  await j.dead(added[46]!, 'refused');
  await j.markSeen('ch1:echo-1');
  const before = (await stat(join(dir, 'journal.jsonl'))).size;

  await j.compact();
  const after = (await stat(join(dir, 'journal.jsonl'))).size;
  t.true(after < before, `compacted ${before} → ${after}`);
  const lines = await journalLines(dir);
  t.is(lines.filter((r) => r.t === 'e').length, 5, 'only the pending events keep their bodies');
  t.false(lines.some((r) => r.t === 'd'));
  await j.close();

  const again = await openJournal(t, dir);
  t.is(again.skippedOnLoad, 0);
  t.deepEqual([...again.pending.keys()], added.slice(45).map((e) => e.id));
  t.deepEqual(again.pending.get(pending.id)!.plan, PLAN);
  t.is(again.pending.get(pending.id)!.step, 1);
  t.is(again.pending.get(added[46]!.id)!.dead?.reason, 'refused');
  for (const e of added) t.true(again.has(e.id), e.id);
  t.true(again.has('ch1:echo-1'));
  const [next] = await again.add([item('after')]);
  t.true(next!.seq > added[49]!.seq, 'sequence numbers do not restart after compaction');
});

test('appends made while compaction runs land in the new file', async (t) => {
  const dir = await tmpDir(t);
  const j = await openJournal(t, dir);
  const added = await j.add(Array.from({ length: 20 }, (_, i) => item(`m${i}`)));
  for (const e of added.slice(0, 10)) await j.done(e);

  const compaction = j.compact();
  // Started synchronously after compact(): they queue behind the rewrite.
  const during = j.add([item('during-1'), item('during-2')]);
  const step = j.setStep(added[10]!, 1);
  const finish = j.done(added[11]!);
  const seen = j.markSeen('ch1:echo-during');
  await Promise.all([compaction, during, step, finish, seen]);
  t.is((await during).length, 2);
  await j.close();

  const again = await openJournal(t, dir);
  t.is(again.skippedOnLoad, 0);
  const keys = [...again.pending.keys()];
  t.true(keys.includes('ch1:during-1'));
  t.true(keys.includes('ch1:during-2'));
  t.false(keys.includes(added[11]!.id));
  t.is(again.pending.get(added[10]!.id)!.step, 1);
  t.true(again.has('ch1:echo-during'));
  t.true(again.has(added[0]!.id));
  t.is(again.pending.size, 10 + 2 - 1);
});

test('ids seen more than 30 days ago are forgotten by compaction, pending ones never', async (t) => {
  const dir = await tmpDir(t);
  const j = await openJournal(t, dir);
  const old = Date.now() - 31 * 24 * 3_600_000;
  const [doneOld, pendingOld, doneNew] = await j.add([item('old-done', 'x', old), item('old-pending', 'x', old), item('new-done')]);
  await j.done(doneOld!);
  await j.done(doneNew!);
  await j.compact();
  await j.close();
  const again = await openJournal(t, dir);
  t.false(again.has(doneOld!.id));
  t.true(again.has(pendingOld!.id));
  t.true(again.pending.has(pendingOld!.id));
  t.true(again.has(doneNew!.id));
});

test('the journal file is created 0600 and stays 0600 after compaction', async (t) => {
  const dir = await tmpDir(t);
  const j = await openJournal(t, dir);
  await j.add([item('m1')]);
  t.is((await stat(join(dir, 'journal.jsonl'))).mode & 0o777, 0o600);
  await j.compact();
  t.is((await stat(join(dir, 'journal.jsonl'))).mode & 0o777, 0o600);
});

test('JsonlFile: concurrent appends are all written, in call order, and readJsonl reads them back', async (t) => {
  const dir = await tmpDir(t);
  const f = new JsonlFile(join(dir, 'x.jsonl'), true);
  await f.open();
  t.teardown(() => f.close());
  await Promise.all(Array.from({ length: 100 }, (_, i) => f.append({ i })));
  await f.close();
  const { records, skipped } = await readJsonl(join(dir, 'x.jsonl'));
  t.is(skipped, 0);
  t.deepEqual(records, Array.from({ length: 100 }, (_, i) => ({ i })));
  t.is(f.bytes, (await stat(join(dir, 'x.jsonl'))).size);
});

test('readJsonl of a missing file is empty, of blank lines is empty', async (t) => {
  const dir = await tmpDir(t);
  t.deepEqual(await readJsonl(join(dir, 'none.jsonl')), { records: [], skipped: 0 });
  await writeFile(join(dir, 'blank.jsonl'), '\n\n');
  t.deepEqual(await readJsonl(join(dir, 'blank.jsonl')), { records: [], skipped: 0 });
});

test('a backlog is not rewritten again and again: compaction waits until finished events outweigh pending ones', async (t) => {
  const dir = await tmpDir(t);
  const path = join(dir, 'journal.jsonl');
  // A compaction replaces the file (a new inode); appends keep it.
  const file = async () => { const s = await stat(path); return { ino: s.ino, size: s.size }; };
  let j = await openJournal(t, dir);
  // Three bytes a character in UTF-8, one in a JS string: the live size must count bytes, as the
  // file's size does, or a backlog looks mostly dead and is rewritten over and over.
  const text = '字'.repeat(300);
  const added: Entry[] = [];
  for (let b = 0; b < 50; b++) added.push(...await j.add(Array.from({ length: 100 }, (_, i) => item(`b${b}-${i}`, text))));
  const backlog = await file();
  t.true(backlog.size > 4 * 1024 * 1024, 'past the size where compaction starts');
  // A few delivered: the file is still almost all backlog, and rewriting it would gain nothing.
  for (const e of added.slice(0, 100)) await j.done(e);
  await j.close();
  t.is((await file()).ino, backlog.ino, 'not compacted while mostly pending');

  // Reopened (the live size is counted again from the file), the rest is delivered.
  j = await openJournal(t, dir);
  t.is(j.pending.size, 4_900);
  for (const e of added.slice(100)) await j.done(j.pending.get(e.id)!);
  await j.close();
  const after = await file();
  t.not(after.ino, backlog.ino, 'compacted once finished events outweigh pending ones');
  t.true(after.size < backlog.size * 0.75, `${after.size} of ${backlog.size} bytes`);
  const again = await openJournal(t, dir);
  t.is(again.pending.size, 0);
  t.true(added.every((e) => again.has(e.id)), 'every id is still known for dedupe');
});

test('a resend that arrives while the first copy is being written is acknowledged only with it: if that write fails, both fail', async (t) => {
  const dir = await tmpDir(t);
  const j = await openJournal(t, dir);
  const fh = (j as unknown as { file: { fh: FileHandle } }).file.fh;
  const write = fh.write.bind(fh);
  (fh as unknown as { write: unknown }).write = async () => {
    await new Promise((r) => setTimeout(r, 30));
    throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  };
  const first = j.add([item('m1')]);
  const resend = j.add([item('m1')]);
  await t.throwsAsync(first);
  await t.throwsAsync(resend, undefined, 'the resend is not answered as a duplicate of an event that is nowhere');
  t.false(j.has('ch1:m1'));
  (fh as unknown as { write: unknown }).write = write;
  await new Promise((r) => setTimeout(r, 300));
  t.is((await j.add([item('m1')])).length, 1, 'the provider\'s next try is journaled');
  t.deepEqual(await j.add([item('m1')]), [], 'and a later one is a duplicate');
});

test('close() waits for every compaction queued before it, and none starts after it', async (t) => {
  const dir = await tmpDir(t);
  const j = new Journal(dir);
  await j.open();
  await j.add(Array.from({ length: 20 }, (_, i) => item(`m${i}`, 'x'.repeat(1000))));
  const compactions = [j.compact(), j.compact()];
  await j.close();
  const file = (j as unknown as { file: { fh?: FileHandle } }).file;
  t.is(file.fh, undefined, 'no handle reopened by a compaction that outlived close()');
  const settled = await Promise.allSettled(compactions);
  t.deepEqual(settled.map((r) => r.status), ['fulfilled', 'fulfilled']);
  await t.throwsAsync(j.compact(), { message: /closing/ });
});
