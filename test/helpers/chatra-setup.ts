import type { ExecutionContext } from 'ava';
import { ChatraFake } from '../sim/chatra.ts';
import { PlanfixSim, type PlanfixSimOptions } from '../sim/planfix.ts';
import { FAST_REST, RelayProcess } from './relay-process.ts';

/**
 * A Planfix simulator, a Chatra fake and a relay with one account and one Chatra channel. `shared`:
 * the relay for the environment from sharedRelays(), which other tests' accounts use too, instead
 * of a relay of the test's own.
 */
export async function chatraSetup(t: ExecutionContext, opts: { sim?: PlanfixSimOptions; channelOptions?: Record<string, unknown>; env?: Record<string, string>; shared?: (env: Record<string, string>) => Promise<RelayProcess> } = {}) {
  // Each as soon as it runs (AVA tears down in reverse order): a relay that fails to start must not
  // leave the simulators listening, which would keep the test worker, and the whole run, alive.
  const pf = await PlanfixSim.start(opts.sim);
  t.teardown(() => pf.close());
  const chatra = await ChatraFake.start();
  t.teardown(() => chatra.close());
  const env = { ...FAST_REST, ...opts.env };
  let relay: RelayProcess;
  if (opts.shared) relay = await opts.shared(env);
  else {
    relay = await RelayProcess.start(env);
    t.teardown(() => relay.stop());
  }
  const account = await relay.api('POST', '/api/accounts', {
    name: 'Acme',
    defaultCountry: 'UA',
    planfix: { url: pf.origin, chatToken: 'pf-chat-token', restToken: 'pf-rest-token' },
  });
  if (account.status !== 201) throw new Error(`account: ${JSON.stringify(account.body)}`);
  if (opts.shared) relay.forgetAtEnd(t, account.body.id);
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
