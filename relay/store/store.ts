import type { Customer, RelayEvent } from '../core/events.ts';
import type { Identifiers } from '../core/identity.ts';
import type { Op } from '../core/plan.ts';
import type { TrafficDelta, TrafficHour } from '../core/traffic.ts';
import type { ActivityItem } from '../delivery/activity.ts';
import type { DeadReason } from '../delivery/dead-reason.ts';
import type { CallRecord, Contact, Conversation, ConversationSummary, DeliveryStatus, HistoryCursor, HistoryPage, PhoneBookState, PlanfixContact, TaskView, VisitSource } from './records.ts';

// What the relay needs from durable storage, whatever engine holds it (SQLite in the data
// directory, or PostgreSQL with RELAY_DATABASE_URL). Every write resolves once it is durable; reads are async so
// an engine across the network can implement them. The contract tests (test/store-contract.test.ts)
// run against every engine.

export interface Entry {
  /** `${channelId}:${eventId}`, or `${accountId}:${eventId}` for Planfix callbacks. */
  id: string;
  seq: number;
  account: string;
  channel: string;
  /** Events with the same key are delivered one after another, in seq order. */
  key: string;
  at: number;
  event: RelayEvent;
  /** The delivery plan, fixed the first time the event is worked on, so a retry repeats nothing. */
  plan?: Op[];
  /** How many ops of the plan are done. */
  step: number;
  /** Failed attempts so far, and when the next one is due: a restart keeps the backoff. */
  attempts?: number;
  nextAt?: number;
  /** `code`: the reason sorted for the admin page's plain words (absent on letters written before it was kept). */
  dead?: { reason: string; at: number; code?: DeadReason };
}

export type NewEntry = Omit<Entry, 'seq' | 'step' | 'attempts' | 'nextAt' | 'dead' | 'plan'>;

/** Events waiting for delivery of one account's channel, in all processes. */
export interface Waiting {
  account: string;
  channel: string;
  n: number;
  /** When the oldest of them came. */
  oldest: number;
}

export interface ClaimsEvents {
  /** The session holding the claims was lost, and every claim with it; `why`: the driver's words, for the log. */
  lost: (why: string) => void;
  /** Another process gave keys up: look for work now. */
  work: () => void;
  /** An account's settings changed in another process (`*`: any may have). */
  account: (id: string) => void;
}

/**
 * Several relay processes on one database (PostgreSQL): which queue keys this one delivers. A key
 * is held by one process at a time, from its claim to its release, so its events still go one
 * after another in seq order; a process that dies loses its claims.
 */
export interface Claims {
  /** Claims the keys nobody holds; resolves with those this process got, and the session's epoch they were got in. */
  claim(keys: string[]): Promise<{ keys: string[]; epoch: number }>;
  /** The keys' pending entries, in seq order; `after`: for each key, only those past this seq. */
  entriesOf(keys: string[], after?: number[]): Promise<Entry[]>;
  /** Gives the key up; resolves true when events of it are still pending (claim it again). */
  release(key: string): Promise<boolean>;
  /** Keys with events due that this process does not hold (`mine`), oldest first, and what waits in all processes. */
  poll(now: number, mine: string[]): Promise<{ keys: string[]; waiting: Waiting[] }>;
  /** Counts the sessions lost: what was claimed in an earlier one is void. */
  readonly epoch: number;
  /** Whether this process runs the once-per-database jobs (phone book, reconciliation, retention); tries to become it. */
  lead(): Promise<boolean>;
  notify(channel: 'relay_work' | 'relay_accounts', payload?: string): Promise<void>;
  on<K extends keyof ClaimsEvents>(event: K, fn: ClaimsEvents[K]): void;
}

/** The durable queue between ingest and delivery. */
export interface Journal {
  /**
   * With one process per store (SQLite): every entry waiting for delivery (not done, not dead), in
   * memory, bounded by admission's backlog cap. With `claims` instead, the processes share the
   * database and each holds only what it claimed (delivery/claimer.ts).
   */
  readonly pending?: ReadonlyMap<string, Entry>;
  readonly claims?: Claims;
  /** Whether events of these queue keys of the account wait for delivery, in any process. */
  waiting(account: string, keys: string[]): Promise<boolean>;
  /** Which of these ids were journaled (or marked seen) before. */
  seen(ids: string[]): Promise<Set<string>>;
  /**
   * Journals the events that are not duplicates (a unique id) and resolves with them once they are
   * durable. A duplicate of an event still being written resolves only when that write does.
   * `taken`, when given, is told the new entries as soon as they are decided, possibly before they
   * are durable (the worker starts on them so that their delivery's first writes share the commit);
   * if they then fail to be written, add rejects.
   */
  add(items: NewEntry[], taken?: (fresh: Entry[]) => void): Promise<Entry[]>;
  /** Remembers an id without an event: our own messages coming back in provider webhooks. */
  markSeen(id: string): Promise<void>;
  setPlan(e: Entry, plan: Op[]): Promise<void>;
  setStep(e: Entry, step: number): Promise<void>;
  /** Records a failed attempt and the time of the next; not waited for (a lost one retries sooner). */
  retryAt(e: Entry, attempts: number, at: number): void;
  done(e: Entry): Promise<void>;
  dead(e: Entry, reason: string, code?: DeadReason): Promise<void>;
  deadLetters(account: string): Promise<Entry[]>;
  /** Puts a dead letter back among the pending, its attempts reset; undefined when there is none. */
  revive(account: string, id: string): Promise<Entry | undefined>;
  /**
   * Puts every dead letter of the account back among the pending in one write, in seq order (so
   * each conversation's stay in their original order), or the first `limit` of them; resolves
   * with them.
   */
  reviveAll(account: string, limit?: number): Promise<Entry[]>;
  /** Deletes a dead letter for good; false when there is none. */
  dismiss(account: string, id: string): Promise<boolean>;
  readonly healthy: boolean;
}

