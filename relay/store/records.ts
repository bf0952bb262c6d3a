import { SITE_DATA_MAX_KEYS, type Customer, type MessageEvent, type Page, type Visit } from '../core/events.ts';

// What the store keeps for an account, whatever engine keeps it, and the merge rules of the widget's
// metadata, which are the relay's and not an engine's.

/** What the widget shows for a task; kept per conversation and found by task number. */
export interface WidgetMeta {
  channel: { id: string; kind: string; name: string };
  customer: { name?: string; phone?: string; email?: string };
  visitor: Omit<Visit, 'utm' | 'pages' | 'referrer' | 'landing' | 'dashboardUrl'>;
  pages: Page[];
  referrer?: string;
  landing?: string;
  utm: Record<string, string>;
  dashboardUrl?: string;
  context?: string;
  /** What the website passed about the visitor (Chatra `client.info`). */
  siteData?: Record<string, string>;
}

/** One phone call as the widget shows it; kept under the task and the contact it was attached to. */
export interface CallRecord {
  callId: string;
  /** Channel it came through. */
  channel: string;
  at: number;
  direction: 'in' | 'out';
  status: 'ringing' | 'accepted' | 'answered' | 'missed' | 'busy' | 'noanswer' | 'failed';
  /** The customer's number: E.164 when it parsed, else as the provider gave it. */
  phone: string;
  durationSec?: number;
  /** Who talked: the employee's name or the provider's extension. */
  employee?: string;
  recordingUrl?: string;
  /** The call's page in the provider's cabinet. */
  cardUrl?: string;
  /** The caller's web-analytics id. */
  analyticsId?: string;
  utm?: Record<string, string>;
  /** Planfix task number the call was attached to, when it went to a task. */
  taskNumber?: number;
  /** The Planfix contact id, as `pf:<id>`. */
  contactKey?: string;
  /** The call's comment (or new task) is in Planfix: a retried delivery does not add it again. */
  attached?: boolean;
  /** Planfix short numbers that got an INCOMING pop-up: the ones that did not take the call get it closed. */
  rang?: string[];
}

/** What the widget shows for one Planfix task. */
export interface TaskView {
  chat?: WidgetMeta;
  calls: CallRecord[];
}

export interface Contact {
  key: string;
  phones: string[];
  emails: string[];
  clients: string[];
  customer: Omit<Customer, 'clientId'>;
  /** Fingerprint of the contact fields last pushed to Planfix, to know when to updateContact. */
  sent?: string;
  /** Where the customer's first visit with a source came from: kept with the contact, past retention. */
  firstVisit?: VisitSource;
}

/** Where a visit came from (referrer, landing page, UTM): what sales asks of a customer's first visit. */
export interface VisitSource {
  at: number;
  /** The channel id it came through. */
  channel: string;
  referrer?: string;
  landing?: string;
  utm?: Record<string, string>;
}

/** The customer's last message in a conversation, as the customer's history lists it. */
export interface LastMessage {
  at: number;
  /** Its first line, cut to LAST_TEXT_MAX characters; empty when it had no words. */
  text: string;
  /** The first attachment's name, when it had one. */
  attachment?: string;
  /** What it held instead of words (a location, a sticker…). */
  content?: NonNullable<MessageEvent['content']>['kind'];
}

export interface Conversation {
  chatId: string;
  channel: string;
  contactKey: string;
  /** The provider client that wrote last: replies go to it. */
  clientId: string;
  taskNumber?: number;
  /** The next message opens a task (new conversation, or the last task was completed). */
  fresh: boolean;
  /** Task fields as last sent to the current task: field name → value hash (core/plan.ts). */
  fieldsSent?: Record<string, string>;
  /** The customer opted out of messages from the channel: replies fail until they write again. */
  unsubscribed?: boolean;
  updatedAt: number;
  /** The customer's last message (not an employee's, nor an echo of one). */
  last?: LastMessage;
  /** The widget's metadata; left out where only the routing is read (conversationsOf). */
  meta?: WidgetMeta;
}

/** A conversation as a customer's history lists it: its metadata only where its visits came from. */
export type ConversationSummary = Omit<Conversation, 'meta'> & { meta?: Pick<WidgetMeta, 'channel' | 'referrer' | 'landing' | 'utm'> };

/** Where a page of a customer's history resumes: after the item with this time and id. */
export interface HistoryCursor {
  at: number;
  id: string;
}

/** One page of a customer's history, and where the next resumes (absent after the last). */
export interface HistoryPage<T> {
  items: T[];
  next?: HistoryCursor;
}

/** A message the relay sent for Planfix: how provider receipts find Planfix's messageId. */
export interface Outbound {
  messageId: string;
}
export type DeliveryStatus = 'sent' | 'read' | 'error';

