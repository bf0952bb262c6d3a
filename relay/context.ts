import type { Config } from './config.ts';
import type { Admission } from './http/admission.ts';
import type { Logger } from './log.ts';
import type { OutboundPolicy } from './net/outbound.ts';
import type { ChatApi } from './planfix/chat.ts';
import type { PhoneBook } from './planfix/phone-book.ts';
import type { RestApi } from './planfix/rest.ts';
import type { TelephonyApi } from './planfix/telephony.ts';
import type { AccountStore } from './store/accounts.ts';
import type { Store } from './store/store.ts';
import type { Inbox } from './delivery/inbox.ts';
import type { Recovery } from './delivery/recovery.ts';
import type { TrafficRecorder } from './delivery/traffic.ts';
import type { Worker } from './delivery/worker.ts';

/** Everything the HTTP faces share; built once by main (or a test) and handed to buildApp. */
export interface Relay {
  config: Config;
  log: Logger;
  adminToken: string;
  /** How providers and Planfix reach this relay, without a trailing slash. */
  publicUrl(): string;
  accounts: AccountStore;
  store: Store;
  worker: Worker;
  /** Where every face hands its events to delivery. */
  inbox: Inbox;
  policy: OutboundPolicy;
  chat: ChatApi;
  rest: RestApi;
  telephony: TelephonyApi;
  admission: Admission;
  /** The admin page's traffic counts. */
  traffic: TrafficRecorder;
  /** The Planfix phone book mirror (its state for the admin page). */
  phoneBook: PhoneBook;
  /** Reconciliation with the providers' logs. */
  recovery: Recovery;
}
