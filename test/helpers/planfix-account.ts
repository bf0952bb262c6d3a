import type { ExecutionContext } from 'ava';
import type { Account, ChannelConfig } from '../../relay/core/account.ts';
import { PlanfixSim } from '../sim/planfix.ts';

/** The Planfix simulator, and an account on it (id acc1) with one Chatra channel (id ch1), as the relay holds them. */
export async function planfixAccount(t: ExecutionContext): Promise<{ sim: PlanfixSim; account: Account; channel: ChannelConfig }> {
  const sim = await PlanfixSim.start({ chatToken: 'pf-chat' });
  t.teardown(() => sim.close());
  const createdAt = new Date().toISOString();
  const channel: ChannelConfig = { id: 'ch1', kind: 'chatra', name: 'Site chat', secret: 's'.repeat(32), settings: { publicKey: 'p', secretKey: 's' }, options: {}, createdAt };
  const account: Account = {
    id: 'acc1', name: 'Acme', defaultCountry: 'RU', planfix: { url: sim.origin, chatToken: 'pf-chat' },
    callback: { chatToken: 'c', telephonyToken: 't' }, widget: { key: 'w' }, channels: [channel], createdAt,
  };
  return { sim, account, channel };
}