/** A Planfix contact found or created by its phone, with the number as Planfix stores it. */
export interface PlanfixContact {
  id: number;
  phone: string;
}

/**
 * How far the account's mirror of its Planfix phone book (planfix/phone-book.ts) has got. A pass
 * reads `contact/list` a page at a time: `full` every contact, `changes` those modified lately.
 */
export interface PhoneBookState {
  /** The pass under way: the offset of its next page, resumed there after a restart. */
  pass?: { kind: 'full' | 'changes'; offset: number; startedAt: number; contacts: number };
  /** When the last full pass that completed had started, and how many contacts it read. */
  fullAt?: number;
  fullContacts?: number;
  /** When the last pass of either kind that completed had started: the next `changes` pass reads from there. */
  syncedAt?: number;
  /** Planfix refused the changes filter: until the next full pass, only full passes run. */
  changesRefused?: boolean;
  /** The Planfix the mirror was read from (the account's `planfix.url`): another one is read afresh. */
  url?: string;
  /** A pass failed in a way that lasts (a refused token, an answer of another shape): not before this. */
  retryAt?: number;
  /** The last pass that failed, and why (Planfix's words, or the network's). */
  error?: { at: number; text: string };
}

const MAX_PAGES = 100;
const LAST_TEXT_MAX = 200;

/** The visit's source, when it has one worth telling: a referrer, a landing page or a UTM tag. */
export function sourceOf(visit: Visit | undefined, at: number, channel: string): VisitSource | undefined {
  if (!visit) return undefined;
  const utm = Object.fromEntries(Object.entries(visit.utm ?? {}).filter(([, v]) => v)) as Record<string, string>;
  const has = Object.keys(utm).length > 0;
  if (!visit.referrer && !visit.landing && !has) return undefined;
  return { at, channel, ...(visit.referrer ? { referrer: visit.referrer } : {}), ...(visit.landing ? { landing: visit.landing } : {}), ...(has ? { utm } : {}) };
}

/** A message as the customer's history shows it: the first non-empty line, or what it carried instead. */
export function lastMessageOf(ev: MessageEvent): LastMessage {
  const line = ev.text.split(/\r?\n/).map((l) => l.trim()).find(Boolean) ?? '';
  const text = line.length > LAST_TEXT_MAX ? `${line.slice(0, LAST_TEXT_MAX - 1)}…` : line;
  const attachment = ev.attachments[0]?.name;
  return { at: ev.at, text, ...(attachment ? { attachment: attachment.slice(0, LAST_TEXT_MAX) } : {}), ...(ev.content ? { content: ev.content.kind } : {}) };
}

/** The visit the metadata holds, as an adapter would have given it. */
export function visitOf(meta: WidgetMeta): Visit {
  const { visitor, referrer, landing, dashboardUrl, context, utm, pages, siteData } = meta;
  return { ...visitor, referrer, landing, dashboardUrl, context, utm, pages, siteData };
}

/** Merges a visit into the metadata: details replace, UTM is never emptied, pages accumulate. */
export function mergeMeta(meta: WidgetMeta, visit: Visit | undefined, customer: WidgetMeta['customer']): WidgetMeta {
  const next: WidgetMeta = { ...meta, customer: { ...meta.customer }, visitor: { ...meta.visitor }, utm: { ...meta.utm }, pages: meta.pages };
  for (const [k, v] of Object.entries(customer)) if (v) (next.customer as Record<string, string>)[k] = v;
  if (!visit) return next;
  for (const k of ['city', 'country', 'ip', 'browser', 'os', 'device'] as const) if (visit[k]) next.visitor[k] = visit[k];
  if (visit.referrer) next.referrer = visit.referrer;
  if (visit.landing) next.landing = visit.landing;
  if (visit.dashboardUrl) next.dashboardUrl = visit.dashboardUrl;
  if (visit.context) next.context = visit.context;
  for (const [k, v] of Object.entries(visit.utm ?? {})) if (v) next.utm[k] = v;
  if (visit.siteData) {
    // The latest values win; keys the site stopped sending stay, the oldest going first past the cap.
    const kept = Object.entries(meta.siteData ?? {}).filter(([k]) => !Object.prototype.hasOwnProperty.call(visit.siteData, k));
    next.siteData = Object.fromEntries([...kept, ...Object.entries(visit.siteData)].slice(-SITE_DATA_MAX_KEYS));
  }
  if (visit.pages?.length) {
    const key = (p: Page) => `${p.url}|${p.at ?? ''}`;
    const known = new Set(meta.pages.map(key));
    const added = visit.pages.filter((p) => !known.has(key(p)));
    if (added.length) next.pages = [...meta.pages, ...added].slice(-MAX_PAGES);
  }
  return next;
}
