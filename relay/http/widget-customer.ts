import type { CustomerData, HistoryList, WidgetCall, WidgetChannel, WidgetConversation, WidgetSource } from '../../widget/types.ts';
import { adapters } from '../channels/index.ts';
import type { Account } from '../core/account.ts';
import { HttpError } from '../errors.ts';
import type { CallRecord, ConversationSummary, HistoryCursor, HistoryPage, TaskView, VisitSource } from '../store/records.ts';
import type { AccountState } from '../store/store.ts';

// The customer behind a task or a Planfix contact, across the account's channels, for the widget.
//
// The relay knows a customer two ways: chats by its own contact key (an E.164 phone, an e-mail or
// a provider's client id; one Planfix chat contact each), calls by the Planfix contact they were
// attached to (`pf:<id>`). Phone numbers link the two: the Planfix phone index (the contacts calls
// found or created, and the phone book mirror) says which Planfix contact holds a number, the
// identity index which chat contact. A chat customer known by e-mail or client id alone has no
// number to link by: their chats show on their tasks, but not on the Planfix contact's page.

export const PAGE_SIZE = 20;
/**
 * A number shared by many (an office line) links at most this many chat contacts, and Planfix
 * contacts: each is one indexed read per page.
 */
const MAX_KEYS = 50;
const MAX_PLANFIX = 10;
/** Pages of the store one request reads at most, skipping what the task shown holds itself. */
const MAX_READS = 5;

export type HistoryListName = 'conversations' | 'calls';

/** The relay's contact keys and the Planfix contact ids that are one customer. */
export interface Customer {
  keys: string[];
  planfix: number[];
}

const titleOf = (kind: string) => adapters[kind]?.title ?? kind;

/** The channel as it is named now; one deleted since, as it was named when the data was stored. */
export function widgetChannel(a: Account, id: string, stored?: { kind: string; name: string }): WidgetChannel | undefined {
  const c = a.channels.find((x) => x.id === id);
  if (c) return { kind: c.kind, title: titleOf(c.kind), name: c.name };
  return stored ? { kind: stored.kind, title: titleOf(stored.kind), name: stored.name } : undefined;
}

export function widgetCall(a: Account, c: CallRecord): WidgetCall {
  return {
    at: c.at, direction: c.direction, status: c.status, phone: c.phone, durationSec: c.durationSec, employee: c.employee,
    recordingUrl: c.recordingUrl, cardUrl: c.cardUrl, analyticsId: c.analyticsId, utm: c.utm, channel: widgetChannel(a, c.channel),
    ...(c.taskNumber !== undefined ? { task: c.taskNumber } : {}),
  };
}

const pfId = (contactKey: string | undefined) => (contactKey && /^pf:\d+$/.test(contactKey) ? Number(contactKey.slice(3)) : undefined);
const defined = <T>(xs: (T | undefined)[]) => xs.filter((x): x is T => x !== undefined);
const capped = <T>(xs: Iterable<T>, max = MAX_KEYS) => [...new Set(xs)].slice(0, max);

/** Who a task is about: its chat's contact, and its calls' Planfix contacts and numbers. */
export async function seedOfTask(state: AccountState, task: number, view: TaskView): Promise<Customer> {
  const chat = await state.taskConversation(task);
  const byCallPhone = await Promise.all(capped(view.calls.map((c) => c.phone).filter((p) => p.startsWith('+'))).map((p) => state.byPhone(p)));
  return { keys: defined([chat?.contactKey, ...byCallPhone]), planfix: defined(view.calls.map((c) => pfId(c.contactKey))) };
}

/**
 * The customer: the seed's Planfix contacts and those holding its chat contacts' numbers, then every
 * chat contact holding one of those Planfix contacts' numbers. The Planfix contact is the customer:
 * a chat contact's other numbers do not pull in other Planfix contacts' history.
 */
