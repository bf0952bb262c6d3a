import type { Employee } from '../../core/call-options.ts';
import type { CallEvent } from '../../core/events.ts';
import { localeOf, wallClock } from '../../core/locale.ts';
import { urlUnder } from '../../core/url.ts';
import { errorText, providerError, send } from '../../net/outbound.ts';
import type { LogPage, LogWindow, SendContext } from '../channel.ts';
import { FieldReader, isObj, time } from '../read.ts';
import { callEventOf, DEFAULT_FIELD_MAP, isFinal, type RingostatField } from './call.ts';

// Ringostat's call log (docs/reference/channels.md §3.5, `GET /calls/list`), read for the calls
// whose "after the call" webhook never came. Its rows carry Ringostat's own variable names, as the
// webhook's default field map does; a customer's renamed webhook keys do not apply here.

/** Ringostat's limits on the call log are unconfirmed: these are defaults of the channel's settings. */
export const CALL_LOG_DEFAULTS = { pageMinutes: 60, maxRows: 6500, pauseMs: 1000 } as const;

/** Every variable the relay reads of a call, asked for by name (the log answers only those asked). */
export const CALL_LOG_FIELDS = [...new Set(Object.values(DEFAULT_FIELD_MAP).filter((k) => k !== DEFAULT_FIELD_MAP.event))];

export interface CallLogSettings {
  authKey?: string;
  projectId?: string;
  apiUrl?: string;
  callLogTimeZone?: string;
  callLogMaxRows?: number;
}

/** `2024-11-14 10:15:02`: the moment on the wall clock of the zone, as the call log's `from` and `to` take it. */
export function wallTime(ms: number, timeZone: string): string {
  const p = wallClock(ms, timeZone);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
}

/**
 * The request for one window. `from` and `to` are whole seconds of wall-clock time, in the
 * project's zone as far as is known (unconfirmed), and whether each end is inclusive is not
 * documented: the request reaches a second past both ends, and what it reads twice is a duplicate.
 */
export function callLogUrl(s: CallLogSettings, window: LogWindow, timeZone: string): string {
  const q = new URLSearchParams({
    projectId: s.projectId ?? '',
    export_type: 'json',
    from: wallTime(Math.floor(window.from / 1000) * 1000 - 1000, timeZone),
    to: wallTime(Math.ceil(window.to / 1000) * 1000 + 1000, timeZone),
    fields: CALL_LOG_FIELDS.join(','),
    order: 'calldate asc',
  });
  return `${urlUnder(s.apiUrl ?? 'https://api.ringostat.net', 'calls/list')}?${q}`;
}

/** The zone's offset from UTC at that moment, in minutes. */
function zoneOffset(ms: number, timeZone: string): number {
  const second = Math.floor(ms / 1000) * 1000;
  return Math.round((Date.parse(`${wallTime(second, timeZone).replace(' ', 'T')}Z`) - second) / 60_000);
}

/** `+0300` or `+03:00` at the end of a time → 180. */
function offsetOf(text: string): number | undefined {
  const m = /([+-])(\d{2}):?(\d{2})$/.exec(text);
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : undefined;
}

const utc = (minutes: number) => `UTC${minutes < 0 ? '-' : '+'}${String(Math.floor(Math.abs(minutes) / 60)).padStart(2, '0')}:${String(Math.abs(minutes) % 60).padStart(2, '0')}`;

/**
 * Whether the log writes its times in the zone the relay asks in: each row's `calldate` carries
 * the project's offset. When they differ, every window the relay asks for is shifted by the
 * difference, and calls can be missed: said on the channel, for the admin to set the zone.
 */
function zoneWarning(rows: unknown[], timeZone: string): string | undefined {
  for (const row of rows) {
    const date = isObj(row) && typeof row.calldate === 'string' ? row.calldate.trim() : '';
    const at = time(date);
    const written = offsetOf(date);
    if (at === undefined || written === undefined) continue;
    const asked = zoneOffset(at, timeZone);
    if (asked === written) return undefined;
    return `Ringostat writes the call log's times at ${utc(written)}, but the relay asks for them in ${timeZone} (${utc(asked)}): set the channel's call log time zone to the project's, or calls may be missed`;
  }
  return undefined;
}

