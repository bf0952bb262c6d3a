import type { Account, ChannelConfig } from '../core/account.ts';
import type { CallEvent, CallOutcome } from '../core/events.ts';
import { phoneSearchForms, toE164 } from '../core/identity.ts';
import { formatTime, localeOf, type Locale } from '../core/locale.ts';
import { callName, textsOf } from '../core/planfix-texts.ts';
import type { Op, TelephonyEvent } from '../core/plan.ts';
import { DEFAULT_CALL_OPTIONS, findEmployee, type CallOptions } from '../core/call-options.ts';
import { adapters } from '../channels/index.ts';
import { RetryableError } from '../errors.ts';
import { escapeHtml as esc } from '../core/html.ts';
import type { Logger } from '../log.ts';
import type { ChatApi } from '../planfix/chat.ts';
import type { RestApi } from '../planfix/rest.ts';
import { TelephonyApiError, type TelephonyApi } from '../planfix/telephony.ts';
import type { CallRecord, PlanfixContact } from '../store/records.ts';
import type { AccountState, Journal } from '../store/store.ts';

// Delivery of call events: the Planfix contact by E.164 (index, then REST search, then create),
// the Telephony API events, and the call's comment on the contact or its last active task.

export interface CallDeps {
  rest: RestApi;
  telephony: TelephonyApi;
  chat: ChatApi;
  journal: Journal;
  log: Logger;
}

const STATUS_RANK: Record<CallRecord['status'], number> = { ringing: 0, accepted: 1, answered: 2, missed: 2, busy: 2, noanswer: 2, failed: 2 };

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

export async function runCallOp(op: Op, ev: CallEvent, account: Account, channel: ChannelConfig, state: AccountState, callDeps: CallDeps): Promise<void> {
  // What the op logs is about this call: every line names its account, channel and call.
  const deps = { ...callDeps, log: callDeps.log.child({ account: account.id, channel: channel.id, callId: ev.callId }) };
  switch (op.do) {
    case 'callContact':
      return void await callContact(ev, account, channel, state, deps);
    case 'telephony':
      return telephonyEvent(op.event, ev, account, channel, state, deps);
    case 'telephonyRecord':
      return tolerate400(deps, () => deps.telephony.call(account, 'record', { callid: ev.callId, record_link: ev.recordingUrl }));
    case 'callAttach':
      return callAttach(ev, account, channel, state, deps);
    case 'recordingNote':
      return recordingNote(ev, account, state, deps);
    default:
      throw new Error(`not a call op: ${op.do}`);
  }
}

/**
 * The Planfix contact of the call's number. Planfix's phone filter is a substring match with
 * unconfirmed digit handling, so several spellings are searched and every candidate's phones
 * are normalised: only an exact E.164 match counts. A failed search throws (retried), never
 * "not found"; the per-number queue makes concurrent calls from one new number create one contact.
 */
async function callContact(ev: CallEvent, account: Account, channel: ChannelConfig, state: AccountState, deps: CallDeps): Promise<PlanfixContact | undefined> {
  const e164 = e164Of(ev, account);
  if (!e164) return undefined;
  const known = await state.planfixContact(e164) ?? await chatContact(e164, account, state, deps);
  if (known) return known;
  for (const form of phoneSearchForms(e164)) {
    const candidates = await deps.rest.contactsByPhone(account, form);
    const hits = candidates
      .map((c) => ({ id: c.id, phone: c.phones.find((p) => toE164(p, account.defaultCountry) === e164) }))
      .filter((c): c is PlanfixContact => !!c.phone && c.id > 0)
      .sort((a, b) => a.id - b.id);
    if (hits.length) {
      if (hits.length > 1) deps.log.warn({ contacts: hits.map((h) => h.id) }, 'several Planfix contacts hold one number; the oldest is used');
      await state.putPlanfixContact(e164, hits[0]!);
      return hits[0];
    }
  }
  const o = opts(channel);
  if (!o.createContacts) return undefined;
  const id = await deps.rest.createContact(account, {
    template: { id: o.contactTemplateId ?? await deps.rest.firstContactTemplate(account) },
    name: callName('contactName', o.contactName, localeOf(account).language, { phone: e164 }),
    phones: [{ number: e164, type: 1 }],
  });
  const created = { id, phone: e164 };
  await state.putPlanfixContact(e164, created);
  return created;
}

/**
 * The contact a chat customer with this number has (or is about to have) in Planfix. The Chat API
 * creates it under the relay's contact key, so a REST search made while that chat's newMessage
 * is still queued would find nothing and the call would create a second contact: the call waits.
 */
