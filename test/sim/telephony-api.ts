// Telephony API ("API ПланФикса для телефонии"), PBX (relay) → Planfix: POST /tel/api, form
// in, JSON out. Reference: docs/reference/planfix-api.md §2.3–§2.5 and §5.2.
import { fieldsOf, parseForm } from './form.ts';
import type { CallEventName, CallType, SimCall, SimCallEvent, SimState } from './state.ts';

export interface TelAnswer {
  status: number;
  /** undefined = empty body (documented success answer of event and record). */
  body?: unknown;
}

const INVALID: TelAnswer = { status: 400, body: { error: 'Invalid parameters' } };
const BAD_TOKEN: TelAnswer = { status: 401, body: { error: 'Invalid token' } };
const OK: TelAnswer = { status: 200 };

// `diversion` is listed as "always" but the reference's own example leaves it out, so it is optional.
const REQUIRED: Record<string, string[]> = {
  contact: ['phone', 'planfix_token'],
  event: ['type', 'event', 'phone', 'ext', 'callid', 'planfix_token'],
  record: ['callid', 'record_link', 'planfix_token'],
  ping: ['planfix_token'],
};

const EVENTS: Record<CallType, CallEventName[]> = {
  in: ['INCOMING', 'ACCEPTED', 'COMPLETED'],
  out: ['OUTGOING', 'ACCEPTED', 'COMPLETED'],
};
const STATUSES: Record<CallType, string[]> = {
  in: ['Success', 'Missed', 'Cancelled'],
  out: ['Success', 'Busy', 'NoAnswer', 'NotAvailable', 'NotAllowed'],
};
const FLAG = /^[01]$/;

type Fields = Record<string, string>;

export function handleTelephonyApi(state: SimState, rawBody: string, contentType: string): TelAnswer {
  // Same transport as the Chat API: only form bodies carry parameters.
  const isForm = contentType.toLowerCase().includes('application/x-www-form-urlencoded');
  const f = fieldsOf(isForm ? parseForm(rawBody) : []);
  const answer = dispatch(state, f);
  state.telephonyCommands.push({ cmd: f.cmd ?? '', params: { ...f }, status: answer.status, at: Date.now() });
  return answer;
}

function dispatch(state: SimState, f: Fields): TelAnswer {
  const required = f.cmd === undefined ? undefined : REQUIRED[f.cmd];
  if (!required) return INVALID;
  if (required.some((name) => f[name] === undefined || f[name] === '')) return INVALID;
  if (f.planfix_token !== state.config.telToken) return BAD_TOKEN;
  switch (f.cmd) {
    case 'contact':
      return contact(state, f);
    case 'event':
      return event(state, f);
    case 'record':
      return record(state, f);
    case 'ping':
      return { status: 200, body: { pbxToken: state.telephonySettings.pbxToken, pbxUrl: state.telephonySettings.pbxUrl } };
  }
  return INVALID;
}

/** Unknown number: 200 `{}` (the reference's proposal; the real answer is unconfirmed). */
function contact(state: SimState, f: Fields): TelAnswer {
  const c = state.contactsWithPhone(f.phone!)[0];
  if (!c) return { status: 200, body: {} };
  const body: Record<string, unknown> = { contact_name: [c.lastName, c.name].filter(Boolean).join(' ') };
  const ext = c.responsible ? state.employee(c.responsible)?.ext : undefined;
  // The documented example carries the short number as a JSON number.
  if (ext) body.responsible = /^\d+$/.test(ext) ? Number(ext) : ext;
  return { status: 200, body };
}

