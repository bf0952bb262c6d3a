import { providerId, taskFieldName, type Account, type ChannelConfig } from '../core/account.ts';
import type { CallEvent, InboundEvent } from '../core/events.ts';
import { escapeHtml } from '../core/html.ts';
import { normalEmail, toE164 } from '../core/identity.ts';
import { callPlan, callPlanAfter, callSkips, type CallSkip } from '../core/call-plan.ts';
import { plan, type Op, type PlanContext } from '../core/plan.ts';
import { localeOf } from '../core/locale.ts';
import { callContext, recordCall, runCallOp, type CallDeps } from './calls.ts';
import { hold } from './hold.ts';
import { adapters } from '../channels/index.ts';
import { RetryableError, TerminalError } from '../errors.ts';
import type { OutboundPolicy } from '../net/outbound.ts';
import type { ChatApi } from '../planfix/chat.ts';
import { pickCompleteStatus } from '../planfix/rest.ts';
import { lastMessageOf, mergeMeta, sourceOf, visitOf } from '../store/records.ts';
import type { AccountState, Entry, Journal } from '../store/store.ts';

export interface DeliverDeps extends CallDeps {
  journal: Journal;
  chat: ChatApi;
  policy: OutboundPolicy;
  timeoutMs: number;
  /** With several relays on one database: whether this one still holds the queue key (delivery/claimer.ts). */
  holds?: (key: string) => boolean;
}

/**
 * Applies an inbound event to the account's state (identity binding, conversation, widget
 * metadata) and returns what the planner needs. Runs once per event, before its plan is fixed.
 * Its writes (the binding, the conversation) go into `writes`, to be on disk with the plan's.
 */
async function resolve(event: InboundEvent, account: Account, channel: ChannelConfig, state: AccountState, writes: Promise<unknown>[]): Promise<PlanContext> {
  const adapter = adapters[channel.kind]!;
  const c = event.customer;
  const phone = toE164(c.phone, account.defaultCountry);
  const ids = { client: `${channel.id}/${c.clientId}`, phone, email: normalEmail(c.email) };
  const { contact, written } = await state.bind(ids, (prev) => ({
    name: c.name, lastName: c.lastName, displayName: c.displayName, email: ids.email, avatar: c.avatar,
    // A number that does not parse is kept as given only while no E.164 one is known, and never matched.
    phone: phone ?? (prev?.customer.phone ? undefined : c.phone),
  }));
  hold(writes, written);
  const key = contact.key;
  // Once a customer has a first visit, nothing is written for it again.
  const first = contact.firstVisit ? undefined : sourceOf(event.visit, event.at, channel.id);
  if (first) hold(writes, state.noteFirstVisit(key, first));
  const chatId = `${channel.id}:${key}`;
  const prev = await state.conversation(chatId);
  const meta = mergeMeta(
    prev?.meta ?? { channel: { id: channel.id, kind: channel.kind, name: channel.name }, customer: {}, visitor: {}, pages: [], utm: {} },
    event.visit,
    { name: [contact.customer.name ?? contact.customer.displayName, contact.customer.lastName].filter(Boolean).join(' ') || undefined, phone: contact.customer.phone, email: contact.customer.email },
  );
  // Writing again is subscribing again (Viber subscribes a user who messages the bot).
  const unsubscribed = event.kind === 'customer' && event.subscribed !== undefined ? !event.subscribed
    : event.kind === 'message' && !event.echo ? undefined : prev?.unsubscribed;
  const last = event.kind === 'message' && !event.echo ? lastMessageOf(event) : prev?.last;
  hold(writes, state.putConversation({
    chatId, channel: channel.id, contactKey: key, clientId: c.clientId, taskNumber: prev?.taskNumber,
    fresh: prev?.fresh ?? true, ...(prev?.fieldsSent ? { fieldsSent: prev.fieldsSent } : {}),
    ...(unsubscribed ? { unsubscribed } : {}), updatedAt: event.at, ...(last ? { last } : {}), meta,
  }));
  return {
    channel: { id: channel.id, title: adapter.title, name: channel.name, options: channel.options },
    chatId,
    contactKey: key,
    // Planfix gets only E.164 phones: this event's, else the first the index holds for the customer.
    customer: { ...contact.customer, phone: phone ?? contact.phones[0] },
    contactSent: contact.sent,
    fresh: prev?.fresh ?? true,
    storedVisit: event.visit ? undefined : visitOf(meta),
    fieldsSent: prev?.fieldsSent,
    hasRest: !!account.planfix.restToken,
    fieldName: (k) => taskFieldName(account, k),
    locale: localeOf(account),
  };
}

