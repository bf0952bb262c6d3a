// The store's contract (relay/store/store.ts), written once and run against every engine: a new
// engine adds one line to `engines` and must pass all of it. What only one engine does (SQLite's
// group commit, its faults) is tested beside it: sqlite-db.test.ts, storage-faults.test.ts.
import test, { type ExecutionContext } from 'ava';
import type { ActivityItem } from '../relay/delivery/activity.ts';
import type { MessageEvent } from '../relay/core/events.ts';
import type { Identifiers } from '../relay/core/identity.ts';
import { StorageError } from '../relay/errors.ts';
import { SqliteStore } from '../relay/store/sqlite/store.ts';
import { PostgresStore } from '../relay/store/postgres/store.ts';
import type { CallRecord, Contact, Conversation } from '../relay/store/records.ts';
import type { Entry, Store } from '../relay/store/store.ts';
import { emptyHour, HOUR, type TrafficDelta } from '../relay/core/traffic.ts';
import { testSchema } from './helpers/postgres.ts';
import { bindNow, clock, conversation, item, meta, P1, P2, P3, pendingOf, PLAN, routing, Stores } from './helpers/store.ts';

interface Engine {
  name: string;
  /** How a test opens its stores: on `dir`, a fresh directory of its own, again after a restart. */
  opener(t: ExecutionContext): Promise<(dir: string) => Store | Promise<Store>>;
}

const engines: Engine[] = [
  { name: 'sqlite', opener: async () => (dir) => new SqliteStore(dir) },
  // A schema of the test's own on the test server (helpers/postgres.ts): the directory is unused.
  { name: 'postgres', opener: async (t) => { const url = await testSchema(t); return () => PostgresStore.open(url); } },
];

type Body = (t: ExecutionContext, stores: Stores, store: Store) => Promise<void>;

/** Registers the test once per engine, each run on a store of its own in a fresh directory. */
function contract(title: string, body: Body): void {
  for (const e of engines) test(`${e.name}: ${title}`, async (t) => { const s = await Stores.in(t, await e.opener(t)); await body(t, s, await s.open()); });
}

/** For tests that set the clock (see helpers/store.ts, clock). */
contract.serial = (title: string, body: Body): void => {
  for (const e of engines) test.serial(`${e.name}: ${title}`, async (t) => { const s = await Stores.in(t, await e.opener(t)); await body(t, s, await s.open()); });
};

const E1 = 'olga@example.com';
const E2 = 'ivan@example.com';
const DAY = 24 * 3_600_000;

const textOf = (e: Entry | undefined) => (e?.event as MessageEvent | undefined)?.text;
const byChat = (a: { chatId: string }, b: { chatId: string }) => a.chatId.localeCompare(b.chatId);
const noDetails = () => ({});

function outcome(n: number, over: Partial<ActivityItem> = {}): ActivityItem {
  return { at: Date.now(), event: `ch1:m${n}`, channel: 'ch1', kind: 'message', outcome: 'delivered', latencyMs: n, attempts: 1, ...over };
}

function call(callId: string, over: Partial<CallRecord> = {}): CallRecord {
  return { callId, channel: 'rs1', at: 1_700_000_000_000, direction: 'in', status: 'ringing', phone: P1, ...over };
}

// ---- journal ----

contract('add resolves with the fresh entries only, numbered in order', async (t, _s, store) => {
  const j = store.journal;
  const first = await j.add([item('m1'), item('m2')]);
  t.deepEqual(first.map((e) => e.id), ['ch1:m1', 'ch1:m2']);
  t.like(first[0], { ...item('m1', { at: first[0]!.at }), step: 0 });
  t.is(first[0]!.plan, undefined);
  t.true(first[0]!.seq < first[1]!.seq);
  const second = await j.add([item('m2'), item('m3')]);
  t.deepEqual(second.map((e) => e.id), ['ch1:m3']);
  t.true(second[0]!.seq > first[1]!.seq);
  t.deepEqual([...(await pendingOf(store)).keys()].sort(), ['ch1:m1', 'ch1:m2', 'ch1:m3']);
});

contract('a duplicate id is journaled once: in one call, in two calls of the same tick, after its commit, after a reopen', async (t, stores, store) => {
  t.deepEqual((await store.journal.add([item('m1', { text: 'first' }), item('m1', { text: 'second' })])).map(textOf), ['first']);
  const [x, y] = await Promise.all([store.journal.add([item('m2', { text: 'a' })]), store.journal.add([item('m2', { text: 'b' })])]);
  t.deepEqual([...x, ...y].map(textOf), ['a'], 'the copy that came first is the one kept');
  t.deepEqual(await store.journal.add([item('m1', { text: 'resent' })]), []);
  t.is((await pendingOf(store)).size, 2);

  const again = await stores.reopen(store);
  t.deepEqual(await again.journal.add([item('m1'), item('m2')]), [], 'a provider retry after a restart is still a duplicate');
  t.deepEqual([...(await pendingOf(again)).values()].map(textOf).sort(), ['a', 'first']);
});

contract('seen() tells which ids were journaled or marked seen', async (t, stores, store) => {
  await store.journal.add([item('m1')]);
  await store.journal.markSeen('ch1:echo');
  t.deepEqual([...await store.journal.seen(['ch1:m1', 'ch1:m9', 'ch1:echo'])].sort(), ['ch1:echo', 'ch1:m1']);
  t.deepEqual([...await store.journal.seen([])], []);
  const again = await stores.reopen(store);
  t.deepEqual([...await again.journal.seen(['ch1:m1', 'ch1:m9', 'ch1:echo'])].sort(), ['ch1:echo', 'ch1:m1']);
});

contract('markSeen makes an id a duplicate without making it pending, also after a reopen', async (t, stores, store) => {
  await store.journal.markSeen('ch1:echo');
  t.deepEqual(await store.journal.add([item('echo')]), [], 'our own message coming back in a webhook');
  t.is((await pendingOf(store)).size, 0);
  // Marking an id that is already journaled changes nothing about its event.
  await store.journal.add([item('m1')]);
  await store.journal.markSeen('ch1:m1');
  const again = await stores.reopen(store);
  t.deepEqual([...(await pendingOf(again)).keys()], ['ch1:m1']);
  t.deepEqual(await again.journal.add([item('echo')]), []);
});

contract('pending entries survive a reopen in seq order, with their plan, step, attempts and next attempt', async (t, stores, store) => {
  const added = await store.journal.add([item('m1'), item('m2'), item('m3')]);
  const [a, b, c] = added as [Entry, Entry, Entry];
  await store.journal.setPlan(a, PLAN);
  await store.journal.setStep(a, 1);
  const nextAt = Date.now() + 60_000;
  // Not waited for by design; close() must still keep it (a restart keeps the backoff).
  store.journal.retryAt(b, 3, nextAt);
  t.like(a, { plan: PLAN, step: 1 }, 'the entry in hand shows what was recorded');
  t.like(b, { attempts: 3, nextAt });

  const again = await stores.reopen(store);
  const reloaded = [...(await pendingOf(again)).values()].sort((x, y) => x.seq - y.seq);
  t.deepEqual(reloaded, [
    { ...item('m1', { at: a.at }), seq: a.seq, step: 1, plan: PLAN },
    { ...item('m2', { at: b.at }), seq: b.seq, step: 0, attempts: 3, nextAt },
    { ...item('m3', { at: c.at }), seq: c.seq, step: 0 },
  ]);
  const [d] = await again.journal.add([item('m4')]);
  t.true(d!.seq > c.seq, 'sequence numbers go on after a reopen');
});

contract('done: no longer pending, after a reopen neither, and still a duplicate', async (t, stores, store) => {
  const [a] = await store.journal.add([item('m1'), item('m2')]);
  await store.journal.done(a!);
  t.false((await pendingOf(store)).has('ch1:m1'));
  t.deepEqual(await store.journal.add([item('m1')]), []);
  const again = await stores.reopen(store);
  t.deepEqual([...(await pendingOf(again)).keys()], ['ch1:m2']);
  t.deepEqual([...await again.journal.seen(['ch1:m1'])], ['ch1:m1']);
  t.deepEqual(await again.journal.add([item('m1')]), [], 'a provider retry of a delivered event');
});

