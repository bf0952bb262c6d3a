// Ringostat's call log read for reconciliation (call-log.ts): rows in the documented shape
// (docs/reference/channels.md §3.2, §3.5), written here, with the values Ringostat uses for "none".
import test from 'ava';
import type { CallEvent } from '../../core/events.ts';
import { ringostat } from './adapter.ts';
import { CALL_LOG_FIELDS, callLogUrl, readCallLog, wallTime } from './call-log.ts';

const OPTIONS = { employees: [{ id: '101', ext: '11' }] };

/** A finished incoming call nobody answered, as the log writes one: numbers and strings mixed, "nobody" as -1 and "". */
const missed = {
  calldate: '2024-11-14T10:15:02+0300', caller: '380501112233', dst: '380443334455', pool_name: 'Site pool', disposition: 'NO ANSWER',
  category_mark: 0, duration: 25, call_type: 'in', waittime: '25', billsec: 0, connected_with: '', call_counter: 3, proper_flag: 0,
  repeated_flag: 1, utm_source: '(direct)', utm_medium: '(none)', utm_campaign: '(direct)', utm_content: '(not set)', utm_term: 'none)',
  uniqueid: '1731568502.1001', category_number: -1, employee_number: -1, employee_fio: '', department: -1, employee_mark: 0,
  client_id: '', remote_ip: '203.0.113.7', refferrer: 'https://www.google.com/', landing: 'shop.example.com/',
  recording: 'https://app.ringostat.com/recordings/1731568502.1001.ogg?token=r1', has_recording: '0', duration_ms: '25000',
  call_card: 'https://app.ringostat.com/project/callcards/card/1731568502.1001/?project_id=11111', missing_reason: '0',
};

/** An answered call with a recording and a traffic source. */
const answered = {
  ...missed, calldate: '2024-11-14T10:20:00+0300', uniqueid: '1731568800.1002', disposition: 'ANSWERED', billsec: 80, duration: 95,
  waittime: '15', connected_with: '380671112233', employee_number: '101', employee_fio: 'Ivan Ivanenko', department: 'Sales',
  has_recording: '1', recording: 'https://app.ringostat.com/recordings/1731568800.1002.ogg?token=r2', utm_source: 'google',
  utm_medium: 'cpc', utm_campaign: 'brand', utm_term: '(not set)', client_id: '1169999034.1555555510',
};

const byId = (events: CallEvent[], id: string) => events.find((e) => e.callId === id)!;

test('a finished call is the "after the call" event its webhook would give, under the same event id', (t) => {
  const page = readCallLog([answered], OPTIONS, 6500);
  t.deepEqual(page, { events: [page.events[0]!] });
  t.deepEqual(page.events[0], {
    kind: 'call', eventId: '1731568800.1002:completed', callId: '1731568800.1002', moment: 'completed', direction: 'in',
    customer: { clientId: '380501112233', phone: '380501112233' }, line: '380443334455',
    at: Date.parse('2024-11-14T07:20:00Z'), employee: '101', employeeName: 'Ivan Ivanenko', department: 'Sales',
    outcome: 'answered', durationSec: 80, waitSec: 15, hasRecording: true, recordingUrl: answered.recording,
    cardUrl: answered.call_card, analyticsId: '1169999034.1555555510',
    visit: { ip: '203.0.113.7', referrer: 'https://www.google.com/', landing: 'shop.example.com/', utm: { utm_source: 'google', utm_medium: 'cpc', utm_campaign: 'brand' } },
  });
  const webhook = ringostat.parse({ raw: Buffer.from(JSON.stringify(answered)), contentType: 'application/json', headers: {}, query: { event: 'call_end' } },
    { id: 'c', kind: 'ringostat', name: 'n', secret: 's', settings: {}, options: ringostat.options.parse(OPTIONS), createdAt: '' }).events[0];
  t.deepEqual(page.events[0], webhook, 'the webhook with the same variables gives the same event');
});