/**
 * Delivers one journaled event: fixes its plan the first time, then runs the ops not yet done.
 * The event itself (`written`, when the worker took it before its journal write was committed),
 * the conversation and the plan are committed (one commit, shared with whatever else was written
 * in that turn) before the first Planfix call: were they lost after it, the retry would plan again
 * and repeat that call, and the conversation would be gone.
 */
export async function deliver(entry: Entry, account: Account, state: AccountState, deps: DeliverDeps, written?: Promise<unknown>): Promise<{ skipped: CallSkip[] }> {
  const channel = account.channels.find((c) => c.id === entry.channel);
  if (!channel) throw new TerminalError('the channel was deleted');
  const event = await prepared(entry.event, account, channel, deps);
  // The entry's own journal write, when it is not committed yet: nothing goes to Planfix before it is.
  const writes: Promise<unknown>[] = written ? [written] : [];
  let ops = entry.plan;
  if (ops && event.kind === 'call' && ops.some((op) => LEGACY_CALL_OPS.has(op.do) || (op.do === 'telephony' && !op.command))) {
    // A call journaled by an earlier version, whose ops carried no data: planned again
    // from the start. Its telephony events may reach Planfix twice; Planfix keeps one call per callid.
    ops = undefined;
    hold(writes, deps.journal.setStep(entry, 0));
  }
  if (!ops) {
    // Replies and receipts concern a conversation already known: no identity to resolve.
    const bare = { channel: { id: channel.id, title: '', name: channel.name, options: channel.options }, locale: localeOf(account) } as PlanContext;
    if (event.kind === 'call') await recordCall(event, account, channel, state);
    ops = event.kind === 'call' ? callPlan(event, await callContext(event, account, channel, state, deps))
      : event.kind === 'reply' ? plan(event, bare)
      : event.kind === 'status' ? plan(event, { ...bare, outbound: await state.outboundOf(`${channel.id}:${event.providerMessageId}`) })
      : plan(event, await resolve(event, account, channel, state, writes));
    hold(writes, deps.journal.setPlan(entry, ops));
  }
  await Promise.all(writes);
  // From here on an op's writes and its step record go to disk together (one turn, one commit,
  // all or nothing), and the delivery is finished once all are on disk.
  const later: Promise<unknown>[] = [];
  const start = entry.step;
  try {
    for (let i = entry.step; i < ops.length; i++) {
      const op: Op = ops[i]!;
      // Its claim lost (the session ended), another relay goes on from the step on disk: this one
      // stops before its next op, so that only the op under way can be done twice.
      if (i > start && deps.holds?.(entry.key) === false) throw new RetryableError('this relay lost its claim on the conversation; another one carries on');
      try {
        if (event.kind !== 'call') await run(op, event, account, channel, state, deps, later);
        else {
          const answer = await runCallOp(op, event, account, channel, state, deps, later);
          // Planfix answered what the plan asked: the rest is planned from it, and journaled with this step.
          if (answer) {
            ops = [...ops.slice(0, i + 1), ...callPlanAfter(op, answer, event, await callContext(event, account, channel, state, deps))];
            hold(later, deps.journal.setPlan(entry, ops));
          }
        }
      } catch (err) {
        // A reply the provider refused is not a dead letter: Planfix shows the employee the reason.
        if (op.do === 'send' && err instanceof TerminalError && event.kind === 'reply') {
          await deps.chat.call(account, 'messageStatus', { messageId: event.messageId, messageStatus: 'error', messageStatusText: err.message.slice(0, 500) });
          return { skipped: [] };
        }
        throw err;
      }
      // The last op needs no step record: the worker's done record follows and marks it. Any other
      // op's step, with what it wrote, is on disk before the next op starts: a crash then repeats
      // at most the op under way, never the one before it too.
      if (i + 1 < ops.length) {
        hold(later, deps.journal.setStep(entry, i + 1));
        await Promise.all(later);
      } else entry.step = i + 1;
    }
  } finally {
    // Also when an op failed: what the ops before it wrote is on disk before a retry is planned.
    // If any of it is not, the retry starts where this attempt did (on disk), not at a step whose
    // record, or whose op's state, was lost with it.
    if ((await Promise.allSettled(later)).some((r) => r.status === 'rejected')) entry.step = start;
  }
  await Promise.all(later);
  return { skipped: event.kind === 'call' ? callSkips(event, keysOf(account)) : [] };
}

