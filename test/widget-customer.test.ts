// Who the widget's "This customer" is about and what it lists (relay/http/widget-customer.ts),
// against a real SQLite store: the chat contacts and Planfix contacts that are one customer, the
// pages without what the task shown holds, the first and latest visit, and the paging cursor.
import test from 'ava';
import type { Account } from '../relay/core/account.ts';
import { customerData, customerOf, historyList, readCursor, seedOfTask, PAGE_SIZE } from '../relay/http/widget-customer.ts';
import { HttpError } from '../relay/errors.ts';
import type { MessageEvent } from '../relay/core/events.ts';
import { lastMessageOf, sourceOf, type CallRecord } from '../relay/store/records.ts';
import { SqliteStore } from '../relay/store/sqlite/store.ts';
import { bindNow, conversation, meta, P1, P2, P3, Stores } from './helpers/store.ts';

const account = { id: 'acc1', channels: [{ id: 'ch1', kind: 'chatra', name: 'Site chat' }, { id: 'rs1', kind: 'ringostat', name: 'Calls' }] } as unknown as Account;
const T = 1_700_000_000_000;
const call = (callId: string, at: number, over: Partial<CallRecord> = {}): CallRecord =>
  ({ callId, channel: 'rs1', at: T + at, direction: 'in', status: 'answered', phone: P1, contactKey: 'pf:7', ...over });

async function open(t: import('ava').ExecutionContext) {
  const stores = await Stores.in(t, (dir) => new SqliteStore(dir));
  return (await stores.open()).state('acc1');
}

test('one customer: a chat contact, the Planfix contact holding its number, and the other chat contacts that contact holds', async (t) => {
  const s = await open(t);
  await bindNow(s, { client: 'ch1/a', phone: P1 }, () => ({}));
  await bindNow(s, { client: 'viber1/b', phone: P2 }, () => ({}));
  await bindNow(s, { client: 'ch1/c', phone: P3 }, () => ({}));
  await bindNow(s, { client: 'ch1/d', email: 'd@example.com' }, () => ({}));
  await s.putPlanfixContact(P1, { id: 7, phone: P1 });
  await s.putPlanfixContact(P2, { id: 7, phone: P2 });
  await s.putPlanfixContact(P3, { id: 8, phone: P3 });

  t.deepEqual(await customerOf(s, { keys: [P1], planfix: [] }), { keys: [P1, P2], planfix: [7] });
  t.deepEqual(await customerOf(s, { keys: [], planfix: [7] }), { keys: [P1, P2].sort(), planfix: [7] });
  t.deepEqual(await customerOf(s, { keys: [], planfix: [9] }), { keys: [], planfix: [9] });
  t.deepEqual(await customerOf(s, { keys: ['d@example.com'], planfix: [] }), { keys: ['d@example.com'], planfix: [] }, 'no number: no Planfix contact to link by');

  // A call task: its calls' Planfix contact and the chat contact of the caller's number.
  await s.putCall(call('c1', 0, { taskNumber: 30 }));
  await s.putConversation(conversation(`ch1:${P1}`, P1));
  await s.setTask(`ch1:${P1}`, 31, true);
  t.deepEqual(await seedOfTask(s, 30, (await s.taskView(30))!), { keys: [P1], planfix: [7] });
  t.deepEqual(await seedOfTask(s, 31, (await s.taskView(31))!), { keys: [P1], planfix: [] });
});

