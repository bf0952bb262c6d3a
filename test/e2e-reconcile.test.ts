// Reconciliation end to end over loopback: the relay process reads the Ringostat fake's call log
// (every 3 s here) and delivers to the Planfix simulator the calls whose webhooks never came, once
// each, whatever webhook comes late. Calls are our own rows in the documented shape.
import test, { type ExecutionContext } from 'ava';
import { PlanfixSim } from './sim/planfix.ts';
import { RingostatFake } from './sim/ringostat.ts';
import { FAST_REST, RelayProcess, sharedRelays } from './helpers/relay-process.ts';

const PROJECT = '11111';
const REC = (id: string) => `https://app.ringostat.com/recordings/${id}.ogg?token=r`;

// A run every 3 s, each reading up to 1.5 s ago; Planfix REST at the simulator's pace (the calls'
// contact searches and comments), which is not the subject here.
const RECONCILE = { ...FAST_REST, RELAY_RECONCILE_MINUTES: '0.05', LOG_LEVEL: 'debug' };
// One relay for the tests that each look at an account and a Ringostat fake of their own; the test
// that reads the relay's /metrics totals and /healthz backlog has one of its own.
const shared = sharedRelays((stop) => test.after.always(stop));

interface Recovery { on: boolean; off?: string; last?: { at: string; from?: string; to?: string; found: number; recovered: number; unfinished: number; error?: string } }

async function setup(t: ExecutionContext, settings: Record<string, unknown> = {}, { ownRelay = false } = {}) {
  const pf = await PlanfixSim.start();
  t.teardown(() => pf.close());
  const rs = await RingostatFake.start({ projectId: PROJECT, timeZone: 'Europe/Kyiv' });
  t.teardown(() => rs.close());
  let relay: RelayProcess;
  if (ownRelay) {
    relay = await RelayProcess.start(RECONCILE);
    t.teardown(() => relay.stop());
  } else relay = await shared(RECONCILE);
  pf.addEmployee({ email: 'ivan@acme.test', name: 'Ivan', lastName: 'Ivanenko', ext: '11' });
  const account = (await relay.api('POST', '/api/accounts', {
    name: 'Acme', defaultCountry: 'UA', timeZone: 'Europe/Kyiv',
    planfix: { url: pf.origin, chatToken: 'pf-chat-token', restToken: 'pf-rest-token', telephonyToken: 'pf-tel-token' },
  })).body;
  const channel = await relay.api('POST', `/api/accounts/${account.id}/channels`, {
    kind: 'ringostat', name: 'Calls',
    settings: { authKey: rs.authKey, apiUrl: rs.apiUrl, projectId: PROJECT, ...settings },
    options: { employees: [{ id: '380671112233', ext: '11', email: 'ivan@acme.test' }], defaultExt: '11', callTarget: 'contact' },
  });
  if (!ownRelay) relay.forgetAtEnd(t, account.id);
  if (channel.status !== 201) throw new Error(JSON.stringify(channel.body));
  const hook = (body: Record<string, unknown>) => relay.post(`${channel.body.webhookUrl}?event=call_end`, JSON.stringify(body));
  const recovery = async () => (await relay.api('GET', `/api/accounts/${account.id}/channels/${channel.body.id}`)).body.recovery as Recovery;
  /** Until a run has read the log up to `ms` (and finished). */
  const readPast = (ms: number) => pf.waitFor(async () => {
    const r = await recovery();
    return r.last?.to && Date.parse(r.last.to) > ms ? r : undefined;
  }, 20_000);
  const completed = (callid: string) => pf.telephonyEvents.filter((e) => e.callid === callid && e.event === 'COMPLETED');
  return { pf, rs, relay, account, channel: channel.body, hook, recovery, readPast, completed };
}

