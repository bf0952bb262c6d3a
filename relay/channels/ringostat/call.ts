import { UTM_KEYS, type CallEvent, type CallMoment, type CallOutcome, type Visit } from '../../core/events.ts';
import { findEmployee, type Employee } from '../../core/call-options.ts';
import { HttpError } from '../../errors.ts';
import { FieldReader, httpUrl, time } from '../read.ts';

// One call as Ringostat describes it, read from a flat map of its variables: a webhook's body
// (under the keys the customer chose) or a row of the call log (under Ringostat's own names).
// Both give the same event for the same call, so either one makes the other a duplicate.

export const DEFAULT_FIELD_MAP = {
  event: 'event',
  callId: 'uniqueid',
  date: 'calldate',
  callType: 'call_type',
  caller: 'caller',
  dst: 'dst',
  /** The line shown to the client on an outgoing call (meaning unconfirmed). */
  callerNumber: 'caller_number',
  connectedWith: 'connected_with',
  employeeNumber: 'employee_number',
  employeeName: 'employee_fio',
  department: 'department',
  disposition: 'disposition',
  duration: 'duration',
  durationMs: 'duration_ms',
  billsec: 'billsec',
  waittime: 'waittime',
  missingReason: 'missing_reason',
  hasRecording: 'has_recording',
  recording: 'recording',
  recordingWav: 'recording_wav',
  callCard: 'call_card',
  landing: 'landing',
  referrer: 'refferrer',
  clientId: 'client_id',
  ip: 'remote_ip',
  ...Object.fromEntries(UTM_KEYS.map((k) => [k, k])) as Record<(typeof UTM_KEYS)[number], string>,
} as const;
export type RingostatField = keyof typeof DEFAULT_FIELD_MAP;
export type CallReader = FieldReader<RingostatField>;

/** Dispositions of a call still going on (docs/reference/channels.md §3.2); none at all says nothing final either. */
const IN_PROGRESS = new Set(['IN PROGRESS', 'CALLING', '']);
/** Ringostat's placeholders for a direct visit: not a traffic source worth a field ("none)" is seen in its own samples). */
const NO_UTM = new Set(['(direct)', '(none)', '(not set)', 'none', 'none)']);
/** What reading a call needs of the channel's options. */
interface Options {
  employees?: Employee[];
}

/** What Ringostat writes where no employee or department applies (`employee_number: -1`, `department: -1`). */
const NOBODY = new Set(['-1', '0']);

/** Whether the disposition says the call is over. */
export function isFinal(disposition: string | undefined): boolean {
  return !IN_PROGRESS.has((disposition ?? '').trim().toUpperCase());
}

function flag(v: string | undefined): boolean | undefined {
  if (v === undefined) return undefined;
  return ['1', 'true', 'yes'].includes(v.toLowerCase());
}

export function seconds(v: string | undefined, unit = 1): number | undefined {
  const n = v === undefined ? NaN : Number(v) / unit;
  return Number.isFinite(n) && n >= 0 ? Math.round(n) : undefined;
}

/** A field naming an employee or department, or undefined for Ringostat's "nobody" values. */
function someone(v: string | undefined): string | undefined {
  return v === undefined || NOBODY.has(v) ? undefined : v;
}

/** Disposition → outcome as docs/reference/channels.md §3.4 proposes: talk time decides "answered". */
export function outcomeOf(disposition: string | undefined, billsec: number | undefined): CallOutcome {
  const d = (disposition ?? '').toUpperCase();
  if (['ANSWERED', 'PROPER', 'REPEATED'].includes(d) && (billsec === undefined || billsec > 0)) return 'answered';
  if (d === 'BUSY') return 'busy';
  if (d === 'FAILED') return 'failed';
  if (!d && billsec && billsec > 0) return 'answered';
  return 'noanswer';
}