contract('dead letters leave the pending and are listed for their own account only', async (t, stores, store) => {
  const [a, b] = await store.journal.add([item('m1', { text: 'refused' }), item('m2', { id: 'ch2:m2', account: 'acc2', channel: 'ch2' }), item('m3')]);
  await store.journal.setPlan(a!, PLAN);
  await store.journal.dead(a!, 'Planfix answered 400: Invalid parameters');
  await store.journal.dead(b!, 'gone');
  t.is(a!.dead?.reason, 'Planfix answered 400: Invalid parameters');
  t.deepEqual([...(await pendingOf(store)).keys()], ['ch1:m3']);

  const check = async (s: Store) => {
    const [d1, ...more1] = await s.journal.deadLetters('acc1');
    t.deepEqual(more1, []);
    t.like(d1, { id: 'ch1:m1', seq: a!.seq, plan: PLAN, dead: { reason: 'Planfix answered 400: Invalid parameters' } });
    t.is(textOf(d1), 'refused', 'the event is kept for a retry');
    t.is(typeof d1!.dead?.at, 'number');
    t.deepEqual((await s.journal.deadLetters('acc2')).map((e) => [e.id, e.dead?.reason]), [['ch2:m2', 'gone']]);
    t.deepEqual(await s.journal.deadLetters('acc3'), []);
    t.deepEqual(await s.journal.add([item('m1')]), [], 'a dead letter is still a duplicate');
  };
  await check(store);
  const again = await stores.reopen(store);
  t.deepEqual([...(await pendingOf(again)).keys()], ['ch1:m3']);
  await check(again);
});

contract('revive puts a dead letter back among the pending, its attempts reset and its plan kept', async (t, stores, store) => {
  const [a] = await store.journal.add([item('m1')]);
  await store.journal.setPlan(a!, PLAN);
  await store.journal.setStep(a!, 1);
  store.journal.retryAt(a!, 7, Date.now() + 60_000);
  await store.journal.dead(a!, 'gave up after 7 attempts');

  const revived = await store.journal.revive('acc1', 'ch1:m1');
  const expected = { ...item('m1', { at: a!.at }), seq: a!.seq, plan: PLAN, step: 1 };
  t.deepEqual(revived, expected);
  t.deepEqual((await pendingOf(store)).get('ch1:m1'), expected);
  t.deepEqual(await store.journal.deadLetters('acc1'), []);
  t.is(await store.journal.revive('acc1', 'ch1:m1'), undefined, 'no longer a dead letter');

  const again = await stores.reopen(store);
  t.deepEqual((await pendingOf(again)).get('ch1:m1'), expected);
  t.deepEqual(await again.journal.deadLetters('acc1'), []);
});

contract('dismiss deletes a dead letter for good, and its id stays a duplicate', async (t, stores, store) => {
  const [a, b] = await store.journal.add([item('m1'), item('m2')]);
  await store.journal.dead(a!, 'refused');
  await store.journal.dead(b!, 'refused too');
  t.true(await store.journal.dismiss('acc1', 'ch1:m1'));
  t.deepEqual((await store.journal.deadLetters('acc1')).map((e) => e.id), ['ch1:m2']);
  t.false((await pendingOf(store)).has('ch1:m1'));
  t.deepEqual(await store.journal.add([item('m1')]), []);
  t.false(await store.journal.dismiss('acc1', 'ch1:m1'), 'dismissed once');

  const again = await stores.reopen(store);
  t.deepEqual((await again.journal.deadLetters('acc1')).map((e) => e.id), ['ch1:m2']);
  t.is((await pendingOf(again)).size, 0);
  t.deepEqual(await again.journal.add([item('m1')]), []);
  t.is(await again.journal.revive('acc1', 'ch1:m1'), undefined);
});

contract('a dead letter keeps the code of its reason until it is revived', async (t, stores, store) => {
  const [a, b] = await store.journal.add([item('m1'), item('m2')]);
  await store.journal.dead(a!, 'Planfix Chat API newMessage answered 401: Invalid token', 'planfix-token');
  await store.journal.dead(b!, 'something odd');
  t.is(a!.dead?.code, 'planfix-token');
  const codes = async (s: Store) => (await s.journal.deadLetters('acc1')).map((e) => [e.id, e.dead?.code]);
  t.deepEqual(await codes(store), [['ch1:m1', 'planfix-token'], ['ch1:m2', undefined]]);
  const again = await stores.reopen(store);
  t.deepEqual(await codes(again), [['ch1:m1', 'planfix-token'], ['ch1:m2', undefined]]);
  const revived = await again.journal.revive('acc1', 'ch1:m1');
  t.is(revived?.dead, undefined);
  await again.journal.dead(revived!, 'gave up', 'gave-up');
  t.deepEqual(await codes(again), [['ch1:m1', 'gave-up'], ['ch1:m2', undefined]]);
});

contract('reviveAll with a limit puts back the first dead letters in seq order, and the rest on the next call', async (t, stores, store) => {
  const added = await store.journal.add([item('m1'), item('m2'), item('m3')]);
  for (const e of [...added].reverse()) await store.journal.dead(e!, 'refused');
  t.deepEqual((await store.journal.reviveAll('acc1', 2)).map((e) => e.id), ['ch1:m1', 'ch1:m2']);
  t.deepEqual((await store.journal.deadLetters('acc1')).map((e) => e.id), ['ch1:m3'], 'the rest stay dead');
  t.deepEqual((await store.journal.reviveAll('acc1', 2)).map((e) => e.id), ['ch1:m3']);
  t.deepEqual([...(await pendingOf(store)).keys()].sort(), ['ch1:m1', 'ch1:m2', 'ch1:m3']);
});

contract('reviveAll puts back every dead letter of the account, and only those, in seq order', async (t, stores, store) => {
  const [a, b, c, d, other] = await store.journal.add([
    item('m1', { key: 'ch1:v1' }), item('m2', { key: 'ch1:v2' }), item('m3', { key: 'ch1:v1' }), item('m4', { key: 'ch1:v1' }),
    item('m5', { id: 'ch2:m5', account: 'acc2', channel: 'ch2' }),
  ]);
  await store.journal.setPlan(a!, PLAN);
  await store.journal.setStep(a!, 1);
  store.journal.retryAt(c!, 5, Date.now() + 60_000);
  // Dead in another order than they came: the revived come back in the order they came.
  for (const e of [c!, a!, b!, other!]) await store.journal.dead(e, 'refused', 'planfix-refused');
  const revived = await store.journal.reviveAll('acc1');
  t.deepEqual(revived.map((e) => e.id), ['ch1:m1', 'ch1:m2', 'ch1:m3']);
  t.deepEqual(revived.map((e) => e.seq), [a!.seq, b!.seq, c!.seq]);
  t.like(revived[0], { plan: PLAN, step: 1 });
  t.true(revived.every((e) => e.dead === undefined && e.attempts === undefined && e.nextAt === undefined), 'attempts and backoff reset');
  t.deepEqual([...(await pendingOf(store)).keys()].sort(), ['ch1:m1', 'ch1:m2', 'ch1:m3', 'ch1:m4']);
  t.deepEqual(await store.journal.deadLetters('acc1'), []);
  t.deepEqual((await store.journal.deadLetters('acc2')).map((e) => e.id), ['ch2:m5'], 'another account\'s stay dead');
  t.deepEqual(await store.journal.reviveAll('acc1'), [], 'nothing left to revive');
  t.deepEqual(await store.journal.reviveAll('acc3'), []);
  const again = await stores.reopen(store);
  t.deepEqual([...(await pendingOf(again)).keys()].sort(), ['ch1:m1', 'ch1:m2', 'ch1:m3', 'ch1:m4']);
  t.deepEqual(await again.journal.deadLetters('acc1'), []);
  t.is(d!.dead, undefined);
});

