// What the SQLite engine does for a customer's history beyond the store's contract: every page is
// read through an index that ends in its order, so neither a customer's years of calls nor the
// account's millions of rows are scanned or sorted; and a database of the schema before it keeps
// its customers' history readable after the upgrade.
import test from 'ava';
import Database from 'better-sqlite3';
import { historyStatements } from '../relay/store/sqlite/history.ts';
import { migrate, SCHEMA_VERSION } from '../relay/store/sqlite/schema.ts';
import { DB_FILE, SqliteStore } from '../relay/store/sqlite/store.ts';
import { join } from 'node:path';
import { conversation, P1, Stores } from './helpers/store.ts';

test('each page of a customer\'s history is a search of its own index: no scan, no sort', async (t) => {
  const stores = await Stores.in(t, (dir) => new SqliteStore(dir));
  const store = await stores.open();
  const st = historyStatements(store.db);
  const plans: Record<string, string[]> = {};
  for (const [name, stmt] of Object.entries(st)) {
    const args = (stmt.source.match(/\?/g) ?? []).map(() => 1);
    plans[name] = (store.db.sql.prepare(`EXPLAIN QUERY PLAN ${stmt.source}`).all(...args) as { detail: string }[]).map((r) => r.detail);
  }
  const expected: Record<string, RegExp> = {
    conversations: /SEARCH conversations USING INDEX conversations_contact \(account=\? AND contact=\?\)/,
    conversationsAfter: /SEARCH conversations USING INDEX conversations_contact \(account=\? AND contact=\?\)/,
    calls: /SEARCH calls USING INDEX calls_contact \(account=\? AND contact=\?\)/,
    callsAfter: /SEARCH calls USING INDEX calls_contact \(account=\? AND contact=\? AND \(at,call_id\)<\(\?,\?\)\)/,
    oldestCalls: /SEARCH calls USING INDEX calls_contact \(account=\? AND contact=\?\)/,
    oldestCallsAfter: /SEARCH calls USING INDEX calls_contact \(account=\? AND contact=\? AND \(at,call_id\)>\(\?,\?\)\)/,
    planfixPhones: /SEARCH planfix_contacts USING COVERING INDEX planfix_contacts_id/,
  };
  for (const [name, re] of Object.entries(expected)) {
    const plan = plans[name]!.join(' | ');
    t.regex(plan, re, name);
    t.notRegex(plan, /\bSCAN\b|TEMP B-TREE/, `${name}: ${plan}`);
  }
  t.notRegex(plans.taskConversation!.join(' | '), /\bSCAN\b|TEMP B-TREE/);
});

test('a database of the previous schema is upgraded with its history readable page by page', async (t) => {
  const stores = await Stores.in(t, (dir) => new SqliteStore(dir));
  // Rows as the relay before this schema step wrote them.
  const old = new Database(join(stores.dir, DB_FILE));
  migrate(old, SCHEMA_VERSION - 1);
  const putConversation = old.prepare('INSERT INTO conversations (account, chat_id, contact, touched, data, meta) VALUES (?, ?, ?, ?, ?, NULL)');
  const putCall = old.prepare('INSERT INTO calls (account, call_id, task, contact, at, touched, data) VALUES (?, ?, NULL, ?, ?, ?, ?)');
  for (let i = 0; i < 5; i++) {
    const c = conversation(`ch${i}:${P1}`, P1, { updatedAt: 1000 + i, meta: undefined });
    putConversation.run('acc1', c.chatId, P1, Date.now(), JSON.stringify(c));
    putCall.run('acc1', `c${i}`, 'pf:7', 1000 + i, Date.now(), JSON.stringify({ callId: `c${i}`, channel: 'rs1', at: 1000 + i, direction: 'in', status: 'answered', phone: P1, contactKey: 'pf:7' }));
  }
  old.close();

  const store = await stores.open();
  const s = store.state('acc1');
  const first = await s.customerCalls(['pf:7'], { limit: 2 });
  t.deepEqual(first.items.map((c) => c.callId), ['c4', 'c3']);
  t.deepEqual((await s.customerCalls(['pf:7'], { limit: 10, after: first.next })).items.map((c) => c.callId), ['c2', 'c1', 'c0']);
  t.deepEqual((await s.customerConversations([P1], { limit: 2 })).items.map((c) => c.chatId), [`ch4:${P1}`, `ch3:${P1}`]);
  t.deepEqual((await s.conversationsOf(P1)).length, 5);
  const indexes = store.db.sql.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name IN ('conversations_contact', 'calls_contact', 'planfix_contacts_id')").pluck().all();
  t.deepEqual(indexes.sort(), ['calls_contact', 'conversations_contact', 'planfix_contacts_id']);
});
