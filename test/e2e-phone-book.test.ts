// The Planfix phone book mirror end to end: the relay process reads the simulator's contacts in the
// background, and a call from a number Planfix holds goes to Telephony without a REST search.
import test, { type ExecutionContext } from 'ava';
import { PlanfixSim, type PlanfixSimOptions } from './sim/planfix.ts';
import { RingostatFake } from './sim/ringostat.ts';
import { sharedRelays } from './helpers/relay-process.ts';

const PROJECT = '11111';
/** A pass every 1.2 s and a look at the accounts as often: the test's minutes are seconds. */
const FAST = { RELAY_PHONE_BOOK: 'on', RELAY_PHONE_BOOK_CHANGES_MIN: '0.02' };

// One relay per environment for the file: each test has a Planfix simulator, a Ringostat fake and
// accounts of its own on it (the mirror reads each account's Planfix apart, at its own REST pace).
const shared = sharedRelays((stop) => test.after.always(stop));

interface PhoneBookView { enabled: boolean; mirrored: boolean; numbers: number; contacts?: number; syncedAt?: string; pass?: unknown; error?: { text: string }; changesRefused: boolean }

async function setup(t: ExecutionContext, opts: { env?: Record<string, string>; sim?: PlanfixSimOptions; contacts?: number } = {}) {
  const pf = await PlanfixSim.start(opts.sim);
  t.teardown(() => pf.close());
  const rs = await RingostatFake.start({ projectId: PROJECT });
  t.teardown(() => rs.close());
  // 250 contacts: three pages of contact/list, each number spelled the way people type them.
  for (let i = 0; i < (opts.contacts ?? 250); i++) {
    const n = String(1000000 + i);
    pf.addContact({ name: `Client ${i}`, phones: [`+380 67 ${n.slice(0, 3)} ${n.slice(3)}`, ...(i % 50 === 0 ? [`(044) ${n.slice(0, 3)}-${n.slice(3)}`] : [])] });
  }
  const relay = await shared({ ...FAST, ...opts.env });
  pf.addEmployee({ email: 'ivan@acme.test', name: 'Ivan', lastName: 'Ivanenko', ext: '11' });
  const account = (await relay.api('POST', '/api/accounts', {
    name: 'Acme', defaultCountry: 'UA',
    planfix: { url: pf.origin, chatToken: 'pf-chat-token', restToken: 'pf-rest-token', telephonyToken: 'pf-tel-token' },
  })).body;
  relay.forgetAtEnd(t, account.id);
  const view = async () => (await relay.api('GET', `/api/accounts/${account.id}/phone-book`)).body as PhoneBookView;
  const addChannel = async () => {
    const channel = await relay.api('POST', `/api/accounts/${account.id}/channels`, {
      kind: 'ringostat', name: 'Calls',
      settings: { authKey: rs.authKey, apiUrl: rs.apiUrl, projectId: PROJECT },
      options: { employees: [{ id: '380671112233', ext: '11', email: 'ivan@acme.test', name: 'Ivan Ivanenko' }] },
    });
    if (channel.status !== 201) throw new Error(JSON.stringify(channel.body));
    return (moment: string, body: Record<string, unknown>) => relay.post(`${channel.body.webhookUrl}?event=${moment}`, JSON.stringify(body));
  };
  return { pf, relay, account, view, addChannel };
}

const listCalls = (pf: PlanfixSim, type?: number) => pf.restCalls.filter((c) => c.path === '/rest/contact/list'
  && (type === undefined ? true : JSON.stringify((c.body as { filters?: unknown }).filters ?? []).includes(`"type":${type}`)));

