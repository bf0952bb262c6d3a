// What the SQLite engine does beyond the store's contract (store-contract.test.ts): group commit
// (relay/store/sqlite/db.ts), the database file's mode, and the schema version check.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import Database from 'better-sqlite3';
import { StorageError } from '../relay/errors.ts';
import { migrate, SCHEMA_VERSION } from '../relay/store/sqlite/schema.ts';
import type { Entry } from '../relay/store/store.ts';
import { failingCommits } from './helpers/sqlite-faults.ts';
import { DB_FILE, SqliteStore } from '../relay/store/sqlite/store.ts';
import { bindNow, conversation, item, P1, Stores } from './helpers/store.ts';

test('the writes of one turn share one COMMIT, and another connection sees all of them once the first resolves, none before', async (t) => {
  const stores = await Stores.in(t, (dir) => new SqliteStore(dir));
  const store = await stores.open();
  const reader = new Database(join(stores.dir, DB_FILE), { readonly: true, fileMustExist: true });
  t.teardown(() => reader.close());
  const visible = () => ({
    events: reader.prepare('SELECT (SELECT count(*) FROM events) + (SELECT count(*) FROM seen)').pluck().get() as number,
    identities: reader.prepare('SELECT count(*) FROM identities').pluck().get() as number,
    conversations: reader.prepare('SELECT count(*) FROM conversations').pluck().get() as number,
  });
  let commits = 0;
  const exec = store.db.sql.exec.bind(store.db.sql);
  store.db.sql.exec = (source: string) => {
    if (/^\s*COMMIT\b/i.test(source)) commits++;
    return exec(source);
  };
  const s = store.state('acc1');

  const turn: Promise<unknown>[] = [
    store.journal.add([item('m1')]),
    store.journal.add([item('m2')]),
    store.journal.markSeen('ch1:echo'),
    bindNow(s, { client: 'ch1/v1', phone: P1 }, () => ({ name: 'Olga' })),
    s.putConversation(conversation('ch1:k1', P1)),
  ];
  t.deepEqual(visible(), { events: 0, identities: 0, conversations: 0 }, 'nothing is visible while the turn is open');
  t.is(commits, 0);
  // Read at the moment the first write of the turn is acknowledged.
  const atFirst = Promise.race(turn).then(() => ({ seen: visible(), commits }));
  await Promise.all(turn);
  t.deepEqual(await atFirst, { seen: { events: 3, identities: 2, conversations: 1 }, commits: 1 });

  await store.journal.add([item('m3')]);
  t.is(commits, 2, 'a later turn commits on its own');
});

test('relay.db and its WAL are readable by the relay\'s user only', async (t) => {
  const stores = await Stores.in(t, (dir) => new SqliteStore(dir));
  const store = await stores.open();
  // Written while open, so the WAL exists.
  await store.journal.add([item('m1')]);
  const path = join(stores.dir, DB_FILE);
  t.is((await stat(path)).mode & 0o777, 0o600);
  t.is((await stat(`${path}-wal`)).mode & 0o777, 0o600);
});

test('a database written by a newer relay is refused, not misread; one of this version opens', async (t) => {
  const stores = await Stores.in(t, (dir) => new SqliteStore(dir));
  await stores.close(await stores.open());
  const setVersion = (v: number) => {
    const db = new Database(join(stores.dir, DB_FILE));
    db.pragma(`user_version = ${v}`);
    db.close();
  };
  setVersion(SCHEMA_VERSION + 1);
  t.throws(() => new SqliteStore(stores.dir), { message: /newer relay/ });
  setVersion(SCHEMA_VERSION);
  const store = await stores.open();
  t.is((await store.journal.add([item('m1')])).length, 1);
});

