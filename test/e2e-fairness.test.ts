// Fairness of delivery within one account (relay/worker.ts, relay/planfix/throttle.ts): calls from
// new numbers, each several Planfix REST requests at 1 a second, must not hold back a known
// caller's pop-up, which needs no REST. Counted in REST requests served, not in seconds.
import test from 'ava';
import { PlanfixSim } from './sim/planfix.ts';
import { RingostatFake } from './sim/ringostat.ts';
import { RelayProcess } from './helpers/relay-process.ts';

const PROJECT = '11111';
const call = (id: string, caller: string, extra: Record<string, unknown> = {}) => ({ uniqueid: id, calldate: '2024-11-14T10:15:02+0200', call_type: 'in', caller, dst: '380443334455', ...extra });

test('calls waiting for Planfix REST do not hold back a known caller\'s pop-up; the known call\'s own events stay in order', async (t) => {
  const pf = await PlanfixSim.start();
  t.teardown(() => pf.close());
  const rs = await RingostatFake.start({ projectId: PROJECT });
  t.teardown(() => rs.close());
  const relay = await RelayProcess.start();
  t.teardown(() => relay.stop());
  const account = (await relay.api('POST', '/api/accounts', {
    name: 'Acme', defaultCountry: 'UA',
    planfix: { url: pf.origin, chatToken: 'pf-chat-token', restToken: 'pf-rest-token', telephonyToken: 'pf-tel-token' },
  })).body;
  const channel = await relay.api('POST', `/api/accounts/${account.id}/channels`, {
    kind: 'ringostat', name: 'Calls', settings: { authKey: rs.authKey, apiUrl: rs.apiUrl, projectId: PROJECT }, options: { defaultExt: '11' },
  });
  t.is(channel.status, 201);
  const hook = async (moment: string, body: Record<string, unknown>) => {
    const res = await relay.post(`${channel.body.webhookUrl}?event=${moment}`, JSON.stringify(body));
    t.is(res.status, 200);
  };
  const idle = () => pf.waitFor(async () => ((await (await fetch(`${relay.url}/healthz`)).json()) as { backlog: number }).backlog === 0, 30_000);

  // A customer who called before: the relay has their Planfix contact.
  pf.addContact({ name: 'Olena', phones: ['+380501234567'] });
  await hook('call_start', call('known-1', '380501234567'));
  await idle();

  // More calls from new numbers than the account has delivery slots (8): each one's contact is
  // searched in three spellings, then created, ~5 REST requests at 1 a second.
  const restBefore = pf.restCalls.length;
  for (let i = 0; i < 12; i++) await hook('call_start', call(`fake-${i}`, `3806300000${String(i).padStart(2, '0')}`));
  await hook('call_start', call('known-2', '380501234567'));
  await hook('call_end', call('known-2', '380501234567', { disposition: 'ANSWERED', billsec: 30 }));

  const popup = await pf.waitFor(() => pf.telephonyEvents.find((e) => e.callid === 'known-2' && e.event === 'INCOMING'), 120_000);
  await pf.waitFor(() => pf.telephonyEvents.find((e) => e.callid === 'known-2' && e.event === 'COMPLETED'), 120_000);
  const restFirst = pf.restCalls.slice(restBefore).filter((c) => c.at <= popup!.at).length;
  // Before the fix every slot was held by a new-number call waiting for REST: the pop-up came
  // only after the first of them had finished all its requests (5 or more).
  t.log(`REST requests served before the pop-up: ${restFirst}`);
  t.true(restFirst < 5, `REST requests served before the known caller's pop-up: ${restFirst}`);
  const known = pf.telephonyEvents.filter((e) => e.callid === 'known-2').map((e) => e.event);
  t.deepEqual(known, ['INCOMING', 'COMPLETED'], 'one caller\'s events reach Planfix in arrival order');
});
