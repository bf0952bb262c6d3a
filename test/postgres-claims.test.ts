// Several relay processes on one database claim queue keys (relay/store/postgres/claims.ts): two
// stores on one test database stand for two processes.
import test from 'ava';
import pg from 'pg';
import { PostgresStore } from '../relay/store/postgres/store.ts';
import { sqlRows, testDatabase } from './helpers/postgres.ts';
import { item } from './helpers/store.ts';

async function two(t: Parameters<typeof testDatabase>[0]) {
  const url = await testDatabase(t);
  const a = await PostgresStore.open(url);
  const b = await PostgresStore.open(url);
  t.teardown(async () => { await a.close().catch(() => undefined); await b.close().catch(() => undefined); });
  return { a, b, url };
}

test('a key is claimed by one process at a time; released, it is anyone\'s, and the release says whether events of it are left', async (t) => {
  const { a, b } = await two(t);
  await a.journal.add([item('m1', { key: 'k1' }), item('m2', { key: 'k2' })]);
  t.deepEqual((await a.claims.claim(['k1'])).keys, ['k1']);
  t.deepEqual((await b.claims.claim(['k1', 'k2'])).keys, ['k2'], 'k1 is held by the other process');
  t.deepEqual((await a.claims.claim(['k2'])).keys, []);
  t.deepEqual((await a.claims.entriesOf(['k1'])).map((e) => e.id), ['ch1:m1']);
  t.true(await a.claims.release('k1'), 'its event is still pending');
  t.deepEqual((await b.claims.claim(['k1'])).keys, ['k1']);
  const [e] = await b.claims.entriesOf(['k1']);
  await b.journal.done(e!);
  t.false(await b.claims.release('k1'), 'nothing of it is left');
});

test('a process whose session the server ends loses its claims: it is told, and another process takes them', async (t) => {
  const { a, b, url } = await two(t);
  await a.journal.add([item('m1', { key: 'k1' })]);
  t.deepEqual((await a.claims.claim(['k1'])).keys, ['k1']);
  let lost = 0;
  a.claims.on('lost', () => { lost++; });
  t.deepEqual((await b.claims.claim(['k1'])).keys, []);
  const epoch = a.claims.epoch;
  // The server ends the session holding the lock (a restart, an operator, a dead client noticed).
  const ended = await sqlRows(url, `SELECT pg_terminate_backend(pid) AS ok FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`);
  t.is(ended.length, 1);
  for (let i = 0; i < 100 && !lost; i++) await new Promise((r) => setTimeout(r, 20));
  t.is(lost, 1, 'the process is told its claims are gone');
  t.true(a.claims.epoch > epoch, 'what it claimed before is void');
  t.deepEqual((await b.claims.claim(['k1'])).keys, ['k1']);
});

test('a process that stops gives its claims up and tells the others to look for work', async (t) => {
  const { a, b } = await two(t);
  await a.journal.add([item('m1', { key: 'k1' })]);
  t.deepEqual((await a.claims.claim(['k1'])).keys, ['k1']);
  let told = 0;
  b.claims.on('work', () => { told++; });
  await b.claims.open();
  await a.close();
  for (let i = 0; i < 100 && !told; i++) await new Promise((r) => setTimeout(r, 20));
  t.true(told > 0, 'relay_work was notified');
  t.deepEqual((await b.claims.claim(['k1'])).keys, ['k1']);
});

test('one leader among the processes, until it ends', async (t) => {
  const { a, b } = await two(t);
  t.true(await a.claims.lead());
  t.false(await b.claims.lead());
  await a.close();
  t.true(await b.claims.lead());
});

test('a key\'s events take their seq in the order they commit: an add waits for another process\'s add of the same key', async (t) => {
  const { a, url } = await two(t);
  // Another process in the middle of its add of k1: its key lock taken, its row written, not committed.
  const other = new pg.Client({ connectionString: url });
  await other.connect();
  t.teardown(() => other.end());
  await other.query('BEGIN');
  await other.query('SELECT pg_advisory_xact_lock(1, hashtext($1))', ['k1']);
  const [row] = (await other.query(`INSERT INTO events (id, account, channel, key, at, event) VALUES ('ch1:first', 'acc1', 'ch1', 'k1', 0, '{}') RETURNING seq`)).rows as { seq: number }[];
  let done = false;
  const adding = a.journal.add([item('second', { key: 'k1' })]).then((r) => { done = true; return r; });
  await new Promise((r) => setTimeout(r, 300));
  t.false(done, 'the add of k1 waits for the other process\'s commit');
  await other.query('COMMIT');
  const [second] = await adding;
  t.true(second!.seq > Number(row!.seq), 'so its seq comes after the one committed before it');
});