/** The contact bind() decided on, and the moment that binding is on disk. */
export interface Bound {
  contact: Contact;
  written: Promise<void>;
}

/** One account's conversations, contacts, calls and message ids. */
export interface AccountState {
  byPhone(e164: string): Promise<string | undefined>;
  byClient(client: string): Promise<string | undefined>;
  contact(key: string): Promise<Contact | undefined>;
  /**
   * Finds the customer's contact by the identity rules (core/identity.ts) and binds the
   * identifiers and details to it, in one step: two first messages of one customer at once make
   * one contact. An identifier bound to another customer stays with that one. Resolves with the
   * contact once it is decided; `written` resolves once the binding is durable, so a caller can
   * make its other writes meanwhile and wait for them all at once.
   */
  bind(ids: Identifiers, details: (prev: Contact | undefined) => Omit<Customer, 'clientId'>): Promise<Bound>;
  markContactSent(key: string, fingerprint: string): Promise<void>;
  conversation(chatId: string): Promise<Conversation | undefined>;
  /** The contact's conversations, without their widget metadata. */
  conversationsOf(contactKey: string): Promise<Conversation[]>;
  putConversation(c: Conversation): Promise<void>;
  setTask(chatId: string, taskNumber: number, active: boolean): Promise<void>;
  setFieldsSent(chatId: string, fieldsSent: Record<string, string>): Promise<void>;
  /** The conversation's task was completed: the next message opens a new one. */
  markFresh(chatId: string): Promise<void>;
  /** The Planfix message a provider message id carried, and the last status Planfix was told. */
  outboundOf(providerKey: string): Promise<{ messageId: string; status?: DeliveryStatus } | undefined>;
  putOutbound(providerKey: string, messageId: string): Promise<void>;
  setStatus(messageId: string, status: DeliveryStatus): Promise<void>;
  planfixContact(e164: string): Promise<PlanfixContact | undefined>;
  putPlanfixContact(e164: string, c: PlanfixContact): Promise<void>;
  /** The phone book mirror's progress, and how many numbers the account's index holds. */
  phoneBook(): Promise<{ state: PhoneBookState; numbers: number }>;
  /**
   * A page of the Planfix phone book and the pass's progress, in one write: a restart resumes after
   * the last page on disk. `page.at`: when the pass began, kept on each number it read. A number
   * several contacts hold stays with the oldest (lowest id), as a search by phone decides, unless
   * its holder was last read before `page.freshFrom` (the last full pass's start): then the number
   * has moved. `page.prune`: the page ends a full pass, and the numbers it did not read (deleted or
   * moved in Planfix) leave the index, but for those the relay learnt since the pass began.
   */
  putPhoneBookPage(page: { entries: { e164: string; contact: PlanfixContact }[]; at: number; freshFrom: number; prune: boolean }, state: PhoneBookState): Promise<void>;
  call(callId: string): Promise<CallRecord | undefined>;
  /** Records a call or its later state; fields once known are not emptied. */
  putCall(call: CallRecord): Promise<CallRecord>;
  /** Everything the widget shows for a task; undefined when the relay knows nothing of it. */
  taskView(taskNumber: number): Promise<TaskView | undefined>;

  // The customer's history, for the widget (relay/http/widget-customer.ts). Each list is read a
  // page at a time through an index, so a customer with years of calls costs what one page does.

