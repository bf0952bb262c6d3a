import { z } from 'zod';
import { checkResult, type CheckTexts } from '../../core/check.ts';
import { urlUnder } from '../../core/url.ts';
import { UTM_KEYS, type CallEvent, type CallMoment, type CallOutcome, type Visit } from '../../core/events.ts';
import { HttpError, TerminalError } from '../../errors.ts';
import { errorText, providerError, send } from '../../net/outbound.ts';
import { callOptionsShape, findEmployee } from '../../core/call-options.ts';
import { defineChannel } from '../channel.ts';
import { ringostatTexts } from './texts.ts';
import { FieldReader, bodyHash, httpUrl, isObj, readJsonOrForm, str, time } from '../read.ts';

// Ringostat (docs/reference/channels.md §3) signs nothing and lets each customer name the webhook keys, pick
// the moments and the format (query, form or JSON). The secret URL authenticates; the field map
// defaults to Ringostat's own variable names.

export const RINGOSTAT_API_URL = 'https://api.ringostat.net';

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

/** Values of `event` per call moment; Ringostat has none of its own, the customer adds it to the URL. */
export const DEFAULT_EVENT_NAMES: Record<CallMoment, string[]> = {
  ringing: ['call_start', 'start', 'before_call', 'incoming', 'outgoing', 'ringing', 'INCOMING', 'OUTGOING'],
  accepted: ['call_answered', 'answered', 'pickup', 'accepted', 'ACCEPTED'],
  completed: ['call_end', 'end', 'after_call', 'completed', 'COMPLETED'],
  record: ['record', 'recording', 'call_record'],
};

/** Sent as Ringostat's own example of the extended callback shows; their meaning is unconfirmed (docs/reference/channels.md §3.5). */
const CALLBACK_DEFAULTS = {
  caller_type: 'default', callee_type: 'default', manager_dst: 1, utmSource: 'planfix', utmMedium: 'crm', utmCampaign: 'click2call',
};

const IN_PROGRESS = new Set(['IN PROGRESS', 'CALLING', '']);
/** Ringostat's placeholders for a direct visit: not a traffic source worth a field ("none)" is seen in its own samples). */
const NO_UTM = new Set(['(direct)', '(none)', '(not set)', 'none', 'none)']);
/** What Ringostat writes where no employee or department applies (`employee_number: -1`, `department: -1`). */
const NOBODY = new Set(['-1', '0']);
const fieldKeys = Object.keys(DEFAULT_FIELD_MAP) as [RingostatField, ...RingostatField[]];

const settings = z.object({
  /** Ringostat API key (Auth-key header), for click-to-call. */
  authKey: z.string().min(1).optional(),
  projectId: z.string().min(1).optional(),
  apiUrl: z.string().url().optional(),
  /** Overrides of the click-to-call parameters whose meaning is unconfirmed (`manager_dst`, `caller_type`, …). */
  callbackParams: z.record(z.string().max(50), z.union([z.string().max(200), z.number()]))
    .refine((o) => Object.keys(o).length <= 20, 'at most 20 parameters')
    .refine((o) => !['projectId', 'caller', 'callee'].some((k) => k in o), 'projectId, caller and callee are set by the relay')
    .optional(),
  // `default` only describes (the admin page shows it greyed); nothing is filled in: a key left out takes it when read.
  fieldMap: z.partialRecord(z.enum(fieldKeys), z.string().min(1).max(200)).optional().meta({ default: DEFAULT_FIELD_MAP }),
  eventNames: z.partialRecord(z.enum(['ringing', 'accepted', 'completed', 'record']), z.array(z.string().min(1))).optional().meta({ default: DEFAULT_EVENT_NAMES }),
}).strict();

const options = z.object(callOptionsShape).strict();

export type RingostatOptions = z.infer<typeof options>;
function flag(v: string | undefined): boolean | undefined {
  if (v === undefined) return undefined;
  return ['1', 'true', 'yes'].includes(v.toLowerCase());
}

