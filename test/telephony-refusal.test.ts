// relay/delivery/calls.ts: Planfix refusing one telephony event with 400 (a recording for a call it
// has nothing to attach it to, a pop-up with no employee to show it to) does not hold the call's
// delivery back, and is logged; any other refusal (a wrong token) fails the op for good. Told apart
// by the Telephony API error's status, not by its text. On a real SqliteStore; Planfix is the simulator.
import { Writable } from 'node:stream';
import test, { type ExecutionContext } from 'ava';
import { pino } from 'pino';
import type { Account } from '../relay/core/account.ts';
import type { CallEvent } from '../relay/core/events.ts';
import { runCallOp } from '../relay/delivery/calls.ts';
import { loggerOptions } from '../relay/log.ts';
import { OutboundPolicy } from '../relay/net/outbound.ts';
import { ChatApi } from '../relay/planfix/chat.ts';
import { RestApi } from '../relay/planfix/rest.ts';
import { TelephonyApi, TelephonyApiError } from '../relay/planfix/telephony.ts';
import { SqliteStore } from '../relay/store/sqlite/store.ts';
import { planfixAccount } from './helpers/planfix-account.ts';
import { Stores } from './helpers/store.ts';

/** The account's Telephony API token is the simulator's own unless `token` is given. */
async function world(t: ExecutionContext, token?: string) {
  const { sim, account: base, channel } = await planfixAccount(t);
  const account: Account = { ...base, planfix: { ...base.planfix, telephonyToken: token ?? sim.telephonyToken } };
  const store = await (await Stores.in(t, (dir) => new SqliteStore(dir))).open();
  const policy = new OutboundPolicy(['127.0.0.1']);
  const logged: Record<string, any>[] = [];
  const log = pino(loggerOptions('info'), new Writable({ write(chunk, _enc, cb) { logged.push(JSON.parse(String(chunk))); cb(); } }));
  const deps = { journal: store.journal, chat: new ChatApi(policy, 5000), rest: new RestApi(policy, 5000), telephony: new TelephonyApi(policy, 5000), log };
  const ev: CallEvent = {
    kind: 'call', eventId: 'rec-1', callId: 'never-rang', moment: 'record', direction: 'in', at: Date.now(),
    customer: { clientId: '+79051234567', phone: '+79051234567' }, hasRecording: true, recordingUrl: 'https://records.example/1.mp3',
  };
  const op = { do: 'telephony', command: 'record', params: { callid: ev.callId, record_link: ev.recordingUrl } } as const;
  const record = () => runCallOp(op, ev, account, channel, store.state(account.id), deps, []);
  return { sim, record, logged };
}

test('a telephony event Planfix answers 400 is logged and passed over', async (t) => {
  const { sim, record, logged } = await world(t);
  await t.notThrowsAsync(record());
  t.deepEqual(sim.telephonyCommands.map((c) => [c.cmd, c.status]), [['record', 400]], 'Planfix was asked, and refused');
  const warn = logged.find((l) => l.msg === 'Planfix refused a telephony event; the call is still recorded');
  t.truthy(warn, JSON.stringify(logged));
  t.like(warn, { level: 40, account: 'acc1', channel: 'ch1', callId: 'never-rang', err: { type: 'TelephonyApiError', status: 400 } });
});

test('any other refusal of a telephony event fails the op as a Telephony API error with its status', async (t) => {
  const { sim, record, logged } = await world(t, 'wrong-token');
  const err = await t.throwsAsync(record(), { instanceOf: TelephonyApiError });
  t.is((err as TelephonyApiError).status, 401);
  t.is(err!.message, 'Planfix Telephony API record answered 401: Invalid token');
  t.deepEqual(sim.telephonyCommands.map((c) => c.status), [401]);
  t.deepEqual(logged, [], 'nothing logged here: the worker logs the failed delivery');
});
