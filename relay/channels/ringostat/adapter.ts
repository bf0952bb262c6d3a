import { z } from 'zod';
import { checkResult, type CheckTexts } from '../../core/check.ts';
import { urlUnder } from '../../core/url.ts';
import type { CallMoment } from '../../core/events.ts';
import { HttpError, TerminalError } from '../../errors.ts';
import { errorText, providerError, send } from '../../net/outbound.ts';
import { callOptionsShape } from '../../core/call-options.ts';
import { defineChannel } from '../channel.ts';
import { ringostatTexts } from './texts.ts';
import { FieldReader, bodyHash, isObj, readJsonOrForm, str } from '../read.ts';
import { callEventOf, DEFAULT_FIELD_MAP, isFinal, type CallReader, type RingostatField } from './call.ts';
import { CALL_LOG_DEFAULTS, readCallLogWindow } from './call-log.ts';
import { isTimeZone } from '../../core/locale.ts';

// Ringostat (docs/reference/channels.md §3) signs nothing and lets each customer name the webhook keys, pick
// the moments and the format (query, form or JSON). The secret URL authenticates; the field map
// defaults to Ringostat's own variable names.

export const RINGOSTAT_API_URL = 'https://api.ringostat.net';

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
  /** Reconciliation with the call log (call-log.ts), on when authKey and projectId are set: false turns it off. */
  reconcile: z.boolean().optional().meta({ default: true }),
  /** The zone the call log's from/to are read in (unconfirmed: the project's); unset, the account's. */
  callLogTimeZone: z.string().max(64).refine(isTimeZone, 'must be an IANA time zone, e.g. Europe/Kyiv').optional(),
  // Ringostat's limits on the call log are unconfirmed: the longest span one request asks for, the
  // most rows one answer holds (a full one is asked again in halves), the pause between requests.
  callLogPageMinutes: z.number().int().min(1).max(1440).optional().meta({ default: CALL_LOG_DEFAULTS.pageMinutes }),
  callLogMaxRows: z.number().int().min(1).max(1_000_000).optional().meta({ default: CALL_LOG_DEFAULTS.maxRows }),
  callLogPauseMs: z.number().int().min(0).max(60_000).optional().meta({ default: CALL_LOG_DEFAULTS.pauseMs }),
}).strict();

const options = z.object(callOptionsShape).strict();

export type RingostatOptions = z.infer<typeof options>;

function momentOf(r: CallReader, names: Record<CallMoment, string[]>): CallMoment {
  const e = r.str('event');
  if (e) {
    const moment = (Object.keys(names) as CallMoment[]).find((m) => names[m].includes(e));
    // Answered 2xx, a webhook the relay cannot place would count as delivered in Ringostat and be
    // lost; a 400 puts it in Ringostat's list of webhooks with errors, where the admin sees it.
    if (!moment) throw new HttpError(400, `${r.key('event')} ${JSON.stringify(e.slice(0, 40))} is none of this channel's event names (${Object.values(names).flat().join(', ')}): set the webhook's event parameter to one of them, or add it under eventNames`);
    return moment;
  }
  // No event key: a final disposition or talk time means the call is over.
  if (isFinal(r.str('disposition')) || r.str('billsec') !== undefined) return 'completed';
  return 'ringing';
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

  recovery(channel) {
    const s = channel.settings;
    if (s.reconcile === false) return { off: 'turned_off' };
    if (!s.authKey || !s.projectId) return { off: 'no_key' };
    return { pageMs: (s.callLogPageMinutes ?? CALL_LOG_DEFAULTS.pageMinutes) * 60_000, pauseMs: s.callLogPauseMs ?? CALL_LOG_DEFAULTS.pauseMs };
  },

  recover(window, ctx) {
    return readCallLogWindow(window, ctx);
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
    // Without Ringostat's id the events of one call cannot be tied together; the body is the id.
    return { events: [callEventOf(r, moment, channel.options, () => `h${bodyHash(Buffer.from(JSON.stringify(body)))}`)] };
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
