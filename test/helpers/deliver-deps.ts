import pino from 'pino';
import type { DeliverDeps } from '../../relay/delivery/deliver.ts';
import { OutboundPolicy } from '../../relay/net/outbound.ts';
import { ChatApi } from '../../relay/planfix/chat.ts';
import { RestApi } from '../../relay/planfix/rest.ts';
import { TelephonyApi } from '../../relay/planfix/telephony.ts';
import type { Journal } from '../../relay/store/store.ts';

/**
 * What `deliver` needs to reach the Planfix simulator on loopback, with the given journal. REST
 * requests 100 ms apart, not Planfix's 1 a second: what a delivery plans and journals is the
 * subject here, and a call from a new number costs five of them (the pace has tests of its own).
 */
export function deliverDeps(journal: Journal): DeliverDeps {
  const policy = new OutboundPolicy(['127.0.0.1']);
  return {
    journal, chat: new ChatApi(policy, 5000), rest: new RestApi(policy, 5000, 100), telephony: new TelephonyApi(policy, 5000),
    policy, timeoutMs: 5000, log: pino({ level: 'silent' }),
  };
}