contract('alerts: dead letters are counted per account from the first, and an alert sent takes its count away', async (t, stores, store) => {
  t.deepEqual(await store.alerts.get('acc1'), { unsent: 0 });
  t.deepEqual(await store.alerts.waiting(), []);
  t.deepEqual(await store.alerts.count('acc1', 1, 1000), { unsent: 1, firstAt: 1000 });
  t.deepEqual(await store.alerts.count('acc1', 2, 2000), { unsent: 3, firstAt: 1000 }, 'the first keeps its time');
  t.deepEqual(await store.alerts.count('acc2', 1, 1500), { unsent: 1, firstAt: 1500 });
  t.deepEqual(await store.alerts.sent('acc1', 3, 5000, undefined), { unsent: 0, lastSentAt: 5000 });
  t.is(await store.alerts.sent('acc1', 3, 5001, undefined), undefined, 'another process decided on the same state: it sent that alert, this one does not');
  t.deepEqual(await store.alerts.count('acc1', 1, 6000), { unsent: 1, firstAt: 6000, lastSentAt: 5000 }, 'counting starts again after an alert');
  // Counted while an alert about the earlier ones was being decided: they stay for the next one.
  await store.alerts.count('acc1', 1, 6500);
  t.deepEqual(await store.alerts.sent('acc1', 1, 7000, 5000), { unsent: 1, firstAt: 7000, lastSentAt: 7000 });
  t.deepEqual(await store.alerts.sent('acc3', 0, 8000, undefined), { unsent: 0, lastSentAt: 8000 }, 'an alert recorded for an account never counted');

  const again = await stores.reopen(store);
  t.deepEqual(await again.alerts.get('acc1'), { unsent: 1, firstAt: 7000, lastSentAt: 7000 }, 'kept across a restart');
  t.deepEqual(await again.alerts.get('acc3'), { unsent: 0, lastSentAt: 8000 });
  t.deepEqual(await again.alerts.waiting(), [
    { account: 'acc1', state: { unsent: 1, firstAt: 7000, lastSentAt: 7000 } },
    { account: 'acc2', state: { unsent: 1, firstAt: 1500 } },
  ]);
  await again.forget('acc1');
  t.deepEqual(await again.alerts.get('acc1'), { unsent: 0 }, 'forgotten with the account');
  t.deepEqual((await again.alerts.waiting()).map((w) => w.account), ['acc2']);
});

contract('revive and dismiss find nothing for an unknown id, another account\'s dead letter, or a pending event', async (t, _s, store) => {
  const [a] = await store.journal.add([item('m1'), item('m2')]);
  await store.journal.dead(a!, 'refused');
  t.is(await store.journal.revive('acc2', 'ch1:m1'), undefined);
  t.false(await store.journal.dismiss('acc2', 'ch1:m1'));
  t.is(await store.journal.revive('acc1', 'ch1:nope'), undefined);
  t.false(await store.journal.dismiss('acc1', 'ch1:nope'));
  t.is(await store.journal.revive('acc1', 'ch1:m2'), undefined);
  t.false(await store.journal.dismiss('acc1', 'ch1:m2'));
  t.deepEqual([...(await pendingOf(store)).keys()], ['ch1:m2'], 'the pending event is left as it was');
  t.deepEqual((await store.journal.deadLetters('acc1')).map((e) => e.id), ['ch1:m1'], 'and the dead letter too');
});

// ---- account state ----

contract('bind: a new customer\'s key is the first known of phone, e-mail and client id', async (t, stores, store) => {
  const s = store.state('acc1');
  t.like(await bindNow(s, { client: 'ch1/v1', phone: P1, email: E1 }, noDetails), { key: P1, phones: [P1], emails: [E1], clients: ['ch1/v1'] });
  t.like(await bindNow(s, { client: 'ch1/v2', email: E2 }, noDetails), { key: E2, phones: [], emails: [E2], clients: ['ch1/v2'] });
  t.like(await bindNow(s, { client: 'ch1/v3' }, noDetails), { key: 'ch1/v3', phones: [], emails: [], clients: ['ch1/v3'] });
  const again = (await stores.reopen(store)).state('acc1');
  t.is(await again.byPhone(P1), P1);
  t.is(await again.byClient('ch1/v1'), P1);
  t.is(await again.byClient('ch1/v2'), E2);
  t.is(await again.byClient('ch1/v3'), 'ch1/v3');
  t.is(await again.byPhone(P2), undefined);
  t.deepEqual(await again.contact(P1), { key: P1, phones: [P1], emails: [E1], clients: ['ch1/v1'], customer: {} });
});

contract('bind: a known client id wins over a known phone, a phone over an e-mail; an identifier bound to another contact stays with it', async (t, stores, store) => {
  const s = store.state('acc1');
  await bindNow(s, { client: 'ch1/a', phone: P1, email: E1 }, noDetails);
  await bindNow(s, { client: 'ch1/b' }, noDetails);
  await bindNow(s, { client: 'ch1/d', phone: P3 }, noDetails);

  // Someone's known client id now comes with a phone another contact has.
  t.like(await bindNow(s, { client: 'ch1/b', phone: P1 }, noDetails), { key: 'ch1/b', phones: [] });
  // A new client id with an unknown phone and a known e-mail: the e-mail's contact, which gets the phone.
  t.like(await bindNow(s, { client: 'ch1/c', phone: P2, email: E1 }, noDetails), { key: P1, phones: [P1, P2], clients: ['ch1/a', 'ch1/c'] });
  // A known phone and an e-mail known for someone else: the phone's contact; the e-mail stays.
  t.like(await bindNow(s, { client: 'ch1/e', phone: P3, email: E1 }, noDetails), { key: P3, emails: [], clients: ['ch1/d', 'ch1/e'] });
  // A client id bound to one contact is not moved by a phone of another.
  t.like(await bindNow(s, { client: 'ch1/a', phone: P3 }, noDetails), { key: P1, phones: [P1, P2] });

  const again = (await stores.reopen(store)).state('acc1');
  t.is(await again.byPhone(P1), P1);
  t.is(await again.byPhone(P2), P1);
  t.is(await again.byPhone(P3), P3);
  t.is(await again.byClient('ch1/b'), 'ch1/b');
  t.is(await again.byClient('ch1/e'), P3);
  t.like(await again.contact('ch1/b'), { phones: [], emails: [], clients: ['ch1/b'] });
  t.like(await again.contact(P1), { phones: [P1, P2], emails: [E1], clients: ['ch1/a', 'ch1/c'] });
  t.like(await again.contact(P3), { phones: [P3], emails: [], clients: ['ch1/d', 'ch1/e'] });
});

contract('bind: the details callback sees the previous contact; empty details never erase; each identifier is listed once', async (t, _s, store) => {
  const s = store.state('acc1');
  const seen: (Contact | undefined)[] = [];
  const first = await bindNow(s, { client: 'ch1/v1', phone: P1 }, (prev) => { seen.push(prev); return { name: 'Olga', lastName: 'Petrenko' }; });
  const second = await bindNow(s, { client: 'ch1/v1', phone: P1 }, (prev) => { seen.push(prev); return { name: '', lastName: undefined, displayName: 'Pumpkin Ninja' }; });
  t.deepEqual(seen, [undefined, first]);
  t.deepEqual(second, { key: P1, phones: [P1], emails: [], clients: ['ch1/v1'], customer: { name: 'Olga', lastName: 'Petrenko', displayName: 'Pumpkin Ninja' } });
  t.deepEqual(await s.contact(P1), second);
});

contract('bind: two first messages of one new customer at once, on two channels, make one contact', async (t, _s, store) => {
  const s = store.state('acc1');
  const ids: Identifiers[] = [{ client: 'chatra1/v1', phone: P1 }, { client: 'viber1/u7', phone: P1, email: E1 }];
  const [a, b] = await Promise.all(ids.map((i) => bindNow(s, i, noDetails)));
  t.is(a!.key, b!.key);
  t.deepEqual(await s.contact(a!.key), { key: P1, phones: [P1], emails: [E1], clients: ['chatra1/v1', 'viber1/u7'], customer: {} });
  t.is(await s.byClient('viber1/u7'), P1);
});

contract('markContactSent records the fingerprint of what Planfix has; an unknown contact is not made', async (t, stores, store) => {
  const s = store.state('acc1');
  await bindNow(s, { client: 'ch1/v1', phone: P1 }, () => ({ name: 'Olga' }));
  await s.markContactSent(P1, 'fp-1');
  await s.markContactSent('nobody', 'fp-1');
  t.is(await s.contact('nobody'), undefined);
  const again = (await stores.reopen(store)).state('acc1');
  t.like(await again.contact(P1), { sent: 'fp-1', customer: { name: 'Olga' } });
  await again.markContactSent(P1, 'fp-2');
  t.is((await again.contact(P1))?.sent, 'fp-2');
});

