import pino from 'pino';
import type { DeliverDeps } from '../../relay/delivery/deliver.ts';
import { OutboundPolicy } from '../../relay/net/outbound.ts';
import { ChatApi } from '../../relay/planfix/chat.ts';
import { RestApi } from '../../relay/planfix/rest.ts';
import { TelephonyApi } from '../../relay/planfix/telephony.ts';
import type { Journal } from '../../relay/store/store.ts';

/** What `deliver` needs to reach the Planfix simulator on loopback, with the given journal. */
export function deliverDeps(journal: Journal): DeliverDeps {
  const policy = new OutboundPolicy(['127.0.0.1']);
  return {
    journal, chat: new ChatApi(policy, 5000), rest: new RestApi(policy, 5000), telephony: new TelephonyApi(policy, 5000),
    policy, timeoutMs: 5000, log: pino({ level: 'silent' }),
  };
}
