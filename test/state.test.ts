// One account's traffic state (relay/store/state.ts): contact index, conversations, widget metadata.
import { appendFile, mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import type { Page, Visit } from '../relay/core/events.ts';
import { AccountState, mergeMeta, visitOf, type Conversation, type WidgetMeta } from '../relay/store/state.ts';

const P1 = '+79051234567';
const P2 = '+380671234567';

async function tmpDir(t: ExecutionContext): Promise<string> {
  const dir = await mkdtemp(os.tmpdir() + '/relay-test-');
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function openState(t: ExecutionContext, dir: string): Promise<AccountState> {
  const s = new AccountState(join(dir, 'acc1'));
  await s.open();
  t.teardown(() => s.close());
  return s;
}

function emptyMeta(): WidgetMeta {
  return { channel: { id: 'ch1', kind: 'chatra', name: 'Shop chat' }, customer: {}, visitor: {}, pages: [], utm: {} };
}

function conversation(chatId: string, over: Partial<Conversation> = {}): Conversation {
  return { chatId, channel: 'ch1', contactKey: chatId.slice(4), clientId: 'v1', fresh: true, updatedAt: 1, meta: emptyMeta(), ...over };
}

test('bound contacts and their index survive a reopen', async (t) => {
  const dir = await tmpDir(t);
  const s = await openState(t, dir);
  const c = await s.bindContact(P1, { client: 'ch1/v1', phone: P1, email: 'olga@example.com' }, { name: 'Olga', phone: P1, email: 'olga@example.com' });
  t.deepEqual(c.phones, [P1]);
  // A second device of the same customer adds its client id and a second phone.
  await s.bindContact(P1, { client: 'viber1/u-7', phone: P2 }, { avatar: 'https://cdn.example/a.jpg' });
  await s.markContactSent(P1, 'fp-1');
  await s.close();

  const again = await openState(t, dir);
  t.is(again.byClient('ch1/v1'), P1);
  t.is(again.byClient('viber1/u-7'), P1);
  t.is(again.byPhone(P1), P1);
  t.is(again.byPhone(P2), P1);
  t.is(again.byEmail('olga@example.com'), P1);
  t.is(again.byClient('ch1/unknown'), undefined);
  const k = again.contacts.get(P1)!;
  t.deepEqual(k.phones, [P1, P2]);
  t.deepEqual(k.clients, ['ch1/v1', 'viber1/u-7']);
  t.deepEqual(k.emails, ['olga@example.com']);
  t.deepEqual(k.customer, { name: 'Olga', phone: P1, email: 'olga@example.com', avatar: 'https://cdn.example/a.jpg' });
  t.is(k.sent, 'fp-1');
});

test('binding keeps known details when the new ones are empty, and lists each identifier once', async (t) => {
  const dir = await tmpDir(t);
  const s = await openState(t, dir);
  await s.bindContact(P1, { client: 'ch1/v1', phone: P1 }, { name: 'Olga', lastName: 'Petrenko' });
  const c = await s.bindContact(P1, { client: 'ch1/v1', phone: P1 }, { name: '', lastName: undefined, displayName: 'Pumpkin Ninja' });
  t.deepEqual(c.customer, { name: 'Olga', lastName: 'Petrenko', displayName: 'Pumpkin Ninja' });
  t.deepEqual(c.phones, [P1]);
  t.deepEqual(c.clients, ['ch1/v1']);
});

test('an identifier bound to one contact is never moved to another, before or after a reopen', async (t) => {
  const dir = await tmpDir(t);
  const s = await openState(t, dir);
  await s.bindContact('A', { client: 'ch1/a', phone: P1, email: 'shared@example.com' }, { name: 'A' });
  // Someone else (another key) shows up with the same phone and e-mail, and A's client id.
  const b = await s.bindContact('B', { client: 'ch1/b', phone: P1, email: 'shared@example.com' }, { name: 'B' });
  await s.bindContact('B', { client: 'ch1/a', phone: P2 }, {});
  t.deepEqual(b.phones, []);
  t.deepEqual(b.emails, []);
  t.is(s.byPhone(P1), 'A');
  t.is(s.byEmail('shared@example.com'), 'A');
  t.is(s.byClient('ch1/a'), 'A');
  t.is(s.byClient('ch1/b'), 'B');
  t.is(s.byPhone(P2), 'B');
  t.false(s.contacts.get('B')!.clients.includes('ch1/a'));
  await s.close();

  const again = await openState(t, dir);
  t.is(again.byPhone(P1), 'A');
  t.is(again.byEmail('shared@example.com'), 'A');
  t.is(again.byClient('ch1/a'), 'A');
  t.is(again.byPhone(P2), 'B');
  t.deepEqual(again.contacts.get('A')!.phones, [P1]);
  t.deepEqual(again.contacts.get('B')!.phones, [P2]);
});

test('setTask binds a task number to a conversation; an inactive task makes the next message fresh', async (t) => {
  const dir = await tmpDir(t);
  const s = await openState(t, dir);
  const meta = { ...emptyMeta(), customer: { name: 'Olga' } };
  await s.putConversation(conversation('ch1:k1', { meta }));
  t.true(s.conversations.get('ch1:k1')!.fresh);

  await s.setTask('ch1:k1', 1014, true);
  t.is(s.conversations.get('ch1:k1')!.taskNumber, 1014);
  t.false(s.conversations.get('ch1:k1')!.fresh);
  t.is(s.tasks.get(1014), 'ch1:k1');
  t.deepEqual(s.metaForTask(1014), meta);
  t.is(s.metaForTask(1015), undefined);

  await s.setTask('ch1:unknown', 2000, true);
  t.false(s.tasks.has(2000), 'no task for a conversation the state does not hold');
  await s.close();

  const again = await openState(t, dir);
  t.is(again.conversations.get('ch1:k1')!.taskNumber, 1014);
  t.false(again.conversations.get('ch1:k1')!.fresh);
  t.deepEqual(again.metaForTask(1014), meta);

  await again.setTask('ch1:k1', 1014, false);
  t.true(again.conversations.get('ch1:k1')!.fresh);
});

test('markFresh: after the task is completed the next message opens a new one, also after a reopen', async (t) => {
  const dir = await tmpDir(t);
  const s = await openState(t, dir);
  await s.putConversation(conversation('ch1:k1'));
  await s.setTask('ch1:k1', 1014, true);
  await s.markFresh('ch1:k1');
  t.true(s.conversations.get('ch1:k1')!.fresh);
  t.is(s.conversations.get('ch1:k1')!.taskNumber, 1014, 'the widget still finds the old task');
  await s.markFresh('ch1:none');
  await s.close();
  const again = await openState(t, dir);
  t.true(again.conversations.get('ch1:k1')!.fresh);
  // The next task of the conversation takes over.
  await again.setTask('ch1:k1', 1020, true);
  t.is(again.conversations.get('ch1:k1')!.taskNumber, 1020);
  t.is(again.tasks.get(1020), 'ch1:k1');
  t.false(again.conversations.get('ch1:k1')!.fresh);
});

test('outbound messages and their statuses survive a reopen', async (t) => {
  const dir = await tmpDir(t);
  const s = await openState(t, dir);
  await s.putOutbound('ch1:prov-1', { messageId: '77' });
  await s.setStatus('77', 'sent');
  await s.setStatus('77', 'read');
  await s.close();
  const again = await openState(t, dir);
  t.deepEqual(again.outbound.get('ch1:prov-1'), { messageId: '77' });
  t.is(again.statuses.get('77'), 'read');
});

test('the state directory is 0700 and its file 0600', async (t) => {
  const dir = await tmpDir(t);
  const s = await openState(t, dir);
  await s.putConversation(conversation('ch1:k1'));
  t.is((await stat(join(dir, 'acc1'))).mode & 0o777, 0o700);
  t.is((await stat(join(dir, 'acc1', 'state.jsonl'))).mode & 0o777, 0o600);
});

test('mergeMeta: details replace, empty values never erase, UTM is never emptied', (t) => {
  const first = mergeMeta(emptyMeta(), {
    city: 'Kyiv', browser: 'Chrome 120', referrer: 'https://www.google.com/', landing: 'https://shop.example.com/?utm_source=google',
    utm: { utm_source: 'google', utm_medium: 'cpc' },
  }, { name: 'Olga', email: undefined });
  t.deepEqual(first.utm, { utm_source: 'google', utm_medium: 'cpc' });
  t.is(first.visitor.city, 'Kyiv');
  t.is(first.customer.name, 'Olga');

  // A later visit without UTM, with an empty UTM value, and a new city and browser.
  const second = mergeMeta(first, { city: 'Lviv', browser: '', utm: { utm_source: '', utm_campaign: 'spring' } }, { name: '', phone: P2 });
  t.deepEqual(second.utm, { utm_source: 'google', utm_medium: 'cpc', utm_campaign: 'spring' });
  t.is(second.visitor.city, 'Lviv');
  t.is(second.visitor.browser, 'Chrome 120');
  t.is(second.referrer, 'https://www.google.com/');
  t.deepEqual(second.customer, { name: 'Olga', phone: P2 });

  const third = mergeMeta(second, undefined, {});
  t.deepEqual(third.utm, second.utm);
  const fourth = mergeMeta(second, { utm: { utm_source: 'yandex' } }, {});
  t.is(fourth.utm.utm_source, 'yandex', 'a new non-empty value replaces the old one');
  // The input is not changed.
  t.deepEqual(first.utm, { utm_source: 'google', utm_medium: 'cpc' });
});

test('visitOf gives back the visit mergeMeta stored, the site data too', (t) => {
  // A message that opens a task without carrying the visit (core/bounds.ts puts it on one event of
  // a webhook) gets its summary from here: what is left out here is missing from that task.
  const visit: Visit = {
    city: 'Kyiv', country: 'Ukraine', ip: '203.0.113.7', browser: 'Chrome 120', os: 'Windows 10', device: 'PC',
    referrer: 'https://www.google.com/', landing: 'https://shop.example.com/', dashboardUrl: 'https://app.chatra.io/chat/1', context: 'promo',
    utm: { utm_source: 'google' }, pages: [{ url: 'https://shop.example.com/', title: 'Home' }], siteData: { orderId: '1042' },
  };
  t.deepEqual(visitOf(mergeMeta(emptyMeta(), visit, {})), visit);
});

test('mergeMeta: pages accumulate without duplicates', (t) => {
  const pages: Page[] = [{ url: 'https://shop.example.com/', at: 1000 }, { url: 'https://shop.example.com/p/42', title: 'Kettle', at: 2000 }];
  const a = mergeMeta(emptyMeta(), { pages }, {});
  t.deepEqual(a.pages, pages);
  // Every webhook of the chat repeats the same list: nothing is added twice.
  const b = mergeMeta(a, { pages }, {});
  t.deepEqual(b.pages, pages);
  // The same URL at another time is another visit to it.
  const c = mergeMeta(b, { pages: [...pages, { url: 'https://shop.example.com/', at: 3000 }] }, {});
  t.deepEqual(c.pages.map((p) => p.at), [1000, 2000, 3000]);
});

test('mergeMeta: pages are capped at the latest 100', (t) => {
  let meta = emptyMeta();
  for (let batch = 0; batch < 3; batch++) {
    const pages = Array.from({ length: 60 }, (_, i) => ({ url: `https://shop.example.com/p/${batch * 60 + i}`, at: batch * 60 + i }));
    meta = mergeMeta(meta, { pages }, {});
  }
  t.is(meta.pages.length, 100);
  t.is(meta.pages[0]!.url, 'https://shop.example.com/p/80');
  t.is(meta.pages[99]!.url, 'https://shop.example.com/p/179');
});

/** A conversation whose metadata weighs about 1 KB. */
function heavy(i: number, updatedAt: number): Conversation {
  return conversation(`ch1:k${i}`, {
    updatedAt,
    meta: { ...emptyMeta(), visitor: { city: `City ${i}` }, pages: [{ url: `https://shop.example.com/${'p'.repeat(900)}/${i}` }] },
  });
}

test('compaction past 1 MB keeps every object at its latest value', async (t) => {
  const dir = await tmpDir(t);
  const s = await openState(t, dir);
  for (let i = 0; i < 50; i++) {
    await s.bindContact(`k${i}`, { client: `ch1/v${i}`, phone: `+7905123${String(i).padStart(4, '0')}` }, { name: `N${i}` });
    await s.putOutbound(`ch1:prov-${i}`, { messageId: `m${i}` });
    await s.setStatus(`m${i}`, 'sent');
  }
  // 1,500 updates of 100 conversations, ~1.5 MB appended: the file is compacted at least once.
  let written = 0;
  for (let round = 0; round < 15; round++) {
    for (let i = 0; i < 100; i++) {
      await s.putConversation(heavy(i, round * 1000 + i));
      written++;
    }
    for (let i = 0; i < 100; i += 10) await s.setTask(`ch1:k${i}`, 5000 + i, round % 2 === 0);
  }
  t.is(written, 1500);
  // Compaction runs in the background; close() waits for it.
  await s.close();
  const size = (await stat(join(dir, 'acc1', 'state.jsonl'))).size;
  t.true(size < 1024 * 1024, `the file was compacted (${size} bytes)`);

  const again = await openState(t, dir);
  t.is(again.skippedOnLoad, 0);
  t.is(again.conversations.size, 100);
  for (let i = 0; i < 100; i++) {
    const c = again.conversations.get(`ch1:k${i}`)!;
    t.is(c.updatedAt, 14 * 1000 + i);
    t.is(c.meta.visitor.city, `City ${i}`);
  }
  for (let i = 0; i < 100; i += 10) {
    t.is(again.tasks.get(5000 + i), `ch1:k${i}`);
    t.is(again.conversations.get(`ch1:k${i}`)!.taskNumber, 5000 + i);
    t.false(again.conversations.get(`ch1:k${i}`)!.fresh, 'round 14 left the tasks active');
  }
  t.is(again.contacts.size, 50);
  for (let i = 0; i < 50; i++) {
    t.is(again.byClient(`ch1/v${i}`), `k${i}`);
    t.is(again.byPhone(`+7905123${String(i).padStart(4, '0')}`), `k${i}`);
    t.is(again.outbound.get(`ch1:prov-${i}`)?.messageId, `m${i}`);
    t.is(again.statuses.get(`m${i}`), 'sent');
  }
});

// Regression (fixed in 52184db, AccountState.write): the compaction check ran after each append
// with no guard. Concurrent writes (the worker runs conversations of one account in parallel)
// group-committed in one batch that crossed 1 MB each started their own JsonlFile.rewrite sharing
// `state.jsonl.tmp`: all but one failed their rename with ENOENT and the writes, already on disk,
// rejected, failing the deliveries that made them.
test('concurrent writes crossing the compaction threshold all succeed', async (t) => {
  const dir = await tmpDir(t);
  const s = await openState(t, dir);
  let i = 0;
  // Fill sequentially to just under 1 MB (each record is ~1.1 KB).
  while ((await stat(join(dir, 'acc1', 'state.jsonl'))).size < 1024 * 1024 - 100 * 1024) {
    await s.putConversation(heavy(i % 100, i));
    i++;
  }
  const results = await Promise.allSettled(Array.from({ length: 200 }, (_, k) => s.putConversation(heavy(k % 100, 1_000_000 + k))));
  const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => (r.reason as Error).message);
  t.deepEqual(failed.slice(0, 2), [], `${failed.length} of 200 writes failed`);
  await s.close();
  const again = await openState(t, dir);
  t.is(again.conversations.size, 100);
  t.is(again.conversations.get('ch1:k99')!.updatedAt, 1_000_000 + 199);
});

test('a torn last line of the state file is skipped and counted on open', async (t) => {
  const dir = await tmpDir(t);
  const s = await openState(t, dir);
  await s.bindContact('A', { client: 'ch1/a', phone: P1 }, { name: 'A' });
  await s.close();
  await appendFile(join(dir, 'acc1', 'state.jsonl'), '{"t":"k","c":{"key":"B","pho');
  const again = await openState(t, dir);
  t.is(again.skippedOnLoad, 1);
  t.is(again.byPhone(P1), 'A');
  t.is(again.contacts.size, 1);
});

// Regression (fixed in 52184db, JsonlFile.open; as in journal.test.ts): the first record written
// after a torn last line was glued onto it and lost at the next start, here a contact binding, so
// the customer's phone would be unknown again and a second Planfix contact made.
test('a contact bound after a torn last line survives the next reopen', async (t) => {
  const dir = await tmpDir(t);
  const s = await openState(t, dir);
  await s.bindContact('A', { client: 'ch1/a', phone: P1 }, { name: 'A' });
  await s.close();
  await appendFile(join(dir, 'acc1', 'state.jsonl'), '{"t":"k","c":{"key":"B","pho');
  const second = await openState(t, dir);
  await second.bindContact('C', { client: 'ch1/c', phone: P2 }, { name: 'C' });
  await second.close();
  const third = await openState(t, dir);
  t.is(third.byPhone(P2), 'C');
  t.is(third.byPhone(P1), 'A');
});

test('the task fields sent are kept across a reopen, for the task they went to only', async (t) => {
  const dir = await tmpDir(t);
  const s = await openState(t, dir);
  await s.putConversation(conversation('ch1:k1'));
  await s.setFieldsSent('ch1:k1', { utm_source: 'h1' });
  // The task the opening message created: its fields stay recorded.
  await s.setTask('ch1:k1', 10, true);
  t.deepEqual(s.conversations.get('ch1:k1')!.fieldsSent, { utm_source: 'h1' });
  await s.close();
  const again = await openState(t, dir);
  t.deepEqual(again.conversations.get('ch1:k1')!.fieldsSent, { utm_source: 'h1' });
  t.false(again.conversations.get('ch1:k1')!.fresh);
  // Planfix opened another task on its own: it has none of them.
  await again.setTask('ch1:k1', 11, true);
  t.is(again.conversations.get('ch1:k1')!.fieldsSent, undefined);
  t.is(again.conversations.get('ch1:k1')!.taskNumber, 11);
});

test('site data: the latest values win, keys the site stopped sending stay, the total is capped', (t) => {
  let meta = mergeMeta(emptyMeta(), { siteData: { orderId: 'A-1', plan: 'gold' } }, {});
  meta = mergeMeta(meta, { siteData: { orderId: 'A-2' } }, {});
  t.deepEqual(meta.siteData, { plan: 'gold', orderId: 'A-2' });
  meta = mergeMeta(meta, { siteData: Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`k${i}`, String(i)])) }, {});
  t.is(Object.keys(meta.siteData!).length, 20);
  t.is(meta.siteData!.k29, '29');
  t.is(meta.siteData!.plan, undefined, 'the oldest go first');
  t.is(mergeMeta(meta, {}, {}).siteData, meta.siteData);
});
