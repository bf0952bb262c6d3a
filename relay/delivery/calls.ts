import type { Account, ChannelConfig } from '../core/account.ts';
import { DEFAULT_CALL_OPTIONS, findEmployee } from '../core/call-options.ts';
import type { CallAnswer, CallContext, CallOp, KnownContact } from '../core/call-plan.ts';
import type { CallEvent } from '../core/events.ts';
import { toE164 } from '../core/identity.ts';
import { localeOf } from '../core/locale.ts';
import type { Op } from '../core/plan.ts';
import { adapters } from '../channels/index.ts';
import { RetryableError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { ChatApi } from '../planfix/chat.ts';
import type { RestApi } from '../planfix/rest.ts';
import { TelephonyApiError, type TelephonyApi } from '../planfix/telephony.ts';
import type { CallRecord } from '../store/records.ts';
import type { AccountState, Journal } from '../store/store.ts';
import { waitParked } from '../slot.ts';
import { hold } from './hold.ts';

// The executor of a call's plan (core/call-plan.ts): each op is one Planfix request or one write of
// what Planfix answered. What to do next is the planner's; an op that asks reports the answer.

export interface CallDeps {
  rest: RestApi;
  telephony: TelephonyApi;
  chat: ChatApi;
  journal: Journal;
  log: Logger;
}

const FINAL = 2;
const STATUS_RANK: Record<CallRecord['status'], number> = { ringing: 0, accepted: 1, answered: FINAL, missed: FINAL, busy: FINAL, noanswer: FINAL, failed: FINAL };

const opts = (channel: ChannelConfig) => adapters[channel.kind]?.callOptions?.(channel) ?? DEFAULT_CALL_OPTIONS;
const e164Of = (ev: CallEvent, account: Account) => toE164(ev.customer.phone, account.defaultCountry);

/** Records the call for the widget before its plan runs; a late or repeated moment never moves it back. */
export async function recordCall(ev: CallEvent, account: Account, channel: ChannelConfig, state: AccountState): Promise<void> {
  const prev = await state.call(ev.callId);
  const status: CallRecord['status'] = ev.moment === 'completed' ? ev.outcome ?? 'answered' : ev.moment === 'accepted' ? 'accepted' : 'ringing';
  const emp = findEmployee(opts(channel).employees, ev.employee);
  await state.putCall({
    callId: ev.callId,
    channel: channel.id,
    at: prev?.at ?? ev.at,
    direction: ev.direction,
    status: prev && (ev.moment === 'record' || STATUS_RANK[prev.status] > STATUS_RANK[status]) ? prev.status : status,
    phone: e164Of(ev, account) ?? ev.customer.phone ?? '',
    durationSec: ev.durationSec,
    employee: ev.employeeName ?? emp?.name ?? ev.employee,
    recordingUrl: ev.recordingUrl ?? prev?.recordingUrl,
    cardUrl: ev.cardUrl ?? prev?.cardUrl,
    analyticsId: ev.analyticsId ?? prev?.analyticsId,
    utm: ev.visit?.utm,
  });
}

/** What the call planner is given: the account's keys, the channel's options, and what the store holds of the number and the call. */
export async function callContext(ev: CallEvent, account: Account, channel: ChannelConfig, state: AccountState, deps: CallDeps): Promise<CallContext> {
  const options = opts(channel);
  const e164 = e164Of(ev, account);
  const contact = e164 ? await state.planfixContact(e164) : undefined;
  const chatKey = e164 && !contact ? await state.byPhone(e164) : undefined;
  const queues = chatKey ? (await state.conversationsOf(chatKey)).map((c) => `${c.channel}:${c.clientId}`) : [];
  const emp = findEmployee(options.employees, ev.employee);
  const hasTelephony = !!account.planfix.telephonyToken;
  if (hasTelephony && ev.employee && !emp?.ext && ev.moment !== 'record') {
    deps.log.warn({ account: account.id, channel: channel.id, callId: ev.callId, employee: ev.employee }, 'call employee is not in the channel\'s employees map (no Planfix short number)');
  }
  const call = await state.call(ev.callId);
  return {
    hasRest: !!account.planfix.restToken,
    hasTelephony,
    ...(e164 ? { e164 } : { phone: ev.customer.phone }),
    contact,
    ...(chatKey ? { chat: { key: chatKey, queues } } : {}),
    options,
    ext: emp?.ext ?? ev.employee ?? options.defaultExt,
    employee: ev.employeeName ?? emp?.name ?? ev.employee,
    ownerEmail: emp?.email,
    call: call && { at: call.at, rang: call.rang, attached: call.attached, taskNumber: call.taskNumber, contactKey: call.contactKey, over: STATUS_RANK[call.status] === FINAL },
    locale: localeOf(account),
  };
}

/** Runs one op of a call's plan; what it writes goes into `writes` (committed with its step). */
export async function runCallOp(op: Op, ev: CallEvent, account: Account, channel: ChannelConfig, state: AccountState, callDeps: CallDeps, writes: Promise<unknown>[]): Promise<CallAnswer | undefined> {
  // What the op logs is about this call: every line names its account, channel and call.
  const deps = { ...callDeps, log: callDeps.log.child({ account: account.id, channel: channel.id, callId: ev.callId }) };
  const { rest } = deps;
  switch (op.do) {
    case 'findContact': {
      const contact = await findContact(op, account, state, deps);
      if (contact) hold(writes, state.putPlanfixContact(op.e164, contact));
      return { contact };
    }
    case 'createContact': {
      const template = op.template ?? await rest.firstContactTemplate(account);
      const id = await rest.createContact(account, { template: { id: template }, name: op.name, phones: [{ number: op.e164, type: 1 }] });
      const contact = { id, phone: op.e164 };
      hold(writes, state.putPlanfixContact(op.e164, contact));
      return { contact };
    }
    case 'telephony':
      return void await tolerate400(deps, () => deps.telephony.call(account, op.command, op.params));
    case 'findActiveTask':
      return { task: await activeTask(account, op.contactId, deps) };
    case 'createTask':
      return { task: await rest.createTask(account, op.body) };
    case 'taskComment': {
      const owner = await ownerOf(op.ownerEmail, account, deps);
      return void await rest.taskComment(account, op.task, { description: op.html, ...(owner ? { owner } : {}) });
    }
    case 'contactComment':
      return void await rest.contactComment(account, op.contactId, op.html, await ownerOf(op.ownerEmail, account, deps));
    case 'updateTask':
      return void await rest.updateTask(account, op.task, op.body);
    case 'noteCall': {
      const call = await state.call(ev.callId);
      if (call) hold(writes, state.putCall({ ...call, ...op.facts }));
      return undefined;
    }
    default:
      throw new Error(`not a call op: ${op.do}`);
  }
}

/**
 * Which contact holds the number. Planfix's phone filter is a substring match with unconfirmed
 * digit handling, so several spellings are searched and every candidate's phones normalised: only
 * an exact E.164 match counts. A failed search throws (retried), never "not found"; the per-number
 * queue makes concurrent calls from one new number create one contact.
 */
async function findContact(op: Extract<CallOp, { do: 'findContact' }>, account: Account, state: AccountState, deps: CallDeps): Promise<KnownContact | undefined> {
  // The index may have learnt the number since the plan was made (another call of the same customer).
  const known = await state.planfixContact(op.e164);
  if (known) return known;
  if (op.chat) {
    const found = await chatContact(op.chat, account, deps);
    if (found) return { id: found, phone: op.e164 };
  }
  for (const form of op.forms) {
    const candidates = await deps.rest.contactsByPhone(account, form);
    const hits = candidates
      .map((c) => ({ id: c.id, phone: c.phones.find((p) => toE164(p, account.defaultCountry) === op.e164) }))
      .filter((c): c is KnownContact => !!c.phone && c.id > 0)
      .sort((a, b) => a.id - b.id);
    if (hits.length > 1) deps.log.warn({ contacts: hits.map((h) => h.id) }, 'several Planfix contacts hold one number; the oldest is used');
    if (hits.length) return hits[0];
  }
  return undefined;
}

/**
 * The contact a chat customer with this number has in Planfix. The Chat API creates it under the
 * relay's contact key, so a REST search made while that chat's message is still queued would find
 * nothing and the call would create a second contact: the call waits for it.
 */
async function chatContact(chat: { key: string; queues: string[] }, account: Account, deps: CallDeps): Promise<number | undefined> {
  const number = await deps.chat.getContact(account, chat.key);
  if (number) return number;
  if (await deps.journal.waiting(account.id, chat.queues)) throw new RetryableError('the caller\'s chat contact is still being created in Planfix; the call waits for it', undefined, 'waiting');
  return undefined;
}

/** Planfix refusing one pop-up event (e.g. no employee to show it to) must not hold the call's record back. */
async function tolerate400(deps: CallDeps, fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof TelephonyApiError && err.status === 400) {
      deps.log.warn({ err }, 'Planfix refused a telephony event; the call is still recorded');
      return;
    }
    throw err;
  }
}

