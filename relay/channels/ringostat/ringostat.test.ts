// The Ringostat adapter at unit level: merged query/form/JSON bodies, the field map, moments,
// outcomes, bad input; the call plan; the call comment's escaping; phone search spellings.
import test from 'ava';
import type { Account, ChannelConfig } from '../../core/account.ts';
import type { CallEvent } from '../../core/events.ts';
import { phoneSearchForms } from '../../core/identity.ts';
import { CALL_SKIPS, callPlan, callPlanAfter, callSkips, type CallContext } from '../../core/call-plan.ts';
import { findEmployee } from '../../core/call-options.ts';
import { familyWarnings, SETUP_WARNINGS } from '../../core/setup-warnings.ts';
import { HttpError } from '../../errors.ts';
import type { InboundRequest } from '../channel.ts';
import { ringostat } from './adapter.ts';
import { outcomeOf } from './call.ts';
import { callHtml } from '../../core/call-html.ts';

const EN = { language: 'en', timeZone: 'UTC' } as const;

function channel(settings: Record<string, unknown> = {}, options: Record<string, unknown> = {}): ChannelConfig {
  return { id: 'ch-rs', kind: 'ringostat', name: 'Calls', secret: 's', settings, options: ringostat.options.parse(options), createdAt: '2024-01-01T00:00:00.000Z' };
}

function req(body: string | Record<string, unknown>, query: Record<string, string> = {}, contentType = 'application/json'): InboundRequest {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return { raw: Buffer.from(text), contentType, headers: {}, query };
}

const one = (r: InboundRequest, ch = channel()) => {
  const { events } = ringostat.parse(r, ch);
  if (events.length !== 1) throw new Error(`expected one event, got ${events.length}`);
  return events[0] as CallEvent;
};

// Written from the documented "after call" shape (docs/reference/channels.md §3.3), not copied traffic.
const afterCall = {
  uniqueid: '1731571502.48213', calldate: '2024-11-14T10:15:02+0200', call_type: 'in', caller: '380501112233', dst: '380443334455',
  connected_with: '380671112233', employee_number: '101', employee_fio: 'Ivan Ivanenko', disposition: 'ANSWERED', duration: '95', billsec: '80',
  has_recording: '1', recording: 'https://app.ringostat.com/recordings/1731571502.48213.ogg?token=abc', utm_source: 'google', utm_medium: 'cpc',
  utm_campaign: '(not set)', landing: 'shop.example.com/', refferrer: 'https://www.google.com/', remote_ip: '203.0.113.9',
};

test('an "after call" JSON body with the event in the query is a completed call with everything read', (t) => {
  const ev = one(req(afterCall, { event: 'call_end' }));
  t.like(ev, {
    kind: 'call', eventId: '1731571502.48213:completed', callId: '1731571502.48213', moment: 'completed', direction: 'in',
    customer: { clientId: '380501112233', phone: '380501112233' }, line: '380443334455', employee: '380671112233', employeeName: 'Ivan Ivanenko',
    outcome: 'answered', durationSec: 80, hasRecording: true, recordingUrl: afterCall.recording,
  });
  t.is(ev.at, Date.parse('2024-11-14T08:15:02Z'), '+0200 without a colon is parsed');
  t.deepEqual(ev.visit?.utm, { utm_source: 'google', utm_medium: 'cpc' }, '"(not set)" is no value');
  t.like(ev.visit, { landing: 'shop.example.com/', referrer: 'https://www.google.com/', ip: '203.0.113.9' });
});

test('a GET query alone, a form body, and a renamed field map all work', (t) => {
  const q = one(req('', { event: 'call_start', uniqueid: 'c1', caller: '380501112233', call_type: 'in', employee_number: '101' }, ''));
  t.like(q, { moment: 'ringing', callId: 'c1', employee: '101', eventId: 'c1:ringing:101' });
  const form = one(req('uniqueid=c2&caller=%2B380501112233&disposition=NO+ANSWER&billsec=0', {}, 'application/x-www-form-urlencoded'));
  t.like(form, { moment: 'completed', outcome: 'missed', customer: { phone: '+380501112233' } });
  const renamed = channel({ fieldMap: { callId: 'call_id', caller: 'from_number', disposition: 'status', billsec: 'talk' }, eventNames: { completed: ['done'] } });
  const r = one(req({ type: 'x', call_id: 'c3', from_number: '0501112233', status: 'ANSWERED', talk: 12 }, { event: 'done' }), renamed);
  t.like(r, { callId: 'c3', moment: 'completed', outcome: 'answered', durationSec: 12, customer: { phone: '0501112233' } });
});

