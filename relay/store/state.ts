import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { SITE_DATA_MAX_KEYS, type Customer, type Page, type Visit } from '../core/events.ts';
import type { IdentityIndex } from '../core/identity.ts';
import { JsonlFile, eachJsonl, type SkippedLine } from './jsonl.ts';

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
  meta: WidgetMeta;
}

/** A message the relay sent for Planfix: how provider receipts find Planfix's messageId. */
export interface Outbound {
  messageId: string;
}
export type DeliveryStatus = 'sent' | 'read' | 'error';

type Rec =
  | { t: 'o'; p: string; o: Outbound }
  | { t: 'ms'; m: string; s: DeliveryStatus }
  | { t: 'k'; c: Contact }
  | { t: 'c'; c: Conversation }
  | { t: 'tk'; n: number; chatId: string }
  | { t: 'cl'; c: CallRecord }
  | { t: 'pc'; e: string; c: PlanfixContact };

/** A Planfix contact found or created by its phone, with the number as Planfix stores it. */
export interface PlanfixContact {
  id: number;
  phone: string;
}

const MAX_PAGES = 100;

/**
 * One account's state that grows with traffic. Each change appends one record; the file is
 * compacted to one record per object when it is more than twice the live size, so an event costs
 * the same with 100,000 conversations stored as with none.
 */
export class AccountState implements IdentityIndex {
  readonly contacts = new Map<string, Contact>();
  readonly conversations = new Map<string, Conversation>();
  readonly tasks = new Map<number, string>();
  /** `${channelId}:${provider message id}` → the Planfix message it carried. */
  readonly outbound = new Map<string, Outbound>();
  /** Planfix messageId → the last status Planfix was told. */
  readonly statuses = new Map<string, DeliveryStatus>();
  readonly calls = new Map<string, CallRecord>();
  /** E.164 → the Planfix contact holding it: the REST lookup is made once per number. */
  readonly planfixContacts = new Map<string, PlanfixContact>();
  private readonly callsByTask = new Map<number, Set<string>>();
  private readonly callsByContact = new Map<string, Set<string>>();
  private readonly phoneIdx = new Map<string, string>();
  private readonly emailIdx = new Map<string, string>();
  private readonly clientIdx = new Map<string, string>();
  private file: JsonlFile;
  skippedOnLoad = 0;
  /** Where the skipped lines were (the first few), for the start-up warning. */
  skippedLines: SkippedLine[] = [];

  constructor(readonly dir: string) {
    // After a write failure the file is rebuilt from memory, which holds every change made meanwhile.
    this.file = new JsonlFile(join(dir, 'state.jsonl'), true, () => this.records());
  }

  async open(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const { skipped, skippedLines } = await eachJsonl(this.file.path, (rec) => {
      const r = rec as Rec;
      if (r.t === 'k') this.indexContact(sharing.contact(r.c, this.contacts.get(r.c.key)));
      else if (r.t === 'c') this.conversations.set(r.c.chatId, sharing.conversation(r.c, this.conversations.get(r.c.chatId), this.contacts.get(r.c.contactKey)));
      else if (r.t === 'tk') this.tasks.set(r.n, this.conversations.get(r.chatId)?.chatId ?? r.chatId);
      else if (r.t === 'o') this.outbound.set(r.p, r.o);
      else if (r.t === 'ms') this.statuses.set(r.m, r.s);
      else if (r.t === 'cl') this.indexCall(sharing.call(r.c));
      else if (r.t === 'pc') this.planfixContacts.set(r.e, r.c);
    });
    this.skippedOnLoad = skipped;
    this.skippedLines = skippedLines;
    await this.file.open();
  }

  byClient(client: string) { return this.clientIdx.get(client); }
  byPhone(phone: string) { return this.phoneIdx.get(phone); }
  byEmail(email: string) { return this.emailIdx.get(email); }

  private indexContact(c: Contact): void {
    this.contacts.set(c.key, c);
    for (const p of c.phones) if (!this.phoneIdx.has(p)) this.phoneIdx.set(p, c.key);
    for (const e of c.emails) if (!this.emailIdx.has(e)) this.emailIdx.set(e, c.key);
    for (const cl of c.clients) if (!this.clientIdx.has(cl)) this.clientIdx.set(cl, c.key);
  }