contract('conversations: read back with their metadata; conversationsOf lists a contact\'s without it', async (t, stores, store) => {
  const s = store.state('acc1');
  const c1 = conversation('ch1:k1', 'k1', { fieldsSent: { utm_source: 'h1' } });
  const c2 = conversation('viber1:k1', 'k1', { meta: meta({ channel: { id: 'viber1', kind: 'viber', name: 'Bot' } }) });
  const c3 = conversation('ch1:k2', 'k2');
  const bare = conversation('ch1:k3', 'k3', { meta: undefined });
  for (const c of [c1, c2, c3, bare]) await s.putConversation(c);
  const check = async (st: typeof s) => {
    t.deepEqual(await st.conversation('ch1:k1'), c1);
    t.deepEqual(await st.conversation('ch1:k3'), routing(bare));
    t.is(await st.conversation('ch1:none'), undefined);
    t.deepEqual((await st.conversationsOf('k1')).sort(byChat), [c1, c2].map(routing).sort(byChat));
    t.deepEqual(await st.conversationsOf('nobody'), []);
  };
  await check(s);
  // Written again whole: an opt-out, a new client, new metadata.
  const c1b = { ...c1, unsubscribed: true, clientId: 'v2', meta: meta({ visitor: { city: 'Lviv' } }) };
  await s.putConversation(c1b);
  t.deepEqual(await s.conversation('ch1:k1'), c1b);
  const again = (await stores.reopen(store)).state('acc1');
  t.deepEqual(await again.conversation('ch1:k1'), c1b);
  t.deepEqual(await again.conversation('viber1:k1'), c2);
  t.deepEqual((await again.conversationsOf('k1')).sort(byChat), [c1b, c2].map(routing).sort(byChat));
});

contract('setTask: the task the relay opened keeps the fields sent, one Planfix opened on its own has none; an inactive task makes the conversation fresh', async (t, stores, store) => {
  const s = store.state('acc1');
  const c = conversation('ch1:k1', 'k1');
  await s.putConversation(c);
  await s.setFieldsSent('ch1:k1', { utm_source: 'h1' });
  // The task the conversation's first message opened.
  await s.setTask('ch1:k1', 10, true);
  t.like(await s.conversation('ch1:k1'), { taskNumber: 10, fresh: false, fieldsSent: { utm_source: 'h1' }, meta: c.meta });
  t.deepEqual(await s.taskView(10), { chat: c.meta!, calls: [] });

  // An employee closed task 10 and Planfix opened 11 for the chat: it has none of 10's fields.
  await s.setTask('ch1:k1', 11, true);
  const afterPlanfix = await s.conversation('ch1:k1');
  t.like(afterPlanfix, { taskNumber: 11, fresh: false });
  t.is(afterPlanfix?.fieldsSent, undefined);
  t.deepEqual(await s.taskView(11), { chat: c.meta!, calls: [] });

  await s.setFieldsSent('ch1:k1', { utm_source: 'h2' });
  await s.setTask('ch1:k1', 11, false);
  t.like(await s.conversation('ch1:k1'), { taskNumber: 11, fresh: true, fieldsSent: { utm_source: 'h2' } }, 'an inactive task: the next message opens one');

  // That next message opened task 12 and recorded the fields it sent: they are task 12's.
  await s.setFieldsSent('ch1:k1', { utm_source: 'h3' });
  await s.setTask('ch1:k1', 12, true);
  t.like(await s.conversation('ch1:k1'), { taskNumber: 12, fresh: false, fieldsSent: { utm_source: 'h3' } });

  // Nothing is made for a conversation the store does not hold.
  await s.setTask('ch1:none', 2000, true);
  await s.setFieldsSent('ch1:none', { utm_source: 'x' });
  t.is(await s.conversation('ch1:none'), undefined);
  t.is(await s.taskView(2000), undefined);

  const again = (await stores.reopen(store)).state('acc1');
  t.like(await again.conversation('ch1:k1'), { taskNumber: 12, fresh: false, fieldsSent: { utm_source: 'h3' }, meta: c.meta });
  t.deepEqual(await again.taskView(12), { chat: c.meta!, calls: [] });
});

contract('markFresh: the next message opens a new task; the old one is still found', async (t, stores, store) => {
  const s = store.state('acc1');
  await s.putConversation(conversation('ch1:k1', 'k1'));
  await s.setTask('ch1:k1', 10, true);
  await s.markFresh('ch1:k1');
  await s.markFresh('ch1:none');
  t.is(await s.conversation('ch1:none'), undefined);
  const again = (await stores.reopen(store)).state('acc1');
  t.like(await again.conversation('ch1:k1'), { taskNumber: 10, fresh: true });
  t.truthy((await again.taskView(10))?.chat, 'the widget still finds the completed task');
  await again.setTask('ch1:k1', 20, true);
  t.like(await again.conversation('ch1:k1'), { taskNumber: 20, fresh: false });
});

contract('outbound messages and their delivery statuses', async (t, stores, store) => {
  const s = store.state('acc1');
  await s.putOutbound('ch1:prov-1', '77');
  t.deepEqual(await s.outboundOf('ch1:prov-1'), { messageId: '77' });
  await s.setStatus('77', 'sent');
  t.deepEqual(await s.outboundOf('ch1:prov-1'), { messageId: '77', status: 'sent' });
  await s.setStatus('77', 'read');
  t.is(await s.outboundOf('ch1:prov-2'), undefined);
  const again = (await stores.reopen(store)).state('acc1');
  t.deepEqual(await again.outboundOf('ch1:prov-1'), { messageId: '77', status: 'read' });
});

contract('Planfix contacts by phone', async (t, stores, store) => {
  const s = store.state('acc1');
  await s.putPlanfixContact(P1, { id: 5, phone: '8 905 123-45-67' });
  t.deepEqual(await s.planfixContact(P1), { id: 5, phone: '8 905 123-45-67' });
  t.is(await s.planfixContact(P2), undefined);
  await s.putPlanfixContact(P1, { id: 6, phone: P1 });
  const again = (await stores.reopen(store)).state('acc1');
  t.deepEqual(await again.planfixContact(P1), { id: 6, phone: P1 });
});

contract('the phone book mirror: the oldest holder keeps a number, a moved number follows, a full pass prunes what it did not read', async (t, stores, store) => {
  const s = store.state('acc1');
  const page = (at: number, freshFrom: number, prune: boolean, ...entries: [string, number, string][]) =>
    ({ entries: entries.map(([e164, id, phone]) => ({ e164, contact: { id, phone } })), at, freshFrom, prune });
  // The relay found P3 itself while the first pass ran: that pass does not prune it.
  await s.putPlanfixContact(P3, { id: 99, phone: P3 });
  await s.putPhoneBookPage(page(1000, 1000, false, [P1, 9, '8 905 123-45-67'], [P2, 7, '067 123 45 67']), { pass: { kind: 'full', offset: 100, startedAt: 1000, contacts: 100 } });
  // Within a pass, the oldest of two holders keeps the number, whichever came first.
  await s.putPhoneBookPage(page(1000, 1000, false, [P1, 4, '+7 905 1234567'], [P2, 8, '0671234567']), { pass: { kind: 'full', offset: 200, startedAt: 1000, contacts: 200 } });
  t.deepEqual(await s.planfixContact(P1), { id: 4, phone: '+7 905 1234567' });
  t.deepEqual(await s.planfixContact(P2), { id: 7, phone: '067 123 45 67' });
  await s.putPhoneBookPage(page(1000, 1000, true), { fullAt: 1000, fullContacts: 200, syncedAt: 1000 });
  t.deepEqual(await s.phoneBook(), { state: { fullAt: 1000, fullContacts: 200, syncedAt: 1000 }, numbers: 3 });

  // A changes pass: a newer holder does not take a number from its oldest, the holder's new spelling does replace the old.
  await s.putPhoneBookPage(page(2000, 1000, false, [P1, 6, '+79051234567'], [P2, 7, '+380 67 123 45 67']), { syncedAt: 2000, fullAt: 1000 });
  t.deepEqual(await s.planfixContact(P1), { id: 4, phone: '+7 905 1234567' });
  t.deepEqual(await s.planfixContact(P2), { id: 7, phone: '+380 67 123 45 67' });

  // The next full pass: P1 is only contact 6's now (it left contact 4), P2 is gone from Planfix, and
  // P3, which the relay learnt before this pass began, was not read either.
  const later = Date.now() + 60_000;
  await s.putPhoneBookPage(page(later, later, false, [P1, 6, '+79051234567']), { pass: { kind: 'full', offset: 100, startedAt: later, contacts: 100 } });
  t.deepEqual(await s.planfixContact(P1), { id: 6, phone: '+79051234567' });
  await s.putPhoneBookPage(page(later, later, true), { fullAt: later, fullContacts: 100, syncedAt: later });
  const reopened = await stores.reopen(store);
  const again = reopened.state('acc1');
  t.is(await again.planfixContact(P2), undefined);
  t.is(await again.planfixContact(P3), undefined);
  t.deepEqual(await again.phoneBook(), { state: { fullAt: later, fullContacts: 100, syncedAt: later }, numbers: 1 });
  t.deepEqual(await reopened.state('acc2').phoneBook(), { state: {}, numbers: 0 });
});

