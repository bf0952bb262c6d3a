// What the SQLite engine does beyond the store's contract (store-contract.test.ts): group commit
// (relay/store/sqlite/db.ts), the database file's mode, and the schema version check.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import Database from 'better-sqlite3';
import { SCHEMA_VERSION } from '../relay/store/sqlite/schema.ts';
import { DB_FILE, SqliteStore } from '../relay/store/sqlite/store.ts';
import { conversation, item, P1, Stores } from './helpers/store.ts';

test('the writes of one turn share one COMMIT, and another connection sees all of them once the first resolves, none before', async (t) => {
  const stores = await Stores.in(t, (dir) => new SqliteStore(dir));
  const store = await stores.open();
  const reader = new Database(join(stores.dir, DB_FILE), { readonly: true, fileMustExist: true });
  t.teardown(() => reader.close());
  const visible = () => ({
    events: reader.prepare('SELECT count(*) FROM events').pluck().get() as number,
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
    s.bind({ client: 'ch1/v1', phone: P1 }, () => ({ name: 'Olga' })),
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
