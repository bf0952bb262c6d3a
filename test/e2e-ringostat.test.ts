// Ringostat end to end over loopback: the relay process, the Planfix simulator with REST and the
// Telephony API, and the Ringostat API fake. Webhook bodies are our own, in the documented keys.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { PlanfixSim, type PlanfixSimOptions } from './sim/planfix.ts';
import { RingostatFake } from './sim/ringostat.ts';
import { RelayProcess } from './helpers/relay-process.ts';

const REC = 'https://app.ringostat.com/recordings/1731571502.48213.ogg?token=abc';

async function setup(t: ExecutionContext, opts: { sim?: PlanfixSimOptions; settings?: Record<string, unknown>; options?: Record<string, unknown> } = {}) {
  const pf = await PlanfixSim.start(opts.sim);
  const rs = await RingostatFake.start();
  const relay = await RelayProcess.start();
  t.teardown(async () => { await relay.stop(); await pf.close(); await rs.close(); });
  pf.addEmployee({ email: 'ivan@acme.test', name: 'Ivan', lastName: 'Ivanenko', ext: '11' });
  const account = (await relay.api('POST', '/api/accounts', {
    name: 'Acme', defaultCountry: 'UA',
    planfix: { url: pf.origin, chatToken: 'pf-chat-token', restToken: 'pf-rest-token', telephonyToken: 'pf-tel-token' },
  })).body;
  const channel = await relay.api('POST', `/api/accounts/${account.id}/channels`, {
    kind: 'ringostat', name: 'Calls',
    settings: { authKey: rs.authKey, apiUrl: rs.apiUrl, ...opts.settings },
    options: { employees: [{ id: '380671112233', ext: '11', email: 'ivan@acme.test', name: 'Ivan Ivanenko' }, { id: '101', ext: '11' }], ...opts.options },
  });
  if (channel.status !== 201) throw new Error(JSON.stringify(channel.body));
  const hook = (moment: string, body: Record<string, unknown>) => relay.post(`${channel.body.webhookUrl}?event=${moment}`, JSON.stringify(body));
  const idle = () => pf.waitFor(async () => ((await (await fetch(`${relay.url}/healthz`)).json()) as { backlog: number }).backlog === 0, 30_000);
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
    options: { defaultExt: '11' },
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
  await hook('call_end', { ...base, connected_with: '380671112233', disposition: 'ANSWERED', billsec: 80, has_recording: '1', recording: '' });
  await idle();
  const events = pf.telephonyEvents.filter((e) => e.callid === 'a-1');
  t.deepEqual(events.map((e) => e.event), ['INCOMING', 'ACCEPTED', 'COMPLETED']);
  t.like(events[2], { status: 'Success', duration: 80, isRecorded: true, ext: '11' });
  t.deepEqual(events[2]!.data, { utm_source: 'google', utm_medium: 'cpc' });
  t.is(pf.contacts.length, 1);

  const task = pf.tasks.find((x) => x.number === current.number)!;
  const note = task.comments.find((c) => /Incoming call, answered, 1:20/.test(c.text));
  t.truthy(note, 'the call is on the newest active task');
  t.deepEqual(note!.author, { employeeEmail: 'ivan@acme.test' });
  t.like(task.fields, { utm_source: 'google', utm_medium: 'cpc' });
  t.is(task.fields.utm_campaign, undefined, '"(not set)" is not written');
  t.false(pf.tasks.find((x) => x.number === old.number)!.comments.some((c) => /call/.test(c.text)));
  t.false(pf.tasks.find((x) => x.number === closed.number)!.comments.some((c) => /call/.test(c.text)));

  // The recording arrives later.
  await hook('record', { uniqueid: 'a-1', caller: '380501112233', recording: REC });
  await idle();
  t.deepEqual(pf.telephonyCalls.find((c) => c.callid === 'a-1')!.records.map((r) => r.recordLink), [REC]);
  const late = task.comments.find((c) => c.text.includes('Recording of the call'));
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
  t.like(view.calls[0], { direction: 'in', status: 'answered', durationSec: 80, phone: '+380501112233', employee: 'Ivan Ivanenko', recordingUrl: REC, utm: { utm_source: 'google', utm_medium: 'cpc' } });
});

test('makeCall from Planfix reaches Ringostat with the employee\'s extension and the number in international format', async (t) => {
  const { pf, rs, relay, account } = await setup(t);
  const tel = account.connect.planfixTelephony;
  const setupAnswer = await pf.telephonySetup({ relayUrl: tel.url.replace(/^http:\/\/[^/]+/, relay.url), token: tel.token });
  t.is(setupAnswer.status, 200);
  const answer = await pf.makeCall({ from: '11', to: '067 123 45 67' });
  t.is(answer.status, 200);
  t.like(rs.callbacks[0], { extension: '380671112233', destination: '380671234567' });
  t.is(rs.requests[0]!.authKey, rs.authKey);

  t.is((await pf.makeCall({ from: '11', to: '067 123 45 67', token: 'wrong' })).status, 401);
  const bad = await pf.makeCall({ from: '11', to: 'not a number' });
  t.is(bad.status, 400);
  rs.failNext(1, 401);
  const refused = await pf.makeCall({ from: '11', to: '0671234567' });
  t.is(refused.status, 502);
  t.regex(JSON.stringify(refused.body), /Auth-key/);
});

test('bad input: unknown secret 404, no phone and no call id 400, nothing journaled; an unparseable number is kept on the call', async (t) => {
  const { pf, relay, channel, hook, idle } = await setup(t, { options: { callTarget: 'contact' } });
  const journal = async () => (await stat(join(relay.dataDir, 'journal.jsonl'))).size;
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
  const { pf, hook, idle } = await setup(t, { options: { callTarget: 'contact' } });
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
