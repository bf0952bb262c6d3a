import type { ExecutionContext } from 'ava';
import { ChatraFake } from '../sim/chatra.ts';
import { PlanfixSim, type PlanfixSimOptions } from '../sim/planfix.ts';
import { RelayProcess } from './relay-process.ts';

/** A Planfix simulator, a Chatra fake and a relay with one account and one Chatra channel. */
export async function chatraSetup(t: ExecutionContext, opts: { sim?: PlanfixSimOptions; channelOptions?: Record<string, unknown>; env?: Record<string, string> } = {}) {
  const pf = await PlanfixSim.start(opts.sim);
  const chatra = await ChatraFake.start();
  const relay = await RelayProcess.start(opts.env);
  t.teardown(async () => {
    await relay.stop();
    await pf.close();
    await chatra.close();
  });
  const account = await relay.api('POST', '/api/accounts', {
    name: 'Acme',
    defaultCountry: 'UA',
    planfix: { url: pf.origin, chatToken: 'pf-chat-token', restToken: 'pf-rest-token' },
  });
  if (account.status !== 201) throw new Error(`account: ${JSON.stringify(account.body)}`);
  const channel = await relay.api('POST', `/api/accounts/${account.body.id}/channels`, {
    kind: 'chatra',
    name: 'Site chat',
    settings: { publicKey: 'chatra-pub', secretKey: 'chatra-secret', agentEmail: 'support@acme.test', agentName: 'Acme Support', apiUrl: chatra.apiUrl },
    options: opts.channelOptions ?? {},
  });
  if (channel.status !== 201) throw new Error(`channel: ${JSON.stringify(channel.body)}`);
  const hook = (body: unknown) => relay.post(channel.body.webhookUrl, JSON.stringify(body));
  const reply = (taskNumber: number, message: string, user = { name: 'Ivan', lastName: 'Petrov' }) =>
    pf.reply({ relayUrl: `${relay.url}/planfix/${account.body.id}/chat`, token: account.body.connect.planfixChat.token, taskNumber, message, user });
  return { pf, chatra, relay, account: account.body, channel: channel.body, hook, reply };
}