/** The event as the channel's `prepare` step makes it (see ChannelDef); a reply is the relay's own. */
function prepared(event: Entry['event'], account: Account, channel: ChannelConfig, deps: DeliverDeps): Promise<Entry['event']> | Entry['event'] {
  const adapter = adapters[channel.kind];
  if (!adapter?.prepare || event.kind === 'reply') return event;
  return adapter.prepare(event, { account, channel, policy: deps.policy, timeoutMs: deps.timeoutMs });
}

/** The ops of call plans journaled before calls had a planner (they carried no data). */
const LEGACY_CALL_OPS = new Set(['callContact', 'callAttach', 'telephonyRecord', 'recordingNote']);

const keysOf = (account: Account) => ({ hasRest: !!account.planfix.restToken, hasTelephony: !!account.planfix.telephonyToken });

/** Runs one op; what it changes in the state goes into `writes`, committed with its step (see deliver). */
async function run(op: Op, event: Exclude<Entry['event'], CallEvent>, account: Account, channel: ChannelConfig, state: AccountState, deps: DeliverDeps, writes: Promise<unknown>[]): Promise<void> {
  const { chat, rest } = deps;
  switch (op.do) {
    case 'newMessage':
    case 'updateContact':
      await chat.call(account, op.do, op.params);
      hold(writes, state.markContactSent(op.contactKey, op.fingerprint));
      if (op.do === 'newMessage' && op.fields) hold(writes, state.setFieldsSent(op.fields.chatId, op.fields.sent));
      return;
    case 'learnTask': {
      const task = await chat.getTask(account, op.chatId);
      if (!task) {
        // Only a task being opened is waited for; a known one that vanished changes nothing here.
        if ((await state.conversation(op.chatId))?.fresh === false) return;
        throw new RetryableError('Planfix has no task for this chat yet', undefined, 'waiting');
      }
      hold(writes, state.setTask(op.chatId, task.number, task.statusIsActive ?? true));
      return;
    }
    case 'visitComment': {
      const n = await chat.getContact(account, op.contactId);
      if (!n) throw new TerminalError(`Planfix does not know contact ${op.contactId} of provider ${providerId(account)}`, 'not-found');
      // Planfix renders a comment as HTML; the visit line is visitor-given text.
      await rest.contactComment(account, n, escapeHtml(op.description));
      return;
    }
    case 'completeTask': {
      const n = (await state.conversation(op.chatId))?.taskNumber ?? (await chat.getTask(account, op.chatId))?.number;
      if (!n) return;
      const task = await rest.task(account, n);
      if (task.status && !task.status.isActive) return hold(writes, state.markFresh(op.chatId));
      if (!task.processId) throw new TerminalError(`Planfix did not say which process task ${n} is in`);
      const status = pickCompleteStatus(await rest.statuses(account, task.processId), account.planfix.completeStatus);
      if (!status) throw new TerminalError(`no task status matches completeStatus ${JSON.stringify(account.planfix.completeStatus ?? 'completed')}`, 'not-configured');
      await rest.setTaskStatus(account, n, status.id);
      hold(writes, state.markFresh(op.chatId));
      return;
    }
    case 'send': {
      if (event.kind !== 'reply') throw new Error('a send op belongs to a reply');
      const reply = event;
      if ((await state.conversation(reply.chatId))?.unsubscribed) {
        throw new TerminalError(`the customer unsubscribed from ${channel.name}: nothing can be sent until they write again`, 'provider-refused');
      }
      const adapter = adapters[channel.kind]!;
      if (!adapter.send) throw new TerminalError(`${adapter.title} channels take no replies`);
      const { providerMessageIds } = await adapter.send(reply, { account, channel, policy: deps.policy, timeoutMs: deps.timeoutMs });
      for (const id of providerMessageIds) hold(writes, deps.journal.markSeen(`${channel.id}:${id}`), state.putOutbound(`${channel.id}:${id}`, reply.messageId));
      return;
    }
    case 'messageStatus': {
      await chat.call(account, 'messageStatus', { messageId: op.messageId, messageStatus: op.status, messageStatusText: op.text });
      hold(writes, state.setStatus(op.messageId, op.status));
      return;
    }
    default:
      throw new Error(`${op.do} is a call op`);
  }
}
