/** Normalised shapes every adapter produces and the planner consumes; nothing provider-specific. */

export const UTM_KEYS = ['utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content'] as const;
export type UtmKey = (typeof UTM_KEYS)[number];
/** The most keys of a website's own data kept for one visitor (`Visit.siteData`). */
export const SITE_DATA_MAX_KEYS = 20;

export interface Customer {
  /** The provider's id of this customer (visitor id, Viber user id, …), unique within the channel. */
  clientId: string;
  name?: string;
  lastName?: string;
  /** A provider-generated placeholder name, used only when nothing better is known. */
  displayName?: string;
  email?: string;
  phone?: string;
  avatar?: string;
}

export interface Page {
  url: string;
  title?: string;
  at?: number;
}

export interface Visit {
  city?: string;
  country?: string;
  ip?: string;
  browser?: string;
  os?: string;
  device?: string;
  referrer?: string;
  landing?: string;
  utm?: Partial<Record<UtmKey, string>>;
  pages?: Page[];
  /** Where the provider shows this conversation to its agents, when known. */
  dashboardUrl?: string;
  /** What the customer's entry point carried (Viber deep-link context, tracking data). */
  context?: string;
  /** What the website passed about the visitor (Chatra `client.info`), bounded, as readable text. */
  siteData?: Record<string, string>;
}

export interface Attachment {
  name: string;
  url: string;
  /** Bytes, when known: some providers (Viber) take a file only with its size. */
  size?: number;
}

/**
 * What a message holds besides words and files (a location, a shared contact, a sticker, a type the
 * relay cannot show): the planner words it in the account's language, so adapters write no prose.
 */
export type MessageContent =
  | { kind: 'location'; lat?: number; lon?: number; address?: string }
  | { kind: 'contact'; name?: string; phone?: string }
  | { kind: 'sticker'; id?: string; media?: string }
  | { kind: 'unsupported'; type: string; caption?: string; media?: string }
  /** A picture, video or file whose link the provider did not give. */
  | { kind: 'missingMedia'; media: 'picture' | 'video' | 'file' };

interface Base {
  /** Stable id from the provider (message id, token) or a hash of the body; the dedupe key. */
  eventId: string;
  customer: Customer;
  visit?: Visit;
  at: number;
  /** Read from the provider's log by reconciliation (delivery/recovery.ts): its webhook never came. */
  recovered?: true;
}

export interface MessageEvent extends Base {
  kind: 'message';
  text: string;
  attachments: Attachment[];
  /** Set instead of text where the message is not words; see MessageContent. */
  content?: MessageContent;
  /** The provider's own name for the conversation: the title of the task it opens. */
  title?: string;
  /** True on the first message of a new visit/chat: the contact gets a visit action. */
  newVisit?: boolean;
  /** Set when an agent wrote this in the provider's own UI: it goes to Planfix as an echo. */
  echo?: { email?: string; name?: string };
  /** Dates a provider's transcript of a whole conversation carries; the planner writes them under the text. */
  dates?: { started?: number; ended?: number; postponedUntil?: number };
}

/** The customer's details or visit changed without a message (e.g. a chat opened silently). */
export interface CustomerEvent extends Base {
  kind: 'customer';
  newVisit?: boolean;
  /** The customer opted in (true) or out (false) of messages from the channel; out refuses replies. */
  subscribed?: boolean;
}

/** The provider says the conversation is over. */
export interface EndEvent extends Base {
  kind: 'end';
}

/** The provider reports on a message the relay sent (delivered, read, failed). */
export interface StatusEvent extends Base {
  kind: 'status';
  /** The provider's id of the message, as `send` returned it. */
  providerMessageId: string;
  status: 'sent' | 'read' | 'error';
  /** The provider's own reason for an error, when it gives one; the planner supplies a default. */
  text?: string;
}

export type CallMoment = 'ringing' | 'accepted' | 'completed' | 'record';
export type CallOutcome = 'answered' | 'missed' | 'busy' | 'noanswer' | 'failed';

/**
 * One moment of a phone call. `customer.phone` is the customer's number as the provider wrote it;
 * `customer.clientId` is that number too (or the call id when there is none).
 */
export interface CallEvent extends Base {
  kind: 'call';
  /** Shared by every event of one call. */
  callId: string;
  moment: CallMoment;
  direction: 'in' | 'out';
  /** The company's line the call came in or went out through. */
  line?: string;
  /** The provider's id of the employee who answered or called: extension, number or SIP login. */
  employee?: string;
  employeeName?: string;
  durationSec?: number;
  /** Set on `completed`. */
  outcome?: CallOutcome;
  /** Whether a recording exists (or will): the provider's own flag, not the presence of a link. */
  hasRecording?: boolean;
  /** Set only when the call is recorded. */
  recordingUrl?: string;
  /** The call's page in the provider's cabinet. */
  cardUrl?: string;
  department?: string;
  /** Seconds the customer waited before an answer. */
  waitSec?: number;
  /** Why nobody answered, as the provider words it. */
  missedReason?: string;
  /** The caller's web-analytics id (Google Analytics client id) from call tracking. */
  analyticsId?: string;
}

export type InboundEvent = MessageEvent | CustomerEvent | EndEvent | StatusEvent | CallEvent;

/** An employee's answer from Planfix, to be delivered through the channel. */
export interface ReplyEvent {
  kind: 'reply';
  eventId: string;
  messageId: string;
  chatId: string;
  clientId: string;
  text: string;
  attachments: Attachment[];
  user: { name: string; lastName: string; ico?: string };
  at: number;
}

export type RelayEvent = InboundEvent | ReplyEvent;