/** The rows of an answer: a JSON array, as Ringostat's samples show, or one under a wrapping key. */
function rowsOf(json: unknown): unknown[] | undefined {
  if (Array.isArray(json)) return json;
  if (!isObj(json)) return undefined;
  for (const k of ['data', 'calls', 'items', 'result']) if (Array.isArray(json[k])) return json[k];
  return undefined;
}

/** Of two rows of one call (its legs), the one the "after the call" webhook describes: who talked, the longest. */
function better(a: CallEvent, b: CallEvent): CallEvent {
  const rank = (e: CallEvent) => [e.outcome === 'answered' ? 1 : 0, e.durationSec ?? 0] as const;
  const [ra, rb] = [rank(a), rank(b)];
  return rb[0] > ra[0] || (rb[0] === ra[0] && rb[1] > ra[1]) ? b : a;
}

/**
 * A call log answer as events: each finished call once, as its "after the call" webhook would
 * give it. A call still going on (`IN PROGRESS`, `CALLING`, no disposition) is not delivered: its
 * start is the earliest the next read must cover. A row without `uniqueid` cannot be matched with
 * its webhook and is skipped.
 */
export function readCallLog(json: unknown, options: { employees?: Employee[] }, maxRows: number, timeZone?: string): Omit<LogPage, 'events'> & { events: CallEvent[] } {
  const rows = rowsOf(json);
  if (!rows) throw new Error(`Ringostat's call log answer is not a list of calls: ${errorText(json, JSON.stringify(json ?? null)).slice(0, 200)}`);
  const warning = timeZone ? zoneWarning(rows, timeZone) : undefined;
  const calls = new Map<string, CallEvent>();
  let unfinishedFrom: number | undefined;
  let unfinished = 0;
  let skipped = 0;
  for (const row of rows) {
    if (!isObj(row)) {
      skipped++;
      continue;
    }
    const r = new FieldReader<RingostatField>(row, DEFAULT_FIELD_MAP);
    if (!isFinal(r.str('disposition'))) {
      unfinished++;
      const began = time(r.raw('date'));
      if (began !== undefined) unfinishedFrom = Math.min(unfinishedFrom ?? began, began);
      continue;
    }
    if (!r.str('callId')) {
      skipped++;
      continue;
    }
    const ev = callEventOf(r, 'completed', options, () => '');
    const prev = calls.get(ev.callId);
    calls.set(ev.callId, prev ? better(prev, ev) : ev);
  }
  return {
    events: [...calls.values()].sort((a, b) => a.at - b.at),
    ...(unfinished ? { unfinished } : {}),
    ...(unfinishedFrom !== undefined ? { unfinishedFrom } : {}),
    ...(rows.length >= maxRows ? { full: true } : {}),
    ...(skipped ? { skipped } : {}),
    ...(warning ? { warning } : {}),
  };
}

/** One request for the window's calls. */
export async function readCallLogWindow(window: LogWindow, ctx: SendContext<CallLogSettings, { employees?: Employee[] }>): Promise<LogPage> {
  const s = ctx.channel.settings;
  const timeZone = s.callLogTimeZone ?? localeOf(ctx.account).timeZone;
  const url = callLogUrl(s, window, timeZone);
  const res = await send(ctx.policy, 'provider', url, {
    method: 'GET', headers: { 'auth-key': s.authKey ?? '', 'x-project-id': s.projectId ?? '' }, timeoutMs: ctx.timeoutMs,
  });
  if (res.status < 200 || res.status >= 300) {
    throw providerError('Ringostat', res.status, errorText(res.json, res.text), { refused: 'refused the Auth-key', check: 'check the channel\'s authKey and projectId' });
  }
  return readCallLog(res.json, ctx.channel.options, s.callLogMaxRows ?? CALL_LOG_DEFAULTS.maxRows, timeZone);
}