  /**
   * Binds identifiers and details to a contact. An identifier already bound to another customer
   * stays with that customer: two people may share a phone, one person never becomes two.
   */
  bindContact(key: string, ids: { client: string; phone?: string; email?: string }, customer: Omit<Customer, 'clientId'>): Promise<Contact> {
    const c: Contact = this.contacts.get(key) ?? { key, phones: [], emails: [], clients: [], customer: {} };
    const next: Contact = { ...c, phones: [...c.phones], emails: [...c.emails], clients: [...c.clients], customer: { ...c.customer } };
    if (!this.clientIdx.has(ids.client)) next.clients.push(ids.client);
    if (ids.phone && !this.phoneIdx.has(ids.phone)) next.phones.push(ids.phone);
    if (ids.email && !this.emailIdx.has(ids.email)) next.emails.push(ids.email);
    for (const [k, v] of Object.entries(customer) as [keyof typeof customer, string | undefined][]) {
      if (v) next.customer[k] = v;
    }
    if (JSON.stringify(next) === JSON.stringify(c) && this.contacts.has(key)) return Promise.resolve(c);
    this.indexContact(next);
    return this.write({ t: 'k', c: next }).then(() => next);
  }

  markContactSent(key: string, fingerprint: string): Promise<void> {
    const c = this.contacts.get(key);
    if (!c || c.sent === fingerprint) return Promise.resolve();
    const next = { ...c, sent: fingerprint };
    this.contacts.set(key, next);
    return this.write({ t: 'k', c: next });
  }

  putConversation(c: Conversation): Promise<void> {
    this.conversations.set(c.chatId, c);
    return this.write({ t: 'c', c });
  }

  setTask(chatId: string, taskNumber: number, active: boolean): Promise<void> {
    const c = this.conversations.get(chatId);
    if (!c) return Promise.resolve();
    const writes: Promise<void>[] = [];
    if (c.taskNumber !== taskNumber || c.fresh === active) {
      // A task the relay did not open (Planfix opened it when an employee closed the last one)
      // has none of the fields sent to its predecessor.
      const opened = c.taskNumber !== undefined && c.taskNumber !== taskNumber && !c.fresh;
      const { fieldsSent, ...rest } = c;
      writes.push(this.putConversation({ ...rest, ...(fieldsSent && !opened ? { fieldsSent } : {}), taskNumber, fresh: !active }));
    }
    if (this.tasks.get(taskNumber) !== chatId) {
      this.tasks.set(taskNumber, chatId);
      writes.push(this.write({ t: 'tk', n: taskNumber, chatId }));
    }
    return Promise.all(writes).then(() => undefined);
  }

  /** Records the task fields a delivered message carried. */
  setFieldsSent(chatId: string, fieldsSent: Record<string, string>): Promise<void> {
    const c = this.conversations.get(chatId);
    return c ? this.putConversation({ ...c, fieldsSent }) : Promise.resolve();
  }

  /** The conversation's task was completed: the next message opens a new one. */
  markFresh(chatId: string): Promise<void> {
    const c = this.conversations.get(chatId);
    return c && !c.fresh ? this.putConversation({ ...c, fresh: true }) : Promise.resolve();
  }

  putOutbound(providerKey: string, o: Outbound): Promise<void> {
    this.outbound.set(providerKey, o);
    return this.write({ t: 'o', p: providerKey, o });
  }

  setStatus(messageId: string, status: DeliveryStatus): Promise<void> {
    this.statuses.set(messageId, status);
    return this.write({ t: 'ms', m: messageId, s: status });
  }

  metaForTask(taskNumber: number): WidgetMeta | undefined {
    const chatId = this.tasks.get(taskNumber);
    return chatId ? this.conversations.get(chatId)?.meta : undefined;
  }

  putPlanfixContact(e164: string, c: PlanfixContact): Promise<void> {
    this.planfixContacts.set(e164, c);
    return this.write({ t: 'pc', e: e164, c });
  }

