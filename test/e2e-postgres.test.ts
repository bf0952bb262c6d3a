// The relay on PostgreSQL (RELAY_DATABASE_URL), as a process: a database of the test's own on the
// test server (helpers/postgres.ts), the Planfix simulator and the Chatra fake over real HTTP.
import { readdir } from 'node:fs/promises';
import test from 'ava';
import { chatraWebhook } from './sim/chatra.ts';
import { chatraSetup } from './helpers/chatra-setup.ts';
import { sqlRows, testDatabase } from './helpers/postgres.ts';
import { FAST_REST, RelayProcess } from './helpers/relay-process.ts';

const texts = (task: { comments: { text: string }[] }) => task.comments.map((c) => c.text);

async function onPostgres(t: Parameters<typeof chatraSetup>[0]) {
  // Before the relay, so that it is dropped after the relay stops (AVA tears down in reverse order).
  const url = await testDatabase(t);
  const world = await chatraSetup(t, { env: { RELAY_DATABASE_URL: url } });
  const rows = (sql: string) => sqlRows(url, sql);
  return { ...world, rows };
}

test('a Chatra chat reaches Planfix through a relay on PostgreSQL, which keeps the account there and not in the data directory', async (t) => {
  const { pf, relay, account, hook, rows } = await onPostgres(t);
  t.regex(relay.output, /data in PostgreSQL at 127\.0\.0\.1:\d+\/relay_test_/);
  t.notRegex(relay.output, /postgres:\/\//, 'the URL is never printed');
  t.is((await hook(chatraWebhook('chatStarted', { messages: [{ id: 'm1', message: 'Hi! Is the blue kettle in stock?' }] }))).status, 200);
  t.is((await hook(chatraWebhook('chatFragment', { messages: [{ id: 'm2', message: 'The 1.7 l one' }] }))).status, 200);
  const task = await pf.waitFor(() => pf.tasks.find((x) => x.comments.length >= 2));
  t.true(texts(task)[0]!.startsWith('Hi! Is the blue kettle in stock?'));
  t.is(texts(task)[1], 'The 1.7 l one');
  t.is(pf.contacts.length, 1);

  // An id PostgreSQL could not store: refused as bad input, as on SQLite, never a 500.
  const nul = await hook(chatraWebhook('chatFragment', { messages: [{ id: 'm\u00003', message: 'hi' }] }));
  t.is(nul.status, 400);
  t.regex(nul.body.error, /control character/);

  t.deepEqual((await rows('SELECT id FROM accounts')).map((r) => r.id), [account.id]);
  t.true((await rows('SELECT count(*)::int AS n FROM seen'))[0]!.n === 2, 'both events taken, in the database');
  await pf.waitFor(async () => (await rows('SELECT count(*)::int AS n FROM events'))[0]!.n === 0);
  t.deepEqual((await rows('SELECT chat_id FROM conversations')).length, 1);
  const files = await readdir(relay.dataDir);
  t.false(files.includes('relay.db'), 'no SQLite store beside it');
  t.false(files.includes('accounts'), 'no account files');

  // The backlog counts every process's events as of the last poll (a second at most).
  const health = await pf.waitFor(async () => {
    const res = await fetch(`${relay.url}/healthz`);
    const body = await res.json() as { backlog: number };
    return body.backlog === 0 ? { status: res.status, body } : undefined;
  });
  t.is(health.status, 200);
  t.like(health.body, { ok: true, journalWritable: true, workerAlive: true, backlog: 0 });
});

test('a relay on PostgreSQL killed right after answering 2xx delivers the message once after restart, with its account read back', async (t) => {
  const { pf, relay, hook } = await onPostgres(t);
  // Planfix unreachable: the event can only be in the database when the relay dies.
  await pf.setMode('down');
  const res = await hook(chatraWebhook('chatStarted', { messages: [{ id: 'k1', message: 'Survive the crash' }] }));
  t.is(res.status, 200);
  await relay.kill('SIGKILL');
  await pf.setMode('up');
  await relay.restart();
  const task = await pf.waitFor(() => pf.tasks.find((x) => x.comments.length >= 1), 15_000);
  t.true(texts(task)[0]!.startsWith('Survive the crash'));
  // The provider resends what it got no answer for: still a duplicate after the restart.
  t.like((await hook(chatraWebhook('chatStarted', { messages: [{ id: 'k1', message: 'Survive the crash' }] }))).body, { accepted: 0 });
  await hook(chatraWebhook('chatFragment', { messages: [{ id: 'k2', message: 'sentinel' }] }));
  await pf.waitFor(() => texts(task).includes('sentinel'));
  t.is(pf.commands.filter((c) => c.cmd === 'newMessage' && c.status === 200).length, 2);
  t.is(texts(task).filter((x) => x.startsWith('Survive the crash')).length, 1);
  t.is((await fetch(`${relay.url}/healthz`)).status, 200);
});

test('two relays on one database: settings changed through one apply in the other within a second, and either takes the channel\'s webhooks', async (t) => {
  const url = await testDatabase(t);
  const { relay, account, channel, pf, hook } = await chatraSetup(t, { env: { RELAY_DATABASE_URL: url } });
  // A second host: it reads the account from the database when it starts.
  const second = await RelayProcess.start({ ...FAST_REST, RELAY_DATABASE_URL: url });
  t.teardown(() => second.stop());
  const onSecond = (body: unknown) => second.post(channel.webhookUrl, JSON.stringify(body));
  t.is((await onSecond(chatraWebhook('chatStarted', { messages: [{ id: 'm1', message: 'Through the second relay' }] }))).status, 200);
  await pf.waitFor(() => pf.tasks.find((x) => texts(x).some((s) => s.startsWith('Through the second relay'))));

  // Renamed and given a new secret through the first: the second knows both at once.
  const changedAt = Date.now();
  t.is((await relay.api('PATCH', `/api/accounts/${account.id}/channels/${channel.id}`, { name: 'Renamed on the first' })).status, 200);
  const seen = await pf.waitFor(async () => {
    const c = await second.api('GET', `/api/accounts/${account.id}/channels/${channel.id}`);
    return c.body?.name === 'Renamed on the first' ? Date.now() : undefined;
  }, 5_000);
  t.true(seen - changedAt < 1_500, `applied in the other relay after ${seen - changedAt} ms`);

  // A channel deleted through the first: its webhooks are refused by the second too, never 2xx.
  t.is((await relay.api('DELETE', `/api/accounts/${account.id}/channels/${channel.id}`)).status, 204);
  await pf.waitFor(async () => (await onSecond(chatraWebhook('chatFragment', { messages: [{ id: 'm9', message: 'after delete' }] }))).status === 404, 5_000);
  t.is((await hook(chatraWebhook('chatFragment', { messages: [{ id: 'm9', message: 'after delete' }] }))).status, 404);
});
