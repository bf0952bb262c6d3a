// Moving a data directory onto PostgreSQL (relay/store/move/): every table of both schemas is
// accounted for row for row, what the store answers is the same on either engine afterwards, a
// database already used is refused, and a failure midway leaves nothing behind. The command as
// operators run it, on a directory the relay process wrote: e2e-move-to-postgres.test.ts.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import Database from 'better-sqlite3';
import type { Account } from '../relay/core/account.ts';
import { emptyHour, HOUR } from '../relay/core/traffic.ts';
import { checkStoredAccount } from '../relay/channels/stored.ts';
import { AccountStore } from '../relay/store/accounts.ts';
import { moveToPostgres } from '../relay/store/move/move.ts';
import { PostgresStore } from '../relay/store/postgres/store.ts';
import { migrate, SCHEMA_VERSION } from '../relay/store/sqlite/schema.ts';
import { DB_FILE, SqliteStore } from '../relay/store/sqlite/store.ts';
import type { Entry, Store } from '../relay/store/store.ts';
import { sqlRows, testSchema } from './helpers/postgres.ts';
import { bindNow, conversation, item, P1, P2, P3, pendingOf, PLAN, tmpDir } from './helpers/store.ts';

const T0 = 1_700_000_000_000;

function account(id: string): Account {
  const createdAt = new Date(T0).toISOString();
  return {
    id, name: `Shop ${id}`, defaultCountry: 'UA', planfix: { url: 'https://acme.planfix.ru', chatToken: `chat-${id}` },
    callback: { chatToken: 'c'.repeat(24), telephonyToken: 't'.repeat(24) }, widget: { key: 'w'.repeat(24) },
    channels: [{ id: `ch-${id}`, kind: 'chatra', name: 'Site chat', secret: 's'.repeat(32), settings: { publicKey: 'p', secretKey: 's' }, options: {}, createdAt }],
    createdAt,
  };
}

/**
 * A data directory with rows in every table of relay.db, written through the store as the relay
 * writes them, and two account files. The store is left open: a relay still running on it.
 */
async function filled(t: ExecutionContext): Promise<{ dir: string; store: SqliteStore }> {
  const dir = await tmpDir(t);
  const accounts = new AccountStore(dir);
  await accounts.open(checkStoredAccount);
  for (const id of ['acc1', 'acc2']) await accounts.save(account(id));
  const store = new SqliteStore(dir);
  t.teardown(() => store.close());
  const j = store.journal;
  const [p1, , d1, f1] = await j.add([item('p1'), item('p2', { key: 'ch1:v2' }), item('d1'), item('f1')]);
  await j.setPlan(p1!, PLAN);
  await j.setStep(p1!, 1);
  j.retryAt(p1!, 3, T0 + 60_000);
  await j.dead(d1!, 'Planfix answered 401', 'planfix-token');
  await j.done(f1!);
  await j.markSeen('ours:1');

  const s = store.state('acc1');
  const olga = await bindNow(s, { client: 'v1', phone: P1, email: 'olga@example.com' }, () => ({ name: 'Olga' }));
  await bindNow(store.state('acc2'), { client: 'v1', phone: P1 }, () => ({ name: 'Olga elsewhere' }));
  await s.markContactSent(olga.key, 'fp1');
  await s.noteFirstVisit(olga.key, { at: T0, channel: 'ch1', referrer: 'https://www.google.com/', utm: { utm_source: 'google' } });
  await s.putConversation(conversation('ch1:k', olga.key, { updatedAt: T0 + 1 }));
  await s.setTask('ch1:k', 101, true);
  await s.setFieldsSent('ch1:k', { city: 'Kyiv' });
  // Two calls of the same second: the order they came in is kept.
  for (const id of ['c-b', 'c-a']) await s.putCall({ callId: id, channel: 'rs1', at: T0, direction: 'in', status: 'answered', phone: P2, taskNumber: 101, contactKey: 'pf:7' });
  await s.putOutbound('chatra:m1', 'pf-msg-1');
  await s.setStatus('pf-msg-1', 'read');
  await s.putPlanfixContact(P2, { id: 7, phone: P2 });
  await s.putPhoneBookPage({ entries: [{ e164: P3, contact: { id: 8, phone: P3 } }], at: T0, freshFrom: 0, prune: false },
    { fullAt: T0, fullContacts: 1, syncedAt: T0, url: 'https://acme.planfix.ru' });
  for (let i = 1; i <= 3; i++) store.activity.add('acc1', { at: T0 + i, event: `ch1:m${i}`, channel: 'ch1', kind: 'message', outcome: 'delivered', latencyMs: i, attempts: 1 });
  await store.traffic.add([{ ...emptyHour(T0 - (T0 % HOUR)), account: 'acc1', channel: 'ch1', received: 4, delivered: 2, dead: 1 }]);
  await store.alerts.count('acc1', 1, T0);
  await store.recovery.put({ channel: 'rs1', account: 'acc1', coveredTo: T0, last: { startedAt: T0, endedAt: T0 + 5, requests: 1, found: 2, recovered: 1, unfinished: 0, skipped: 0 } });
  await store.db.settled();
  return { dir, store };
}