test('outcomes follow the proposed disposition table; outgoing calls keep busy / no answer / failed', (t) => {
  t.is(outcomeOf('ANSWERED', 80), 'answered');
  t.is(outcomeOf('PROPER', 5), 'answered');
  t.is(outcomeOf('ANSWERED', 0), 'noanswer', 'answered by IVR with no talk time is not answered');
  t.is(outcomeOf('BUSY', 0), 'busy');
  t.is(outcomeOf('FAILED', 0), 'failed');
  t.is(outcomeOf('VOICEMAIL', 0), 'noanswer');
  const out = (disposition: string) => one(req({ uniqueid: 'o', call_type: 'out', caller: 'sip_ivan', dst: '380501112233', disposition, billsec: 0 })).outcome;
  t.is(out('BUSY'), 'busy');
  t.is(out('NO ANSWER'), 'noanswer');
  t.is(out('FAILED'), 'failed');
  const incoming = one(req({ uniqueid: 'i', caller: '380501112233', disposition: 'BUSY', billsec: 0 }));
  t.is(incoming.outcome, 'missed');
  const outgoing = one(req({ uniqueid: 'o2', call_type: 'out', caller: 'sip_ivan', dst: '380501112233', disposition: 'ANSWERED', billsec: 3 }));
  t.like(outgoing, { direction: 'out', customer: { phone: '380501112233' }, employee: 'sip_ivan' });
});

