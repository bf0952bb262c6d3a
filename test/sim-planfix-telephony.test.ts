// The Planfix simulator's Telephony API (relay → Planfix) and its drivers for what Planfix sends a
// PBX (setup, makeCall, ping), over real HTTP on 127.0.0.1.
import test from 'ava';
import { postJson } from './sim/chatra.ts';
import { encodeForm } from './sim/form.ts';
import { postForm } from './sim/http.ts';
import type { PlanfixSim, PlanfixSimOptions } from './sim/planfix.ts';
import { fakeRelay, sim, TEL, TOKEN, type Teardown } from './helpers/planfix-sim.ts';

// ---------------------------------------------------------------- Telephony API (relay → Planfix)

function tel(s: PlanfixSim, fields: Record<string, string | undefined>) {
  return postForm(s.telephonyApiUrl, encodeForm({ planfix_token: TEL, ...fields }));
}

/** One event of call `callid` from 380671234567 through line 380441112233. */
function callEvent(s: PlanfixSim, fields: Record<string, string | undefined>) {
  return tel(s, { cmd: 'event', type: 'in', phone: '380671234567', diversion: '380441112233', callid: 'call-1', ...fields });
}

async function withEmployees(t: Teardown, opts?: PlanfixSimOptions) {
  const s = await sim(t, opts);
  s.addEmployee({ email: 'anna@company.example', name: 'Anna', lastName: 'Smirnova', ext: '101' });
  s.addEmployee({ email: 'boris@company.example', name: 'Boris', ext: '102', phone: '+380 50 000 00 02' });
  return s;
}

test('telephony: wrong token 401, missing or bad fields 400, all logged and nothing recorded', async (t) => {
  const s = await withEmployees(t);
  t.is(s.telephonyApiUrl, `${s.origin}/tel/api`);
  t.is(s.telephonyToken, TEL);
  const invalid = { status: 400, body: { error: 'Invalid parameters' } };
  t.deepEqual(await callEvent(s, { event: 'INCOMING', ext: '101', planfix_token: 'nope' }), { status: 401, body: { error: 'Invalid token' } });
  t.deepEqual(await tel(s, { cmd: 'ping', planfix_token: TOKEN }), { status: 401, body: { error: 'Invalid token' } }, 'the chat token is not the telephony token');
  for (const field of ['type', 'event', 'phone', 'ext', 'callid', 'planfix_token']) {
    t.deepEqual(await callEvent(s, { event: 'INCOMING', ext: '101', [field]: undefined }), invalid, field);
  }
  const bad: Record<string, string>[] = [
    { event: 'INCOMING', type: 'inbound' },
    { event: 'RINGING' },
    { event: 'OUTGOING' }, // an incoming call cannot start as OUTGOING
    { event: 'INCOMING', type: 'out' },
    { event: 'COMPLETED' }, // no status
    { event: 'COMPLETED', status: 'Busy' }, // an outgoing status on an incoming call
    { event: 'COMPLETED', status: 'Success', duration: '1.5' },
    { event: 'COMPLETED', status: 'Success', is_recorded: 'yes' },
  ];
  for (const fields of bad) t.deepEqual(await callEvent(s, { ext: '101', ...fields }), invalid, JSON.stringify(fields));
  t.deepEqual(await tel(s, { cmd: 'dial' }), invalid);
  t.deepEqual(await tel(s, { cmd: 'contact' }), invalid, 'contact needs a phone');
  t.deepEqual(await tel(s, { cmd: 'record', callid: 'call-1' }), invalid, 'record needs a link');
  const asJson = await postJson(s.telephonyApiUrl, { cmd: 'ping', planfix_token: TEL });
  t.deepEqual(asJson, invalid, 'form bodies only');
  t.is(s.telephonyEvents.length, 0);
  t.is(s.telephonyCalls.length, 0);
  t.is(s.contacts.length, 0);
  t.is(s.telephonyCommands.length, 2 + 6 + bad.length + 4);
  t.true(s.telephonyCommands.every((c) => c.status === 400 || c.status === 401));
  t.like(s.telephonyCommands[0]!, { cmd: 'event', status: 401, params: { planfix_token: 'nope', ext: '101' } });
});