contract('putCall merges a call\'s later states: fields once known are not emptied, UTM accumulates', async (t, stores, store) => {
  const s = store.state('acc1');
  const ringing = call('c1', { employee: '101', analyticsId: 'GA1.2.3', utm: { utm_source: 'google' } });
  t.deepEqual(await s.putCall(ringing), ringing);
  const answered = await s.putCall(call('c1', { status: 'answered', durationSec: 42, recordingUrl: 'https://rec.example/c1.mp3', employee: undefined, utm: { utm_medium: 'cpc' } }));
  const merged = { ...ringing, status: 'answered', durationSec: 42, recordingUrl: 'https://rec.example/c1.mp3', utm: { utm_source: 'google', utm_medium: 'cpc' } };
  t.deepEqual(answered, merged);
  t.deepEqual(await s.call('c1'), merged);
  t.deepEqual(await s.putCall(call('c1', { status: 'answered' })), merged, 'a repeated state changes nothing');
  t.is(await s.call('c2'), undefined);
  const again = (await stores.reopen(store)).state('acc1');
  t.deepEqual(await again.call('c1'), merged);
});

contract('taskView: the task\'s calls newest first (those of one second in the order they came) and its chat\'s metadata', async (t, stores, store) => {
  const s = store.state('acc1');
  const m = meta({ customer: { name: 'Olga', phone: P1 } });
  await s.putConversation(conversation('ch1:k1', 'k1', { meta: m }));
  await s.setTask('ch1:k1', 10, true);
  const T = 1_700_000_000_000;
  const older = await s.putCall(call('older', { at: T - 60_000, taskNumber: 10 }));
  await s.putCall(call('first', { at: T, taskNumber: 10 }));
  const second = await s.putCall(call('second', { at: T, taskNumber: 10 }));
  await s.putCall(call('other-task', { at: T, taskNumber: 11 }));
  await s.putCall(call('no-task', { at: T }));
  // A later state of a call keeps its place among the calls of its second.
  const first = await s.putCall(call('first', { at: T, taskNumber: 10, status: 'answered', durationSec: 5 }));

  const check = async (st: typeof s) => {
    t.deepEqual(await st.taskView(10), { chat: m, calls: [first, second, older] });
    t.deepEqual(await st.taskView(11), { calls: [call('other-task', { at: T, taskNumber: 11 })] }, 'calls without a chat');
    t.is(await st.taskView(99), undefined);
  };
  await check(s);
  await check((await stores.reopen(store)).state('acc1'));
});

contract('accounts are isolated: the same keys in two accounts do not mix', async (t, stores, store) => {
  const fill = async (account: string, n: number) => {
    const s = store.state(account);
    await bindNow(s, { client: 'ch1/v1', phone: P1 }, () => ({ name: `Customer of ${account}` }));
    await s.markContactSent(P1, `fp-${n}`);
    await s.putConversation(conversation('ch1:k1', P1, { clientId: `client-${n}`, meta: meta({ context: account }) }));
    await s.setTask('ch1:k1', 10 + n, true);
    await s.putOutbound('ch1:prov-1', `msg-${n}`);
    await s.setStatus(`msg-${n}`, n === 1 ? 'sent' : 'read');
    await s.putPlanfixContact(P1, { id: n, phone: P1 });
    await s.putCall(call('c1', { taskNumber: 10 + n, employee: `emp-${n}` }));
    store.activity.add(account, outcome(n, { event: `from ${account}` }));
  };
  await fill('acc1', 1);
  await fill('acc2', 2);
  const check = async (st: Store) => {
    for (const [account, n] of [['acc1', 1], ['acc2', 2]] as const) {
      const s = st.state(account);
      t.like(await s.contact(P1), { customer: { name: `Customer of ${account}` }, sent: `fp-${n}` }, account);
      t.like(await s.conversation('ch1:k1'), { clientId: `client-${n}`, taskNumber: 10 + n, meta: { context: account } }, account);
      t.deepEqual(await s.outboundOf('ch1:prov-1'), { messageId: `msg-${n}`, status: n === 1 ? 'sent' : 'read' }, account);
      t.deepEqual(await s.planfixContact(P1), { id: n, phone: P1 }, account);
      t.is((await s.call('c1'))?.employee, `emp-${n}`, account);
      t.deepEqual((await s.taskView(10 + n))?.calls.map((c) => c.employee), [`emp-${n}`], account);
      t.is(await s.taskView(10 + (3 - n)), undefined, `${account} sees nothing of the other's task`);
      t.deepEqual((await st.activity.list(account)).map((a) => a.event), [`from ${account}`]);
    }
    t.is(await st.state('acc3').byPhone(P1), undefined);
    t.deepEqual(await st.state('acc3').conversationsOf(P1), []);
  };
  await check(store);
  await check(await stores.reopen(store));
});

contract('forget deletes one account\'s state, activity, pending events and dead letters, and nothing of another\'s', async (t, stores, store) => {
  const fill = async (account: string, channel: string) => {
    const s = store.state(account);
    await bindNow(s, { client: `${channel}/v1`, phone: P1, email: E1 }, () => ({ name: 'Olga' }));
    await s.putConversation(conversation(`${channel}:k1`, P1));
    await s.setTask(`${channel}:k1`, 10, true);
    await s.putOutbound(`${channel}:prov-1`, 'msg-1');
    await s.setStatus('msg-1', 'sent');
    await s.putPlanfixContact(P1, { id: 1, phone: P1 });
    await s.putCall(call('c1', { taskNumber: 10 }));
    store.activity.add(account, outcome(1));
    const [pending, dead] = await store.journal.add([1, 2].map((n) => item(`m${n}`, { id: `${channel}:m${n}`, account, channel, key: `${channel}:v1` })));
    await store.journal.dead(dead!, 'refused');
    return pending!;
  };
  await fill('acc1', 'ch1');
  const kept = await fill('acc2', 'ch2');
  await store.journal.add([item('m3', { id: 'ch1:m3' })]);
  await store.forget('acc1');

  const check = async (st: Store) => {
    const gone = st.state('acc1');
    t.is(await gone.byPhone(P1), undefined);
    t.is(await gone.byClient('ch1/v1'), undefined);
    t.is(await gone.contact(P1), undefined);
    t.is(await gone.conversation('ch1:k1'), undefined);
    t.deepEqual(await gone.conversationsOf(P1), []);
    t.is(await gone.taskView(10), undefined);
    t.is(await gone.outboundOf('ch1:prov-1'), undefined);
    t.is(await gone.planfixContact(P1), undefined);
    t.is(await gone.call('c1'), undefined);
    t.deepEqual(await st.activity.list('acc1'), []);
    t.deepEqual(await st.journal.deadLetters('acc1'), []);
    t.deepEqual([...(await pendingOf(st)).keys()], [kept.id]);

    const other = st.state('acc2');
    t.is(await other.byPhone(P1), P1);
    t.like(await other.contact(P1), { clients: ['ch2/v1'], emails: [E1] });
    t.like(await other.conversation('ch2:k1'), { taskNumber: 10 });
    t.deepEqual((await other.taskView(10))?.calls.map((c) => c.callId), ['c1']);
    t.deepEqual(await other.outboundOf('ch2:prov-1'), { messageId: 'msg-1', status: 'sent' });
    t.deepEqual(await other.planfixContact(P1), { id: 1, phone: P1 });
    t.is((await st.activity.list('acc2')).length, 1);
    t.deepEqual((await st.journal.deadLetters('acc2')).map((e) => e.id), ['ch2:m2']);
  };
  await check(store);
  await check(await stores.reopen(store));
});

