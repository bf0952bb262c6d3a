// What only the PostgreSQL engine does (the contract both engines keep is store-contract.test.ts):
// its schema's versions, and a server that goes away and comes back.
import { createServer, connect, type Server, type Socket } from 'node:net';
import test from 'ava';
import { StorageError } from '../relay/errors.ts';
import { SCHEMA_VERSION } from '../relay/store/postgres/schema.ts';
import { PostgresStore } from '../relay/store/postgres/store.ts';
import { sqlRows, testSchema } from './helpers/postgres.ts';
import { item, pendingOf } from './helpers/store.ts';

test('relays starting at once on an empty database make the schema once; a newer one is refused', async (t) => {
  const url = await testSchema(t);
  const stores = await Promise.all([1, 2, 3].map(() => PostgresStore.open(url)));
  t.teardown(() => Promise.all(stores.map((s) => s.close())));
  t.deepEqual(await sqlRows(url, 'SELECT version FROM relay_schema'), [{ version: SCHEMA_VERSION }]);
  await stores[0]!.journal.add([item('m1')]);
  t.deepEqual([...(await stores[1]!.journal.seen(['ch1:m1']))], ['ch1:m1']);

  await sqlRows(url, `UPDATE relay_schema SET version = ${SCHEMA_VERSION + 1}`);
  await t.throwsAsync(PostgresStore.open(url), { message: /written by a newer relay \(schema \d+, this one knows up to \d+\)/ });
});

/** A TCP hop between the store and the server that the test can cut and mend. */
async function hop(to: URL): Promise<{ url: string; cut(): Promise<void>; mend(): Promise<void>; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  const listen = async () => {
    server = createServer((a) => {
      const b = connect(Number(to.port), to.hostname);
      for (const s of [a, b]) { sockets.add(s); s.on('close', () => sockets.delete(s)); s.on('error', () => undefined); }
      a.pipe(b).pipe(a);
    });
    await new Promise<void>((resolve) => server!.listen(port, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  };
  const cut = async () => {
    const closed = new Promise((resolve) => server!.close(resolve));
    for (const s of sockets) s.destroy();
    await closed;
  };
  await listen();
  const url = new URL(to);
  url.port = String(port);
  return { url: url.toString(), cut, mend: listen, close: cut };
}

test('a server out of reach: writes fail with a StorageError, the store says unhealthy, and it works again once the server is back', async (t) => {
  const direct = new URL(await testSchema(t));
  const link = await hop(direct);
  t.teardown(() => link.close());
  const store = await PostgresStore.open(link.url);
  t.teardown(() => store.close());
  t.is((await store.journal.add([item('m1')])).length, 1);
  t.true(store.healthy);

  await link.cut();
  const err = await t.throwsAsync(store.journal.add([item('m2')]), { instanceOf: StorageError });
  t.regex(err.message, /^storage unavailable: /);
  await t.throwsAsync(store.state('acc1').bind({ client: 'ch1/v1' }, () => ({})), { instanceOf: StorageError }, 'in a transaction too');
  t.false(store.healthy, '/healthz answers 503 meanwhile');

  await link.mend();
  t.deepEqual([...(await pendingOf(store)).keys()], ['ch1:m1'], 'nothing of the failed add is pending');
  t.is((await store.journal.add([item('m2')])).length, 1, 'the provider\'s resend is taken');
  t.deepEqual((await sqlRows(direct.toString(), 'SELECT id FROM events ORDER BY seq')).map((r) => r.id), ['ch1:m1', 'ch1:m2']);
});
