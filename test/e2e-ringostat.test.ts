// Ringostat end to end over loopback: the relay process, the Planfix simulator with REST and the
// Telephony API, and the Ringostat API fake. Webhook bodies are our own, in the documented keys.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { PlanfixSim, type PlanfixSimOptions } from './sim/planfix.ts';
import { RingostatFake } from './sim/ringostat.ts';
import { FAST_REST, RelayProcess, sharedRelays } from './helpers/relay-process.ts';
import { journalEvents } from './helpers/journal.ts';

const REC = 'https://app.ringostat.com/recordings/1731571502.48213.ogg?token=abc';
const PROJECT = '11111';
const CARD = 'https://app.ringostat.com/project/callcards/card/1731571502.48213/?project_id=11111';

const relayFor = sharedRelays((stop) => test.after.always(stop));

/**
 * A Planfix simulator, a Ringostat fake and an account with a Ringostat channel of the test's own,
 * on the file's relay for its environment (`ownRelay`: a relay of its own, for a test that reads
 * the relay's whole journal).
 */
async function setup(t: ExecutionContext, opts: { sim?: PlanfixSimOptions; settings?: Record<string, unknown>; options?: Record<string, unknown>; planfix?: Record<string, unknown>; env?: Record<string, string>; ownRelay?: boolean } = {}) {
  const pf = await PlanfixSim.start(opts.sim);
  t.teardown(() => pf.close());
  const rs = await RingostatFake.start({ projectId: PROJECT });
  t.teardown(() => rs.close());
  const env = { ...FAST_REST, ...opts.env };
  let relay: RelayProcess;
  if (opts.ownRelay) {
    relay = await RelayProcess.start(env);
    t.teardown(() => relay.stop());
  } else relay = await relayFor(env);
  pf.addEmployee({ email: 'ivan@acme.test', name: 'Ivan', lastName: 'Ivanenko', ext: '11' });
  const account = (await relay.api('POST', '/api/accounts', {
    name: 'Acme', defaultCountry: 'UA',
    planfix: { url: pf.origin, chatToken: 'pf-chat-token', restToken: 'pf-rest-token', telephonyToken: 'pf-tel-token', ...opts.planfix },
  })).body;
  const channel = await relay.api('POST', `/api/accounts/${account.id}/channels`, {
    kind: 'ringostat', name: 'Calls',
    settings: { authKey: rs.authKey, apiUrl: rs.apiUrl, projectId: PROJECT, ...opts.settings },
    options: { employees: [{ id: '380671112233', ext: '11', email: 'ivan@acme.test', name: 'Ivan Ivanenko' }, { id: '101', ext: '11' }], ...opts.options },
  });
  relay.forgetAtEnd(t, account.id);
  if (channel.status !== 201) throw new Error(JSON.stringify(channel.body));
  const hook = (moment: string, body: Record<string, unknown>) => relay.post(`${channel.body.webhookUrl}?event=${moment}`, JSON.stringify(body));
  // Nothing of this account waits for delivery (other tests' accounts share the relay).
  const idle = () => pf.waitFor(async () => (await relay.api<{ backlogNow: number }>('GET', `/api/accounts/${account.id}/traffic?range=24h`)).body.backlogNow === 0, 30_000);
  return { pf, rs, relay, account, channel: channel.body, hook, idle };
}

const call = (id: string, caller: string, extra: Record<string, unknown> = {}) => ({ uniqueid: id, calldate: '2024-11-14T10:15:02+0200', call_type: 'in', caller, dst: '380443334455', ...extra });

test('a call from a number stored in another format lands on that contact: no duplicate, Telephony gets the stored spelling', async (t) => {
  const { pf, hook, idle } = await setup(t, { options: { callTarget: 'contact' } });
  const olena = pf.addContact({ name: 'Olena', phones: ['+380 67 123 4567'] });
  t.is((await hook('call_end', call('c-1', '380671234567', { disposition: 'ANSWERED', billsec: 40, connected_with: '380671112233' }))).status, 200);
  await idle();
  t.is(pf.contactsWithPhone('+380671234567').length, 1);
  t.is(pf.contacts.length, 1, 'no contact created');
  const comment = pf.contactComments.find((c) => c.contactNumber === olena.number);
  t.truthy(comment);
  t.regex(comment!.description, /Incoming call, answered, 0:40/);
  t.deepEqual(comment!.author, { employeeEmail: 'ivan@acme.test' }, 'the employee who talked is the author');
  const ev = pf.telephonyEvents.find((e) => e.callid === 'c-1');
  t.like(ev, { event: 'COMPLETED', status: 'Success', phone: '+380 67 123 4567', ext: '11' });
  t.is(pf.telephonyCalls.find((c) => c.callid === 'c-1')?.contactNumber, olena.number);
});