test('the lists leave out what the task shown holds and still fill their pages; the last says there is no more', async (t) => {
  const s = await open(t);
  // The call task holds 30 calls; 25 others went elsewhere, older and newer.
  for (let i = 0; i < 55; i++) await s.putCall(call(`c${String(i).padStart(2, '0')}`, i * 1000, i >= 10 && i < 40 ? { taskNumber: 30 } : { taskNumber: 40 + i }));
  const who = { keys: [], planfix: [7] };
  const first = await customerData(account, s, who, 30);
  const at = (items: { at: number }[]) => items.map((c) => (c.at - T) / 1000);
  t.is(first!.calls.items.length, PAGE_SIZE);
  t.deepEqual(at(first!.calls.items), [54, 53, 52, 51, 50, 49, 48, 47, 46, 45, 44, 43, 42, 41, 40, 9, 8, 7, 6, 5]);
  t.truthy(first!.calls.more);
  const second = await historyList(account, s, who, 'calls', readCursor(first!.calls.more), 30);
  t.deepEqual(at(second.items), [4, 3, 2, 1, 0]);
  t.is(second.more, undefined);
  t.true(second.items.every((c) => (c as { task?: number }).task !== 30));
  // Seen from elsewhere (the contact page) the task's calls are there too.
  t.is((await customerData(account, s, who))!.calls.items.length, PAGE_SIZE);
  // A customer with nothing beyond the task shown has no section, nor one with nothing at all.
  for (let i = 0; i < 25; i++) await s.putCall(call(`only-${i}`, i, { contactKey: 'pf:9', taskNumber: 90 }));
  t.is(await customerData(account, s, { keys: [], planfix: [9] }, 90), undefined);
  t.is(await customerData(account, s, { keys: [], planfix: [8] }), undefined);
});

test('a task holding hundreds of its own calls: each request reads a few pages at most, and the next goes on to the others', async (t) => {
  const s = await open(t);
  for (let i = 0; i < 3; i++) await s.putCall(call(`old-${i}`, i * 1000, { taskNumber: 50 }));
  for (let i = 0; i < 150; i++) await s.putCall(call(`own-${String(i).padStart(3, '0')}`, (100 + i) * 1000, { taskNumber: 30 }));
  const who = { keys: [], planfix: [7] };
  const first = await customerData(account, s, who, 30);
  t.truthy(first, 'a section: more is there beyond the task\'s own calls');
  t.deepEqual(first!.calls.items, [], 'five pages of the task\'s own calls read, none shown');
  t.truthy(first!.calls.more);
  let page = await historyList(account, s, who, 'calls', readCursor(first!.calls.more), 30);
  const shown = [...page.items];
  while (page.more) {
    page = await historyList(account, s, who, 'calls', readCursor(page.more), 30);
    shown.push(...page.items);
  }
  t.deepEqual(shown.map((c) => (c.at - T) / 1000), [2, 1, 0]);
});

test('told what the task holds, the first pages are full after one read of each list, and the same as without', async (t) => {
  const s = await open(t);
  // One customer: 25 chat contacts (a number each, all held by Planfix contact 7), a conversation
  // each, an hour apart; the newest is task 100's, which holds the 3 newest of 25 calls too.
  for (let i = 0; i < 25; i++) {
    const phone = `+38050${2_000_000 + i}`;
    await bindNow(s, { client: `ch1/v${i}`, phone }, () => ({}));
    await s.putPlanfixContact(phone, { id: 7, phone });
    await s.putConversation(conversation(`ch1:${phone}`, phone, { updatedAt: T - i * 3_600_000 }));
    await s.setTask(`ch1:${phone}`, 100 + i, true);
    await s.putCall(call(`c${String(i).padStart(2, '0')}`, -i * 1000, i < 3 ? { taskNumber: 100 } : {}));
  }
  const reads = { conversations: 0, calls: 0 };
  const counted = new Proxy(s, {
    get: (target, k, receiver) => {
      const v = Reflect.get(target, k, receiver);
      const list = k === 'customerConversations' ? 'conversations' : k === 'customerCalls' ? 'calls' : undefined;
      return list && typeof v === 'function' ? (...args: unknown[]) => { reads[list]++; return v.apply(target, args); } : v;
    },
  });
  const who = await customerOf(s, { keys: [`+38050${2_000_000}`], planfix: [] });
  t.is(who.keys.length, 25);
  const told = await customerData(account, counted, who, 100, { conversations: 1, calls: 3 });
  t.deepEqual(reads, { conversations: 1, calls: 2 }, 'one read of each page; the oldest call is the first visit\'s');
  t.is(told!.conversations.items.length, PAGE_SIZE);
  t.is(told!.calls.items.length, PAGE_SIZE);
  t.false(told!.conversations.items.some((c) => c.task === 100));
  t.false(told!.calls.items.some((c) => c.task === 100));
  t.deepEqual(told, await customerData(account, s, who, 100));
});