async function chatContact(e164: string, account: Account, state: AccountState, deps: CallDeps): Promise<PlanfixContact | undefined> {
  const key = await state.byPhone(e164);
  if (!key) return undefined;
  const number = await deps.chat.getContact(account, key);
  if (number) {
    const found = { id: number, phone: e164 };
    await state.putPlanfixContact(e164, found);
    return found;
  }
  const queues = new Set((await state.conversationsOf(key)).map((c) => `${c.channel}:${c.clientId}`));
  const waiting = [...deps.journal.pending.values()].some((e) => e.account === account.id && queues.has(e.key));
  if (waiting) throw new RetryableError('the caller\'s chat contact is still being created in Planfix; the call waits for it');
  return undefined;
}

const PLANFIX_STATUS: Record<'in' | 'out', Record<CallOutcome, string>> = {
  in: { answered: 'Success', missed: 'Missed', busy: 'Missed', noanswer: 'Missed', failed: 'Missed' },
  out: { answered: 'Success', missed: 'NoAnswer', busy: 'Busy', noanswer: 'NoAnswer', failed: 'NotAvailable' },
};

/** The employee's Planfix short number; an employee missing from the map is logged and sent as Ringostat names them. */
function extOf(ev: CallEvent, channel: ChannelConfig, deps: CallDeps): string | undefined {
  const emp = findEmployee(opts(channel).employees, ev.employee);
  if (ev.employee && !emp?.ext) deps.log.warn({ employee: ev.employee }, 'call employee is not in the channel\'s employees map (no Planfix short number)');
  return emp?.ext ?? ev.employee ?? opts(channel).defaultExt;
}