test('with a digits-matching phone filter, the UA national spelling with custom grouping is the same contact', async (t) => {
  const { pf, hook, idle } = await setup(t, { sim: { phoneFilter: 'digits' }, options: { callTarget: 'contact' } });
  pf.addContact({ name: 'Petro', phones: ['067 123 45 67'] });
  await hook('call_end', call('c-2', '+380 67 123 45 67', { disposition: 'NO ANSWER', billsec: 0 }));
  await idle();
  t.is(pf.contacts.length, 1);
  t.is(pf.contactComments.length, 1);
  t.regex(pf.contactComments[0]!.description, /missed/);
});

test('a missed call from a new number creates exactly one contact even when three webhooks arrive at once', async (t) => {
  const { pf, hook, idle } = await setup(t, {
    // A customer-renamed field map: the same flow with other keys.
    settings: { fieldMap: { callId: 'call_id', caller: 'from', disposition: 'result', billsec: 'talk_time', utm_source: 'src' } },
    options: { defaultExt: '11', missedCallTarget: 'lastActiveTask' },
  });
  const body = (id: string, extra: Record<string, unknown>) => ({ call_id: id, from: '0509998877', call_type: 'in', src: 'facebook', ...extra });
  const answers = await Promise.all([
    hook('call_start', body('m-1', {})),
    hook('call_end', body('m-1', { result: 'NO ANSWER', talk_time: 0 })),
    hook('call_end', body('m-2', { result: 'BUSY', talk_time: 0 })),
  ]);
  t.deepEqual(answers.map((a) => a.status), [200, 200, 200]);
  await idle();
  const holders = pf.contactsWithPhone('+380509998877');
  t.is(holders.length, 1, 'one contact for the number');
  t.deepEqual(holders[0]!.phones.map((p) => p.number), ['+380509998877']);
  // No active task: the first missed call opened one; the second was commented on it.
  const tasks = pf.tasks.filter((x) => x.counterparty?.contactNumber === holders[0]!.number);
  t.is(tasks.length, 1);
  t.regex(tasks[0]!.name, /\+380509998877/);
  t.regex(tasks[0]!.description, /missed/);
  t.is(tasks[0]!.comments.filter((c) => /missed/.test(c.text)).length, 1);
  const completed = pf.telephonyEvents.filter((e) => e.event === 'COMPLETED');
  t.deepEqual(completed.map((e) => e.status).sort(), ['Missed', 'Missed']);
  t.is(completed[0]!.data.utm_source, 'facebook');
});