// ---- a customer's history (the widget) ----

contract('noteFirstVisit keeps the earliest visit on the contact, through later binds; an unknown contact is not made', async (t, stores, store) => {
  const s = store.state('acc1');
  await bindNow(s, { client: 'ch1/v1', phone: P1 }, () => ({ name: 'Olga' }));
  const visit = (at: number, channel = 'ch1') => ({ at, channel, referrer: 'https://www.google.com/', landing: `https://shop.example.com/${at}`, utm: { utm_source: 'google' } });
  await s.noteFirstVisit(P1, visit(2000));
  await s.noteFirstVisit(P1, visit(3000, 'viber1'));
  t.deepEqual((await s.contact(P1))?.firstVisit, visit(2000), 'a later visit does not replace it');
  await s.noteFirstVisit(P1, visit(1000, 'viber1'));
  t.deepEqual((await s.contact(P1))?.firstVisit, visit(1000, 'viber1'), 'an earlier one, delivered later, does');
  await bindNow(s, { client: 'viber1/u1', phone: P1 }, () => ({ name: 'Olga K' }));
  await s.markContactSent(P1, 'fp');
  await s.noteFirstVisit('nobody', visit(1));
  const reopened = await stores.reopen(store);
  const again = reopened.state('acc1');
  t.like(await again.contact(P1), { firstVisit: visit(1000, 'viber1'), clients: ['ch1/v1', 'viber1/u1'], customer: { name: 'Olga K' }, sent: 'fp' });
  t.is(await again.contact('nobody'), undefined);
  t.is(await reopened.state('acc2').contact(P1), undefined);
});

contract('taskConversation: the routing of the conversation a task belongs to, also after its next task', async (t, stores, store) => {
  const s = store.state('acc1');
  const c = conversation('ch1:k1', 'k1', { last: { at: 5, text: 'Is the blue kettle in stock?' } });
  await s.putConversation(c);
  await s.setTask('ch1:k1', 10, true);
  await s.markFresh('ch1:k1');
  await s.setTask('ch1:k1', 11, true);
  const check = async (whole: Store) => {
    const st = whole.state('acc1');
    t.deepEqual(await st.taskConversation(10), { ...routing(c), taskNumber: 11, fresh: false });
    t.deepEqual(await st.taskConversation(11), { ...routing(c), taskNumber: 11, fresh: false });
    t.is(await st.taskConversation(12), undefined);
    t.is(await whole.state('acc2').taskConversation(10), undefined);
  };
  await check(store);
  await check(await stores.reopen(store));
});

contract('planfixPhones: the numbers the phone index holds for a Planfix contact, whether the relay found them or the phone book did', async (t, stores, store) => {
  const s = store.state('acc1');
  await s.putPlanfixContact(P2, { id: 7, phone: P2 });
  await s.putPhoneBookPage({ entries: [{ e164: P1, contact: { id: 7, phone: '8 905 123-45-67' } }, { e164: P3, contact: { id: 8, phone: P3 } }], at: 1000, freshFrom: 1000, prune: false }, {});
  await store.state('acc2').putPlanfixContact(P3, { id: 7, phone: P3 });
  t.deepEqual(await s.planfixPhones(7), [P1, P2].sort());
  t.deepEqual(await s.planfixPhones(8), [P3]);
  t.deepEqual(await s.planfixPhones(9), []);
  // The number moved to another contact: it is no longer this one's.
  await s.putPlanfixContact(P2, { id: 8, phone: P2 });
  const reopened = await stores.reopen(store);
  const again = reopened.state('acc1');
  t.deepEqual(await again.planfixPhones(7), [P1]);
  t.deepEqual(await again.planfixPhones(8), [P2, P3].sort());
  t.deepEqual(await reopened.state('acc2').planfixPhones(8), []);
});

contract('customerConversations: several contacts\' conversations newest first, a page at a time, with the last message and the source only', async (t, stores, store) => {
  const s = store.state('acc1');
  const full = meta({ referrer: 'https://www.google.com/', landing: 'https://shop.example.com/', pages: [{ url: 'https://shop.example.com/p/1', at: 1 }], siteData: { orderId: 'A-1' } });
  const at = (n: number) => 1_700_000_000_000 + n * 1000;
  const made = [
    conversation('ch1:k1', 'k1', { updatedAt: at(5), last: { at: at(5), text: 'Hello' }, meta: full }),
    conversation('viber1:k1', 'k1', { updatedAt: at(9), last: { at: at(9), text: '', content: 'sticker' } }),
    conversation('ch2:k2', 'k2', { updatedAt: at(7), meta: undefined }),
    // Two of one second: the chat id decides, the same way on every page.
    conversation('ch3:k2', 'k2', { updatedAt: at(5) }),
    conversation('ch1:k3', 'k3', { updatedAt: at(8) }),
  ];
  for (const c of made) await s.putConversation(c);
  await s.setTask('ch1:k1', 10, true);
  await store.state('acc2').putConversation(conversation('ch1:k1', 'k1', { updatedAt: at(6) }));
  const listed = (c: Conversation) => {
    const { meta: m, ...rest } = c;
    return m ? { ...rest, meta: { channel: m.channel, utm: m.utm, ...(m.referrer ? { referrer: m.referrer } : {}), ...(m.landing ? { landing: m.landing } : {}) } } : rest;
  };
  const check = async (whole: Store) => {
    const st = whole.state('acc1');
    const first = await st.customerConversations(['k1', 'k2'], { limit: 2 });
    t.deepEqual(first.items, [made[1]!, made[2]!].map(listed));
    t.deepEqual(first.next, { at: at(7), id: 'ch2:k2' });
    const second = await st.customerConversations(['k1', 'k2'], { limit: 2, after: first.next });
    t.deepEqual(second.items, [{ ...listed(made[3]!) }, { ...listed(made[0]!), taskNumber: 10, fresh: false }]);
    t.deepEqual(second.next, undefined, 'the last page says so');
    t.deepEqual((await st.customerConversations(['k1', 'k2', 'k1'], { limit: 10 })).items.map((c) => c.chatId), ['viber1:k1', 'ch2:k2', 'ch3:k2', 'ch1:k1']);
    t.deepEqual(await st.customerConversations(['nobody'], { limit: 10 }), { items: [] });
    t.deepEqual(await st.customerConversations([], { limit: 10 }), { items: [] });
    t.deepEqual((await whole.state('acc2').customerConversations(['k1', 'k2'], { limit: 10 })).items.map((c) => c.updatedAt), [at(6)]);
  };
  await check(store);
  await check(await stores.reopen(store));
});

contract('customerCalls: several Planfix contacts\' calls newest first or oldest first, a page at a time, none of another contact or account', async (t, stores, store) => {
  const s = store.state('acc1');
  const T = 1_700_000_000_000;
  const c = (id: string, at: number, contactKey?: string) => call(id, { at: T + at, ...(contactKey ? { contactKey } : {}), taskNumber: 10 });
  const calls = [c('a', 1, 'pf:7'), c('b', 3, 'pf:8'), c('c', 3, 'pf:7'), c('d', 2, 'pf:7'), c('e', 4, 'pf:9'), c('f', 5)];
  for (const x of calls) await s.putCall(x);
  await store.state('acc2').putCall(c('z', 9, 'pf:7'));
  // A later state of a call keeps its place.
  const d = await s.putCall({ ...calls[3]!, status: 'answered', durationSec: 42 });
  const ids = (p: { items: CallRecord[] }) => p.items.map((x) => x.callId);
  const check = async (whole: Store) => {
    const st = whole.state('acc1');
    const first = await st.customerCalls(['pf:7', 'pf:8'], { limit: 3 });
    t.deepEqual(ids(first), ['c', 'b', 'd']);
    t.deepEqual(first.items[2], d);
    t.deepEqual(first.next, { at: T + 2, id: 'd' });
    const second = await st.customerCalls(['pf:7', 'pf:8'], { limit: 3, after: first.next });
    t.deepEqual(ids(second), ['a']);
    t.is(second.next, undefined);
    // Resuming inside a second shared by two calls.
    t.deepEqual(ids(await st.customerCalls(['pf:8', 'pf:7'], { limit: 10, after: { at: T + 3, id: 'c' } })), ['b', 'd', 'a']);
    const oldest = await st.customerCalls(['pf:7', 'pf:8'], { limit: 2, oldest: true });
    t.deepEqual(ids(oldest), ['a', 'd']);
    t.deepEqual(ids(await st.customerCalls(['pf:7', 'pf:8'], { limit: 2, oldest: true, after: oldest.next })), ['b', 'c']);
    t.deepEqual(await st.customerCalls(['pf:1'], { limit: 5 }), { items: [] });
    t.deepEqual(ids(await whole.state('acc2').customerCalls(['pf:7', 'pf:8'], { limit: 5 })), ['z']);
  };
  await check(store);
  await check(await stores.reopen(store));
});