test('moments: in-progress dispositions ring, an unknown event is a 400 naming the known ones, a record moment carries the link', (t) => {
  t.is(one(req({ uniqueid: 'a', caller: '380501112233', disposition: 'IN PROGRESS' })).moment, 'ringing');
  t.is(one(req({ uniqueid: 'a', caller: '380501112233' }, { event: 'pickup' })).moment, 'accepted');
  // A 2xx would count as delivered in Ringostat: a webhook the relay cannot place is refused, saying why.
  const unknown = t.throws(() => ringostat.parse(req({ uniqueid: 'a', caller: '380501112233' }, { event: 'form_sent' }), channel())) as HttpError;
  t.is(unknown.status, 400);
  t.regex(unknown.message, /"form_sent" is none of this channel's event names \(.*call_start.*\)/);
  const rec = one(req({ uniqueid: 'a', recording: 'https://app.ringostat.com/r/a.ogg' }, { event: 'record' }));
  t.like(rec, { moment: 'record', recordingUrl: 'https://app.ringostat.com/r/a.ogg', customer: { clientId: 'a' } });
  t.is(one(req({ uniqueid: 'a', recording: 'javascript:alert(1)' }, { event: 'record' })).recordingUrl, undefined);
});

test('bad input: no phone and no call id is a 400 naming the keys; bad JSON is a 400', (t) => {
  const err = t.throws(() => ringostat.parse(req({ disposition: 'ANSWERED' }), channel())) as HttpError;
  t.is(err.status, 400);
  t.regex(err.message, /uniqueid.*caller/);
  t.is((t.throws(() => ringostat.parse(req('{"uniqueid":'), channel())) as HttpError).status, 400);
  // An unparseable number is kept as given: the call is still an event.
  t.like(one(req({ uniqueid: 'x', caller: 'anonymous' })), { customer: { phone: 'anonymous' } });
});

function ctx(over: Partial<CallContext> = {}): CallContext {
  return { hasRest: true, hasTelephony: true, e164: '+380501112233', options: channel().options as CallContext['options'], ext: '11', locale: EN, ...over };
}

test('the call plan asks Planfix for the contact first; the pop-up then carries the number as Planfix spells it', (t) => {
  const ev = one(req(afterCall, { event: 'call_end' }));
  const ask = callPlan(ev, ctx());
  t.like(ask, [{ do: 'findContact', e164: '+380501112233', forms: phoneSearchForms('+380501112233') }]);
  t.is(ask.length, 1, 'nothing is planned past a question');
  const after = callPlanAfter(ask[0]!, { contact: { id: 7, phone: '050 111 22 33' } }, ev, ctx());
  t.deepEqual(after.map((o) => o.do), ['telephony', 'findActiveTask']);
  t.like(after[0], { command: 'event', params: { event: 'COMPLETED', phone: '050 111 22 33', ext: '11', status: 'Success', duration: 80, is_recorded: 1 } });
  t.like(after[1], { contactId: 7 });
  // Known contact: no question; only what the keys allow.
  const known = ctx({ contact: { id: 7, phone: '+380501112233' } });
  t.deepEqual(callPlan({ ...ev, moment: 'ringing' }, known).map((o) => o.do), ['telephony', 'noteCall']);
  t.like(callPlan({ ...ev, moment: 'ringing', direction: 'out' }, ctx({ hasRest: false })), [{ do: 'telephony', params: { event: 'OUTGOING' } }]);
  t.deepEqual(callPlan({ ...ev, moment: 'accepted' }, { ...known, hasTelephony: false }), []);
  t.deepEqual(callPlan({ ...ev, moment: 'record', recordingUrl: undefined }, known), []);
  // A ringing or answered moment after the call ended (a resend after reconciliation delivered it)
  // opens no pop-up: nothing would close it. The end itself still goes.
  const over = { ...known, call: { over: true } };
  t.deepEqual(callPlan({ ...ev, moment: 'ringing' }, over), []);
  t.deepEqual(callPlan({ ...ev, moment: 'accepted' }, over), []);
  t.like(callPlan(ev, over), [{ do: 'telephony', params: { event: 'COMPLETED' } }]);
});

test('no contact holds the number: one is created unless the channel says not to, and the plan goes on from its id', (t) => {
  const ev = one(req(afterCall, { event: 'call_end' }));
  const [ask] = callPlan(ev, ctx());
  const create = callPlanAfter(ask!, {}, ev, ctx());
  t.like(create, [{ do: 'createContact', e164: '+380501112233', name: 'Client +380501112233' }]);
  t.is(create.length, 1);
  t.deepEqual(callPlanAfter(create[0]!, { contact: { id: 9, phone: '+380501112233' } }, ev, ctx()).map((o) => o.do), ['telephony', 'findActiveTask']);
  const none = ctx({ options: channel({}, { createContacts: false }).options as CallContext['options'] });
  const without = callPlanAfter(ask!, {}, ev, none);
  t.deepEqual(without.map((o) => o.do), ['telephony'], 'no contact: the pop-up still goes, no comment');
  t.like(without[0], { params: { phone: '+380501112233' } });
});

test('the comment goes to the active task Planfix names, else to a new task; a missed call to the contact', (t) => {
  const ev = one(req(afterCall, { event: 'call_end' }));
  const known = ctx({ contact: { id: 7, phone: '+380501112233' }, ownerEmail: 'ivan@example.com' });
  const ask = callPlan(ev, known).at(-1)!;
  t.like(ask, { do: 'findActiveTask', contactId: 7 });
  const onTask = callPlanAfter(ask, { task: 41 }, ev, known);
  t.deepEqual(onTask.map((o) => o.do), ['noteCall', 'taskComment', 'noteCall']);
  t.like(onTask, [{ facts: { contactKey: 'pf:7', taskNumber: 41 } }, { task: 41, ownerEmail: 'ivan@example.com' }, { facts: { attached: true } }]);
  const fresh = callPlanAfter(ask, {}, ev, known);
  t.like(fresh, [{ do: 'createTask', contactId: 7, body: { counterparty: { id: 'contact:7' }, name: 'Call with +380501112233' } }]);
  t.deepEqual(callPlanAfter(fresh[0]!, { task: 42 }, ev, known), [{ do: 'noteCall', facts: { contactKey: 'pf:7', taskNumber: 42, attached: true } }]);
  const missed = { ...ev, outcome: 'missed' as const };
  const toContact = callPlan(missed, known).slice(1);
  t.like(toContact, [{ do: 'contactComment', contactId: 7 }, { do: 'noteCall', facts: { contactKey: 'pf:7', attached: true } }]);
  t.false('ownerEmail' in toContact[0]!, 'nobody talked: the robot writes it');
  t.deepEqual(callPlan(ev, { ...known, call: { attached: true } }).map((o) => o.do), ['telephony'], 'attached once, never twice');
});

test('a completed call closes the pop-up of every other employee whose phone rang', (t) => {
  const ev = one(req(afterCall, { event: 'call_end' }));
  const ops = callPlan(ev, ctx({ contact: { id: 7, phone: '+380501112233' }, hasRest: false, call: { rang: ['11', '12', '13'] } }));
  t.deepEqual(ops.map((o) => o.do === 'telephony' && [o.params.ext, o.params.status]), [['11', 'Success'], ['12', 'Cancelled'], ['13', 'Cancelled']]);
  const ringing = callPlan({ ...ev, moment: 'ringing' }, ctx({ hasRest: false, ext: '12', call: { rang: ['11'] } }));
  t.like(ringing[1], { do: 'noteCall', facts: { rang: ['11', '12'] } });
  t.is(callPlan({ ...ev, moment: 'ringing' }, ctx({ hasRest: false, ext: '11', call: { rang: ['11'] } })).length, 1, 'a pop-up that rang is not added twice');
});

test('a late recording goes where the comment of the call went', (t) => {
  const ev = { ...one(req(afterCall, { event: 'call_end' })), moment: 'record' as const };
  const at = Date.UTC(2024, 10, 14, 8, 15);
  t.like(callPlan(ev, ctx({ call: { at, attached: true, taskNumber: 41 } })), [
    { do: 'telephony', command: 'record', params: { record_link: ev.recordingUrl } },
    { do: 'taskComment', task: 41, html: `🎧 Recording of the call of 2024-11-14 08:15 UTC: <a href="${ev.recordingUrl}" target="_blank" rel="noopener noreferrer">${ev.recordingUrl}</a>` },
  ]);
  t.like(callPlan(ev, ctx({ call: { at, attached: true, contactKey: 'pf:7' } }))[1], { do: 'contactComment', contactId: 7 });
  t.is(callPlan(ev, ctx({ call: { at } })).length, 1, 'no comment yet: nothing to add the recording to');
});

test('the call comment escapes every webhook value and links the recording', (t) => {
  const ev = one(req({ ...afterCall, employee_fio: '<img src=x onerror=alert(1)>', utm_source: '"><script>x</script>' }, { event: 'call_end' }));
  const html = callHtml(ev, '+380501112233', ev.employeeName, EN);
  t.false(html.includes('<img'));
  t.false(html.includes('<script'));
  t.regex(html, /Incoming call, answered, 1:20/);
  t.regex(html, /<a href="https:\/\/app\.ringostat\.com\/recordings\/1731571502\.48213\.ogg\?token=abc"/);
});

test('employees match by id, or by the digits of a number written another way', (t) => {
  const list = [{ id: '101', ext: '11' }, { id: '+380 67 111 22 33', ext: '12' }, { id: 'sip_ivan', ext: '13' }];
  t.is(findEmployee(list, '101')?.ext, '11');
  t.is(findEmployee(list, '380671112233')?.ext, '12');
  t.is(findEmployee(list, 'sip_ivan')?.ext, '13');
  t.is(findEmployee(list, '102'), undefined);
});

test('phone search spellings cover unseparated and formatted numbers', (t) => {
  t.deepEqual(phoneSearchForms('+380671234567'), ['671234567', '+380 67 123 4567', '067 123 4567']);
  for (const stored of ['+380671234567', '380671234567', '0671234567', '+380 67 123 4567']) {
    t.true(phoneSearchForms('+380671234567').some((f) => stored.includes(f)), stored);
  }
});

// Issue 13: Ringostat's real traffic. Bodies are our own, in the shapes of its call-log export
// (docs/reference/channels.md §3.2): sentinel values included.

test('-1, 0 and "" name nobody: no employee, no department, whether sent as numbers or strings', (t) => {
  for (const nobody of [-1, '-1', 0, '0', '']) {
    const ev = one(req({ uniqueid: 'n', caller: '380501112233', call_type: 'in', disposition: 'NO ANSWER', billsec: 0, connected_with: '', employee_number: nobody, department: nobody, employee_fio: nobody }));
    t.is(ev.employee, undefined, JSON.stringify(nobody));
    t.is(ev.employeeName, undefined, JSON.stringify(nobody));
    t.is(ev.department, undefined, JSON.stringify(nobody));
    t.false(callHtml(ev, '+380501112233', ev.employeeName ?? ev.employee, EN).includes('Employee'));
  }
  // connected_with "-1" is nobody too; employee_number then names the leg's employee.
  t.is(one(req({ uniqueid: 'n', caller: '380501112233', connected_with: '-1', employee_number: '101' })).employee, '101');
});

test('has_recording decides: "0" with a link is no recording; "1" is; a record moment counts; recording_wav stands in', (t) => {
  const rec = 'https://app.ringostat.com/recordings/x.ogg?token=t';
  const base = { uniqueid: 'r', caller: '380501112233', disposition: 'ANSWERED', billsec: 9, recording: rec };
  const no = one(req({ ...base, has_recording: '0' }, { event: 'call_end' }));
  t.is(no.hasRecording, false);
  t.is(no.recordingUrl, undefined);
  t.false(callHtml(no, '+380501112233', undefined, EN).includes('Recording'));
  t.is(one(req({ ...base, has_recording: 0 }, { event: 'call_end' })).recordingUrl, undefined);
  t.like(one(req({ ...base, has_recording: '1' }, { event: 'call_end' })), { hasRecording: true, recordingUrl: rec });
  t.like(one(req(base, { event: 'call_end' })), { hasRecording: undefined, recordingUrl: undefined }, 'a link alone proves nothing');
  t.like(one(req({ uniqueid: 'r', recording: rec }, { event: 'record' })), { hasRecording: true, recordingUrl: rec });
  t.like(one(req({ ...base, has_recording: '1', recording: '', recording_wav: 'https://app.ringostat.com/recordings/x.wav' }, { event: 'call_end' })), { recordingUrl: 'https://app.ringostat.com/recordings/x.wav' });
  t.like(one(req({ ...base, has_recording: '1', recording: '' }, { event: 'call_end' })), { hasRecording: true, recordingUrl: undefined }, 'recorded, the link comes later');
});

test('an outgoing call: the employee is the caller, the client the dialled number, the line caller_number', (t) => {
  const ev = one(req({
    uniqueid: 'o', call_type: 'out', caller: 'sip_ivan', dst: '380501112233', connected_with: '380501112233', caller_number: '380443334455',
    employee_number: -1, disposition: 'ANSWERED', billsec: 20,
  }, { event: 'call_end' }));
  t.like(ev, { direction: 'out', employee: 'sip_ivan', customer: { phone: '380501112233' }, line: '380443334455', outcome: 'answered' });
  // An employee the map knows wins over one it does not.
  const mapped = channel({}, { employees: [{ id: '101', ext: '11' }] });
  t.is(one(req({ uniqueid: 'o', call_type: 'out', caller: '380441112233', dst: '380501112233', employee_number: '101' }), mapped).employee, '101');
  // Incoming keeps dst as the line and connected_with as the employee.
  t.like(one(req({ uniqueid: 'i', caller: '380501112233', dst: '380443334455', connected_with: '380671112233', caller_number: '1' })), { line: '380443334455', employee: '380671112233' });
});

test('the variables of the call log: call card, department, wait, missed reason, duration_ms, analytics id', (t) => {
  const ev = one(req({
    uniqueid: 'v', caller: '380501112233', disposition: 'NO ANSWER', billsec: 0, duration_ms: '36400', waittime: '36', department: 'Sales',
    missing_reason: 'nobody picked up in time', client_id: '1169999034.1555555510', call_card: 'https://app.ringostat.com/project/callcards/card/v/?project_id=1',
  }, { event: 'call_end' }));
  t.like(ev, {
    outcome: 'missed', durationSec: 0, waitSec: 36, department: 'Sales', missedReason: 'nobody picked up in time', analyticsId: '1169999034.1555555510',
    cardUrl: 'https://app.ringostat.com/project/callcards/card/v/?project_id=1',
  });
  t.is(one(req({ uniqueid: 'v', caller: '380501112233', duration_ms: '36400' }, { event: 'call_end' })).durationSec, 36, 'duration_ms when nothing else says');
  t.is(one(req({ uniqueid: 'v', caller: '380501112233', client_id: '0', call_card: 'javascript:x' }, { event: 'call_end' })).cardUrl, undefined);
  const html = callHtml(ev, '+380501112233', undefined, EN);
  t.regex(html, /Department: Sales/);
  t.regex(html, /Waited: 0:36/);
  t.regex(html, /Reason: nobody picked up in time/);
  t.regex(html, /<a href="https:\/\/app\.ringostat\.com\/project\/callcards\/card\/v\/\?project_id=1"[^>]*>Call card<\/a>/);
  t.is(one(req({ uniqueid: 'v', caller: '380501112233', disposition: 'ANSWERED', billsec: 5, missing_reason: 'x' }, { event: 'call_end' })).missedReason, undefined, 'an answered call has no missed reason');
});

test('what a call plan skips for want of a Planfix key is named', (t) => {
  const ev = one(req(afterCall, { event: 'call_end' }));
  t.deepEqual(callSkips(ev, { hasRest: true, hasTelephony: true }), []);
  t.deepEqual(callSkips(ev, { hasRest: true, hasTelephony: false }), ['no_telephony']);
  t.regex(CALL_SKIPS.no_telephony, /Planfix Telephony.*no telephony token/);
  t.deepEqual(callSkips({ ...ev, moment: 'ringing' }, { hasRest: false, hasTelephony: false }), ['no_telephony'], 'ringing has no comment to skip');
  t.deepEqual(callSkips(ev, { hasRest: false, hasTelephony: true }), ['no_rest_comment']);
  t.regex(CALL_SKIPS.no_rest_comment, /call comment \(no REST token\)/);
  t.deepEqual(callSkips({ ...ev, moment: 'record', recordingUrl: undefined }, { hasRest: false, hasTelephony: false }), []);
});

test('the channel warns when the account has no Planfix telephony token, and when click-to-call lacks authKey or projectId', (t) => {
  const account = (telephonyToken?: string): Account => ({
    id: 'a', name: 'Acme', defaultCountry: 'UA', planfix: { url: 'https://acme.planfix.com', chatToken: 'c', ...(telephonyToken ? { telephonyToken } : {}) },
    callback: { chatToken: 'cb', telephonyToken: 'tel' }, widget: { key: 'w' }, channels: [], createdAt: '2024-01-01T00:00:00Z',
  });
  const full = channel({ authKey: 'k', projectId: '1' });
  // The telephony token is every telephony channel's need: the relay warns of it for the family.
  t.deepEqual(familyWarnings(ringostat.family, full, account()), [{ code: 'telephony_token_missing' }]);
  t.regex(SETUP_WARNINGS.telephony_token_missing.en, /no planfix\.telephonyToken.*no pop-ups and no call history/);
  t.deepEqual(familyWarnings(ringostat.family, full, account('tok')), []);
  t.deepEqual(ringostat.warnings(full, account('tok')), []);
  t.deepEqual(ringostat.warnings(channel({ authKey: 'k' }), account('tok')), [{ code: 'project_id_missing' }]);
  t.deepEqual(ringostat.warnings(channel({}), account('tok')), [{ code: 'auth_key_missing' }]);
  t.regex(ringostat.texts.warnings.project_id_missing.en, /projectId/);
});

test('the four webhook URLs carry Ringostat\'s event words, or the channel\'s own when it renamed a moment', (t) => {
  t.deepEqual(ringostat.webhooks(channel({})), [
    { id: 'call_start', query: { event: 'call_start' } }, { id: 'pickup', query: { event: 'pickup' } },
    { id: 'call_end', query: { event: 'call_end' } }, { id: 'record', query: { event: 'record' } },
  ]);
  const renamed = ringostat.webhooks(channel({ eventNames: { accepted: ['answered_now'] } }));
  t.deepEqual(renamed.find((w) => w.id === 'pickup'), { id: 'pickup', query: { event: 'answered_now' } });
});