test('an answered call with a recording: INCOMING → ACCEPTED → COMPLETED with UTM, a playable link on the last active task, a late record', async (t) => {
  const { pf, relay, account, hook, idle } = await setup(t, { options: { taskUtmFields: { utm_source: 201, utm_medium: 202, utm_campaign: 203 } } });
  const olena = pf.addContact({ name: 'Olena', phones: ['+380501112233'] });
  const old = pf.addTask({ contactNumber: olena.number, name: 'Old order' });
  const current = pf.addTask({ contactNumber: olena.number, name: 'Current order' });
  const closed = pf.addTask({ contactNumber: olena.number, name: 'Closed claim' });
  pf.setTaskStatus(closed.number, 3);
  const base = call('a-1', '380501112233', { employee_number: '101', utm_source: 'google', utm_medium: 'cpc', utm_campaign: '(not set)' });
  await hook('call_start', base);
  await hook('pickup', { ...base, connected_with: '380671112233' });
  await hook('call_end', {
    ...base, connected_with: '380671112233', disposition: 'ANSWERED', billsec: 80, has_recording: '1', recording: '',
    call_card: CARD, client_id: '1169999034.1555555510', department: 'Sales', waittime: '7', caller_number: '', employee_fio: '',
  });
  await idle();
  const events = pf.telephonyEvents.filter((e) => e.callid === 'a-1');
  t.deepEqual(events.map((e) => e.event), ['INCOMING', 'ACCEPTED', 'COMPLETED']);
  t.like(events[2], { status: 'Success', duration: 80, isRecorded: true, ext: '11' });
  t.deepEqual(events[2]!.data, { utm_source: 'google', utm_medium: 'cpc' });
  t.is(pf.contacts.length, 1);

  const task = pf.tasks.find((x) => x.number === current.number)!;
  const note = task.comments.find((c) => /Incoming call, answered, 1:20/.test(c.text));
  t.truthy(note, 'the call is on the newest active task');
  t.true(note!.text.includes(`<a href="${CARD.replace(/&/g, '&#38;')}" target="_blank" rel="noopener noreferrer">Call card</a>`), note!.text);
  t.regex(note!.text, /Department: Sales/);
  t.regex(note!.text, /Waited: 0:07/);
  t.like(events[0], { diversion: '380443334455' });
  t.deepEqual(note!.author, { employeeEmail: 'ivan@acme.test' });
  t.like(task.fields, { utm_source: 'google', utm_medium: 'cpc' });
  t.is(task.fields.utm_campaign, undefined, '"(not set)" is not written');
  t.false(pf.tasks.find((x) => x.number === old.number)!.comments.some((c) => /call/.test(c.text)));
  t.false(pf.tasks.find((x) => x.number === closed.number)!.comments.some((c) => /call/.test(c.text)));

  // The recording arrives later.
  await hook('record', { uniqueid: 'a-1', caller: '380501112233', recording: REC });
  await idle();
  t.deepEqual(pf.telephonyCalls.find((c) => c.callid === 'a-1')!.records.map((r) => r.recordLink), [REC]);
  const late = task.comments.find((c) => c.text.includes('Recording of the call of 2024-11-14 08:15 UTC: '));
  t.truthy(late);
  t.true(late!.text.includes(`<a href="${REC.replace(/&/g, '&#38;')}"`));

  // A later call without UTM leaves the task's UTM as it was.
  await hook('call_end', call('a-2', '380501112233', { connected_with: '380671112233', disposition: 'ANSWERED', billsec: 5 }));
  await idle();
  t.is(task.comments.filter((c) => /Incoming call, answered/.test(c.text)).length, 2);
  t.like(task.fields, { utm_source: 'google', utm_medium: 'cpc' });

  // The widget's data: the call is kept under the task it was attached to.
  const res = await fetch(`${relay.url}/widget/${account.id}/tasks/${current.number}`, { headers: { 'x-widget-key': account.widget.key } });
  t.is(res.status, 200);
  const view = await res.json() as { calls: Record<string, unknown>[] };
  t.like(view.calls[0], {
    direction: 'in', status: 'answered', durationSec: 80, phone: '+380501112233', employee: 'Ivan Ivanenko', recordingUrl: REC, utm: { utm_source: 'google', utm_medium: 'cpc' },
    cardUrl: CARD, analyticsId: '1169999034.1555555510',
  });
});

