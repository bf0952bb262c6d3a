// relay/delivery/inbox.ts + worker.ts: the worker takes a webhook's new events in the turn that
// journals them. An event whose journal write then fails was answered 503: whenever it comes to the
// head of its queue, it is dropped, and nothing of it reaches Planfix; the sender's resend is
// delivered once. Real SqliteStore, AccountStore and Planfix simulator; the commit failure is
// provoked inside SQLite (helpers/sqlite-faults.ts).
import { checkStoredAccount } from '../relay/channels/stored.ts';
import test from 'ava';
import pino from 'pino';
import type { MessageEvent } from '../relay/core/events.ts';
import { Inbox } from '../relay/delivery/inbox.ts';
import { Worker } from '../relay/delivery/worker.ts';
import { StorageError } from '../relay/errors.ts';
import { OutboundPolicy } from '../relay/net/outbound.ts';
import { ChatApi } from '../relay/planfix/chat.ts';
import { RestApi } from '../relay/planfix/rest.ts';
import { TelephonyApi } from '../relay/planfix/telephony.ts';
import { AccountStore } from '../relay/store/accounts.ts';
import { SqliteStore } from '../relay/store/sqlite/store.ts';
import { failingCommits } from './helpers/sqlite-faults.ts';
import { planfixAccount } from './helpers/planfix-account.ts';
import { message, Stores, tmpDir } from './helpers/store.ts';

test('an event queued behind another when its journal write fails is dropped at the head: Planfix never sees it, the resend is delivered once', async (t) => {
  const { sim, account, channel } = await planfixAccount(t);
  const accounts = new AccountStore(await tmpDir(t));
  await accounts.open(checkStoredAccount);
  await accounts.save(account);
  const stores = await Stores.in(t, (dir) => new SqliteStore(dir));
  const store = await stores.open();
  const policy = new OutboundPolicy(['127.0.0.1']);
  const log = pino({ level: 'silent' });
  const deps = { journal: store.journal, chat: new ChatApi(policy, 5000), rest: new RestApi(policy, 5000), telephony: new TelephonyApi(policy, 5000), policy, timeoutMs: 5000, log };
  // One delivery at a time for the account: a second conversation's event waits in the queue.
  const worker = new Worker(accounts, store, deps, { retry: { baseMs: 50, maxMs: 200, giveUpAfterMs: 60_000 }, perAccount: 1 }, log);
  t.teardown(() => worker.stop());
  const inbox = new Inbox(store.journal, worker);
  const event = (visitor: string, id: string): MessageEvent => ({ ...message(id, `text of ${id}`), customer: { clientId: visitor }, at: Date.now() });
  const texts = () => sim.commands.filter((c) => c.cmd === 'newMessage').map((c) => String(c.params.message ?? '').split('\n')[0]);

  sim.setDelay(300);
  await inbox.inbound(account, channel, [event('v1', 'a1')]);
  // v1's delivery holds the account's one slot while Planfix takes 300 ms; v2's event is taken in
  // a turn whose commit fails.
  const commits = failingCommits(store);
  const failed = inbox.inbound(account, channel, [event('v2', 'b1')]);
  void commits.poison().catch(() => undefined);
  await t.throwsAsync(failed, { instanceOf: StorageError });
  t.is(worker.pendingFor('acc1'), 2, 'both are queued: v1 running, v2 behind it');

  sim.setDelay(0);
  await sim.waitFor(() => worker.pendingFor('acc1') === 0);
  t.deepEqual(texts(), ['text of a1'], 'nothing of the event that was never journaled reached Planfix');
  t.is(store.journal.pending.size, 0);

  await inbox.inbound(account, channel, [event('v2', 'b1')]);
  await sim.waitFor(() => worker.pendingFor('acc1') === 0 && texts().length === 2);
  t.deepEqual(texts(), ['text of a1', 'text of b1']);
});