contract('forget and prune: a customer\'s history goes with its account and with retention; the first visit stays with the contact', async (t, _stores, store) => {
  const s = store.state('acc1');
  await bindNow(s, { client: 'ch1/v1', phone: P1 }, () => ({ name: 'Olga' }));
  await s.noteFirstVisit(P1, { at: 1, channel: 'ch1', referrer: 'https://www.google.com/' });
  await s.putConversation(conversation('ch1:k1', P1));
  await s.setTask('ch1:k1', 10, true);
  await s.putPlanfixContact(P1, { id: 7, phone: P1 });
  await s.putCall(call('c1', { contactKey: 'pf:7' }));
  await store.prune(Date.now() + 1);
  t.deepEqual(await s.customerConversations([P1], { limit: 5 }), { items: [] });
  t.deepEqual(await s.customerCalls(['pf:7'], { limit: 5 }), { items: [] });
  t.is(await s.taskConversation(10), undefined);
  t.like(await s.contact(P1), { firstVisit: { at: 1, channel: 'ch1', referrer: 'https://www.google.com/' } });
  t.deepEqual(await s.planfixPhones(7), [P1]);
  await store.forget('acc1');
  t.is(await s.contact(P1), undefined);
  t.deepEqual(await s.planfixPhones(7), []);
});

// ---- activity ----

contract('activity: the latest outcomes, newest first, per account, kept across a reopen', async (t, stores, store) => {
  const acc1 = [1, 2, 3].map((n) => outcome(n, { outcome: n === 2 ? 'retrying' : 'delivered', ...(n === 2 ? { error: 'Planfix answered 503' } : {}) }));
  for (const it of acc1) store.activity.add('acc1', it);
  const acc2 = outcome(9, { kind: 'call', preview: 'incoming call, ringing' });
  store.activity.add('acc2', acc2);
  t.deepEqual(await store.activity.list('acc1'), [...acc1].reverse());
  t.deepEqual(await store.activity.list('acc2'), [acc2]);
  t.deepEqual(await store.activity.list('acc3'), []);
  const again = await stores.reopen(store);
  t.deepEqual(await again.activity.list('acc1'), [...acc1].reverse());
  t.deepEqual(await again.activity.list('acc2'), [acc2]);
});

contract('activity: the list is capped at the latest 100', async (t, stores, store) => {
  const items = Array.from({ length: 130 }, (_, n) => outcome(n));
  for (const it of items) store.activity.add('acc1', it);
  store.activity.add('acc2', outcome(1000));
  const latest = items.slice(-100).reverse();
  t.deepEqual(await store.activity.list('acc1'), latest);
  const again = await stores.reopen(store);
  t.deepEqual(await again.activity.list('acc1'), latest);
  t.is((await again.activity.list('acc2')).length, 1, 'one account\'s outcomes do not push out another\'s');
});

// ---- retention ----

// Retention goes by the relay's clock when it wrote a row (never a provider's time), so the clock
// is set: everything below is written at T0, then at T1, and pruned with the cut-off T1.
contract.serial('prune deletes what was last written before the cut-off, and keeps contacts, identities, Planfix contacts, pending events and dead letters', async (t, stores, store) => {
  const T0 = Date.now();
  const T1 = T0 + 31 * DAY;
  const time = clock(t, T0);
  const s = store.state('acc1');
  const j = store.journal;

  // At T0.
  await bindNow(s, { client: 'ch1/v1', phone: P1, email: E1 }, () => ({ name: 'Olga' }));
  await s.putPlanfixContact(P1, { id: 5, phone: P1 });
  await s.putConversation(conversation('ch1:old', P1));
  await s.setTask('ch1:old', 10, true);
  await s.putConversation(conversation('ch1:touched', P1));
  await s.setTask('ch1:touched', 30, true);
  await s.putCall(call('old', { taskNumber: 10 }));
  await s.putOutbound('ch1:prov-old', 'msg-old');
  await s.setStatus('msg-old', 'sent');
  await s.setStatus('msg-late', 'sent');
  store.activity.add('acc1', outcome(1, { event: 'old' }));
  const [doneOld, pendingOld, deadOld] = await j.add([item('done-old'), item('pending-old'), item('dead-old')]);
  await j.done(doneOld!);
  await j.dead(deadOld!, 'refused');
  await j.markSeen('ch1:echo-old');
  // What was last written at T0 and is not kept for ever.
  const old = ['event done-old', 'id echo-old', 'conversation ch1:old', 'its task 10', 'call old', 'outbound prov-old', 'status msg-old', 'status msg-late', 'activity old'];

  time.set(T1);
  await s.setFieldsSent('ch1:touched', { utm_source: 'h1' });
  await s.putConversation(conversation('ch1:new', P1));
  await s.setTask('ch1:new', 20, true);
  // The provider's clock said 1970: what counts is when the relay wrote it.
  const ancient = await s.putCall(call('ancient', { at: 0, taskNumber: 20 }));
  await s.putOutbound('ch1:prov-late', 'msg-late');
  await s.putOutbound('ch1:prov-new', 'msg-new');
  await s.setStatus('msg-new', 'read');
  const recent = outcome(2, { event: 'new' });
  store.activity.add('acc1', recent);
  const [doneNew] = await j.add([item('done-new')]);
  await j.done(doneNew!);

  t.is(await store.prune(T1), old.length);
  const check = async (st: Store) => {
    const ss = st.state('acc1');
    t.deepEqual([...await st.journal.seen(['ch1:done-old', 'ch1:echo-old', 'ch1:done-new', 'ch1:pending-old', 'ch1:dead-old'])].sort(),
      ['ch1:dead-old', 'ch1:done-new', 'ch1:pending-old']);
    t.deepEqual([...(await pendingOf(st)).keys()], [pendingOld!.id]);
    t.deepEqual((await st.journal.deadLetters('acc1')).map((e) => e.id), [deadOld!.id]);
    t.like(await ss.contact(P1), { phones: [P1], emails: [E1], clients: ['ch1/v1'], customer: { name: 'Olga' } });
    t.is(await ss.byClient('ch1/v1'), P1);
    t.deepEqual(await ss.planfixContact(P1), { id: 5, phone: P1 });
    t.is(await ss.conversation('ch1:old'), undefined);
    t.is(await ss.taskView(10), undefined, 'the task of a deleted conversation goes with it');
    t.like(await ss.conversation('ch1:touched'), { taskNumber: 30, fieldsSent: { utm_source: 'h1' } }, 'written again at T1');
    t.truthy((await ss.taskView(30))?.chat);
    t.deepEqual(await ss.taskView(20), { chat: conversation('ch1:new', P1).meta!, calls: [ancient] });
    t.is(await ss.call('old'), undefined);
    t.is(await ss.outboundOf('ch1:prov-old'), undefined);
    t.deepEqual(await ss.outboundOf('ch1:prov-late'), { messageId: 'msg-late' }, 'a status goes by when it was written');
    t.deepEqual(await ss.outboundOf('ch1:prov-new'), { messageId: 'msg-new', status: 'read' });
    t.deepEqual(await st.activity.list('acc1'), [recent]);
  };
  await check(store);
  t.is(await store.prune(T1), 0, 'nothing more to delete');
  await check(await stores.reopen(store));
});

// ---- traffic ----