test('Ringostat\'s "nothing" values are no value: -1, "", "0", (none), (direct), (not set), none)', (t) => {
  const ev = readCallLog([missed], OPTIONS, 6500).events[0]!;
  t.like(ev, { outcome: 'missed', durationSec: 0, waitSec: 25, hasRecording: false, at: Date.parse('2024-11-14T07:15:02Z') });
  for (const k of ['employee', 'employeeName', 'department', 'analyticsId', 'missedReason', 'recordingUrl'] as const) t.is(ev[k], undefined, k);
  t.is(ev.visit?.utm, undefined, 'no traffic source');
  // Numbers where the samples have strings, and the other way round.
  const swapped = readCallLog([{ ...answered, billsec: '80', waittime: 15, employee_number: 101, has_recording: 1, department: '-1' }], OPTIONS, 6500).events[0]!;
  t.like(swapped, { durationSec: 80, waitSec: 15, employee: '101', hasRecording: true, department: undefined });
});

test('calls still going on are not delivered: the earliest start is where the next read begins', (t) => {
  const ringing = { ...missed, uniqueid: 'p1', calldate: '2024-11-14T10:30:00+0300', disposition: 'IN PROGRESS', billsec: 0 };
  const calling = { ...missed, uniqueid: 'p2', calldate: '2024-11-14T10:25:00+0300', disposition: 'calling', billsec: 0 };
  const none = { ...missed, uniqueid: 'p3', calldate: '2024-11-14T10:40:00+0300', disposition: '' };
  const page = readCallLog([ringing, answered, calling, none], OPTIONS, 6500);
  t.deepEqual(page.events.map((e) => e.callId), ['1731568800.1002']);
  t.is(page.unfinished, 3);
  t.is(page.unfinishedFrom, Date.parse('2024-11-14T07:25:00Z'));
  const { disposition: _, ...noDisposition } = missed;
  t.deepEqual(readCallLog([noDisposition], OPTIONS, 6500).events, [], 'no disposition says nothing final either');
});

test('one call in several rows (its legs) is one event: the leg someone talked on, else the longest', (t) => {
  const leg1 = { ...answered, disposition: 'NO ANSWER', billsec: 0, connected_with: '', employee_number: '102' };
  const leg2 = { ...answered, billsec: 40 };
  const page = readCallLog([leg1, leg2, { ...leg1, billsec: 0 }], OPTIONS, 6500);
  t.is(page.events.length, 1);
  t.like(byId(page.events, answered.uniqueid), { outcome: 'answered', durationSec: 40 });
});

test('rows without uniqueid cannot be matched with their webhook and are skipped; a full answer says so; events come oldest first', (t) => {
  const { uniqueid: _, ...noId } = answered;
  const later = { ...missed, uniqueid: 'later', calldate: '2024-11-14T11:00:00+0300' };
  const page = readCallLog([later, noId, 'not a row', missed], OPTIONS, 4);
  t.deepEqual(page.events.map((e) => e.callId), [missed.uniqueid, 'later']);
  t.is(page.skipped, 2);
  t.true(page.full, 'four rows with at most four an answer: maybe more');
  t.is(readCallLog([later], OPTIONS, 4).full, undefined);
});

test('an outgoing call: the client is the dialled number, the employee who dialled is `caller`', (t) => {
  const out = { ...answered, uniqueid: 'o1', call_type: 'out', caller: 'sip_anna', dst: '380632223344', connected_with: '380632223344', employee_number: -1, caller_number: '380443334455' };
  t.like(readCallLog([out], { employees: [{ id: 'sip_anna', ext: '12' }] }, 6500).events[0], {
    direction: 'out', customer: { clientId: '380632223344', phone: '380632223344' }, employee: 'sip_anna', line: '380443334455', outcome: 'answered',
  });
});