  /** Keeps the visit as the contact's first unless it has an earlier one; an unknown contact is not made. */
  noteFirstVisit(key: string, visit: VisitSource): Promise<void>;
  /** The conversation whose task this is (routing only, no metadata); undefined when none is. */
  taskConversation(taskNumber: number): Promise<Conversation | undefined>;
  /** The numbers the Planfix phone index holds for Planfix contact `id` (calls' contacts, the phone book mirror). */
  planfixPhones(id: number): Promise<string[]>;
  /**
   * The conversations of these contacts, newest first (by `updatedAt`, then chat id), `limit` at
   * a time, resuming after `after`; each with its last message and where its visits came from.
   */
  customerConversations(contactKeys: string[], page: { limit: number; after?: HistoryCursor }): Promise<HistoryPage<ConversationSummary>>;
  /**
   * The calls attached to these Planfix contacts (`pf:<id>`, CallRecord.contactKey), newest first
   * (by `at`, then call id; `oldest`: the other way round), `limit` at a time, resuming after `after`.
   */
  customerCalls(contactKeys: string[], page: { limit: number; after?: HistoryCursor; oldest?: boolean }): Promise<HistoryPage<CallRecord>>;
}

export interface ActivityLog {
  add(account: string, item: ActivityItem): void;
  /** The latest outcomes, newest first. */
  list(account: string): Promise<ActivityItem[]>;
}

/**
 * Traffic per account, channel and clock hour, for the admin page's charts: a few rows an hour per
 * channel, deleted by retention like the activity, so a year of it is read as quickly as a day.
 */
export interface TrafficLog {
  /** Adds the counts to their hours (the backlog: the hour keeps the highest); resolves once durable. */
  add(deltas: TrafficDelta[]): Promise<void>;
  /** The account's hours in [from, to), oldest first, only those with a row: one channel's, or all summed. */
  hours(account: string, from: number, to: number, channel?: string): Promise<TrafficHour[]>;
}

/**
 * An account's dead-letter alerts (relay/alerts/): the dead letters not yet alerted about and when
 * the last alert went, kept so that a restart (or a crash loop) does not alert again sooner.
 */
export interface AlertState {
  /** Customers' messages that became dead letters since the last alert. */
  unsent: number;
  /** When the first of those did. */
  firstAt?: number;
  lastSentAt?: number;
}

export interface AlertLog {
  get(account: string): Promise<AlertState>;
  /** Counts `n` new dead letters at `at` (the first since an alert sets firstAt); resolves with the state once durable. */
  count(account: string, n: number, at: number): Promise<AlertState>;
  /**
   * Records an alert about `n` of them sent at `at`: they leave the count (those counted meanwhile
   * stay, with firstAt = at). Called before the alert goes, so a crash while sending never sends it twice.
   * `after`: the lastSentAt the caller decided on; when another relay process recorded an alert
   * since, nothing changes and this resolves undefined (that one sends it).
   */
  sent(account: string, n: number, at: number, after: number | undefined): Promise<AlertState | undefined>;
  /** Accounts with dead letters not yet alerted about, for a restart to schedule their alert. */
  waiting(): Promise<{ account: string; state: AlertState }[]>;
}

/** What one reconciliation of a channel with its provider's log did (relay/delivery/recovery.ts). */
export interface RecoveryRun {
  startedAt: number;
  endedAt: number;
  /** The span of the log it read, [from, to); absent when there was nothing to read yet. */
  from?: number;
  to?: number;
  /** Requests made to the provider. */
  requests: number;
  /** Final events the log held for the span, and how many of them the relay had not got (journaled now). */
  found: number;
  recovered: number;
  /** Rows still going on (left for the next run), and rows the relay could not use. */
  unfinished: number;
  skipped: number;
  /** Why it stopped before the span's end (the provider's refusal, the network), never with a secret. */
  error?: string;
  /** What the admin should fix although the run worked (the channel's words). */
  warning?: string;
}

/** A channel's reconciliation: how far its log was read, and its last run. */
export interface RecoveryState {
  channel: string;
  account: string;
  /** Everything of the provider's log before this moment was read. */
  coveredTo: number;
  last?: RecoveryRun;
}

export interface RecoveryLog {
  get(channel: string): Promise<RecoveryState | undefined>;
  all(): Promise<RecoveryState[]>;
  /** Replaces the channel's state; resolves once durable. */
  put(state: RecoveryState): Promise<void>;
  /** Deletes the state of a channel that is gone. */
  drop(channel: string): Promise<void>;
}

export interface Store {
  readonly journal: Journal;
  readonly alerts: AlertLog;
  readonly recovery: RecoveryLog;
  readonly activity: ActivityLog;
  readonly traffic: TrafficLog;
  state(account: string): AccountState;
  /** Deletes everything of an account (it was deleted). */
  forget(account: string): Promise<void>;
  /** Deletes what is older than the retention period; returns how many rows went. */
  prune(before: number): Promise<number>;
  /** A consistent copy of the live store, taken while it runs. */
  backup(to: string): Promise<void>;
  readonly healthy: boolean;
  /**
   * Why it is not healthy, in words /healthz may show anyone (no address, user or driver text: the
   * failure itself is in the log); undefined while it is healthy.
   */
  readonly problem: string | undefined;
  close(): Promise<void>;
}
