import type { CallOptions } from './call-options.ts';
import { callHtml, link } from './call-html.ts';
import type { CallEvent, CallOutcome } from './events.ts';
import { phoneSearchForms } from './identity.ts';
import { formatTime, type Locale } from './locale.ts';
import type { Op } from './plan.ts';
import { callName, textsOf } from './planfix-texts.ts';

// The planner of a call moment. It decides everything (which contact, whether to create one, where
// the comment goes, whose pop-ups close) from what is known; where a decision needs an answer from
// Planfix (does a contact hold this number? which task is active?), the plan ends with the op that
// asks, and `callPlanAfter` plans the rest from the answer. The executor (delivery/calls.ts) runs
// ops and reports answers; it decides nothing.

export type TelephonyEvent = 'INCOMING' | 'OUTGOING' | 'ACCEPTED' | 'COMPLETED';
type Params = Record<string, string | number | undefined>;

/** A Planfix contact, with its number as Planfix spells it: Planfix's own lookup must find it under that. */
export interface KnownContact {
  id: number;
  phone: string;
}

/** What the relay keeps of a call between its moments (store/records.ts CallRecord). */
export interface CallFacts {
  at?: number;
  /** Planfix short numbers that got an INCOMING pop-up. */
  rang?: string[];
  attached?: boolean;
  taskNumber?: number;
  contactKey?: string;
  /** The call has ended (a final moment was delivered, or recovered from the provider's log). */
  over?: boolean;
}

/** One step of delivering a call moment: data, journaled with the plan like a chat's ops. */
export type CallOp =
  /** Asks which contact holds the number; `chat`: a chat customer with this number, whose contact the Chat API makes. */
  | { do: 'findContact'; e164: string; forms: string[]; chat?: { key: string; queues: string[] } }
  /** `template` unset: the account's first contact template (Planfix refuses a contact without one). */
  | { do: 'createContact'; e164: string; template?: number; name: string }
  | { do: 'telephony'; command: 'event' | 'record'; params: Params }
  /** Asks for the contact's newest task in an active status. */
  | { do: 'findActiveTask'; contactId: number }
  | { do: 'createTask'; contactId: number; body: Record<string, unknown> }
  /** `ownerEmail`: the employee who talked, as the comment's author; else the REST token's user. */
  | { do: 'taskComment'; task: number; html: string; ownerEmail?: string }
  | { do: 'contactComment'; contactId: number; html: string; ownerEmail?: string }
  | { do: 'updateTask'; task: number; body: Record<string, unknown> }
  /** Keeps facts on the call's record: the widget shows them, and later moments plan from them. */
  | { do: 'noteCall'; facts: CallFacts };

/** What Planfix answered to an op that asks: a contact, a task number, or that there is none. */
export interface CallAnswer {
  contact?: KnownContact;
  task?: number;
}

/** What a call's plan depends on. Read from the account, the channel and the store; no I/O here. */
export interface CallContext {
  hasRest: boolean;
  hasTelephony: boolean;
  /** The customer's number in E.164, when it parsed; else `phone` as the provider gave it. */
  e164?: string;
  phone?: string;
  /** The contact the relay already knows for the number. */
  contact?: KnownContact;
  chat?: { key: string; queues: string[] };
  options: CallOptions;
  /** The employee's Planfix short number: mapped, else as the provider names them, else the default. */
  ext?: string;
  /** Who talked, as the comment names them. */
  employee?: string;
  ownerEmail?: string;
  /** The call as the relay knows it from earlier moments. */
  call?: CallFacts;
  locale: Locale;
}

export function telephonyEventOf(ev: CallEvent): TelephonyEvent | undefined {
  switch (ev.moment) {
    case 'ringing':
      return ev.direction === 'in' ? 'INCOMING' : 'OUTGOING';
    case 'accepted':
      return 'ACCEPTED';
    case 'completed':
      return 'COMPLETED';
    case 'record':
      return undefined;
  }
}

/**
 * A call moment's ops. The contact comes first so the Telephony API gets the number as Planfix
 * stores it and never creates a second contact of its own; the REST comment comes last.
 */