export async function customerOf(state: AccountState, seed: Customer): Promise<Customer> {
  const seedKeys = capped(seed.keys);
  const phones = (await Promise.all(seedKeys.map((k) => state.contact(k)))).flatMap((c) => c?.phones ?? []);
  const found = await Promise.all(capped(phones).map((p) => state.planfixContact(p)));
  const planfix = capped([...seed.planfix, ...defined(found.map((c) => c?.id))], MAX_PLANFIX);
  const numbers = (await Promise.all(planfix.map((id) => state.planfixPhones(id)))).flat();
  const linked = await Promise.all(capped(numbers).map((p) => state.byPhone(p)));
  return { keys: capped([...seedKeys, ...defined(linked)]), planfix };
}

function cursorText(c: HistoryCursor | undefined): string | undefined {
  return c && Buffer.from(JSON.stringify([c.at, c.id])).toString('base64url');
}

/** A cursor this relay gave (`more`); anything else is refused, never read as the first page. */
export function readCursor(raw: unknown): HistoryCursor | undefined {
  if (raw === undefined) return undefined;
  const bad = () => new HttpError(400, 'after: not a position this relay gave (take `more` from the previous page)');
  if (typeof raw !== 'string' || raw.length > 1000 || !/^[\w-]+$/.test(raw)) throw bad();
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  // Any finite time: a provider's clock may give fractions of a millisecond.
  if (!Array.isArray(v) || v.length !== 2 || typeof v[0] !== 'number' || !Number.isFinite(v[0]) || typeof v[1] !== 'string') throw bad();
  return { at: v[0] as number, id: v[1] as string };
}

function conversationItem(a: Account, c: ConversationSummary): WidgetConversation {
  const channel = widgetChannel(a, c.channel, c.meta?.channel) ?? { kind: '', title: '', name: '' };
  const last = c.last && { text: c.last.text, ...(c.last.attachment ? { attachment: c.last.attachment } : {}), ...(c.last.content ? { content: c.last.content } : {}) };
  return { channel, at: c.updatedAt, ...(c.taskNumber !== undefined ? { task: c.taskNumber } : {}), ...(last ? { last } : {}) };
}

const callKeys = (who: Customer) => who.planfix.map((id) => `pf:${id}`);

type Item = ConversationSummary | CallRecord;

function readPage(state: AccountState, who: Customer, list: HistoryListName, limit: number, after?: HistoryCursor): Promise<HistoryPage<Item>> {
  return list === 'conversations'
    ? state.customerConversations(who.keys, { limit, after })
    : state.customerCalls(callKeys(who), { limit, after });
}

const cursorOf = (x: Item): HistoryCursor => ('chatId' in x ? { at: x.updatedAt, id: x.chatId } : { at: x.at, id: x.callId });

/** How many items of each list the task shown holds itself (its view's conversation and calls). */
export type Held = Partial<Record<HistoryListName, number>>;

/**
 * A page of a list without what the task shown holds itself (its conversation, its calls), read on
 * past them so that a page is full while more follow. `first`: the first page read as it was.
 * `held`: the first read takes that many more, so that the page is full without a second read
 * (each read is a query per contact of the customer).
 */
async function shownPage(state: AccountState, who: Customer, list: HistoryListName, after?: HistoryCursor, task?: number, held = 0): Promise<{ page: HistoryPage<Item>; first: Item[] }> {
  const items: Item[] = [];
  let first: Item[] | undefined;
  for (let from = after, reads = 0; ; reads++) {
    // A task with years of its own calls would be read through whole: a request reads a few pages
    // at most, and the next goes on from there (a page may then hold fewer).
    if (reads === MAX_READS && from) return { page: { items, next: from }, first: first ?? [] };
    // The first read no longer than the few pages a request may read in all.
    const extra = reads === 0 && task !== undefined ? Math.min(held, PAGE_SIZE * (MAX_READS - 1)) : 0;
    const page = await readPage(state, who, list, PAGE_SIZE + extra, from);
    first ??= page.items;
    for (const [i, x] of page.items.entries()) {
      if (task !== undefined && x.taskNumber === task) continue;
      items.push(x);
      if (items.length === PAGE_SIZE) {
        const more = i < page.items.length - 1 || page.next;
        return { page: { items, ...(more ? { next: cursorOf(x) } : {}) }, first };
      }
    }
    if (!page.next) return { page: { items }, first };
    from = page.next;
  }
}