test('calls whose webhooks never came reach Planfix once each from the call log; a late webhook adds nothing; a call whose webhook came is not delivered twice', async (t) => {
  const { pf, rs, relay, account, hook, recovery, readPast, completed } = await setup(t, {}, { ownRelay: true });
  const at = Date.now();
  const hooked = rs.logCall({ uniqueid: 'c-hooked', at, caller: '380501110001', disposition: 'ANSWERED', billsec: 20 });
  t.is((await hook(hooked)).status, 200, 'its webhook came');
  rs.logCall({ uniqueid: 'c-answered', at: at + 1000, caller: '380501110002', billsec: 80, has_recording: '1', recording: REC('c-answered'), utm_source: 'google', utm_medium: 'cpc' });
  rs.logCall({ uniqueid: 'c-missed', at: at + 1500, caller: '380501110002', disposition: 'NO ANSWER', billsec: 0, connected_with: '', employee_fio: '' });
  rs.logCall({ uniqueid: 'c-long', at: at + 2000, caller: '380501110002', disposition: 'IN PROGRESS', billsec: 0 });

  await pf.waitFor(() => completed('c-answered').length && completed('c-missed').length, 20_000);
  t.like(completed('c-answered')[0], { status: 'Success', duration: 80, isRecorded: true, recordLink: REC('c-answered'), ext: '11', data: { utm_source: 'google', utm_medium: 'cpc' } });
  t.like(completed('c-missed')[0], { status: 'Missed', duration: 0, isRecorded: false, ext: '11' });
  t.deepEqual(completed('c-long'), [], 'a call still going on is not delivered');

  // Ringostat's manual resend of the webhook that had failed: a duplicate.
  const late = await hook(rs.callLog.rows.find((r) => r.uniqueid === 'c-answered')!);
  t.is(late.status, 200);
  t.like(late.body, { accepted: 0, duplicates: 1 });

  rs.callLog.update('c-long', { disposition: 'ANSWERED', billsec: 300 });
  await pf.waitFor(() => completed('c-long').length, 20_000);
  // One more run over all of it, after everything was delivered.
  await readPast(Date.now());
  await pf.waitFor(async () => ((await (await fetch(`${relay.url}/healthz`)).json()) as { backlog: number }).backlog === 0);
  for (const id of ['c-hooked', 'c-answered', 'c-missed', 'c-long']) t.is(completed(id).length, 1, `${id} once`);
  // Delivered as a webhook would be: the calls' comments on the caller's contact, one each.
  const comments = pf.contactComments.filter((c) => pf.contactsWithPhone('+380501110002').some((x) => x.number === c.contactNumber));
  t.is(comments.length, 3);

  const activity = (await relay.api('GET', `/api/accounts/${account.id}/activity`)).body as { event: string; recovered?: boolean; outcome: string }[];
  const marked = activity.filter((i) => i.recovered).map((i) => i.event.split(':')[1]).sort();
  t.deepEqual(marked, ['c-answered', 'c-long', 'c-missed'], 'the activity marks the recovered calls, not the one whose webhook came');
  const metrics = await (await fetch(`${relay.url}/metrics`)).text();
  t.regex(metrics, /relay_recovered_events_total\{kind="ringostat"\} 3\n/);
  t.regex(metrics, /relay_recovery_requests_total\{kind="ringostat",outcome="ok"\} \d+/);

  const r = await recovery();
  t.like(r, { on: true });
  t.is(r.last?.error, undefined);
  const req = rs.callLogRequests.at(-1)!;
  t.like(req, { authKey: rs.authKey, status: 200, query: { projectId: PROJECT, export_type: 'json' } });
  t.regex(req.query.from ?? '', /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
  t.true(req.query.fields?.split(',').includes('uniqueid'));
});

test('a refused key is shown on the channel and logged without the key; the relay runs on, and once the key is right the missed call arrives', async (t) => {
  const wrongKey = 'wrong-ringostat-key-0123456789';
  const { pf, rs, relay, account, channel, recovery, completed } = await setup(t, { authKey: wrongKey, callLogTimeZone: 'Europe/Kyiv' });
  rs.logCall({ uniqueid: 'c-1', at: Date.now(), caller: '380501110011' });
  const failed = await pf.waitFor(async () => { const r = await recovery(); return r.last?.error ? r : undefined; }, 20_000);
  t.regex(failed.last!.error!, /Ringostat refused the Auth-key \(401/);
  t.false(JSON.stringify(failed).includes(wrongKey));
  t.is(rs.callLogRequests.at(-1)?.authKey, wrongKey);
  // This channel's line: other tests' channels share the relay.
  await relay.waitForOutput((o) => o.split('\n').some((l) => l.includes('reconciliation with the provider\'s log failed') && l.includes(channel.id)));
  t.false(relay.output.includes(wrongKey), 'the key is not in the log');
  t.is((await fetch(`${relay.url}/healthz`)).status, 200);

  t.is((await relay.api('PATCH', `/api/accounts/${account.id}/channels/${channel.id}`, { settings: { authKey: rs.authKey } })).status, 200);
  await pf.waitFor(() => completed('c-1').length, 20_000);
  t.is(completed('c-1').length, 1);
  await pf.waitFor(async () => (await recovery()).last?.error === undefined);
});

test('reconciliation is off when the channel turns it off or has no project id: nothing is asked of Ringostat until it is on', async (t) => {
  const { pf, rs, relay, account, channel, recovery } = await setup(t, { reconcile: false });
  t.deepEqual(await recovery(), { on: false, off: 'turned_off', everyMinutes: 0.05, running: false });
  const other = await relay.api('POST', `/api/accounts/${account.id}/channels`, { kind: 'ringostat', name: 'No project', settings: { authKey: rs.authKey, apiUrl: rs.apiUrl } });
  t.like(other.body.recovery, { on: false, off: 'no_key' });
  const turnedOn = Date.now();
  t.is((await relay.api('PATCH', `/api/accounts/${account.id}/channels/${channel.id}`, { settings: { reconcile: true } })).status, 200);
  t.like(await recovery(), { on: true });
  await pf.waitFor(() => rs.callLogRequests.length > 0, 20_000);
  t.true(rs.callLogRequests.every((q) => q.at >= turnedOn && q.query.projectId === PROJECT), 'only the channel turned on asked, and only once on');
});