test('a database of schema 1 is upgraded: finished events keep only their ids, still duplicates; pending events and dead letters are as they were', async (t) => {
  const stores = await Stores.in(t, (dir) => new SqliteStore(dir));
  const v1 = new Database(join(stores.dir, DB_FILE));
  v1.pragma('journal_mode = WAL');
  migrate(v1, 1);
  const row = v1.prepare('INSERT INTO events (id, account, channel, key, at, event, plan, step, dead_reason, dead_at, done_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
  const event = JSON.stringify(item('x').event);
  row.run('ch1:pending', 'acc1', 'ch1', 'ch1:v1', 1000, event, '[{"do":"learnTask","chatId":"ch1:k1"}]', 1, null, null, null);
  row.run('ch1:done', 'acc1', 'ch1', 'ch1:v1', 1000, null, null, 0, null, null, 2000);
  row.run('ch1:dead', 'acc1', 'ch1', 'ch1:v1', 1000, event, null, 0, 'refused', 3000, null);
  row.run('ch1:echo', '', '', '', 4000, null, null, 0, null, null, 4000);
  v1.close();

  const store = await stores.open();
  t.deepEqual([...store.journal.pending.keys()], ['ch1:pending']);
  t.like(store.journal.pending.get('ch1:pending'), { step: 1, plan: [{ do: 'learnTask', chatId: 'ch1:k1' }] });
  t.deepEqual((await store.journal.deadLetters('acc1')).map((e) => [e.id, e.dead?.reason]), [['ch1:dead', 'refused']]);
  t.deepEqual([...await store.journal.seen(['ch1:pending', 'ch1:done', 'ch1:dead', 'ch1:echo', 'ch1:new'])].sort(), ['ch1:dead', 'ch1:done', 'ch1:echo', 'ch1:pending']);
  t.deepEqual(await store.journal.add([item('done'), item('echo'), item('new')]).then((es) => es.map((e) => e.id)), ['ch1:new']);
  const sql = store.db.sql;
  t.deepEqual(sql.prepare('SELECT id FROM events ORDER BY seq').pluck().all(), ['ch1:pending', 'ch1:dead', 'ch1:new']);
  t.deepEqual(sql.prepare('SELECT id, at FROM seen ORDER BY id').all(), [{ id: 'ch1:done', at: 2000 }, { id: 'ch1:echo', at: 4000 }]);
  t.is(sql.pragma('user_version', { simple: true }), SCHEMA_VERSION);
});

test('a write for an entry that is gone lands on nothing, though a new entry has its seq: rows rolled back with a failed commit leave their seq free', async (t) => {
  const stores = await Stores.in(t, (dir) => new SqliteStore(dir));
  const store = await stores.open();
  const commits = failingCommits(store);
  let lost: Entry[] = [];
  const failed = store.journal.add([item('b')], (fresh) => { lost = fresh; });
  void commits.poison().catch(() => undefined);
  await t.throwsAsync(failed, { instanceOf: StorageError });
  const [c] = await store.journal.add([item('c')]);
  t.is(c!.seq, lost[0]!.seq, 'SQLite gives the next row the seq the rolled-back one had');
  // What the worker might still do for the entry it took before that commit failed.
  const ghost = lost[0]!;
  await store.journal.setPlan(ghost, [{ do: 'learnTask', chatId: 'ch1:ghost' }]);
  await store.journal.setStep(ghost, 1);
  await store.journal.dead(ghost, 'ghost');
  await store.journal.done(ghost);
  const again = await stores.reopen(store);
  t.deepEqual([...again.journal.pending.values()].map((e) => ({ id: e.id, plan: e.plan, step: e.step, dead: e.dead })), [{ id: 'ch1:c', plan: undefined, step: 0, dead: undefined }]);
  t.is((await again.journal.seen(['ch1:b'])).size, 0, 'nor is the lost entry taken for done');
});

test('a finished event\'s seq is not given to a later one: seqs keep the order events came in, which the worker queues by', async (t) => {
  const stores = await Stores.in(t, (dir) => new SqliteStore(dir));
  const store = await stores.open();
  const [a] = await store.journal.add([item('a')]);
  const [b] = await store.journal.add([item('b')]);
  await store.journal.done(b!);
  await store.journal.done(a!);
  const [c] = await store.journal.add([item('c')]);
  t.true(c!.seq > b!.seq, `a ${a!.seq}, b ${b!.seq}, c ${c!.seq}`);
  const again = await stores.reopen(store);
  const [d] = await again.journal.add([item('d')]);
  t.true(d!.seq > c!.seq, `after a restart: c ${c!.seq}, d ${d!.seq}`);
});