test('telephony: group ring → ACCEPTED → COMPLETED: events parsed, one "Звонок" with data_ fields, record later', async (t) => {
  const s = await withEmployees(t);
  const known = s.addContact({ name: 'Olga', phones: ['+380 67 123 45 67'] });
  const before = Date.now();
  for (const ext of ['101', '102']) t.deepEqual(await callEvent(s, { event: 'INCOMING', ext }), { status: 200, body: null });
  await callEvent(s, { event: 'ACCEPTED', ext: '101' });
  await callEvent(s, { event: 'COMPLETED', ext: '102', status: 'Cancelled' });
  const done = await callEvent(s, {
    event: 'COMPLETED', ext: '101', status: 'Success', duration: '95', is_recorded: '1',
    data_utm_source: 'google', data_utm_medium: 'cpc', data_gclid: 'not-a-call-field',
  });
  t.deepEqual(done, { status: 200, body: null }, 'documented success: empty body');

  t.deepEqual(s.telephonyEvents.map((e) => [e.event, e.ext, e.status]), [
    ['INCOMING', '101', undefined], ['INCOMING', '102', undefined], ['ACCEPTED', '101', undefined],
    ['COMPLETED', '102', 'Cancelled'], ['COMPLETED', '101', 'Success'],
  ]);
  const last = s.telephonyEvents.at(-1)!;
  t.like(last, { callid: 'call-1', type: 'in', phone: '380671234567', diversion: '380441112233', duration: 95, isRecorded: true });
  t.deepEqual(last.data, { utm_source: 'google', utm_medium: 'cpc', gclid: 'not-a-call-field' });
  t.false('recordLink' in last);
  t.true(last.at >= before);
  t.false('ignored' in last);

  t.is(s.telephonyCalls.length, 1);
  const call = s.telephonyCalls[0]!;
  t.like(call, { callid: 'call-1', tag: 'Звонок', status: 'Success', ext: '101', duration: 95, isRecorded: true, contactNumber: known.number });
  t.deepEqual(call.fields, { utm_source: 'google', utm_medium: 'cpc' }, 'only the "Звонок" fields are kept');
  t.deepEqual(call.legs, {
    '101': { events: ['INCOMING', 'ACCEPTED', 'COMPLETED'], status: 'Success' },
    '102': { events: ['INCOMING', 'COMPLETED'], status: 'Cancelled' },
  });
  t.is(call.recordLink, undefined);
  t.is(s.contacts.length, 1, 'the stored number in another format is the same contact');

  const link = 'https://app.ringostat.com/recordings/call-1.ogg?token=x';
  t.deepEqual(await tel(s, { cmd: 'record', callid: 'call-1', record_link: link, is_temp: '1' }), { status: 200, body: null });
  t.is(call.recordLink, link);
  t.like(call.records[0]!, { recordLink: link, isTemp: true });
  t.is((await tel(s, { cmd: 'record', callid: 'call-1', record_link: link, is_temp: 'maybe' })).status, 400);
  t.is((await tel(s, { cmd: 'record', callid: 'never-seen', record_link: link })).status, 400);
  t.deepEqual(s.telephonyCommands.map((c) => c.status), [200, 200, 200, 200, 200, 200, 400, 400]);
});

test('telephony: unknown ext and employee numbers are accepted but ignored', async (t) => {
  const s = await withEmployees(t);
  t.is((await callEvent(s, { event: 'INCOMING', ext: '999' })).status, 200);
  t.is((await callEvent(s, { callid: 'call-2', event: 'INCOMING', ext: '101', phone: '380500000002' })).status, 200);
  t.deepEqual(s.telephonyEvents.map((e) => e.ignored), ['unknown ext 999', "380500000002 is an employee's number"]);
  t.is(s.telephonyCalls.length, 0);
  t.is(s.contacts.length, 0, 'no contact for an ignored call');
  // Planfix saw the callid, so a later recording is not an error, just nothing to attach to.
  t.is((await tel(s, { cmd: 'record', callid: 'call-1', record_link: 'https://r/1.mp3' })).status, 200);
});