function readVisit(r: CallReader): Visit | undefined {
  const utm: Partial<Record<(typeof UTM_KEYS)[number], string>> = {};
  for (const k of UTM_KEYS) {
    const v = r.str(k);
    if (v && !NO_UTM.has(v.toLowerCase())) utm[k] = v;
  }
  const visit: Visit = {
    ip: r.str('ip'),
    referrer: r.str('referrer'),
    landing: r.str('landing'),
    ...(Object.keys(utm).length ? { utm } : {}),
  };
  return Object.values(visit).some((v) => v !== undefined) ? visit : undefined;
}

/**
 * The employee's id as Ringostat names them: on an incoming call who answered (`connected_with`),
 * else the employee the leg rang (`employee_number`); on an outgoing call who dialled (`caller`,
 * their SIP login or number). The first candidate the employees map knows wins.
 */
function employeeOf(r: CallReader, direction: 'in' | 'out', o: Options): string | undefined {
  const candidates = (direction === 'in' ? [r.str('connectedWith'), r.str('employeeNumber')] : [r.str('caller'), r.str('employeeNumber')])
    .map(someone).filter((v): v is string => v !== undefined);
  return candidates.find((c) => findEmployee(o.employees ?? [], c)) ?? candidates[0];
}

/**
 * Ringostat fills the recording link whether or not the call was recorded: only `has_recording`
 * says there is one. A `record` moment is sent for a recording, so its link counts unless the
 * flag says otherwise. `recording_wav` stands in for a missing `recording`.
 */
function recordingOf(r: CallReader, moment: CallMoment): Pick<CallEvent, 'hasRecording' | 'recordingUrl'> {
  const url = httpUrl(r.str('recording')) ?? httpUrl(r.str('recordingWav'));
  const has = flag(r.str('hasRecording')) ?? (moment === 'record' ? !!url : undefined);
  return has ? { hasRecording: true, ...(url ? { recordingUrl: url } : {}) } : has === false ? { hasRecording: false } : {};
}

/**
 * One moment of a call. `fallbackId`: the call's id when the map has none (a webhook's body hash;
 * the events of such a call cannot be tied together, nor to the call log).
 */
export function callEventOf(r: CallReader, moment: CallMoment, options: Options, fallbackId: () => string): CallEvent {
  const type = (r.str('callType') ?? 'in').toLowerCase();
  const direction = type.startsWith('out') ? 'out' : 'in';
  // Who is who depends on the direction: on an outgoing call the employee dialled from `caller`
  // and `connected_with` may be the client who answered.
  const phone = direction === 'in' ? r.str('caller') : r.str('dst');
  const givenId = r.str('callId');
  if (!givenId && !phone) {
    throw new HttpError(400, `neither a call id (${r.key('callId')}) nor the customer's number (${r.key(direction === 'in' ? 'caller' : 'dst')}) is in the request`);
  }
  const callId = givenId ?? fallbackId();
  const employeeId = employeeOf(r, direction, options);
  const billsec = seconds(r.str('billsec'));
  const outcome = outcomeOf(r.str('disposition'), billsec);
  const duration = seconds(r.str('duration')) ?? seconds(r.str('durationMs'), 1000);
  return {
    kind: 'call',
    eventId: `${callId}:${moment}${moment === 'ringing' && employeeId ? `:${employeeId}` : ''}`,
    customer: { clientId: phone ?? callId, ...(phone ? { phone } : {}) },
    visit: readVisit(r),
    at: time(r.raw('date')) ?? Date.now(),
    callId,
    moment,
    direction,
    line: direction === 'in' ? r.str('dst') : r.str('callerNumber'),
    employee: employeeId,
    employeeName: someone(r.str('employeeName')),
    department: someone(r.str('department')),
    // An incoming call nobody talked on is "missed" whatever the reason; outgoing ones keep it.
    ...(moment === 'completed' ? {
      outcome: direction === 'in' && outcome !== 'answered' ? 'missed' : outcome,
      durationSec: billsec ?? duration,
      waitSec: seconds(r.str('waittime')),
      ...(outcome !== 'answered' ? { missedReason: someone(r.str('missingReason')) } : {}),
    } : {}),
    ...recordingOf(r, moment),
    cardUrl: httpUrl(r.str('callCard')),
    analyticsId: someone(r.str('clientId')),
  };
}