const H0 = 1_700_002_800_000; // a clock hour
const delta = (account: string, channel: string, hour: number, over: Partial<TrafficDelta> = {}): TrafficDelta => ({ ...emptyHour(hour), account, channel, ...over });
const lat = (...at: [number, number][]) => { const l = emptyHour(0).latency; for (const [i, n] of at) l[i] = n; return l; };

contract('traffic adds into its account, hour and channel; the backlog keeps the hour\'s highest', async (t, stores, store) => {
  await store.traffic.add([
    delta('acc1', 'ch1', H0, { received: 3, delivered: 2, latency: lat([0, 1], [3, 1]), backlog: 4 }),
    delta('acc1', 'ch2', H0, { received: 1, refused: 2, backlog: 1 }),
    delta('acc1', 'ch1', H0 + HOUR, { retried: 1, dead: 1 }),
    delta('acc2', 'ch9', H0, { received: 50 }),
  ]);
  // A second flush of the same hour adds to it; a lower backlog sample does not lower it.
  await store.traffic.add([delta('acc1', 'ch1', H0, { received: 1, delivered: 1, latency: lat([3, 1]), backlog: 2 })]);
  const check = async (st: Store) => {
    t.deepEqual(await st.traffic.hours('acc1', H0, H0 + 2 * HOUR, 'ch1'), [
      { ...emptyHour(H0), received: 4, delivered: 3, latency: lat([0, 1], [3, 2]), backlog: 4 },
      { ...emptyHour(H0 + HOUR), retried: 1, dead: 1 },
    ]);
    // All channels summed, the backlogs too (each channel's highest).
    t.deepEqual(await st.traffic.hours('acc1', H0, H0 + 2 * HOUR), [
      { ...emptyHour(H0), received: 5, delivered: 3, refused: 2, latency: lat([0, 1], [3, 2]), backlog: 5 },
      { ...emptyHour(H0 + HOUR), retried: 1, dead: 1 },
    ]);
    t.deepEqual((await st.traffic.hours('acc1', H0 + HOUR, H0 + 2 * HOUR)).map((h) => h.hour), [H0 + HOUR], 'from is in, to is out');
    t.deepEqual(await st.traffic.hours('acc1', H0, H0 + HOUR, 'ch9'), [], 'another account\'s channel');
    t.deepEqual(await st.traffic.hours('acc3', H0, H0 + 2 * HOUR), []);
  };
  await check(store);
  await check(await stores.reopen(store));
});

contract('traffic: prune deletes the hours that ended before the cut-off, forget the account\'s', async (t, _s, store) => {
  await store.traffic.add([0, 1, 2].flatMap((i) => [delta('acc1', 'ch1', H0 + i * HOUR, { received: 1 }), delta('acc2', 'ch2', H0 + i * HOUR, { received: 1 })]));
  // The cut-off falls inside the second hour: that hour still holds counts newer than it.
  t.is(await store.prune(H0 + HOUR + HOUR / 2), 2);
  t.deepEqual((await store.traffic.hours('acc1', 0, H0 + 3 * HOUR)).map((h) => h.hour), [H0 + HOUR, H0 + 2 * HOUR]);
  await store.forget('acc1');
  t.deepEqual(await store.traffic.hours('acc1', 0, H0 + 3 * HOUR), []);
  t.is((await store.traffic.hours('acc2', 0, H0 + 3 * HOUR)).length, 2);
});

// ---- reconciliation ----

contract('recovery: a channel\'s mark and last run are kept across a reopen, replaced whole, dropped with the channel or its account', async (t, stores, store) => {
  const run = { startedAt: 1000, endedAt: 2000, from: 10, to: 20, requests: 2, found: 3, recovered: 1, unfinished: 1, skipped: 0, error: 'refused' };
  t.is(await store.recovery.get('ch1'), undefined);
  await store.recovery.put({ channel: 'ch1', account: 'acc1', coveredTo: 20, last: run });
  await store.recovery.put({ channel: 'ch2', account: 'acc1', coveredTo: 5 });
  await store.recovery.put({ channel: 'ch3', account: 'acc2', coveredTo: 7 });
  await store.recovery.put({ channel: 'ch2', account: 'acc1', coveredTo: 9 });
  const again = await stores.reopen(store);
  t.deepEqual(await again.recovery.get('ch1'), { channel: 'ch1', account: 'acc1', coveredTo: 20, last: run });
  t.deepEqual((await again.recovery.all()).map((s) => [s.channel, s.coveredTo]), [['ch1', 20], ['ch2', 9], ['ch3', 7]]);
  await again.recovery.drop('ch2');
  await again.forget('acc1');
  t.deepEqual((await again.recovery.all()).map((s) => s.channel), ['ch3']);
});

// ---- durability ----

contract('a write resolves only once another connection to the store sees it', async (t, stores, store) => {
  // The outside world, reading only what was committed. Opened before anything is in flight:
  // opening may write (SQLite stamps the schema version), which would wait for the turn's lock.
  const other = await stores.open();
  const visible: Promise<void>[] = [];
  const when = <T>(p: Promise<T>, what: string, sees: () => Promise<boolean>) => {
    visible.push(p.then(async () => { t.true(await sees(), `${what} resolved before it could be read elsewhere`); }));
  };
  const seenThere = async (id: string) => (await other.journal.seen([id])).has(id);
  // All in one tick, as the webhooks and deliveries answered together are.
  when(store.journal.add([item('m1')]), 'add', () => seenThere('ch1:m1'));
  when(store.journal.add([item('m1', { text: 'resent' })]), 'a duplicate of an event being written', () => seenThere('ch1:m1'));
  when(store.journal.markSeen('ch1:echo'), 'markSeen', () => seenThere('ch1:echo'));
  when(bindNow(store.state('acc1'), { client: 'ch1/v1', phone: P1 }, noDetails), 'bind', async () => (await other.state('acc1').byClient('ch1/v1')) === P1);
  when(store.state('acc1').putConversation(conversation('ch1:k1', P1)), 'putConversation', async () => (await other.state('acc1').conversation('ch1:k1')) !== undefined);
  when(store.state('acc1').putCall(call('c1')), 'putCall', async () => (await other.state('acc1').call('c1')) !== undefined);
  await Promise.all(visible);
  const restarted = await stores.reopen(other);
  t.deepEqual([...(await pendingOf(restarted)).keys()], ['ch1:m1']);
});

contract('close() waits for the writes in flight, those not waited for too', async (t, stores, store) => {
  const added = store.journal.add([item('m1')]);
  store.activity.add('acc1', outcome(1));
  const bound = bindNow(store.state('acc1'), { client: 'ch1/v1', phone: P1 }, noDetails);
  await stores.close(store);
  t.is((await added).length, 1);
  t.is((await bound).key, P1);
  const again = await stores.open();
  t.deepEqual([...(await pendingOf(again)).keys()], ['ch1:m1']);
  t.is((await again.activity.list('acc1')).length, 1);
  t.is(await again.state('acc1').byClient('ch1/v1'), P1);
});

contract('a write that throws undoes only itself: the writes of the same tick are kept', async (t, stores, store) => {
  const s = store.state('acc1');
  const added = store.journal.add([item('m1')]);
  // The callback runs after the identifiers are claimed: those claims must be undone with it.
  const failed = bindNow(s, { client: 'ch1/v1', phone: P1, email: E1 }, () => { throw new Error('a bug in the caller'); });
  const put = s.putConversation(conversation('ch1:k1', 'k1'));
  const err = await t.throwsAsync(failed, { message: 'a bug in the caller' });
  t.false(err instanceof StorageError, 'a caller\'s error is not a storage fault');
  t.is((await added).length, 1);
  await put;
  t.true(store.healthy);
  const check = async (st: Store) => {
    const ss = st.state('acc1');
    t.is(await ss.byClient('ch1/v1'), undefined);
    t.is(await ss.byPhone(P1), undefined);
    t.is(await ss.contact(P1), undefined);
    t.truthy(await ss.conversation('ch1:k1'));
    t.is((await st.journal.seen(['ch1:m1'])).size, 1);
  };
  await check(store);
  const again = await stores.reopen(store);
  await check(again);
  t.like(await bindNow(again.state('acc1'), { client: 'ch1/v1', phone: P1 }, noDetails), { key: P1, clients: ['ch1/v1'] }, 'the customer can be bound afterwards');
});