test('makeCall from Planfix rings the employee first through Ringostat\'s extended callback; a JSON-RPC error in an HTTP 200 fails at once', async (t) => {
  const { pf, rs, relay, account, channel } = await setup(t);
  const tel = account.connect.planfixTelephony;
  const setupAnswer = await pf.telephonySetup({ relayUrl: tel.url.replace(/^http:\/\/[^/]+/, relay.url), token: tel.token });
  t.is(setupAnswer.status, 200);
  const answer = await pf.makeCall({ from: '11', to: '067 123 45 67' });
  t.is(answer.status, 200, JSON.stringify(answer.body));
  t.is(rs.callbacks.length, 1);
  t.like(rs.callbacks[0], { via: 'external', caller: '380671112233', callee: '380671234567', projectId: PROJECT });
  t.like(rs.requests[0], { method: 'POST', path: '/a/v2', authKey: rs.authKey, body: { jsonrpc: '2.0', method: 'Api\\V2\\Callback.external' } });

  t.is((await pf.makeCall({ from: '11', to: '067 123 45 67', token: 'wrong' })).status, 401);
  const bad = await pf.makeCall({ from: '11', to: 'not a number' });
  t.is(bad.status, 400);
  rs.failNext(1, 401);
  const refused = await pf.makeCall({ from: '11', to: '0671234567' });
  t.is(refused.status, 502);
  t.regex(JSON.stringify(refused.body), /Auth-key/);

  // Ringostat answers bad input with HTTP 200 and a JSON-RPC error: Planfix hears of it at once.
  t.is((await relay.api('PATCH', `/api/accounts/${account.id}/channels/${channel.id}`, { settings: { projectId: '99999' } })).status, 200);
  const rpcError = await pf.makeCall({ from: '11', to: '0671234567' });
  t.is(rpcError.status, 502);
  t.regex(JSON.stringify(rpcError.body), /Invalid params/);
  t.is(rs.requests.at(-1)!.rpcError?.code, -32602);
  t.is(rs.callbacks.length, 1, 'nothing rang');
});

test('makeCall goes through the telephony channel that knows the employee who clicked, not the first one', async (t) => {
  const { pf, rs, relay, account } = await setup(t);
  // A second office on its own Ringostat project, with its own employee (short number 22).
  const other = await RingostatFake.start({ projectId: '22222' });
  t.teardown(() => other.close());
  const second = await relay.api('POST', `/api/accounts/${account.id}/channels`, {
    kind: 'ringostat', name: 'Kyiv office',
    settings: { authKey: other.authKey, apiUrl: other.apiUrl, projectId: '22222' },
    options: { employees: [{ id: 'kyiv-sip-7', ext: '22' }] },
  });
  t.is(second.status, 201, JSON.stringify(second.body));
  const tel = account.connect.planfixTelephony;
  t.is((await pf.telephonySetup({ relayUrl: tel.url.replace(/^http:\/\/[^/]+/, relay.url), token: tel.token })).status, 200);

  t.is((await pf.makeCall({ from: '22', to: '067 123 45 67' })).status, 200);
  t.is(rs.callbacks.length, 0, 'the first channel rang nobody');
  t.like(other.callbacks[0], { caller: 'kyiv-sip-7', callee: '380671234567', projectId: '22222' });

  t.is((await pf.makeCall({ from: '11', to: '067 123 45 67' })).status, 200);
  t.like(rs.callbacks[0], { caller: '380671112233', projectId: PROJECT });
  // A short number no channel knows goes out through the first, as given.
  t.is((await pf.makeCall({ from: '33', to: '067 123 45 67' })).status, 200);
  t.like(rs.callbacks[1], { caller: '33' });
  t.is(other.callbacks.length, 1);
});

test('bad input: unknown secret 404, no phone and no call id 400, nothing journaled; an unparseable number is kept on the call', async (t) => {
  const { pf, relay, channel, hook, idle } = await setup(t, { options: { callTarget: 'contact' }, ownRelay: true });
  const journal = () => journalEvents(relay.dataDir);
  const before = await journal();
  const wrong = channel.webhookUrl.replace(/\/[^/]+$/, '/not-the-secret');
  t.is((await relay.post(`${wrong}?event=call_end`, JSON.stringify(call('b-1', '380501112233')))).status, 404);
  const empty = await hook('call_end', { disposition: 'ANSWERED' });
  t.is(empty.status, 400);
  t.regex(JSON.stringify(empty.body), /uniqueid/);
  t.is(await journal(), before);

  await hook('call_end', call('b-2', 'anonymous', { disposition: 'NO ANSWER', billsec: 0, employee_number: '999' }));
  await idle();
  t.is(pf.contacts.length, 0, 'an unparseable number neither matches nor creates a contact');
  const ev = pf.telephonyEvents.find((e) => e.callid === 'b-2');
  t.like(ev, { phone: 'anonymous', ext: '999' });
});