  private indexCall(c: CallRecord): void {
    this.calls.set(c.callId, c);
    const add = <K>(idx: Map<K, Set<string>>, k: K | undefined) => {
      if (k === undefined) return;
      const set = idx.get(k) ?? new Set<string>();
      set.add(c.callId);
      idx.set(k, set);
    };
    add(this.callsByTask, c.taskNumber);
    add(this.callsByContact, c.contactKey);
  }

  /** Records a call, or its later state (answered, recording); fields once known are not emptied. */
  putCall(call: CallRecord): Promise<CallRecord> {
    const prev = this.calls.get(call.callId);
    const next: CallRecord = { ...prev, ...Object.fromEntries(Object.entries(call).filter(([, v]) => v !== undefined)) } as CallRecord;
    if (prev?.utm || call.utm) next.utm = { ...prev?.utm, ...call.utm };
    if (prev && JSON.stringify(prev) === JSON.stringify(next)) return Promise.resolve(prev);
    this.indexCall(next);
    return this.write({ t: 'cl', c: next }).then(() => next);
  }

  callsFor(idx: { taskNumber?: number; contactKey?: string }): CallRecord[] {
    const ids = idx.taskNumber !== undefined ? this.callsByTask.get(idx.taskNumber) : idx.contactKey ? this.callsByContact.get(idx.contactKey) : undefined;
    return [...ids ?? []].map((id) => this.calls.get(id)!).sort((a, b) => b.at - a.at);
  }

  /** Everything the widget shows for a task; undefined when the relay knows nothing of it. */
  taskView(taskNumber: number): TaskView | undefined {
    const chat = this.metaForTask(taskNumber);
    const calls = this.callsFor({ taskNumber });
    return chat || calls.length ? { ...(chat ? { chat } : {}), calls } : undefined;
  }

  get healthy(): boolean {
    return this.file.healthy;
  }

  get compactionError(): string | undefined {
    return this.file.compactionError;
  }

  private async write(r: Rec): Promise<void> {
    await this.file.append(r);
    this.file.maybeCompact(1024 * 1024, () => this.records());
  }

  /** The log rewritten as one record per live object. */
  private records(): Rec[] {
    return [
      ...[...this.contacts.values()].map((c): Rec => ({ t: 'k', c })),
      ...[...this.conversations.values()].map((c): Rec => ({ t: 'c', c })),
      ...[...this.tasks].map(([n, chatId]): Rec => ({ t: 'tk', n, chatId })),
      ...[...this.outbound].map(([p, o]): Rec => ({ t: 'o', p, o })),
      ...[...this.statuses].map(([m, st]): Rec => ({ t: 'ms', m, s: st })),
      ...[...this.calls.values()].map((c): Rec => ({ t: 'cl', c })),
      ...[...this.planfixContacts].map(([e, c]): Rec => ({ t: 'pc', e, c })),
    ];
  }

  close(): Promise<void> {
    return this.file.close();
  }

  async destroy(): Promise<void> {
    await this.close();
    await rm(this.dir, { recursive: true, force: true });
  }
}

/**
 * Every string JSON.parse returns is a copy of its own, so 100,000 conversations loaded from state
 * files held 100,000 copies of "Kyiv", of the channel's id, of each product page's URL and title,
 * and each contact key, phone and e-mail several times over (in each version of a record, and in
 * the indexes built from the first version). While state files load:
 * - values that repeat across records and accounts (the visit's details, pages, referrer, channel)
 *   share one string from a pool common to all accounts (bounded: 50,000 strings of up to 300
 *   characters; about 4 MB);
 * - a contact's or conversation's record shares the strings of the version it replaces, and a
 *   conversation those of its contact;
 * - a conversation's widget channel and UTM objects, equal across many conversations, are one
 *   frozen object each (frozen: a change in place would throw, never leak to other conversations;
 *   mergeMeta copies them).
 * 1,000 accounts x 100 stored Chatra conversations: see docs/BENCHMARKS.md for the effect.
 */
class Sharing {
  private readonly pool = new Map<string, string>();
  private readonly objects = new Map<string, object>();

