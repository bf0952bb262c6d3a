import { z } from 'zod';
import { UTM_KEYS, type CallEvent, type CallMoment, type CallOutcome, type Visit } from '../core/events.ts';
import { HttpError, TerminalError } from '../errors.ts';
import { errorText, send } from '../net/outbound.ts';
import { callOptionsShape } from '../core/call-options.ts';
import type { ChannelAdapter } from './channel.ts';
import { FieldReader, bodyHash, httpUrl, readJsonOrForm, time } from './read.ts';

// Ringostat (channels.md §3) signs nothing and lets each customer name the webhook keys, pick
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
  connectedWith: 'connected_with',
  employeeNumber: 'employee_number',
  employeeName: 'employee_fio',
  disposition: 'disposition',
  duration: 'duration',
  billsec: 'billsec',
  hasRecording: 'has_recording',
  recording: 'recording',
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

const IN_PROGRESS = new Set(['IN PROGRESS', 'CALLING', '']);
/** Ringostat's placeholders for a direct visit: not a traffic source worth a field. */
const NO_UTM = new Set(['(direct)', '(none)', '(not set)', 'none']);
const fieldKeys = Object.keys(DEFAULT_FIELD_MAP) as [RingostatField, ...RingostatField[]];

const settings = z.object({
  /** Ringostat API key (Auth-key header), for click-to-call. */
  authKey: z.string().min(1).optional(),
  projectId: z.string().min(1).optional(),
  apiUrl: z.string().url().optional(),
  fieldMap: z.partialRecord(z.enum(fieldKeys), z.string().min(1).max(200)).optional(),
  eventNames: z.partialRecord(z.enum(['ringing', 'accepted', 'completed', 'record']), z.array(z.string().min(1))).optional(),
}).strict();

const options = z.object(callOptionsShape).strict();

export type RingostatSettings = z.infer<typeof settings>;
export type RingostatOptions = z.infer<typeof options>;
function flag(v: string | undefined): boolean | undefined {
  if (v === undefined) return undefined;
  return ['1', 'true', 'yes'].includes(v.toLowerCase());
}

function seconds(v: string | undefined): number | undefined {
  const n = v === undefined ? NaN : Number(v);
  return Number.isFinite(n) && n >= 0 ? Math.round(n) : undefined;
}

/** Disposition → outcome as channels.md §3.4 proposes: talk time decides "answered". */
export function outcomeOf(disposition: string | undefined, billsec: number | undefined): CallOutcome {
  const d = (disposition ?? '').toUpperCase();
  if (['ANSWERED', 'PROPER', 'REPEATED'].includes(d) && (billsec === undefined || billsec > 0)) return 'answered';
  if (d === 'BUSY') return 'busy';
  if (d === 'FAILED') return 'failed';
  if (!d && billsec && billsec > 0) return 'answered';
  return 'noanswer';
}