test('with 30 call webhooks queued, REST calls to Planfix never exceed 1 per second and the backlog drains', async (t) => {
  const { pf, hook, idle } = await setup(t, { options: { callTarget: 'contact' }, env: { RELAY_REST_INTERVAL_MS: '1000' } });
  pf.addContact({ name: 'A', phones: ['+380501110001'] });
  pf.addContact({ name: 'B', phones: ['+380501110002'] });
  const posts: Promise<unknown>[] = [];
  for (let i = 0; i < 10; i++) {
    const c = call(`q-${i}`, `38050111000${(i % 2) + 1}`, { employee_number: '101' });
    posts.push(hook('call_start', c), hook('pickup', c), hook('call_end', { ...c, disposition: 'ANSWERED', billsec: 10 + i }));
  }
  await Promise.all(posts);
  await idle();
  t.is(pf.contactComments.length, 10);
  t.is(pf.telephonyEvents.length, 30);
  t.true(pf.restCalls.length >= 12);
  t.is(pf.peakRestCalls(1000), 1, JSON.stringify(pf.restCalls.map((c) => [c.at, c.path])));
  // Each number was searched once; later calls used the index.
  t.is(pf.restCalls.filter((c) => c.path.startsWith('/rest/contact/list')).length, 2);
});

test('twelve answered calls of one employee at once, REST busy: every comment lands (deliveries waiting for one author lookup give their slots back)', async (t) => {
  const { pf, hook, idle } = await setup(t, { options: { callTarget: 'contact' } });
  // More calls than the account's 8 delivery slots, each from a number the relay must search for,
  // all naming the same employee as the comment's author.
  const calls = Array.from({ length: 12 }, (_, i) => call(`dl-${i}`, `3805022200${String(i).padStart(2, '0')}`, { disposition: 'ANSWERED', billsec: 20 + i, connected_with: '380671112233' }));
  for (const [i, c] of calls.entries()) pf.addContact({ name: `Caller ${i}`, phones: [`+${c.caller}`] });
  // The first caller search is held until every call is taken: all twelve searches queue at the
  // REST limiter before the first delivery asks for the author, so that question comes last. The
  // deliveries that found their caller meanwhile wait for its answer: holding their slots, they
  // would fill all eight, and the delivery that asked could not take one back to finish.
  pf.holdBefore(/\/rest\/contact\/list/, 2_000);
  const answers = await Promise.all(calls.map((c) => hook('call_end', c)));
  pf.holdBefore(/^$/, 0);
  t.deepEqual(answers.map((a) => a.status), calls.map(() => 200));
  await idle();
  t.is(pf.contactComments.length, 12);
  t.true(pf.contactComments.every((c) => 'employeeEmail' in c.author && c.author.employeeEmail === 'ivan@acme.test'));
  t.is(pf.restCalls.filter((c) => c.path === '/rest/user/list').length, 1, 'the author is looked up once');
});

test('an outgoing call: OUTGOING then COMPLETED as Busy, the customer being the dialled number', async (t) => {
  const { pf, hook, idle } = await setup(t, { options: { callTarget: 'contact' } });
  const olena = pf.addContact({ name: 'Olena', phones: ['+380501112233'] });
  const out = { uniqueid: 'o-1', calldate: '2024-11-14T11:00:00+0200', call_type: 'out', caller: '380671112233', dst: '0501112233', employee_number: '101' };
  await hook('call_start', out);
  await hook('call_end', { ...out, disposition: 'BUSY', billsec: 0 });
  await idle();
  const events = pf.telephonyEvents.filter((e) => e.callid === 'o-1');
  t.deepEqual(events.map((e) => [e.type, e.event, e.status]), [['out', 'OUTGOING', undefined], ['out', 'COMPLETED', 'Busy']]);
  t.is(events[0]!.phone, '+380501112233');
  t.is(pf.contacts.length, 1);
  const comment = pf.contactComments.find((c) => c.contactNumber === olena.number);
  t.regex(comment!.description, /Outgoing call, busy/);
});