function toList(a: Account, page: HistoryPage<Item>): HistoryList<WidgetConversation | WidgetCall> {
  const more = cursorText(page.next);
  return { items: page.items.map((x) => ('chatId' in x ? conversationItem(a, x) : widgetCall(a, x))), ...(more ? { more } : {}) };
}

/** The page of one list after `after`. */
export async function historyList(a: Account, state: AccountState, who: Customer, list: HistoryListName, after?: HistoryCursor, task?: number): Promise<HistoryList<WidgetConversation | WidgetCall>> {
  return toList(a, (await shownPage(state, who, list, after, task)).page);
}

function widgetSource(a: Account, s: VisitSource, stored?: { kind: string; name: string }): WidgetSource {
  return { at: s.at, channel: widgetChannel(a, s.channel, stored), referrer: s.referrer, landing: s.landing, utm: s.utm ?? {} };
}

const sameSource = (x: WidgetSource, y: WidgetSource) => x.referrer === y.referrer && x.landing === y.landing && JSON.stringify(x.utm) === JSON.stringify(y.utm);
const callSource = (c: CallRecord | undefined): VisitSource | undefined => (c?.utm && Object.keys(c.utm).length ? { at: c.at, channel: c.channel, utm: c.utm } : undefined);

/**
 * The first visit with a source (the earliest kept on the customer's chat contacts, or their first
 * call's call-tracking UTM) and the latest (the newest conversation's or call's that has one).
 */
async function sources(a: Account, state: AccountState, who: Customer, convs: ConversationSummary[], calls: CallRecord[]): Promise<Pick<CustomerData, 'first' | 'latest'>> {
  const firsts = (await Promise.all(who.keys.map((k) => state.contact(k)))).map((c) => c?.firstVisit);
  const oldestCall = (await state.customerCalls(callKeys(who), { limit: 1, oldest: true })).items[0];
  const first = defined([...firsts, callSource(oldestCall)]).sort((x, y) => x.at - y.at)[0];
  const chat = convs.find((c) => c.meta && (c.meta.referrer || c.meta.landing || Object.keys(c.meta.utm).length));
  const candidates = defined([
    chat?.meta && { source: { at: chat.updatedAt, channel: chat.channel, referrer: chat.meta.referrer, landing: chat.meta.landing, utm: chat.meta.utm }, stored: chat.meta.channel },
    ...calls.slice(0, 1).map((c) => { const s = callSource(c); return s && { source: s, stored: undefined }; }),
  ]).sort((x, y) => y.source.at - x.source.at);
  const latest = candidates[0] && widgetSource(a, candidates[0].source, candidates[0].stored);
  const firstOut = first && widgetSource(a, first);
  return { ...(firstOut ? { first: firstOut } : {}), ...(latest && !(firstOut && sameSource(firstOut, latest)) ? { latest } : {}) };
}

/**
 * The customer's first page of history: undefined when it holds nothing beyond what the task
 * shown holds (`task`), so a customer of one conversation gets no section repeating it.
 */
export async function customerData(a: Account, state: AccountState, who: Customer, task?: number, held: Held = {}): Promise<CustomerData | undefined> {
  const [convs, calls] = await Promise.all([
    shownPage(state, who, 'conversations', undefined, task, held.conversations),
    shownPage(state, who, 'calls', undefined, task, held.calls),
  ]);
  if (!convs.page.items.length && !calls.page.items.length && !convs.page.next && !calls.page.next) return undefined;
  return {
    ...await sources(a, state, who, convs.first as ConversationSummary[], calls.first as CallRecord[]),
    conversations: toList(a, convs.page) as HistoryList<WidgetConversation>,
    calls: toList(a, calls.page) as HistoryList<WidgetCall>,
  };
}