  /** The pooled copy of a short string. */
  s<T extends string | undefined>(v: T): T {
    if (typeof v !== 'string' || v.length > 300) return v;
    const known = this.pool.get(v);
    if (known !== undefined) return known as T;
    if (this.pool.size < 50_000) this.pool.set(v, v);
    return v;
  }

  /** One frozen object for equal flat string records (their values pooled). */
  private frozen<T extends object>(o: T): T {
    const r = o as Record<string, unknown>;
    let key = '';
    for (const k in r) {
      const v = r[k];
      if (typeof v !== 'string') return o;
      key += `${k}\u0000${v}\u0000`;
    }
    if (key.length > 1000) return o;
    const known = this.objects.get(key);
    if (known) return known as T;
    for (const k in r) r[k] = this.s(r[k] as string);
    Object.freeze(o);
    if (this.objects.size < 20_000) this.objects.set(key, o);
    return o;
  }

  contact(c: Contact, prev: Contact | undefined): Contact {
    const cu = c.customer as Record<string, string | undefined>;
    if (prev) {
      c.key = prev.key;
      sameItems(c.phones, prev.phones);
      sameItems(c.emails, prev.emails);
      sameItems(c.clients, prev.clients);
      const pu = prev.customer as Record<string, string | undefined>;
      for (const k in cu) if (cu[k] !== undefined && cu[k] === pu[k]) cu[k] = pu[k];
      if (c.sent === prev.sent) c.sent = prev.sent;
    }
    const key = c.key;
    if (c.phones[0] === key) c.phones[0] = key;
    if (c.emails[0] === key) c.emails[0] = key;
    if (cu.phone !== undefined && cu.phone === c.phones[0]) cu.phone = c.phones[0];
    if (cu.email !== undefined && cu.email === c.emails[0]) cu.email = c.emails[0];
    if (cu.displayName !== undefined) cu.displayName = this.s(cu.displayName);
    return c;
  }

  conversation(c: Conversation, prev: Conversation | undefined, contact: Contact | undefined): Conversation {
    if (prev) {
      if (c.chatId === prev.chatId) c.chatId = prev.chatId;
      if (c.clientId === prev.clientId) c.clientId = prev.clientId;
    }
    c.channel = this.s(c.channel);
    const m = c.meta;
    if (contact) {
      if (c.contactKey === contact.key) c.contactKey = contact.key;
      const mc = m?.customer;
      if (mc) {
        const cu = contact.customer;
        if (mc.phone !== undefined && mc.phone === cu.phone) mc.phone = cu.phone;
        if (mc.email !== undefined && mc.email === cu.email) mc.email = cu.email;
        if (mc.name !== undefined && mc.name === cu.name) mc.name = cu.name;
      }
    }
    if (!m) return c;
    if (m.channel) m.channel = this.frozen(m.channel);
    if (m.utm) m.utm = this.frozen(m.utm);
    const v = m.visitor;
    if (v) {
      if (v.city !== undefined) v.city = this.s(v.city);
      if (v.country !== undefined) v.country = this.s(v.country);
      if (v.browser !== undefined) v.browser = this.s(v.browser);
      if (v.os !== undefined) v.os = this.s(v.os);
      if (v.device !== undefined) v.device = this.s(v.device);
    }
    const pages = m.pages;
    if (pages) {
      for (let i = 0; i < pages.length; i++) {
        const p = pages[i]!;
        p.url = this.s(p.url);
        if (p.title !== undefined) p.title = this.s(p.title);
      }
    }
    if (m.referrer !== undefined) m.referrer = this.s(m.referrer);
    if (m.landing !== undefined) m.landing = this.s(m.landing);
    return c;
  }

  call(c: CallRecord): CallRecord {
    c.channel = this.s(c.channel);
    if (c.employee !== undefined) c.employee = this.s(c.employee);
    return c;
  }
}

/** Items of `next` equal to the item at the same place in `prev` become that string. */
function sameItems(next: string[], prev: string[]): void {
  for (let i = 0; i < next.length && i < prev.length; i++) if (next[i] === prev[i]) next[i] = prev[i]!;
}

/** One for all accounts, so that an account loaded later shares the values of those loaded before. */
const sharing = new Sharing();

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