test('a log whose times are at another offset than the zone asked in is said, with the zone to set', (t) => {
  t.is(readCallLog([answered], OPTIONS, 6500, 'Europe/Moscow').warning, undefined, '+0300 is Moscow\'s');
  t.is(readCallLog([{ ...answered, calldate: '2024-11-14T09:20:00+0200' }], OPTIONS, 6500, 'Europe/Kyiv').warning, undefined, 'and +0200 Kyiv\'s in November');
  t.is(readCallLog([answered], OPTIONS, 6500, 'UTC').warning,
    'Ringostat writes the call log\'s times at UTC+03:00, but the relay asks for them in UTC (UTC+00:00): set the channel\'s call log time zone to the project\'s, or calls may be missed');
  t.is(readCallLog([{ ...answered, calldate: '2024-11-14T10:20:00' }], OPTIONS, 6500, 'UTC').warning, undefined, 'no offset written: nothing to compare');
});

test('an answer that is a wrapped list is read; anything else is an error naming it', (t) => {
  t.is(readCallLog({ data: [answered] }, OPTIONS, 6500).events.length, 1);
  t.deepEqual(readCallLog([], OPTIONS, 6500), { events: [] });
  t.throws(() => readCallLog({ error: 'Project not found' }, OPTIONS, 6500), { message: /not a list of calls: Project not found/ });
  t.throws(() => readCallLog(undefined, OPTIONS, 6500), { message: /not a list of calls/ });
});

test('the request: the project, JSON, every variable the relay reads, whole seconds on the project\'s wall clock a second past both ends', (t) => {
  const from = Date.parse('2024-11-14T08:00:00.250Z');
  const to = Date.parse('2024-11-14T08:10:00.500Z');
  const url = new URL(callLogUrl({ projectId: '11111', apiUrl: 'http://127.0.0.1:9/' }, { from, to }, 'Europe/Kyiv'));
  t.is(url.origin + url.pathname, 'http://127.0.0.1:9/calls/list');
  t.deepEqual(Object.fromEntries(url.searchParams), {
    projectId: '11111', export_type: 'json', from: '2024-11-14 09:59:59', to: '2024-11-14 10:10:02', fields: CALL_LOG_FIELDS.join(','), order: 'calldate asc',
  });
  for (const f of ['uniqueid', 'calldate', 'disposition', 'billsec', 'has_recording', 'recording', 'refferrer', 'utm_source', 'call_type', 'connected_with']) t.true(CALL_LOG_FIELDS.includes(f), f);
  t.false(CALL_LOG_FIELDS.includes('event'), 'the webhook\'s own event parameter is no variable of the log');
  t.is(new URL(callLogUrl({ projectId: '1' }, { from, to }, 'UTC')).host, 'api.ringostat.net');
  t.is(wallTime(Date.parse('2024-07-01T09:00:00Z'), 'Europe/Kyiv'), '2024-07-01 12:00:00', 'summer time');
  t.is(wallTime(Date.parse('2024-07-01T09:00:00Z'), 'UTC'), '2024-07-01 09:00:00');
});

test('the channel reads its log only with its key and project id, unless turned off; the limits are its settings', (t) => {
  const ch = (settings: Record<string, unknown>) => ({ id: 'c', kind: 'ringostat', name: 'n', secret: 's', settings: ringostat.settings.parse(settings), options: ringostat.options.parse({}), createdAt: '' });
  t.deepEqual(ringostat.recovery(ch({})), { off: 'no_key' });
  t.deepEqual(ringostat.recovery(ch({ authKey: 'k' })), { off: 'no_key' });
  t.deepEqual(ringostat.recovery(ch({ authKey: 'k', projectId: '1', reconcile: false })), { off: 'turned_off' });
  t.deepEqual(ringostat.recovery(ch({ authKey: 'k', projectId: '1' })), { pageMs: 60 * 60_000, pauseMs: 1000 });
  t.deepEqual(ringostat.recovery(ch({ authKey: 'k', projectId: '1', reconcile: true, callLogPageMinutes: 15, callLogPauseMs: 0 })), { pageMs: 15 * 60_000, pauseMs: 0 });
  t.throws(() => ringostat.settings.parse({ callLogTimeZone: 'Mars/Base' }));
  t.throws(() => ringostat.settings.parse({ callLogPageMinutes: 0 }));
});
