// relay/deliver.ts: the state and plan records of a delivery are committed while its Planfix call
// runs, and the delivery is not finished (so the event is not marked done) until they are on disk.
// On a real SqliteStore; Planfix is the simulator.
import test, { type ExecutionContext } from 'ava';
import type { MessageEvent, Visit } from '../relay/core/events.ts';
import { deliver } from '../relay/delivery/deliver.ts';
import { StorageError } from '../relay/errors.ts';
import { SqliteStore } from '../relay/store/sqlite/store.ts';
import type { Entry } from '../relay/store/store.ts';
import { diskFull, failingCommits } from './helpers/sqlite-faults.ts';
import { deliverDeps } from './helpers/deliver-deps.ts';
import { planfixAccount } from './helpers/planfix-account.ts';
import { message, Stores } from './helpers/store.ts';

async function world(t: ExecutionContext) {
  const { sim, account } = await planfixAccount(t);
  const stores = await Stores.in(t, (dir) => new SqliteStore(dir));
  const store = await stores.open();
  const deps = deliverDeps(store.journal);
  const state = store.state('acc1');
  const add = async (eventId: string, visit?: Visit): Promise<Entry> => {
    const event: MessageEvent = { ...message(eventId, `text of ${eventId}`, visit), at: Date.now() };
    const [e] = await store.journal.add([{ id: `ch1:${eventId}`, account: 'acc1', channel: 'ch1', key: 'ch1:v1', at: Date.now(), event }]);
    return e!;
  };
  const run = (e: Entry, written?: Promise<unknown>) => deliver(e, account, state, deps, written);
  const newMessages = () => sim.commands.filter((c) => c.cmd === 'newMessage').length;
  // The customer has no phone or e-mail: the contact key is the provider's client id.
  const chatId = 'ch1:ch1/v1';
  return { sim, store, stores, state, add, run, newMessages, chatId };
}

test('a delivery whose state and plan did not commit fails retryably before any Planfix call, and the retry sends it once', async (t) => {
  const w = await world(t);
  // The conversation's first message opens its task; the second is planned as one newMessage.
  const first = await w.add('m1');
  await w.run(first);
  await w.store.journal.done(first);
  const second = await w.add('m2');
  t.is(w.newMessages(), 1);

  const fault = failingCommits(w.store).onPlan();
  const err = await t.throwsAsync(w.run(second));
  t.true(err instanceof StorageError, String(err));
  t.is(w.newMessages(), 1, 'no Planfix call before the records are committed');
  t.is(second.plan, undefined, 'the plan that did not commit is not taken for done');

  fault.heal();
  await w.run(second);
  t.deepEqual(second.plan?.map((op) => op.do), ['newMessage', 'learnTask']);
  t.is(w.newMessages(), 2, 'not sent twice');
  await w.store.journal.done(second);
  t.is(w.store.journal.pending.size, 0);
});

test('a delivery returns only once its records are committed: a restart right after finds them', async (t) => {
  const w = await world(t);
  const first = await w.add('m1', { city: 'Kyiv', utm: { utm_source: 'google' } });
  await w.run(first);
  await w.store.journal.done(first);
  const task = (await w.state.conversation(w.chatId))?.taskNumber;
  t.truthy(task, 'learnTask recorded the task Planfix opened');
  const state = (await w.stores.reopen(w.store)).state('acc1');
  t.like(await state.conversation(w.chatId), { taskNumber: task, fresh: false, meta: { visitor: { city: 'Kyiv' }, utm: { utm_source: 'google' } } });
  t.like(await state.contact('ch1/v1'), { clients: ['ch1/v1'], customer: { name: 'Olga' } });
  t.like((await state.taskView(task!))?.chat, { utm: { utm_source: 'google' } });
});

// The plan is on the entry only once committed: the retry of a delivery whose first commit failed
// resolves the conversation again and writes it.
test('the retry of a delivery whose records did not commit writes them', async (t) => {
  const w = await world(t);
  const first = await w.add('m1', { city: 'Kyiv' });
  const fault = failingCommits(w.store).onPlan();
  await t.throwsAsync(w.run(first), { instanceOf: StorageError });
  fault.heal();
  await w.run(first);
  await w.store.journal.done(first);
  t.is(w.newMessages(), 1);
  t.like(await w.state.conversation(w.chatId), { fresh: false, meta: { visitor: { city: 'Kyiv' } } });
});

// A full disk is a StorageError, retried, never a dead letter (SQLite may have rolled the whole
// transaction back by itself: the statement's own error is the one reported).
test('a full disk during a delivery fails it retryably, with a StorageError', async (t) => {
  const w = await world(t);
  // Enough pages visited that the conversation's record needs pages of its own.
  const pages = Array.from({ length: 60 }, (_, i) => ({ url: `https://shop.example.com/catalog/${'p'.repeat(150)}/${i}`, at: i }));
  const first = await w.add('m1', { pages });
  diskFull(w.store);
  await t.throwsAsync(w.run(first), { instanceOf: StorageError });
});

test('an event taken before its journal write committed: when that commit fails, no Planfix call is made, and the resend is delivered once', async (t) => {
  const w = await world(t);
  const first = await w.add('m1');
  await w.run(first);
  await w.store.journal.done(first);
  t.is(w.newMessages(), 1);

  const item = () => ({ id: 'ch1:m2', account: 'acc1', channel: 'ch1', key: 'ch1:v1', at: Date.now(), event: { ...message('m2'), at: Date.now() } });
  let taken: Entry[] = [];
  const commits = failingCommits(w.store);
  // As the inbox does: the worker starts on the entry in the turn that wrote it.
  const added = w.store.journal.add([item()], (fresh) => { taken = fresh; });
  t.is(taken.length, 1, 'told before add() returned');
  const delivering = w.run(taken[0]!, added);
  void commits.poison().catch(() => undefined);
  await t.throwsAsync(added, { instanceOf: StorageError });
  await t.throwsAsync(delivering, { instanceOf: StorageError });
  t.is(w.newMessages(), 1, 'nothing went to Planfix for an event that is not journaled');
  t.false(w.store.journal.pending.has('ch1:m2'));

  // A delivery that starts only after the failed commit has no write of its own in it: the entry's
  // own write is what stops it.
  const lost = w.store.journal.add([item()], (fresh) => { taken = fresh; });
  void commits.poison().catch(() => undefined);
  await t.throwsAsync(lost, { instanceOf: StorageError });
  await t.throwsAsync(w.run(taken[0]!, lost), { instanceOf: StorageError });
  t.is(w.newMessages(), 1);

  const [resent] = await w.store.journal.add([item()]);
  t.truthy(resent, 'the resend is not a duplicate');
  await w.run(resent!);
  t.is(w.newMessages(), 2);
});
