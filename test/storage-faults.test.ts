// Storage faults of the SQLite store (relay/store/sqlite/db.ts), without mounting anything: a full
// disk is a database that may not grow (helpers/sqlite-faults.ts), a failed commit a deferred
// constraint. What the relay must do: acknowledge nothing that is not on disk, say it is unhealthy,
// and take the provider's retry once the disk takes writes again, without a restart.
import test, { type ExecutionContext } from 'ava';
import { StorageError } from '../relay/errors.ts';
import { SqliteStore } from '../relay/store/sqlite/store.ts';
import type { MessageEvent } from '../relay/core/events.ts';
import { BIG, diskFull, failingCommits, failingWriteOf } from './helpers/sqlite-faults.ts';
import { bindNow, clock, conversation, item, P1, Stores } from './helpers/store.ts';

async function open(t: ExecutionContext): Promise<{ stores: Stores<SqliteStore>; store: SqliteStore }> {
  const stores = await Stores.in(t, (dir) => new SqliteStore(dir));
  return { stores, store: await stores.open() };
}

const big = (id: string) => item(id, { text: BIG });
const textOf = (e: { event: unknown } | undefined) => (e?.event as MessageEvent | undefined)?.text;
/** Whether the promise rejected, whatever with: which error it is, is the failing test's below. */
const rejects = (p: Promise<unknown>) => p.then(() => false, () => true);

test('a full disk: the event that could not be written is neither pending nor seen, and the provider\'s retry is accepted once there is room', async (t) => {
  const { stores, store } = await open(t);
  await store.journal.add([item('m1')]);
  const disk = diskFull(store);
  t.true(await rejects(store.journal.add([big('m2')])));
  t.false(store.journal.pending.has('ch1:m2'));
  t.is((await store.journal.seen(['ch1:m2'])).size, 0, 'a resend must not be taken for a duplicate of it');
  await store.db.settled().catch(() => undefined);
  t.false(store.healthy, '/healthz reports the fault');
  t.true(await rejects(store.journal.add([big('m2')])), 'still full');
  // A provider's retry comes in a later turn than the write that failed: this turn's transaction is gone.
  await store.db.settled().catch(() => undefined);

  disk.heal();
  t.deepEqual((await store.journal.add([big('m2')])).map((e) => e.id), ['ch1:m2'], 'no restart needed');
  t.deepEqual(await store.journal.add([big('m2')]), [], 'and the next resend is a duplicate');
  const again = await stores.reopen(store);
  const pending = [...again.journal.pending.values()].sort((a, b) => a.seq - b.seq);
  t.deepEqual(pending.map((e) => e.id), ['ch1:m1', 'ch1:m2']);
  t.is(textOf(pending[1]), BIG);
});

// On SQLITE_FULL SQLite may roll the whole transaction back by itself, savepoint and all: the
// write still rejects with a StorageError (not the savepoint's own error), at once.
test('a full disk rejects the write itself with a StorageError, and the store is unhealthy at once', async (t) => {
  const { store } = await open(t);
  await store.journal.add([item('m1')]);
  diskFull(store);
  await t.throwsAsync(store.journal.add([big('m2')]), { instanceOf: StorageError });
  t.false(store.healthy);
  await store.db.settled().catch(() => undefined);
  const s = store.state('acc1');
  await t.throwsAsync(bindNow(s, { client: 'ch1/v1', phone: P1 }, () => ({ name: BIG })), { instanceOf: StorageError });
  await t.throwsAsync(s.putConversation(conversation('ch1:k1', P1, { clientId: BIG })), { instanceOf: StorageError });
});

test('a full disk fails every write of its turn, those made before the one that filled it too: none is acknowledged, none is on disk', async (t) => {
  const { stores, store } = await open(t);
  const disk = diskFull(store);
  const s = store.state('acc1');
  // One turn: writes before the one that fills the disk, a resend of it, and writes after it.
  // Writes made together stand or fall together (a delivery's step and the state it changed).
  const writes = {
    before: store.journal.add([item('a')]),
    beforeState: s.putConversation(conversation('ch1:k1', P1)),
    full: store.journal.add([big('b')]),
    resend: store.journal.add([big('b')]),
    after: store.journal.markSeen('ch1:c'),
  };
  for (const [k, p] of Object.entries(writes)) await t.throwsAsync(p, { instanceOf: StorageError }, k);
  disk.heal();
  const again = await stores.reopen(store);
  t.is((await again.journal.seen(['ch1:a', 'ch1:b', 'ch1:c'])).size, 0);
  t.is(await again.state('acc1').conversation('ch1:k1'), undefined);
  t.is(again.journal.pending.size, 0);
});

test('an I/O error in one write undoes the writes made before it in its turn, and fails those after it: they stand or fall together', async (t) => {
  const { stores, store } = await open(t);
  failingWriteOf(store, 'ch1:b');
  const s = store.state('acc1');
  const writes = {
    before: store.journal.add([item('a')]),
    beforeState: s.putConversation(conversation('ch1:k1', P1)),
    failing: store.journal.add([item('b')]),
    after: store.journal.markSeen('ch1:c'),
  };
  for (const [k, p] of Object.entries(writes)) await t.throwsAsync(p, { instanceOf: StorageError }, k);
  t.false(store.healthy);
  const again = await stores.reopen(store);
  t.is((await again.journal.seen(['ch1:a', 'ch1:b', 'ch1:c'])).size, 0);
  t.is(await again.state('acc1').conversation('ch1:k1'), undefined);
});

test('a failing commit rejects every write of its turn with a StorageError, memory keeps none of them, and the next turn commits', async (t) => {
  const { stores, store } = await open(t);
  const commits = failingCommits(store);
  const [earlier] = await store.journal.add([item('m0')]);
  const s = store.state('acc1');

  const turn = [
    store.journal.add([item('m1')]),
    store.journal.add([item('m1', { text: 'resent' })]),
    store.journal.markSeen('ch1:echo'),
    store.journal.done(earlier!),
    bindNow(s, { client: 'ch1/v1', phone: P1 }, () => ({ name: 'Olga' })),
    s.putConversation(conversation('ch1:k1', P1)),
    commits.poison(),
  ];
  const results = await Promise.allSettled(turn);
  t.deepEqual(results.map((r) => r.status === 'rejected' && r.reason instanceof StorageError), turn.map(() => true));
  t.false(store.healthy);

  t.deepEqual([...store.journal.pending.keys()], ['ch1:m0'], 'the event whose done was lost is still pending');
  t.is((await store.journal.seen(['ch1:m1', 'ch1:echo'])).size, 0);
  t.is(await s.byClient('ch1/v1'), undefined);
  t.is(await s.conversation('ch1:k1'), undefined);

  t.deepEqual((await store.journal.add([item('m1')])).map((e) => e.id), ['ch1:m1'], 'the provider\'s retry');
  await store.journal.done(earlier!);
  const again = await stores.reopen(store);
  t.deepEqual([...again.journal.pending.keys()], ['ch1:m1']);
  t.deepEqual([...await again.journal.seen(['ch1:m0', 'ch1:m1', 'ch1:echo'])].sort(), ['ch1:m0', 'ch1:m1']);
});

test.serial('after a failure the store is unhealthy for a while, then healthy again without any traffic', async (t) => {
  const { store } = await open(t);
  const time = clock(t);
  const commits = failingCommits(store);
  await t.throwsAsync(commits.poison(), { instanceOf: StorageError });
  t.false(store.healthy);
  t.false(store.journal.healthy);
  time.set(time.now + 60_000);
  t.true(store.healthy);
  t.true(store.journal.healthy);
});