function momentOf(r: FieldReader<RingostatField>, names: Record<CallMoment, string[]>): CallMoment | null {
  const e = r.str('event');
  if (e) return (Object.keys(names) as CallMoment[]).find((m) => names[m].includes(e)) ?? null;
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

export const ringostat = {
  kind: 'ringostat',
  title: 'Ringostat',
  settings,
  options,
  secretFields: ['authKey'],
  urlFields: ['apiUrl'],
  acceptsGet: true,

  warnings(channel) {
    const s = channel.settings as RingostatSettings;
    return s.authKey ? [] : ['Click-to-call from Planfix needs authKey (Ringostat → Integration → API).'];
  },

  describe(channel) {
    const s = channel.settings as RingostatSettings;
    return { fieldMap: { ...DEFAULT_FIELD_MAP, ...s.fieldMap }, eventNames: { ...DEFAULT_EVENT_NAMES, ...s.eventNames } };
  },

  async check({ channel, policy, timeoutMs }) {
    const s = channel.settings as RingostatSettings;
    if (!s.authKey) return { ok: true, message: 'Webhooks need no key. Click-to-call is off until authKey is set.' };
    const res = await send(policy, 'provider', `${(s.apiUrl ?? RINGOSTAT_API_URL).replace(/\/+$/, '')}/sipstatus/online`, {
      method: 'GET', headers: { 'auth-key': s.authKey, ...(s.projectId ? { 'x-project-id': s.projectId } : {}) }, timeoutMs,
    });
    if (res.status === 401 || res.status === 403) {
      return { ok: false, message: `Ringostat refused the Auth-key (${res.status}).`, fix: 'Copy the key from Ringostat (Integration → API) into authKey, and the project id into projectId.' };
    }
    if (res.status < 200 || res.status >= 300) return { ok: false, message: `Ringostat answered ${res.status}.` };
    return { ok: true, message: 'Ringostat accepted the Auth-key: click-to-call can work.' };
  },

  parse(req, channel) {
    const s = channel.settings as RingostatSettings;
    // Static parameters (event=…) can only go in the URL: the query and the body are one map.
    const body = { ...req.query, ...readJsonOrForm(req.raw, req.contentType) };
    const r = new FieldReader<RingostatField>(body, DEFAULT_FIELD_MAP, s.fieldMap);
    const moment = momentOf(r, { ...DEFAULT_EVENT_NAMES, ...s.eventNames });
    if (moment === null) return { events: [] };
    const type = (r.str('callType') ?? 'in').toLowerCase();
    const direction = type.startsWith('out') ? 'out' : 'in';
    const phone = direction === 'in' ? r.str('caller') : r.str('dst');
    const givenId = r.str('callId');
    if (!givenId && !phone) {
      throw new HttpError(400, `neither a call id (${r.key('callId')}) nor the customer's number (${r.key(direction === 'in' ? 'caller' : 'dst')}) is in the request`);
    }
    // Without Ringostat's id the events of one call cannot be tied together; the body is the id.
    const callId = givenId ?? `h${bodyHash(Buffer.from(JSON.stringify(body)))}`;
    const employeeId = r.str('connectedWith') ?? r.str('employeeNumber');
    const billsec = seconds(r.str('billsec'));
    const outcome = outcomeOf(r.str('disposition'), billsec);
    const duration = seconds(r.str('duration'));
    const ev: CallEvent = {
      kind: 'call',
      eventId: `${callId}:${moment}${moment === 'ringing' && employeeId ? `:${employeeId}` : ''}`,
      customer: { clientId: phone ?? callId, ...(phone ? { phone } : {}) },
      visit: readVisit(r),
      at: time(r.raw('date')) ?? Date.now(),
      callId,
      moment,
      direction,
      line: direction === 'in' ? r.str('dst') : undefined,
      employee: employeeId,
      employeeName: r.str('employeeName'),
      // An incoming call nobody talked on is "missed" whatever the reason; outgoing ones keep it.
      ...(moment === 'completed' ? { outcome: direction === 'in' && outcome !== 'answered' ? 'missed' : outcome, durationSec: billsec ?? duration } : {}),
      hasRecording: flag(r.str('hasRecording')) ?? (httpUrl(r.str('recording')) ? true : undefined),
      recordingUrl: httpUrl(r.str('recording')),
    };
    return { events: [ev] };
  },

  async makeCall(call, { channel, policy, timeoutMs }) {
    const s = channel.settings as RingostatSettings;
    if (!s.authKey) throw new TerminalError('the Ringostat channel has no authKey: set it to use click-to-call');
    const res = await send(policy, 'provider', `${(s.apiUrl ?? RINGOSTAT_API_URL).replace(/\/+$/, '')}/callback/outward_call`, {
      method: 'POST',
      headers: {
        'auth-key': s.authKey,
        'content-type': 'application/x-www-form-urlencoded',
        ...(s.projectId ? { 'x-project-id': s.projectId } : {}),
      },
      body: new URLSearchParams(call).toString(),
      timeoutMs,
    });
    if (res.status >= 200 && res.status < 300) return;
    const why = errorText(res.json, res.text);
    throw new TerminalError(res.status === 401 || res.status === 403
      ? `Ringostat refused the Auth-key (${res.status}${why ? `: ${why}` : ''}); check the channel's authKey`
      : `Ringostat answered ${res.status}${why ? `: ${why}` : ''}`);
  },
} satisfies ChannelAdapter;