/** Everything the store answers about the filled directory, in one value; seq aside (each engine numbers its own). */
async function answers(store: Store) {
  const noSeq = ({ seq: _seq, ...e }: Entry) => e;
  const s = store.state('acc1');
  const key = (await s.byPhone(P1))!;
  return {
    pending: [...(await pendingOf(store)).values()].map(noSeq),
    dead: (await store.journal.deadLetters('acc1')).map(noSeq),
    seen: [...await store.journal.seen(['ch1:p1', 'ch1:d1', 'ch1:f1', 'ours:1', 'ch1:never'])].sort(),
    identities: [key, await s.byClient('v1'), await store.state('acc2').byPhone(P1)],
    contact: await s.contact(key),
    conversation: await s.conversation('ch1:k'),
    conversationsOf: await s.conversationsOf(key),
    history: await s.customerConversations([key], { limit: 10 }),
    taskConversation: await s.taskConversation(101),
    taskView: await s.taskView(101),
    calls: await s.customerCalls(['pf:7'], { limit: 10 }),
    outbound: await s.outboundOf('chatra:m1'),
    planfixContacts: [await s.planfixContact(P2), await s.planfixContact(P3)],
    planfixPhones: await s.planfixPhones(7),
    phoneBook: await s.phoneBook(),
    activity: await store.activity.list('acc1'),
    traffic: await store.traffic.hours('acc1', 0, T0 + HOUR),
    alerts: await store.alerts.waiting(),
    recovery: await store.recovery.all(),
  };
}

/** Rows per table of relay.db (read beside the open store, as the move reads it). */
function sqliteCounts(dir: string): Map<string, number> {
  const db = new Database(join(dir, DB_FILE), { readonly: true });
  try {
    const names = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'").pluck().all() as string[];
    return new Map(names.map((n) => [n, db.prepare(`SELECT count(*) FROM ${n}`).pluck().get() as number]));
  } finally {
    db.close();
  }
}

async function pgCounts(url: string): Promise<Map<string, number>> {
  const names = (await sqlRows(url, "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'")).map((r) => r.table_name as string);
  const counts = new Map<string, number>();
  for (const n of names) counts.set(n, (await sqlRows(url, `SELECT count(*)::int AS n FROM ${n}`))[0]!.n);
  return counts;
}