test('a group ring: every employee whose phone rang gets a pop-up, and those who did not answer get it closed as Cancelled', async (t) => {
  const { pf, hook, idle } = await setup(t, {
    options: { callTarget: 'contact', employees: [{ id: '101', ext: '11', email: 'ivan@acme.test' }, { id: '102', ext: '12' }] },
  });
  pf.addEmployee({ email: 'olga@acme.test', name: 'Olga', lastName: 'K', ext: '12' });
  pf.addContact({ name: 'Olena', phones: ['+380501112233'] });
  const c = call('g-1', '380501112233');
  await hook('call_start', { ...c, employee_number: '101' });
  await hook('call_start', { ...c, employee_number: '102' });
  await hook('pickup', { ...c, employee_number: '101' });
  await hook('call_end', { ...c, employee_number: '101', disposition: 'ANSWERED', billsec: 30 });
  await idle();
  const events = pf.telephonyEvents.filter((e) => e.callid === 'g-1').map((e) => [e.event, e.ext, e.status ?? '']);
  t.deepEqual(events, [['INCOMING', '11', ''], ['INCOMING', '12', ''], ['ACCEPTED', '11', ''], ['COMPLETED', '11', 'Success'], ['COMPLETED', '12', 'Cancelled']]);
  const legs = pf.telephonyCalls.find((x) => x.callid === 'g-1')!.legs;
  t.is(legs['12']!.status, 'Cancelled');
  t.is(pf.telephonyCalls.find((x) => x.callid === 'g-1')!.status, 'Success');
});

// Issue 13: what Ringostat really sends (its call-log shapes, our own values).

test('a missed call with employee_number -1 and department -1 goes to defaultExt, and the comment names no employee', async (t) => {
  const { pf, hook, idle } = await setup(t, { options: { callTarget: 'contact', defaultExt: '11' } });
  const olena = pf.addContact({ name: 'Olena', phones: ['+380501112233'] });
  await hook('call_end', call('n-1', '380501112233', {
    disposition: 'NO ANSWER', billsec: 0, duration: 36, waittime: '36', connected_with: '', employee_number: -1, department: -1, category_number: -1, employee_mark: 0,
  }));
  await hook('call_end', call('n-2', '380501112233', { disposition: 'NO ANSWER', billsec: 0, connected_with: '', employee_number: '-1', department: '-1' }));
  await idle();
  for (const id of ['n-1', 'n-2']) {
    const ev = pf.telephonyEvents.find((e) => e.callid === id);
    t.like(ev, { event: 'COMPLETED', status: 'Missed', ext: '11' }, id);
    t.is(ev!.ignored, undefined, 'Planfix records it under a known short number');
    t.is(pf.telephonyCalls.find((c) => c.callid === id)?.contactNumber, olena.number);
  }
  const comments = pf.contactComments.filter((c) => c.contactNumber === olena.number);
  t.is(comments.length, 2);
  for (const c of comments) {
    t.regex(c.description, /Incoming call, missed/);
    t.notRegex(c.description, /Employee|Department|-1/);
  }
});

test('has_recording "0" with a recording link: Planfix is told there is no recording, and neither comment nor widget links one', async (t) => {
  const { pf, relay, account, hook, idle } = await setup(t);
  const olena = pf.addContact({ name: 'Olena', phones: ['+380501112233'] });
  const task = pf.addTask({ contactNumber: olena.number, name: 'Order' });
  await hook('call_end', call('r-0', '380501112233', { connected_with: '380671112233', disposition: 'ANSWERED', billsec: 11, has_recording: '0', recording: REC }));
  await idle();
  const ev = pf.telephonyEvents.find((e) => e.callid === 'r-0');
  t.like(ev, { event: 'COMPLETED', status: 'Success', isRecorded: false });
  t.is(ev!.recordLink, undefined);
  const note = pf.tasks.find((x) => x.number === task.number)!.comments.find((c) => /Incoming call, answered/.test(c.text));
  t.truthy(note);
  t.false(note!.text.includes('recordings/'), note!.text);
  const res = await fetch(`${relay.url}/widget/${account.id}/tasks/${task.number}`, { headers: { 'x-widget-key': account.widget.key } });
  const view = await res.json() as { calls: Record<string, unknown>[] };
  t.is(view.calls.length, 1);
  t.is(view.calls[0]!.recordingUrl, undefined);
});