function seconds(v: string | undefined, unit = 1): number | undefined {
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

function momentOf(r: FieldReader<RingostatField>, names: Record<CallMoment, string[]>): CallMoment {
  const e = r.str('event');
  if (e) {
    const moment = (Object.keys(names) as CallMoment[]).find((m) => names[m].includes(e));
    // Answered 2xx, a webhook the relay cannot place would count as delivered in Ringostat and be
    // lost; a 400 puts it in Ringostat's list of webhooks with errors, where the admin sees it.
    if (!moment) throw new HttpError(400, `${r.key('event')} ${JSON.stringify(e.slice(0, 40))} is none of this channel's event names (${Object.values(names).flat().join(', ')}): set the webhook's event parameter to one of them, or add it under eventNames`);
    return moment;
  }
  // No event key: a final disposition or talk time means the call is over.
  const d = (r.str('disposition') ?? '').toUpperCase();
  if (!IN_PROGRESS.has(d) || r.str('billsec') !== undefined) return 'completed';
  return 'ringing';
}

function readVisit(r: FieldReader<RingostatField>): Visit | undefined {
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
function employeeOf(r: FieldReader<RingostatField>, direction: 'in' | 'out', o: RingostatOptions): string | undefined {
  const candidates = (direction === 'in' ? [r.str('connectedWith'), r.str('employeeNumber')] : [r.str('caller'), r.str('employeeNumber')])
    .map(someone).filter((v): v is string => v !== undefined);
  return candidates.find((c) => findEmployee(o.employees ?? [], c)) ?? candidates[0];
}

/**
 * Ringostat fills the recording link whether or not the call was recorded: only `has_recording`
 * says there is one. A `record` moment is sent for a recording, so its link counts unless the
 * flag says otherwise. `recording_wav` stands in for a missing `recording`.
 */
function recordingOf(r: FieldReader<RingostatField>, moment: CallMoment): Pick<CallEvent, 'hasRecording' | 'recordingUrl'> {
  const url = httpUrl(r.str('recording')) ?? httpUrl(r.str('recordingWav'));
  const has = flag(r.str('hasRecording')) ?? (moment === 'record' ? !!url : undefined);
  return has ? { hasRecording: true, ...(url ? { recordingUrl: url } : {}) } : has === false ? { hasRecording: false } : {};
}

/** What "Test connection" can answer, in English; texts.ts words each for the admin page. */
const CHECKS = {
  no_key: { ok: true, message: 'Webhooks need no key. Click-to-call is off until authKey is set.' },
  key_refused: { ok: false, message: 'Ringostat refused the Auth-key ({status}).', fix: 'Copy the key from Ringostat (Integration → API) into authKey, and the project id into projectId.' },
  answered: { ok: false, message: 'Ringostat answered {status}.' },
  key_ok: { ok: true, message: 'Ringostat accepted the Auth-key: click-to-call can work.' },
} satisfies CheckTexts;

export const ringostat = defineChannel({
  kind: 'ringostat',
  title: 'Ringostat',
  family: 'telephony',
  hosts: ['api.ringostat.net'],
  settings,
  options,
  secretFields: ['authKey'],
  urlFields: ['apiUrl'],
  acceptsGet: true,
  callOptions: (channel) => channel.options,

  texts: ringostatTexts,

  // The missing Planfix telephony token is warned of for every telephony channel (core/setup-warnings.ts).
  warnings(channel) {
    const s = channel.settings;
    return [
      ...(s.authKey ? [] : [{ code: 'auth_key_missing' }]),
      ...(s.authKey && !s.projectId ? [{ code: 'project_id_missing' }] : []),
    ];
  },

  // One URL per call moment, each with an event name this channel takes for it (the first, unless
  // Ringostat's own word is still among them).
  webhooks(channel) {
    const names = { ...DEFAULT_EVENT_NAMES, ...channel.settings.eventNames };
    const hooks: [string, CallMoment][] = [['call_start', 'ringing'], ['pickup', 'accepted'], ['call_end', 'completed'], ['record', 'record']];
    return hooks.flatMap(([id, moment]) => {
      const event = names[moment].includes(id) ? id : names[moment][0];
      return event ? [{ id, query: { event } }] : [];
    });
  },

  describe(channel) {
    const s = channel.settings;
    return { fieldMap: { ...DEFAULT_FIELD_MAP, ...s.fieldMap }, eventNames: { ...DEFAULT_EVENT_NAMES, ...s.eventNames } };
  },

  async check({ channel, policy, timeoutMs }) {
    const s = channel.settings;
    if (!s.authKey) return checkResult(CHECKS, 'no_key');
    const res = await send(policy, 'provider', urlUnder(s.apiUrl ?? RINGOSTAT_API_URL, 'sipstatus/online'), {
      method: 'GET', headers: { 'auth-key': s.authKey, ...(s.projectId ? { 'x-project-id': s.projectId } : {}) }, timeoutMs,
    });
    if (res.status === 401 || res.status === 403) return checkResult(CHECKS, 'key_refused', { status: String(res.status) });
    if (res.status < 200 || res.status >= 300) return checkResult(CHECKS, 'answered', { status: String(res.status) });
    return checkResult(CHECKS, 'key_ok');
  },
  checks: CHECKS,

  parse(req, channel) {
    const s = channel.settings;
    // Static parameters (event=…) can only go in the URL: the query and the body are one map.
    const body = { ...req.query, ...readJsonOrForm(req.raw, req.contentType) };
    const r = new FieldReader<RingostatField>(body, DEFAULT_FIELD_MAP, s.fieldMap);
    const moment = momentOf(r, { ...DEFAULT_EVENT_NAMES, ...s.eventNames });
    const type = (r.str('callType') ?? 'in').toLowerCase();
    const direction = type.startsWith('out') ? 'out' : 'in';
    // Who is who depends on the direction: on an outgoing call the employee dialled from `caller`
    // and `connected_with` may be the client who answered.
    const phone = direction === 'in' ? r.str('caller') : r.str('dst');
    const givenId = r.str('callId');
    if (!givenId && !phone) {
      throw new HttpError(400, `neither a call id (${r.key('callId')}) nor the customer's number (${r.key(direction === 'in' ? 'caller' : 'dst')}) is in the request`);
    }
    // Without Ringostat's id the events of one call cannot be tied together; the body is the id.
    const callId = givenId ?? `h${bodyHash(Buffer.from(JSON.stringify(body)))}`;
    const employeeId = employeeOf(r, direction, channel.options);
    const billsec = seconds(r.str('billsec'));
    const outcome = outcomeOf(r.str('disposition'), billsec);
    const duration = seconds(r.str('duration')) ?? seconds(r.str('durationMs'), 1000);
    const recording = recordingOf(r, moment);
    const ev: CallEvent = {
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
      ...recording,
      cardUrl: httpUrl(r.str('callCard')),
      analyticsId: someone(r.str('clientId')),
    };
    return { events: [ev] };
  },

  /**
   * Click-to-call through the extended callback (docs/reference/channels.md §3.5): `caller` is the employee,
   * rung first, `callee` the client. The simple /callback/outward_call takes only a project
   * number as its extension, so it cannot ring an employee. Ringostat reports errors inside an
   * HTTP 200 as a JSON-RPC `error`.
   */
  async makeCall(call, { channel, policy, timeoutMs }) {
    const s = channel.settings;
    if (!s.authKey) throw new TerminalError('the Ringostat channel has no authKey: set it to use click-to-call', 'not-configured');
    if (!s.projectId) throw new TerminalError('the Ringostat channel has no projectId: set it to use click-to-call', 'not-configured');
    const res = await send(policy, 'provider', urlUnder(s.apiUrl ?? RINGOSTAT_API_URL, 'a/v2'), {
      method: 'POST',
      headers: { 'auth-key': s.authKey, 'content-type': 'application/json' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: Date.now(),
        method: 'Api\\V2\\Callback.external',
        params: { ...CALLBACK_DEFAULTS, ...s.callbackParams, projectId: s.projectId, caller: call.employee, callee: call.destination },
      }),
      timeoutMs,
    });
    const rpcError = isObj(res.json) && isObj(res.json.error) ? res.json.error : undefined;
    if (res.status >= 200 && res.status < 300 && !rpcError) return;
    // Ringostat's words reach Planfix and the log: bounded like any provider's error text.
    const why = rpcError
      ? [str(rpcError, 'message'), str(rpcError, 'code') && `code ${str(rpcError, 'code')}`, str(rpcError, 'data')].filter(Boolean).join(', ').slice(0, 300)
      : errorText(res.json, res.text);
    if (rpcError && res.status !== 401 && res.status !== 403) throw new TerminalError(`Ringostat refused the call: ${why || 'JSON-RPC error'}`, 'provider-refused');
    throw providerError('Ringostat', res.status, why, { refused: 'refused the Auth-key', check: 'check the channel\'s authKey' });
  },
});