test('every contact\'s numbers are mirrored once a calls channel exists; a known caller\'s pop-up goes at once with the stored spelling', async (t) => {
  const { pf, view, addChannel } = await setup(t);
  // A chat-only account has no use for it: nothing is read.
  await new Promise((r) => setTimeout(r, 1500));
  t.like(await view(), { enabled: true, mirrored: false, numbers: 0 });
  t.is(listCalls(pf).length, 0);

  const hook = await addChannel();
  const synced = await pf.waitFor(async () => { const v = await view(); return v.syncedAt ? v : undefined; }, 20_000);
  t.like(synced, { mirrored: true, numbers: 255, contacts: 250 });
  t.is(listCalls(pf).filter((c) => !(c.body as { filters?: unknown }).filters).length, 3, 'three pages of 100');

  const searchesBefore = listCalls(pf, 4003).length;
  t.is((await hook('call_start', { uniqueid: 'k-1', calldate: '2024-11-14T10:15:02+0200', call_type: 'in', caller: '380671000123', dst: '380443334455', employee_number: '380671112233' })).status, 200);
  const ev = await pf.waitFor(() => pf.telephonyEvents.find((e) => e.callid === 'k-1'), 10_000);
  t.like(ev, { event: 'INCOMING', phone: '+380 67 100 0123', ext: '11' });
  t.is(listCalls(pf, 4003).length, searchesBefore, 'no REST search for a number the mirror holds');
  // The second spelling of a contact's second phone is mirrored too.
  t.is((await hook('call_start', { uniqueid: 'k-2', calldate: '2024-11-14T10:16:02+0200', call_type: 'in', caller: '0441000050', dst: '380443334455', employee_number: '380671112233' })).status, 200);
  t.like(await pf.waitFor(() => pf.telephonyEvents.find((e) => e.callid === 'k-2'), 10_000), { phone: '(044) 100-0050' });
  t.is(listCalls(pf, 4003).length, searchesBefore);

  // A number Planfix gains afterwards arrives with the next pass of changes.
  const late = pf.addContact({ name: 'Late', phones: ['+380 50 777 66 55'] });
  await pf.waitFor(async () => listCalls(pf, 38).some((c) => c.at > late.updatedAt) || undefined, 10_000);
  await pf.waitFor(async () => ((await view()).numbers === 256) || undefined, 10_000);
  t.is((await hook('call_start', { uniqueid: 'k-3', calldate: '2024-11-14T10:17:02+0200', call_type: 'in', caller: '380507776655', dst: '380443334455', employee_number: '380671112233' })).status, 200);
  t.like(await pf.waitFor(() => pf.telephonyEvents.find((e) => e.callid === 'k-3'), 10_000), { phone: '+380 50 777 66 55' });
  t.is(listCalls(pf, 4003).length, searchesBefore);
});

test('a Planfix that refuses the changes filter: the mirror says so and keeps its numbers; turned off, it reads nothing', async (t) => {
  const { pf, view, addChannel } = await setup(t, { sim: { changedFilter: 'refused' }, contacts: 30 });
  await addChannel();
  const refused = await pf.waitFor(async () => { const v = await view(); return v.changesRefused ? v : undefined; }, 20_000);
  t.like(refused, { numbers: 31, contacts: 30 });
  t.regex(refused.error?.text ?? '', /filter type 38/);
  const passes = listCalls(pf, 38).length;
  await new Promise((r) => setTimeout(r, 3000));
  t.is(listCalls(pf, 38).length, passes, 'a refused filter is not asked again every interval');

  const off = await setup(t, { env: { RELAY_PHONE_BOOK: 'off' }, contacts: 5 });
  await off.addChannel();
  await new Promise((r) => setTimeout(r, 2000));
  t.like(await off.view(), { enabled: false, mirrored: true, numbers: 0 });
  t.is(listCalls(off.pf).length, 0);
});

test('the phone book of an unknown account is 404, and without the admin token 401', async (t) => {
  const { relay, account } = await setup(t, { contacts: 0 });
  t.is((await relay.api('GET', '/api/accounts/nope/phone-book')).status, 404);
  t.is((await fetch(`${relay.url}/api/accounts/${account.id}/phone-book`)).status, 401);
});
