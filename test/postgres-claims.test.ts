// Several relay processes on one database claim queue keys (relay/store/postgres/claims.ts): two
// stores on one test database stand for two processes.
import test from 'ava';
import { PostgresStore } from '../relay/store/postgres/store.ts';
import { testDatabase } from './helpers/postgres.ts';
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
  t.deepEqual(await a.claims.claim(['k1']), ['k1']);
  t.deepEqual(await b.claims.claim(['k1', 'k2']), ['k2'], 'k1 is held by the other process');
  t.deepEqual(await a.claims.claim(['k2']), []);
  t.deepEqual((await a.claims.entriesOf(['k1'])).map((e) => e.id), ['ch1:m1']);
  t.true(await a.claims.release('k1'), 'its event is still pending');
  t.deepEqual(await b.claims.claim(['k1']), ['k1']);
  const [e] = await b.claims.entriesOf(['k1']);
  await b.journal.done(e!);
  t.false(await b.claims.release('k1'), 'nothing of it is left');
});

test('a process that ends (its session closes) loses its claims, and says so to the others', async (t) => {
  const { a, b } = await two(t);
  await a.journal.add([item('m1', { key: 'k1' })]);
  t.deepEqual(await a.claims.claim(['k1']), ['k1']);
  let told = 0;
  b.claims.on('work', () => { told++; });
  await b.claims.open();
  t.deepEqual(await b.claims.claim(['k1']), []);
  await a.close();
  t.deepEqual(await b.claims.claim(['k1']), ['k1']);
  // NOTIFY arrives asynchronously.
  for (let i = 0; i < 50 && !told; i++) await new Promise((r) => setTimeout(r, 20));
  t.true(told > 0, 'relay_work was notified on close');
});

test('one leader among the processes, until it ends', async (t) => {
  const { a, b } = await two(t);
  t.true(await a.claims.lead());
  t.false(await b.claims.lead());
  await a.close();
  t.true(await b.claims.lead());
});

test('two processes journaling one key at once: its seq order is its commit order', async (t) => {
  const { a, b } = await two(t);
  const adds = [];
  for (let i = 0; i < 40; i++) adds.push((i % 2 ? a : b).journal.add([item(`m${i}`, { key: 'k1' })]));
  const added = (await Promise.all(adds)).flat();
  t.is(added.length, 40);
  const seqs = (await a.claims.entriesOf(['k1'])).map((e) => e.seq);
  t.deepEqual(seqs, [...seqs].sort((x, y) => x - y));
  t.is(new Set(seqs).size, 40);
});