test('every table of both schemas is accounted for, row for row, and the store answers the same on PostgreSQL', async (t) => {
  const { dir, store } = await filled(t);
  const url = await testSchema(t);
  const before = sqliteCounts(dir);
  // The fill must reach every table, or a table the move forgot would pass unseen. `meta` holds
  // only the mark of an import of JSON-lines files, which this directory never had.
  for (const [table, rows] of before) if (table !== 'meta') t.true(rows > 0, `the test writes no row in ${table}: add one to filled()`);

  const copied: string[] = [];
  const report = await moveToPostgres(dir, url, (table) => copied.push(table));
  t.true(report.relayMayRun, 'the store is open: its WAL is beside it');
  t.like(report, { accounts: 2, pending: 2, dead: 1 });

  const after = await pgCounts(url);
  t.deepEqual(report.tables, [...after].map(([name, rows]) => ({ name, rows })).sort((a, b) => a.name.localeCompare(b.name)));
  const expected = (table: string): number | string => {
    const inSqlite = before.get(table);
    switch (table) {
      case 'meta': return 'not moved';
      case 'accounts': return 2;
      case 'relay_schema': return 1;
      // Planfix's REST pace shared by several relays on PostgreSQL (postgres/pace.ts): it starts empty.
      case 'rest_pace': return 0;
      // SQLite keeps the ids of pending events and dead letters in events alone.
      case 'seen': return inSqlite! + before.get('events')!;
      default: return inSqlite ?? 'in one schema only: decide what the move does with it (relay/store/move/move.ts)';
    }
  };
  for (const table of new Set([...before.keys(), ...after.keys()])) {
    t.is(after.get(table) ?? 'not moved', expected(table), table);
  }
  t.deepEqual(copied.sort(), [...after.keys()].filter((n) => n !== 'relay_schema' && n !== 'rest_pace').sort(), 'each table copied is reported');

  const onPg = await PostgresStore.open(url);
  t.teardown(() => onPg.close());
  t.deepEqual(await answers(onPg), await answers(store));
  t.deepEqual(await onPg.accounts.load(checkStoredAccount), [account('acc1'), account('acc2')].map(checkStoredAccount));

  // The source is still the live store it was.
  await store.journal.add([item('after-move')]);
  t.is(sqliteCounts(dir).get('events'), before.get('events')! + 1);
});

test('a database that already holds data is refused, and nothing in it changes', async (t) => {
  const url = await testSchema(t);
  const first = await filled(t);
  await first.store.close();
  const report = await moveToPostgres(first.dir, url);
  t.false(report.relayMayRun, 'a store closed as a stopping relay closes it leaves no WAL');
  const counts = await pgCounts(url);

  const second = await filled(t);
  const err = await t.throwsAsync(moveToPostgres(second.dir, url));
  t.regex(err!.message, /already holds data \(rows in .*accounts.*events.*\).*Nothing was changed/);
  t.deepEqual(await pgCounts(url), counts);

  // A relay that only had an account created on the database is as much in use.
  const other = await testSchema(t);
  const relay = await PostgresStore.open(other);
  await relay.accounts.write(checkStoredAccount(account('acc9')));
  await relay.close();
  t.regex((await t.throwsAsync(moveToPostgres(second.dir, other)))!.message, /already holds data \(rows in accounts\)/);
});

test('a row PostgreSQL refuses midway leaves the database without any row of the move', async (t) => {
  const { dir, store } = await filled(t);
  await store.close();
  // The last table moved: accounts and every other table are in the transaction by then.
  const raw = new Database(join(dir, DB_FILE));
  raw.prepare('INSERT INTO recovery (channel, account, covered_to) VALUES (?, ?, ?)').run('rs\u00002', 'acc1', T0);
  raw.close();
  const url = await testSchema(t);
  const err = await t.throwsAsync(moveToPostgres(dir, url));
  t.regex(err!.message, /^moving recovery: /);
  for (const [table, rows] of await pgCounts(url)) t.is(rows, table === 'relay_schema' ? 1 : 0, table);
});

test('what it cannot move whole is refused before anything is written, saying what to do', async (t) => {
  const url = await testSchema(t);
  const refused = async (dir: string, why: RegExp) => {
    t.regex((await t.throwsAsync(moveToPostgres(dir, url)))!.message, why);
  };
  const empty = await tmpDir(t);
  await refused(empty, /relay\.db does not exist: --data must name the relay's data directory/);

  const { dir, store } = await filled(t);
  await store.close();
  await writeFile(join(dir, 'journal.jsonl'), '');
  await refused(dir, /journal\.jsonl is not imported into relay\.db yet: start the relay once on this directory without RELAY_DATABASE_URL/);

  const older = await tmpDir(t);
  const db = new Database(join(older, DB_FILE));
  migrate(db, SCHEMA_VERSION - 1);
  db.close();
  await refused(older, new RegExp(`written by an older relay \\(schema ${SCHEMA_VERSION - 1} of ${SCHEMA_VERSION}\\): start this version once`));

  const broken = await tmpDir(t);
  await mkdir(join(broken, 'accounts'));
  await writeFile(join(broken, 'accounts', 'acc1.json'), JSON.stringify({ ...account('acc1'), planfix: { url: 'not a url' } }));
  await refused(broken, /the account file .*acc1\.json is not valid: planfix/);

  t.deepEqual((await sqlRows(url, "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()")), [], 'no table was made');
});
