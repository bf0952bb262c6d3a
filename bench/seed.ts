// Stored history for the growth and footprint figures, made by the relay's own code: each stored
// conversation is a Chatra chatStarted webhook parsed by the Chatra adapter and delivered by
// relay/deliver.ts (identity, conversation, widget metadata, the learned task number) into the
// account's state in the relay's store, against a Planfix stub that answers at once; its message
// id goes into the journal (Journal.markSeen, as a delivered event leaves it). Nothing is written
// in a format of the bench's own.
import { chatra } from '../relay/channels/chatra.ts';
import { deliver, type DeliverDeps } from '../relay/deliver.ts';
import { createLogger } from '../relay/log.ts';
import { OutboundPolicy } from '../relay/net/outbound.ts';
import type { ChatApi } from '../relay/planfix/chat.ts';
import type { RestApi } from '../relay/planfix/rest.ts';
import type { TelephonyApi } from '../relay/planfix/telephony.ts';
import { AccountStore } from '../relay/store/accounts.ts';
import { SqliteStore } from '../relay/store/sqlite/store.ts';
import type { Entry, Journal } from '../relay/store/store.ts';
import { chatraBody } from './lib.ts';

let nextTask = 1_000_000;

/** Planfix as the relay's Chat API client sees it when every call succeeds. */
const planfixStub = {
  call: async () => undefined,
  getTask: async () => ({ number: nextTask++, statusIsActive: true }),
  getContact: async () => 1,
} as unknown as ChatApi;

/** Plans are fixed in memory only: the journal keeps no record of a delivered event but its id. */
const planStore = {
  setPlan: async (e: Entry, plan: Entry['plan']) => { e.plan = plan; },
  setStep: async (e: Entry, step: number) => { e.step = step; },
} as unknown as Journal;

const deps: DeliverDeps = {
  journal: planStore,
  chat: planfixStub,
  rest: {} as RestApi,
  telephony: {} as TelephonyApi,
  log: createLogger('silent'),
  policy: new OutboundPolicy([]),
  timeoutMs: 1000,
};

/**
 * Stores `perAccount` conversations (visitors `firstVisitor`…) in every listed account of the data
 * directory (the relay must not be running on it). `inFlight` deliveries run at once, so the
 * store's group-committed writes share commits as they do under load.
 */
export async function seedConversations(dataDir: string, accountIds: string[], perAccount: number, opts: { firstVisitor?: number; inFlight?: number } = {}): Promise<void> {
  const accounts = new AccountStore(dataDir);
  await accounts.open();
  const store = new SqliteStore(dataDir);
  const journal = store.journal;
  const inFlight = opts.inFlight ?? 256;
  const at = Date.now() - 24 * 3_600_000;
  let visitor = opts.firstVisitor ?? 0;
  for (const accountId of accountIds) {
    const account = accounts.get(accountId);
    const channel = account?.channels.find((c) => c.kind === 'chatra');
    if (!account || !channel) throw new Error(`seed: account ${accountId} has no Chatra channel`);
    const state = store.state(accountId);
    let left = perAccount;
    const one = async (v: number) => {
      const raw = Buffer.from(chatraBody(v, `seed-${v}`, at + v, 'chatStarted'));
      const { events } = chatra.parse({ raw, contentType: 'application/json', headers: {}, query: {} }, channel);
      for (const ev of events) {
        const entry: Entry = { id: `${channel.id}:${ev.eventId}`, seq: 0, account: account.id, channel: channel.id, key: `${channel.id}:${ev.customer.clientId}`, at: ev.at, event: ev, step: 0 };
        await deliver(entry, account, state, deps);
        await journal.markSeen(entry.id);
      }
    };
    const lane = async () => {
      while (left > 0) {
        left--;
        await one(visitor++);
      }
    };
    await Promise.all(Array.from({ length: Math.min(inFlight, perAccount) }, lane));
  }
  await store.close();
}