test('the first visit is the earliest kept on the chat contacts or the first call\'s UTM; the latest is left out when it is the same', async (t) => {
  const s = await open(t);
  await bindNow(s, { client: 'ch1/a', phone: P1 }, () => ({}));
  await s.noteFirstVisit(P1, { at: T + 5000, channel: 'ch1', referrer: 'https://www.google.com/', utm: { utm_source: 'google' } });
  await s.putConversation(conversation(`ch1:${P1}`, P1, { updatedAt: T + 6000, meta: meta({ referrer: 'https://www.google.com/', utm: { utm_source: 'google' } }) }));
  const who = { keys: [P1], planfix: [7] };
  let d = (await customerData(account, s, who))!;
  t.like(d.first, { at: T + 5000, channel: { title: 'Chatra', name: 'Site chat' }, referrer: 'https://www.google.com/', utm: { utm_source: 'google' } });
  t.is(d.latest, undefined, 'one visit: shown once');

  await s.putCall(call('later', 9000, { utm: { utm_source: 'facebook' } }));
  d = (await customerData(account, s, who))!;
  t.like(d.latest, { at: T + 9000, channel: { title: 'Ringostat', name: 'Calls' }, utm: { utm_source: 'facebook' } });
  await s.putCall(call('earliest', 1000, { utm: { utm_source: 'bing' } }));
  d = (await customerData(account, s, who))!;
  t.like(d.first, { at: T + 1000, utm: { utm_source: 'bing' } });
  t.like(d.latest, { utm: { utm_source: 'facebook' } });
});

test('a cursor is only one this relay gave', (t) => {
  const c = { at: T, id: 'ch1:+79051234567' };
  const more = Buffer.from(JSON.stringify([c.at, c.id])).toString('base64url');
  t.deepEqual(readCursor(more), c);
  t.deepEqual(readCursor(Buffer.from('[1700000000123.5,"c1"]').toString('base64url')), { at: 1700000000123.5, id: 'c1' }, 'a provider time in fractions');
  t.is(readCursor(undefined), undefined);
  for (const bad of ['', 'x', '!!', ['a'], Buffer.from('[1]').toString('base64url'), Buffer.from('["1","x"]').toString('base64url'), Buffer.from('[null,"x"]').toString('base64url'), 'a'.repeat(1001)]) {
    const err = t.throws(() => readCursor(bad), { instanceOf: HttpError }, JSON.stringify(bad));
    t.is(err?.status, 400);
  }
});

test('what delivery keeps for the history: the first line of the customer\'s message, or what it held; a visit\'s source only when it has one', (t) => {
  const msg = (over: Partial<MessageEvent>): MessageEvent => ({ kind: 'message', eventId: 'm', customer: { clientId: 'v' }, at: T, text: '', attachments: [], ...over });
  t.deepEqual(lastMessageOf(msg({ text: '\n  Hello!  \r\nSecond line' })), { at: T, text: 'Hello!' });
  t.is(lastMessageOf(msg({ text: 'x'.repeat(500) })).text.length, 200);
  t.deepEqual(lastMessageOf(msg({ attachments: [{ name: 'receipt.pdf', url: 'https://cdn.example/r.pdf' }] })), { at: T, text: '', attachment: 'receipt.pdf' });
  t.deepEqual(lastMessageOf(msg({ content: { kind: 'sticker', id: '40133' } })), { at: T, text: '', content: 'sticker' });

  t.is(sourceOf(undefined, T, 'ch1'), undefined);
  t.is(sourceOf({ city: 'Kyiv', utm: { utm_source: '' } }, T, 'ch1'), undefined, 'a visit without a referrer, landing or UTM says nothing of where it came from');
  t.deepEqual(sourceOf({ referrer: 'https://www.google.com/', utm: { utm_source: 'google', utm_medium: '' } }, T, 'ch1'), { at: T, channel: 'ch1', referrer: 'https://www.google.com/', utm: { utm_source: 'google' } });
});
