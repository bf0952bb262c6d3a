// Stored history for the growth and footprint figures, made by the relay's own code: each stored
// conversation is a Chatra chatStarted webhook parsed by the Chatra adapter and delivered by
// relay/deliver.ts (identity, conversation, widget metadata, the learned task number) into the
// account's state in the relay's store, against a Planfix stub that answers at once; its message
// id goes into the journal (Journal.markSeen, as a delivered event leaves it). Nothing is written
// in a format of the bench's own.
import { checkStoredAccount } from '../relay/channels/stored.ts';
import { chatra } from '../relay/channels/chatra/adapter.ts';
import { taskFieldName } from '../relay/core/account.ts';
import type { MessageEvent } from '../relay/core/events.ts';
import { normalEmail, toE164 } from '../relay/core/identity.ts';
import { localeOf } from '../relay/core/locale.ts';
import { plan, type Op } from '../relay/core/plan.ts';
import { deliver, type DeliverDeps } from '../relay/delivery/deliver.ts';
import { createLogger } from '../relay/log.ts';
import { OutboundPolicy } from '../relay/net/outbound.ts';
import type { ChatApi } from '../relay/planfix/chat.ts';
import type { RestApi } from '../relay/planfix/rest.ts';
import type { TelephonyApi } from '../relay/planfix/telephony.ts';
import { AccountStore } from '../relay/store/accounts.ts';
import { SqliteStore } from '../relay/store/sqlite/store.ts';
import { mergeMeta } from '../relay/store/records.ts';
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

/** The account to seed and its Chatra channel, which the stored conversations came through. */
function chatraAccount(accounts: AccountStore, accountId: string) {
  const account = accounts.get(accountId);
  const channel = account?.channels.find((c) => c.kind === 'chatra');
  if (!account || !channel) throw new Error(`seed: account ${accountId} has no Chatra channel`);
  return { account, channel };
}

/**
 * Stores `perAccount` conversations (visitors `firstVisitor`…) in every listed account of the data
 * directory (the relay must not be running on it). `inFlight` deliveries run at once, so the
 * store's group-committed writes share commits as they do under load.
 */
export async function seedConversations(dataDir: string, accountIds: string[], perAccount: number, opts: { firstVisitor?: number; inFlight?: number } = {}): Promise<void> {
  const accounts = new AccountStore(dataDir);
  await accounts.open(checkStoredAccount);
  const store = new SqliteStore(dataDir);
  const journal = store.journal;
  const inFlight = opts.inFlight ?? 256;
  const at = Date.now() - 24 * 3_600_000;
  let visitor = opts.firstVisitor ?? 0;
  for (const accountId of accountIds) {
    const { account, channel } = chatraAccount(accounts, accountId);
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

/**
 * The same stored conversations as seedConversations, somewhat faster (about 3,500 a second
 * against 2,900 through deliver() on a 2-CPU machine), for the history figure's millions; the
 * figure's real saving is seeding its stores in two processes at once. Every row is still written by the store's own API
 * (relay/store/sqlite: AccountState.bind, putConversation, markContactSent, setTask and
 * Journal.markSeen, never SQL of the bench's own), with the values deliver() would have given it,
 * computed by the relay's own code: the Chatra adapter's event, the identity binding's rules, the
 * widget metadata's merge (mergeMeta) and the plan (core/plan.ts: the contact's fingerprint and
 * the task fields' hashes its newMessage records). What it skips is the path between: the journal
 * entry, the Planfix calls of the stub, and the conversation written three times over (a fresh
 * one, then its task fields, then its task) where it is here written once as it ends. A batch of
 * `batch` conversations is written in one turn of the event loop, so in one transaction.
 */
export async function seedConversationsFast(dataDir: string, accountIds: string[], perAccount: number, opts: { firstVisitor?: number; batch?: number; progress?: (done: number) => void } = {}): Promise<void> {
  const accounts = new AccountStore(dataDir);
  await accounts.open(checkStoredAccount);
  const store = new SqliteStore(dataDir);
  const journal = store.journal;
  const batch = opts.batch ?? 500;
  const at = Date.now() - 24 * 3_600_000;
  let visitor = opts.firstVisitor ?? 0;
  let done = 0;
  try {
    for (const accountId of accountIds) {
      const { account, channel } = chatraAccount(accounts, accountId);
      const state = store.state(accountId);
      const locale = localeOf(account);
      const ctxChannel = { id: channel.id, title: chatra.title, name: channel.name, options: channel.options };
      for (let left = perAccount; left > 0;) {
        const n = Math.min(batch, left);
        left -= n;
        // One webhook per visitor, parsed by the Chatra adapter; the contact bound by the identity rules.
        const bound = [];
        for (let i = 0; i < n; i++) {
          const v = visitor++;
          const raw = Buffer.from(chatraBody(v, `seed-${v}`, at + v, 'chatStarted'));
          const ev = chatra.parse({ raw, contentType: 'application/json', headers: {}, query: {} }, channel).events[0] as MessageEvent;
          const c = ev.customer;
          const phone = toE164(c.phone, account.defaultCountry);
          const ids = { client: `${channel.id}/${c.clientId}`, phone, email: normalEmail(c.email) };
          // As relay/deliver.ts resolve() binds a customer's details.
          const contact = state.bind(ids, (prev) => ({
            name: c.name, lastName: c.lastName, displayName: c.displayName, email: ids.email, avatar: c.avatar,
            phone: phone ?? (prev?.customer.phone ? undefined : c.phone),
          }));
          bound.push({ ev, phone, contact });
        }
        const writes: Promise<unknown>[] = [];
        for (const { ev, phone, contact: pending } of bound) {
          const { contact, written } = await pending;
          writes.push(written);
          const key = contact.key;
          const chatId = `${channel.id}:${key}`;
          const meta = mergeMeta(
            { channel: { id: channel.id, kind: channel.kind, name: channel.name }, customer: {}, visitor: {}, pages: [], utm: {} },
            ev.visit,
            { name: [contact.customer.name ?? contact.customer.displayName, contact.customer.lastName].filter(Boolean).join(' ') || undefined, phone: contact.customer.phone, email: contact.customer.email },
          );
          // The plan deliver() would fix for this first message: its newMessage carries the
          // contact's fingerprint and the task fields' hashes that delivering it records.
          const ops = plan(ev, {
            channel: ctxChannel, chatId, contactKey: key, customer: { ...contact.customer, phone: phone ?? contact.phones[0] },
            contactSent: contact.sent, fresh: true, hasRest: !!account.planfix.restToken, fieldName: (k) => taskFieldName(account, k), locale,
          });
          const message = ops.find((o): o is Extract<Op, { do: 'newMessage' }> => o.do === 'newMessage');
          if (!message) throw new Error('seed: the plan of a first message has no newMessage');
          const taskNumber = nextTask++;
          // The conversation as delivering its first message leaves it: the task known, its fields sent.
          writes.push(state.putConversation({
            chatId, channel: channel.id, contactKey: key, clientId: ev.customer.clientId, fresh: false, updatedAt: ev.at,
            ...(message.fields ? { fieldsSent: message.fields.sent } : {}), taskNumber, meta,
          }));
          writes.push(state.markContactSent(key, message.fingerprint));
          writes.push(state.setTask(chatId, taskNumber, true));
          writes.push(journal.markSeen(`${channel.id}:${ev.eventId}`));
        }
        await Promise.all(writes);
        done += n;
        opts.progress?.(done);
      }
    }
  } finally {
    await store.close();
  }
}