async function telephonyEvent(event: TelephonyEvent, ev: CallEvent, account: Account, channel: ChannelConfig, state: AccountState, deps: CallDeps): Promise<void> {
  const e164 = e164Of(ev, account);
  // The number as Planfix stores it on the matched contact, so Planfix's own lookup finds that contact.
  const phone = (e164 && (await state.planfixContact(e164))?.phone) ?? e164 ?? ev.customer.phone;
  const data: Record<string, string> = {};
  if (event === 'COMPLETED') {
    for (const [k, v] of Object.entries(ev.visit?.utm ?? {})) {
      const name = opts(channel).callFields?.[k as keyof CallOptions['callFields'] & string] ?? k;
      if (name && v) data[`data_${name}`] = v;
    }
  }
  const ext = extOf(ev, channel, deps);
  const common = { type: ev.direction, phone, diversion: ev.line, callid: ev.callId };
  await tolerate400(deps, () => deps.telephony.call(account, 'event', {
    ...common,
    event,
    ext,
    ...(event === 'COMPLETED' ? {
      duration: ev.durationSec ?? 0,
      is_recorded: ev.hasRecording ? 1 : 0,
      status: PLANFIX_STATUS[ev.direction][ev.outcome ?? 'answered'],
      record_link: ev.recordingUrl,
      ...data,
    } : {}),
  }));
  const call = await state.call(ev.callId);
  if (event === 'INCOMING' && ext && call && !call.rang?.includes(ext)) {
    await state.putCall({ ...call, rang: [...call.rang ?? [], ext] });
  }
  // Every other employee whose phone rang gets their pop-up closed (planfix-api.md §2.4).
  if (event === 'COMPLETED') {
    for (const other of call?.rang ?? []) {
      if (other === ext) continue;
      await tolerate400(deps, () => deps.telephony.call(account, 'event', { ...common, event: 'COMPLETED', ext: other, duration: 0, is_recorded: 0, status: 'Cancelled' }));
    }
  }
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

const link = (url: string, text = url) => `<a href="${esc(url)}" target="_blank" rel="noopener noreferrer">${esc(text)}</a>`;

function minutes(sec: number | undefined): string {
  if (!sec) return '0:00';
  return `${Math.floor(sec / 60)}:${String(sec % 60).padStart(2, '0')}`;
}

/** The call as Planfix shows it: every value from the webhook escaped, the recording a plain link the browser plays. */
export function callHtml(ev: CallEvent, phone: string, employee: string | undefined, locale: Locale): string {
  const { call: t, landing } = textsOf(locale.language);
  const lines = [
    `📞 ${ev.direction === 'in' ? t.incoming : t.outgoing}, ${t.outcome[ev.outcome ?? 'answered']}, ${minutes(ev.durationSec)}`,
    `${t.number}: ${esc(phone)}`,
    ...(employee ? [`${t.employee}: ${esc(employee)}`] : []),
    ...(ev.department ? [`${t.department}: ${esc(ev.department)}`] : []),
    ...(ev.waitSec ? [`${t.waited}: ${minutes(ev.waitSec)}`] : []),
    ...(ev.missedReason ? [`${t.reason}: ${esc(ev.missedReason)}`] : []),
    ...Object.entries(ev.visit?.utm ?? {}).map(([k, v]) => `${esc(k)}: ${esc(v ?? '')}`),
    ...(ev.visit?.landing ? [`${landing}: ${esc(ev.visit.landing)}`] : []),
    ...(ev.recordingUrl ? [`${t.recording}: ${link(ev.recordingUrl)}`] : []),
    ...(ev.cardUrl ? [link(ev.cardUrl, t.card)] : []),
  ];
  return lines.join('<br>');
}

const userIds = new Map<string, Promise<number | undefined>>();

/** The comment's author: the employee who talked, else the REST token's own user (the robot). */
async function ownerOf(ev: CallEvent, account: Account, channel: ChannelConfig, deps: CallDeps): Promise<{ id: string } | undefined> {
  if (ev.outcome && ev.outcome !== 'answered') return undefined;
  const email = findEmployee(opts(channel).employees, ev.employee)?.email;
  if (!email) return undefined;
  const key = `${account.id}:${email}`;
  if (!userIds.has(key)) {
    const p = deps.rest.userByEmail(account, email);
    userIds.set(key, p);
    p.catch(() => userIds.delete(key));
  }
  const id = await userIds.get(key);
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
  let newest: number | undefined;
  for (const t of tasks.sort((a, b) => b.id - a.id)) {
    if (await isActive(t)) {
      newest = t.id;
      break;
    }
  }
  return newest;
}

async function callAttach(ev: CallEvent, account: Account, channel: ChannelConfig, state: AccountState, deps: CallDeps): Promise<void> {
  if ((await state.call(ev.callId))?.attached) return;
  const e164 = e164Of(ev, account);
  const contact = e164 ? await state.planfixContact(e164) : undefined;
  if (!contact) {
    deps.log.info('call not attached: its number did not parse or no contact holds it');
    return;
  }
  const o = opts(channel);
  const emp = findEmployee(o.employees, ev.employee);
  const html = callHtml(ev, e164!, ev.employeeName ?? emp?.name ?? ev.employee, localeOf(account));
  const owner = await ownerOf(ev, account, channel, deps);
  const contactKey = `pf:${contact.id}`;
  const missed = ev.outcome !== undefined && ev.outcome !== 'answered';
  if ((missed ? o.missedCallTarget : o.callTarget) === 'contact') {
    await deps.rest.contactComment(account, contact.id, html, owner);
    await state.putCall({ ...(await state.call(ev.callId))!, contactKey, attached: true });
    return;
  }
  const utm = Object.entries(o.taskUtmFields ?? {}).flatMap(([k, id]) => {
    const v = ev.visit?.utm?.[k as keyof NonNullable<CallOptions['taskUtmFields']>];
    return v && id ? [{ field: { id }, value: v }] : [];
  });
  let task = await activeTask(account, contact.id, deps);
  if (task === undefined) {
    task = await deps.rest.createTask(account, {
      ...(o.taskTemplateId ? { template: { id: o.taskTemplateId } } : {}),
      name: callName('taskName', o.taskName, localeOf(account).language, { phone: e164! }),
      description: html,
      counterparty: { id: `contact:${contact.id}` },
      ...(utm.length ? { customFieldData: utm } : {}),
    });
    await state.putCall({ ...(await state.call(ev.callId))!, contactKey, taskNumber: task, attached: true });
    return;
  }
  await state.putCall({ ...(await state.call(ev.callId))!, contactKey, taskNumber: task });
  await deps.rest.taskComment(account, task, { description: html, ...(owner ? { owner } : {}) });
  await state.putCall({ ...(await state.call(ev.callId))!, attached: true });
  if (utm.length) await deps.rest.updateTask(account, task, { customFieldData: utm });
}

async function recordingNote(ev: CallEvent, account: Account, state: AccountState, deps: CallDeps): Promise<void> {
  const call = await state.call(ev.callId);
  if (!call?.attached || !ev.recordingUrl) return;
  const locale = localeOf(account);
  const html = `🎧 ${textsOf(locale.language).call.lateRecording(formatTime(call.at, locale))}: ${link(ev.recordingUrl)}`;
  if (call.taskNumber) await deps.rest.taskComment(account, call.taskNumber, { description: html });
  else if (call.contactKey) await deps.rest.contactComment(account, Number(call.contactKey.slice(3)), html);
}