test('an outgoing call dialled from a SIP login: the employee from caller, the client from dst, caller_number as diversion', async (t) => {
  const { pf, hook, idle } = await setup(t, { options: { callTarget: 'contact', employees: [{ id: 'sip_ivan', ext: '11', email: 'ivan@acme.test' }] } });
  const olena = pf.addContact({ name: 'Olena', phones: ['+380501112233'] });
  const out = { uniqueid: 'o-2', calldate: '2024-11-14T11:00:00+0200', call_type: 'out', caller: 'sip_ivan', caller_number: '380443334455', dst: '380501112233', employee_number: -1 };
  await hook('call_start', out);
  // Ringostat puts whoever answered in connected_with: here the client.
  await hook('call_end', { ...out, connected_with: '380501112233', disposition: 'ANSWERED', billsec: 42 });
  await idle();
  const events = pf.telephonyEvents.filter((e) => e.callid === 'o-2');
  t.deepEqual(events.map((e) => [e.type, e.event, e.ext, e.phone, e.diversion, e.status ?? '']), [
    ['out', 'OUTGOING', '11', '+380501112233', '380443334455', ''],
    ['out', 'COMPLETED', '11', '+380501112233', '380443334455', 'Success'],
  ]);
  t.true(events.every((e) => !e.ignored));
  const comment = pf.contactComments.find((c) => c.contactNumber === olena.number);
  t.regex(comment!.description, /Outgoing call, answered, 0:42/);
  t.deepEqual(comment!.author, { employeeEmail: 'ivan@acme.test' }, 'the employee who dialled is the author');
});

test('a missed call stays on the contact by default, even from a new number; an answered one still opens a task', async (t) => {
  const { pf, hook, idle } = await setup(t, { options: { defaultExt: '11' } });
  await hook('call_end', call('m-10', '0509998800', { disposition: 'NO ANSWER', billsec: 0, employee_number: -1 }));
  await idle();
  const holders = pf.contactsWithPhone('+380509998800');
  t.is(holders.length, 1, 'the new number got its contact');
  t.is(pf.tasks.length, 0, 'no task opened for a missed call');
  t.regex(pf.contactComments.find((c) => c.contactNumber === holders[0]!.number)!.description, /Incoming call, missed/);
  await hook('call_end', call('m-11', '0509998800', { disposition: 'ANSWERED', billsec: 30, connected_with: '380671112233' }));
  await idle();
  t.is(pf.tasks.length, 1);
  t.regex(pf.tasks[0]!.name, /Call with \+380509998800/);
});

test('without Planfix Telephony the channel warns, and the activity names what each call skipped', async (t) => {
  const { pf, relay, account, channel, hook, idle } = await setup(t, { planfix: { telephonyToken: undefined }, options: { callTarget: 'contact' } });
  t.regex(channel.warnings.join('\n'), /no planfix\.telephonyToken.*no pop-ups and no call history/);
  const shown = (await relay.api('GET', `/api/accounts/${account.id}`)).body;
  t.regex(shown.channels[0].warnings.join('\n'), /telephonyToken/);
  pf.addContact({ name: 'Olena', phones: ['+380501112233'] });
  await hook('call_end', call('s-1', '380501112233', { disposition: 'ANSWERED', billsec: 12, connected_with: '380671112233' }));
  await idle();
  t.is(pf.telephonyEvents.length, 0);
  t.is(pf.contactComments.length, 1, 'the comment is still written');
  const activity = (await relay.api('GET', `/api/accounts/${account.id}/activity`)).body as { kind: string; outcome: string; skipped?: string[] }[];
  const item = activity.find((i) => i.kind === 'call');
  t.like(item, { outcome: 'delivered' });
  t.regex((item?.skipped ?? []).join(), /Planfix Telephony \(no telephony token\)/);
  t.deepEqual((item as { skippedCodes?: string[] } | undefined)?.skippedCodes, ['no_telephony'], 'and by code, for the admin page to word');
  // With the token the warning goes.
  await relay.api('PATCH', `/api/accounts/${account.id}`, { planfix: { telephonyToken: 'pf-tel-token' } });
  const after = (await relay.api('GET', `/api/accounts/${account.id}/channels/${channel.id}`)).body;
  t.false(after.warnings.some((w: string) => /telephonyToken/.test(w)));
});