/** Employees' Planfix user ids by account and e-mail, once Planfix answered; and the questions being asked. */
const userIds = new Map<string, number | undefined>();
const askingUser = new Map<string, Promise<number | undefined>>();

/** The Planfix user with the employee's e-mail, as a comment's author; none: the REST token's own user. */
async function ownerOf(email: string | undefined, account: Account, deps: CallDeps): Promise<{ id: string } | undefined> {
  if (!email) return undefined;
  const key = `${account.id}:${email}`;
  let id = userIds.get(key);
  if (!userIds.has(key)) {
    const asking = askingUser.get(key);
    if (asking) {
      id = await waitParked(asking);
    } else {
      const p = deps.rest.userByEmail(account, email).finally(() => askingUser.delete(key));
      askingUser.set(key, p);
      id = await p;
      userIds.set(key, id);
    }
  }
  return id ? { id: `user:${id}` } : undefined;
}

/** The contact's newest task in an active status; a status without isActive is looked up in its process. */
async function activeTask(account: Account, contactId: number, deps: CallDeps): Promise<number | undefined> {
  const tasks = await deps.rest.contactTasks(account, contactId);
  const processes = new Map<number, Promise<Map<number, boolean>>>();
  const isActive = async (t: (typeof tasks)[number]): Promise<boolean> => {
    if (typeof t.status?.isActive === 'boolean') return t.status.isActive;
    if (!t.processId || t.status?.id === undefined) return false;
    if (!processes.has(t.processId)) {
      processes.set(t.processId, deps.rest.statuses(account, t.processId).then((list) => new Map(list.map((s) => [s.id, s.isActive]))));
    }
    return (await processes.get(t.processId)!).get(t.status.id) ?? false;
  };
  for (const t of tasks.sort((a, b) => b.id - a.id)) {
    if (await isActive(t)) return t.id;
  }
  return undefined;
}