export function callPlan(ev: CallEvent, ctx: CallContext): CallOp[] {
  if (ev.moment === 'record') return recordingPlan(ev, ctx);
  if (ctx.hasRest && ctx.e164 && !ctx.contact) {
    return [{ do: 'findContact', e164: ctx.e164, forms: phoneSearchForms(ctx.e164), ...(ctx.chat ? { chat: ctx.chat } : {}) }];
  }
  return withContact(ev, ctx, ctx.contact);
}

/** The rest of a call's plan once Planfix answered the op that asked. */
export function callPlanAfter(op: Op, answer: CallAnswer, ev: CallEvent, ctx: CallContext): CallOp[] {
  switch (op.do) {
    case 'findContact':
      if (answer.contact || !ctx.options.createContacts) return withContact(ev, ctx, answer.contact);
      return [{
        do: 'createContact', e164: op.e164, ...(ctx.options.contactTemplateId ? { template: ctx.options.contactTemplateId } : {}),
        name: callName('contactName', ctx.options.contactName, ctx.locale.language, { phone: op.e164 }),
      }];
    case 'createContact':
      return withContact(ev, ctx, answer.contact);
    case 'findActiveTask':
      return withTask(ev, ctx, op.contactId, answer.task);
    case 'createTask':
      return answer.task ? [{ do: 'noteCall', facts: { contactKey: `pf:${op.contactId}`, taskNumber: answer.task, attached: true } }] : [];
    default:
      return [];
  }
}

function withContact(ev: CallEvent, ctx: CallContext, contact: KnownContact | undefined): CallOp[] {
  return [...telephonyOps(ev, ctx, contact?.phone ?? ctx.e164 ?? ctx.phone ?? ''), ...attachOps(ev, ctx, contact)];
}

const PLANFIX_STATUS: Record<'in' | 'out', Record<CallOutcome, string>> = {
  in: { answered: 'Success', missed: 'Missed', busy: 'Missed', noanswer: 'Missed', failed: 'Missed' },
  out: { answered: 'Success', missed: 'NoAnswer', busy: 'Busy', noanswer: 'NoAnswer', failed: 'NotAvailable' },
};

function telephonyOps(ev: CallEvent, ctx: CallContext, phone: string): CallOp[] {
  const event = telephonyEventOf(ev);
  if (!ctx.hasTelephony || !event) return [];
  const common = { type: ev.direction, phone, diversion: ev.line, callid: ev.callId };
  const rang = ctx.call?.rang ?? [];
  // A ringing or answered moment that comes after the end (a late resend, once reconciliation has
  // delivered the call from the log) would open a pop-up no COMPLETED will ever close.
  if (event !== 'COMPLETED' && ctx.call?.over) return [];
  if (event !== 'COMPLETED') {
    const pop: CallOp = { do: 'telephony', command: 'event', params: { ...common, event, ext: ctx.ext } };
    const ringing = event === 'INCOMING' && ctx.ext && !rang.includes(ctx.ext);
    return ringing ? [pop, { do: 'noteCall', facts: { rang: [...rang, ctx.ext!] } }] : [pop];
  }
  const data: Params = {};
  for (const [k, v] of Object.entries(ev.visit?.utm ?? {})) {
    const name = ctx.options.callFields?.[k as keyof CallOptions['callFields'] & string] ?? k;
    if (name && v) data[`data_${name}`] = v;
  }
  return [
    {
      do: 'telephony', command: 'event', params: {
        ...common, event, ext: ctx.ext, duration: ev.durationSec ?? 0, is_recorded: ev.hasRecording ? 1 : 0,
        status: PLANFIX_STATUS[ev.direction][ev.outcome ?? 'answered'], record_link: ev.recordingUrl, ...data,
      },
    },
    // Planfix keeps a pop-up open until it hears the call ended for that employee: every other one whose phone rang gets it closed.
    ...rang.filter((other) => other !== ctx.ext).map((other): CallOp => ({
      do: 'telephony', command: 'event', params: { ...common, event: 'COMPLETED', ext: other, duration: 0, is_recorded: 0, status: 'Cancelled' },
    })),
  ];
}

const missed = (ev: CallEvent) => ev.outcome !== undefined && ev.outcome !== 'answered';

function comment(ev: CallEvent, ctx: CallContext) {
  return {
    html: callHtml(ev, ctx.e164 ?? ctx.phone ?? '', ctx.employee, ctx.locale),
    // Nobody talked on a missed call: the comment is the robot's.
    ...(ctx.ownerEmail && !missed(ev) ? { ownerEmail: ctx.ownerEmail } : {}),
  };
}