test('telephony: a missed call from a new number creates one contact; telCreatesContacts off creates none', async (t) => {
  const s = await withEmployees(t);
  await callEvent(s, { event: 'INCOMING', ext: '101', phone: '380931112233', callid: 'm-1' });
  await callEvent(s, { event: 'COMPLETED', ext: '101', status: 'Missed', duration: '0', phone: '380931112233', callid: 'm-1' });
  await callEvent(s, { event: 'INCOMING', ext: '102', phone: '+380 93 111 22 33', callid: 'm-2' });
  t.is(s.contacts.length, 1);
  t.like(s.contacts[0]!, { source: 'telephony', name: '380931112233', phone: '380931112233', templateId: 1 });
  t.like(s.telephonyCalls[0]!, { tag: 'Пропущенный звонок', status: 'Missed', contactNumber: s.contacts[0]!.number });
  t.is(s.telephonyCalls[1]!.contactNumber, s.contacts[0]!.number, 'the second call matches the created contact');

  // Outgoing calls never create contacts; a failed one is a missed call of outgoing type.
  await tel(s, { cmd: 'event', type: 'out', event: 'OUTGOING', phone: '380991234567', ext: '101', callid: 'o-1' });
  await tel(s, { cmd: 'event', type: 'out', event: 'COMPLETED', status: 'NoAnswer', phone: '380991234567', ext: '101', callid: 'o-1' });
  t.is(s.contacts.length, 1);
  t.like(s.telephonyCalls[2]!, { type: 'out', tag: 'Пропущенный звонок', status: 'NoAnswer', contactNumber: undefined });

  const off = await withEmployees(t, { telCreatesContacts: false });
  await callEvent(off, { event: 'INCOMING', ext: '101' });
  t.is(off.contacts.length, 0);
  t.is(off.telephonyCalls[0]!.contactNumber, undefined);
});

test('telephony: contact lookup and ping', async (t) => {
  const s = await withEmployees(t);
  s.addContact({ name: 'Ivan', lastName: 'Ivanov', phones: ['067 123 45 67'], responsible: 'anna@company.example' });
  s.addContact({ name: 'Petro', phones: ['+380501112233'] });
  t.deepEqual(await tel(s, { cmd: 'contact', phone: '380671234567', callid: 'c1' }), {
    status: 200,
    body: { contact_name: 'Ivanov Ivan', responsible: 101 },
  });
  t.deepEqual((await tel(s, { cmd: 'contact', phone: '380501112233' })).body, { contact_name: 'Petro' }, 'no responsible → no key');
  t.deepEqual(await tel(s, { cmd: 'contact', phone: '380000000000' }), { status: 200, body: {} });
  t.deepEqual(await tel(s, { cmd: 'ping' }), { status: 200, body: { pbxToken: '', pbxUrl: '' } });
});

// ---------------------------------------------------------------- Telephony drivers (Planfix → relay)

test('telephonySetup saves the settings and posts setup; makeCall and ping go to the saved URL', async (t) => {
  const s = await sim(t);
  const relay = await fakeRelay(t, (f) => (f.token === 'pbx-token' ? { status: 200, body: {} } : { status: 401, body: { error: 'Invalid token' } }));
  t.throws(() => void s.makeCall({ from: '101', to: '380671234567' }), { message: /telephonySetup/ });

  const setup = await s.telephonySetup({ relayUrl: relay.url, token: 'pbx-token' });
  t.deepEqual(setup, { status: 200, body: {} });
  t.deepEqual(Object.fromEntries(relay.received[0]!), {
    cmd: 'setup', token: 'pbx-token', planfix_token: TEL, planfix_url: s.telephonyApiUrl,
  });
  t.deepEqual(s.telephonySettings, { pbxUrl: relay.url, pbxToken: 'pbx-token' });
  t.deepEqual((await tel(s, { cmd: 'ping' })).body, { pbxToken: 'pbx-token', pbxUrl: relay.url });

  t.is((await s.makeCall({ from: '101', to: '380671234567' })).status, 200);
  t.deepEqual(Object.fromEntries(relay.received[1]!), { cmd: 'makeCall', from: '101', to: '380671234567', token: 'pbx-token' });
  const wrong = await s.makeCall({ from: '101', to: '380671234567', token: 'other' });
  t.deepEqual(wrong, { status: 401, body: { error: 'Invalid token' } });
  t.is((await s.telephonyPing()).status, 200);
  t.deepEqual(Object.fromEntries(relay.received[3]!), { cmd: 'ping', token: 'pbx-token' });
  t.deepEqual(s.telephonyOutbound.map((o) => [o.cmd, o.status]), [['setup', 200], ['makeCall', 200], ['makeCall', 401], ['ping', 200]]);
  t.like(s.telephonyOutbound[2]!, { url: relay.url, params: { token: 'other' }, body: { error: 'Invalid token' } });
});