/** Checks every value first; an event Planfix accepts but ignores still answers 200. */
function event(state: SimState, f: Fields): TelAnswer {
  const type = f.type as CallType;
  if (!(type in EVENTS)) return INVALID;
  const name = f.event as CallEventName;
  if (!EVENTS[type].includes(name)) return INVALID;
  if (f.duration !== undefined && !/^\d+$/.test(f.duration)) return INVALID;
  if (f.is_recorded !== undefined && !FLAG.test(f.is_recorded)) return INVALID;
  if (name === 'COMPLETED' && !STATUSES[type].includes(f.status ?? '')) return INVALID;

  const data: Record<string, string> = {};
  for (const [k, v] of Object.entries(f)) if (k.startsWith('data_')) data[k.slice('data_'.length)] = v;
  const ev: SimCallEvent = {
    callid: f.callid!,
    type,
    event: name,
    phone: f.phone!,
    ...(f.diversion !== undefined ? { diversion: f.diversion } : {}),
    ext: f.ext!,
    ...(name === 'COMPLETED'
      ? {
          status: f.status!,
          ...(f.duration !== undefined ? { duration: Number(f.duration) } : {}),
          ...(f.is_recorded !== undefined ? { isRecorded: f.is_recorded === '1' } : {}),
          ...(f.record_link ? { recordLink: f.record_link } : {}),
        }
      : {}),
    data,
    at: Date.now(),
  };
  const ignored = whyIgnored(state, ev);
  if (ignored) ev.ignored = ignored;
  state.telephonyEvents.push(ev);
  state.seenCallIds.add(ev.callid);
  if (!ignored) applyEvent(state, ev);
  return OK;
}

/** §2.1, §2.5: Planfix records nothing for unknown short numbers or employees' own numbers. */
function whyIgnored(state: SimState, ev: SimCallEvent): string | undefined {
  if (!state.employeeByExt(ev.ext)) return `unknown ext ${ev.ext}`;
  const employeeNumber = state.employees.some(
    (e) => e.ext === ev.phone || (e.phone !== '' && e.phone.replace(/\D/g, '') === ev.phone.replace(/\D/g, '')),
  );
  if (employeeNumber) return `${ev.phone} is an employee's number`;
  return undefined;
}

function applyEvent(state: SimState, ev: SimCallEvent): void {
  let call = state.telephonyCalls.find((c) => c.callid === ev.callid);
  if (!call) {
    call = {
      callid: ev.callid,
      type: ev.type,
      phone: ev.phone,
      diversion: ev.diversion ?? '',
      legs: {},
      isRecorded: false,
      fields: {},
      records: [],
      startedAt: ev.at,
    };
    state.telephonyCalls.push(call);
  }
  if (call.contactNumber === undefined) resolveContact(state, call);

  const leg = (call.legs[ev.ext] ??= { events: [] });
  leg.events.push(ev.event);
  for (const [k, v] of Object.entries(ev.data)) {
    // Only fields the "Звонок" data tag has are kept; a value is never blanked.
    if (state.config.callFields.includes(k) && v !== '') call.fields[k] = v;
  }
  if (ev.event !== 'COMPLETED') return;
  leg.status = ev.status!;
  // Cancelled only closes this employee's pop-up: the call goes on for the others.
  if (ev.status === 'Cancelled' || call.tag) return;
  call.tag = ev.status === 'Success' ? 'Звонок' : 'Пропущенный звонок';
  call.status = ev.status!;
  call.ext = ev.ext;
  if (ev.duration !== undefined) call.duration = ev.duration;
  call.isRecorded = ev.isRecorded ?? false;
  if (ev.recordLink) call.recordLink = ev.recordLink;
  call.endedAt = ev.at;
}

/**
 * An incoming call from an unknown number creates a contact from the integration's contact
 * template (§2.5). The sim does this on the first event of any incoming call, not only on
 * INCOMING, since a PBX may report only the end of a missed call.
 */
function resolveContact(state: SimState, call: SimCall): void {
  const known = state.contactsWithPhone(call.phone)[0];
  if (known) {
    call.contactNumber = known.number;
    return;
  }
  if (call.type !== 'in' || !state.config.telCreatesContacts) return;
  call.contactNumber = state.addContact({ name: call.phone, phone: call.phone, source: 'telephony' }).number;
}

/** A later recording link; unknown callid → 400 (sim choice: Planfix has nothing to attach it to). */
function record(state: SimState, f: Fields): TelAnswer {
  if (f.is_temp !== undefined && !FLAG.test(f.is_temp)) return INVALID;
  if (!state.seenCallIds.has(f.callid!)) return INVALID;
  const call = state.telephonyCalls.find((c) => c.callid === f.callid);
  if (call) {
    const isTemp = f.is_temp === '1';
    call.records.push({ recordLink: f.record_link!, isTemp, at: Date.now() });
    call.recordLink = f.record_link!;
  }
  return OK;
}