/** A completed call's comment: on the contact, or on its newest active task, which Planfix must be asked for. */
function attachOps(ev: CallEvent, ctx: CallContext, contact: KnownContact | undefined): CallOp[] {
  if (ev.moment !== 'completed' || !ctx.hasRest || !contact || ctx.call?.attached) return [];
  const target = missed(ev) ? ctx.options.missedCallTarget : ctx.options.callTarget;
  if (target === 'lastActiveTask') return [{ do: 'findActiveTask', contactId: contact.id }];
  return [
    { do: 'contactComment', contactId: contact.id, ...comment(ev, ctx) },
    { do: 'noteCall', facts: { contactKey: `pf:${contact.id}`, attached: true } },
  ];
}

/** The comment on the task, or a new task with the call as its description when the contact has no active one. */
function withTask(ev: CallEvent, ctx: CallContext, contactId: number, task: number | undefined): CallOp[] {
  const { html, ownerEmail } = comment(ev, ctx);
  const utm = Object.entries(ctx.options.taskUtmFields ?? {}).flatMap(([k, id]) => {
    const v = ev.visit?.utm?.[k as keyof NonNullable<CallOptions['taskUtmFields']>];
    return v && id ? [{ field: { id }, value: v }] : [];
  });
  if (task === undefined) {
    return [{
      do: 'createTask', contactId, body: {
        ...(ctx.options.taskTemplateId ? { template: { id: ctx.options.taskTemplateId } } : {}),
        name: callName('taskName', ctx.options.taskName, ctx.locale.language, { phone: ctx.e164 ?? '' }),
        description: html,
        counterparty: { id: `contact:${contactId}` },
        ...(utm.length ? { customFieldData: utm } : {}),
      },
    }];
  }
  return [
    // The task is on the record before the comment: the widget links it even if the comment fails.
    { do: 'noteCall', facts: { contactKey: `pf:${contactId}`, taskNumber: task } },
    { do: 'taskComment', task, html, ...(ownerEmail ? { ownerEmail } : {}) },
    { do: 'noteCall', facts: { attached: true } },
    ...(utm.length ? [{ do: 'updateTask', task, body: { customFieldData: utm } } as const] : []),
  ];
}

/** A recording that came after the call's comment goes where the comment went. */
function recordingPlan(ev: CallEvent, ctx: CallContext): CallOp[] {
  if (!ev.recordingUrl) return [];
  const ops: CallOp[] = ctx.hasTelephony ? [{ do: 'telephony', command: 'record', params: { callid: ev.callId, record_link: ev.recordingUrl } }] : [];
  const call = ctx.call;
  if (!ctx.hasRest || !call?.attached) return ops;
  const html = `🎧 ${textsOf(ctx.locale.language).call.lateRecording(formatTime(call.at ?? ev.at, ctx.locale))}: ${link(ev.recordingUrl)}`;
  if (call.taskNumber) ops.push({ do: 'taskComment', task: call.taskNumber, html });
  else if (call.contactKey) ops.push({ do: 'contactComment', contactId: Number(call.contactKey.slice(3)), html });
  return ops;
}

/** What a call can leave out for want of a Planfix key, by code (the admin page words it), in English. */
export const CALL_SKIPS = {
  no_telephony: 'Planfix Telephony (no telephony token): no call pop-up, no call history',
  no_rest_comment: 'call comment (no REST token)',
} as const;
export type CallSkip = keyof typeof CALL_SKIPS;

/**
 * What a call moment's plan leaves out for want of a Planfix key. Delivery still succeeds (the
 * rest of the call is useful), so the admin is told what Planfix did not get.
 */
export function callSkips(event: CallEvent, ctx: Pick<CallContext, 'hasRest' | 'hasTelephony'>): CallSkip[] {
  if (event.moment === 'record' && !event.recordingUrl) return [];
  return [
    ...(ctx.hasTelephony ? [] : ['no_telephony' as const]),
    ...(ctx.hasRest || (event.moment !== 'completed' && event.moment !== 'record') ? [] : ['no_rest_comment' as const]),
  ];
}
