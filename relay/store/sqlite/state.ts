import type { Customer } from '../../core/events.ts';
import { contactKey, type Identifiers, type IdentityIndex } from '../../core/identity.ts';
import type { CallRecord, Contact, Conversation, DeliveryStatus, HistoryCursor, PhoneBookState, PlanfixContact, TaskView, VisitSource, WidgetMeta } from '../records.ts';
import type { AccountState, Bound } from '../store.ts';
import type { Db } from './db.ts';
import { historyStatements, SqliteHistory } from './history.ts';

/** Calls the widget lists for one task or contact; older ones stay in the database. */
const CALLS_SHOWN = 200;

type Kind = 'c' | 'p' | 'e';

/** The statements every account shares, prepared once per connection. */
export function stateStatements(db: Db) {
  const q = (sql: string) => db.sql.prepare(sql);
  return {
    identity: q('SELECT contact FROM identities WHERE account = ? AND kind = ? AND value = ?').pluck(),
    bindIdentity: q('INSERT OR IGNORE INTO identities (account, kind, value, contact) VALUES (?, ?, ?, ?)'),
    contact: q('SELECT data FROM contacts WHERE account = ? AND key = ?').pluck(),
    putContact: q('INSERT OR REPLACE INTO contacts (account, key, data) VALUES (?, ?, ?)'),
    conversation: q('SELECT data, meta FROM conversations WHERE account = ? AND chat_id = ?'),
    conversationData: q('SELECT data FROM conversations WHERE account = ? AND chat_id = ?').pluck(),
    conversationsOf: q('SELECT data FROM conversations WHERE account = ? AND contact = ?').pluck(),
    putConversation: q('INSERT OR REPLACE INTO conversations (account, chat_id, contact, touched, data, meta) VALUES (?, ?, ?, ?, ?, ?)'),
    putConversationData: q('UPDATE conversations SET data = ?, touched = ? WHERE account = ? AND chat_id = ?'),
    task: q('SELECT chat_id FROM tasks WHERE account = ? AND number = ?').pluck(),
    putTask: q('INSERT OR REPLACE INTO tasks (account, number, chat_id) VALUES (?, ?, ?)'),
    meta: q('SELECT meta FROM conversations WHERE account = ? AND chat_id = ?').pluck(),
    outbound: q('SELECT message_id FROM outbound WHERE account = ? AND provider_key = ?').pluck(),
    putOutbound: q('INSERT OR REPLACE INTO outbound (account, provider_key, message_id, at) VALUES (?, ?, ?, ?)'),
    status: q('SELECT status FROM statuses WHERE account = ? AND message_id = ?').pluck(),
    putStatus: q('INSERT OR REPLACE INTO statuses (account, message_id, status, at) VALUES (?, ?, ?, ?)'),
    planfixContact: q('SELECT data FROM planfix_contacts WHERE account = ? AND phone = ?').pluck(),
    // Stamped with when it was learnt: a full pass of the phone book that began later and did not see it drops it.
    putPlanfixContact: q('INSERT OR REPLACE INTO planfix_contacts (account, phone, data, synced) VALUES (?, ?, ?, ?)'),
    mirrorPlanfixContact: q(`INSERT INTO planfix_contacts (account, phone, data, synced) VALUES (?, ?, ?, ?)
      ON CONFLICT (account, phone) DO UPDATE SET data = excluded.data, synced = excluded.synced
      WHERE json_extract(planfix_contacts.data, '$.id') >= json_extract(excluded.data, '$.id') OR planfix_contacts.synced IS NULL OR planfix_contacts.synced < ?`),
    pruneMirror: q('DELETE FROM planfix_contacts WHERE account = ? AND (synced IS NULL OR synced < ?)'),
    planfixNumbers: q('SELECT COUNT(*) FROM planfix_contacts WHERE account = ?').pluck(),
    phoneBook: q('SELECT data FROM phone_book WHERE account = ?').pluck(),
    putPhoneBook: q('INSERT OR REPLACE INTO phone_book (account, data) VALUES (?, ?)'),
    call: q('SELECT data FROM calls WHERE account = ? AND call_id = ?').pluck(),
    // An upsert, not a REPLACE: the row keeps its rowid, which orders calls of the same second as they came.
    putCall: q(`INSERT INTO calls (account, call_id, task, contact, at, touched, data) VALUES (?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (account, call_id) DO UPDATE SET task = excluded.task, contact = excluded.contact, at = excluded.at, touched = excluded.touched, data = excluded.data`),
    callsOfTask: q(`SELECT data FROM calls WHERE account = ? AND task = ? ORDER BY at DESC, rowid LIMIT ${CALLS_SHOWN}`).pluck(),
    history: historyStatements(db),
  };
}

type Statements = ReturnType<typeof stateStatements>;

const parse = <T>(json: unknown): T | undefined => (typeof json === 'string' ? JSON.parse(json) as T : undefined);

/**
 * One account's state as rows. Reads go to SQLite each time (its page cache is bounded), so memory
 * does not grow with history; better-sqlite3 answers synchronously, and a change that reads before
 * it writes (binding an identity) happens inside one write, with nothing in between.
 */
export class SqliteAccountState implements AccountState {
  /** The identity rules of core/identity.ts read this, inside a write. */
  private readonly index: IdentityIndex = {
    byClient: (v) => this.identity('c', v),
    byPhone: (v) => this.identity('p', v),
    byEmail: (v) => this.identity('e', v),
  };

  private readonly history: SqliteHistory;

  constructor(private readonly account: string, private readonly db: Db, private readonly st: Statements) {
    this.history = new SqliteHistory(account, db, st.history);
  }

  private identity(kind: Kind, value: string): string | undefined {
    return this.st.identity.get(this.account, kind, value) as string | undefined;
  }

  byPhone(e164: string) { return Promise.resolve(this.identity('p', e164)); }
  byClient(client: string) { return Promise.resolve(this.identity('c', client)); }

  private contactNow(key: string): Contact | undefined {
    return parse<Contact>(this.st.contact.get(this.account, key));
  }

  contact(key: string) { return Promise.resolve(this.contactNow(key)); }

  bind(ids: Identifiers, details: (prev: Contact | undefined) => Omit<Customer, 'clientId'>): Promise<Bound> {
    // The write runs at once: its contact is known now, and it is on disk when the write resolves.
    let contact: Contact | undefined;
    const written = this.db.write(() => (contact = this.bindNow(ids, details)));
    return contact ? Promise.resolve({ contact, written: written.then(() => undefined) }) : written.then((c) => ({ contact: c, written: Promise.resolve() }));
  }

  private bindNow(ids: Identifiers, details: (prev: Contact | undefined) => Omit<Customer, 'clientId'>): Contact {
    const key = contactKey(this.index, ids);
    const prev = this.contactNow(key);
    const c: Contact = prev ?? { key, phones: [], emails: [], clients: [], customer: {} };
    const next: Contact = { ...c, phones: [...c.phones], emails: [...c.emails], clients: [...c.clients], customer: { ...c.customer } };
    const claim = (kind: Kind, value: string | undefined, list: string[]) => {
      if (value && this.st.bindIdentity.run(this.account, kind, value, key).changes) list.push(value);
    };
    claim('c', ids.client, next.clients);
    claim('p', ids.phone, next.phones);
    claim('e', ids.email, next.emails);
    for (const [k, v] of Object.entries(details(prev)) as [keyof Contact['customer'], string | undefined][]) {
      if (v) next.customer[k] = v;
    }
    if (!prev || JSON.stringify(next) !== JSON.stringify(c)) this.st.putContact.run(this.account, key, JSON.stringify(next));
    return next;
  }

  markContactSent(key: string, fingerprint: string): Promise<void> {
    // Most messages find it as it is: no write, and no commit to wait for.
    if (this.contactNow(key)?.sent === fingerprint) return Promise.resolve();
    return this.db.write(() => {
      const c = this.contactNow(key);
      if (c && c.sent !== fingerprint) this.st.putContact.run(this.account, key, JSON.stringify({ ...c, sent: fingerprint }));
    });
  }

  private conversationNow(chatId: string): Conversation | undefined {
    const r = this.st.conversation.get(this.account, chatId) as { data: string; meta: string | null } | undefined;
    if (!r) return undefined;
    const c = JSON.parse(r.data) as Conversation;
    if (r.meta) c.meta = JSON.parse(r.meta) as WidgetMeta;
    return c;
  }

  conversation(chatId: string) { return Promise.resolve(this.conversationNow(chatId)); }

  conversationsOf(contactKey: string): Promise<Conversation[]> {
    return Promise.resolve((this.st.conversationsOf.all(this.account, contactKey) as string[]).map((d) => JSON.parse(d) as Conversation));
  }

  putConversation(c: Conversation): Promise<void> {
    const { meta, ...data } = c;
    return this.db.write(() => void this.st.putConversation.run(this.account, c.chatId, c.contactKey, Date.now(), JSON.stringify(data), meta ? JSON.stringify(meta) : null));
  }

  /** A conversation's routing, without its metadata. */
  private conversationData(chatId: string): Conversation | undefined {
    return parse<Conversation>(this.st.conversationData.get(this.account, chatId));
  }

  /** Changes a conversation's routing, leaving its metadata as it is. */
  private updateConversation(chatId: string, change: (c: Conversation) => Conversation | undefined): Promise<void> {
    return this.db.write(() => {
      const c = this.conversationData(chatId);
      if (!c) return;
      const next = change(c);
      if (next) this.st.putConversationData.run(JSON.stringify(next), Date.now(), this.account, chatId);
    });
  }

  setTask(chatId: string, taskNumber: number, active: boolean): Promise<void> {
    const changes = (c: Conversation) => c.taskNumber !== taskNumber || c.fresh === active;
    // Learnt after every message, and mostly the same: no write, and no commit to wait for.
    const known = this.conversationData(chatId);
    if (!known || (!changes(known) && this.st.task.get(this.account, taskNumber) === chatId)) return Promise.resolve();
    return this.db.write(() => {
      const c = this.conversationData(chatId);
      if (!c) return;
      if (changes(c)) {
        // A task the relay did not open (Planfix opened it when an employee closed the last one)
        // has none of the fields sent to its predecessor.
        const opened = c.taskNumber !== undefined && c.taskNumber !== taskNumber && !c.fresh;
        const { fieldsSent, ...rest } = c;
        const next = { ...rest, ...(fieldsSent && !opened ? { fieldsSent } : {}), taskNumber, fresh: !active };
        this.st.putConversationData.run(JSON.stringify(next), Date.now(), this.account, chatId);
      }
      if (this.st.task.get(this.account, taskNumber) !== chatId) this.st.putTask.run(this.account, taskNumber, chatId);
    });
  }

  setFieldsSent(chatId: string, fieldsSent: Record<string, string>): Promise<void> {
    return this.updateConversation(chatId, (c) => ({ ...c, fieldsSent }));
  }

  markFresh(chatId: string): Promise<void> {
    return this.updateConversation(chatId, (c) => (c.fresh ? undefined : { ...c, fresh: true }));
  }

  outboundOf(providerKey: string) {
    const messageId = this.st.outbound.get(this.account, providerKey) as string | undefined;
    if (!messageId) return Promise.resolve(undefined);
    const status = this.st.status.get(this.account, messageId) as DeliveryStatus | undefined;
    return Promise.resolve({ messageId, ...(status ? { status } : {}) });
  }

  putOutbound(providerKey: string, messageId: string): Promise<void> {
    return this.db.write(() => void this.st.putOutbound.run(this.account, providerKey, messageId, Date.now()));
  }

  setStatus(messageId: string, status: DeliveryStatus): Promise<void> {
    return this.db.write(() => void this.st.putStatus.run(this.account, messageId, status, Date.now()));
  }

  planfixContact(e164: string) {
    return Promise.resolve(parse<PlanfixContact>(this.st.planfixContact.get(this.account, e164)));
  }

  putPlanfixContact(e164: string, c: PlanfixContact): Promise<void> {
    return this.db.write(() => void this.st.putPlanfixContact.run(this.account, e164, JSON.stringify(c), Date.now()));
  }

  phoneBook() {
    return Promise.resolve({
      state: parse<PhoneBookState>(this.st.phoneBook.get(this.account)) ?? {},
      numbers: this.st.planfixNumbers.get(this.account) as number,
    });
  }

  putPhoneBookPage(page: { entries: { e164: string; contact: PlanfixContact }[]; at: number; freshFrom: number; prune: boolean }, state: PhoneBookState): Promise<void> {
    return this.db.write(() => {
      for (const e of page.entries) this.st.mirrorPlanfixContact.run(this.account, e.e164, JSON.stringify(e.contact), page.at, page.freshFrom);
      if (page.prune) this.st.pruneMirror.run(this.account, page.at);
      this.st.putPhoneBook.run(this.account, JSON.stringify(state));
    });
  }

  call(callId: string) {
    return Promise.resolve(parse<CallRecord>(this.st.call.get(this.account, callId)));
  }

  putCall(call: CallRecord): Promise<CallRecord> {
    return this.db.write(() => {
      const prev = parse<CallRecord>(this.st.call.get(this.account, call.callId));
      const next = { ...prev, ...Object.fromEntries(Object.entries(call).filter(([, v]) => v !== undefined)) } as CallRecord;
      if (prev?.utm || call.utm) next.utm = { ...prev?.utm, ...call.utm };
      if (prev && JSON.stringify(prev) === JSON.stringify(next)) return prev;
      this.st.putCall.run(this.account, next.callId, next.taskNumber ?? null, next.contactKey ?? null, next.at, Date.now(), JSON.stringify(next));
      return next;
    });
  }

  taskView(taskNumber: number): Promise<TaskView | undefined> {
    const chatId = this.st.task.get(this.account, taskNumber) as string | undefined;
    const chat = chatId ? parse<WidgetMeta>(this.st.meta.get(this.account, chatId)) : undefined;
    const calls = (this.st.callsOfTask.all(this.account, taskNumber) as string[]).map((d) => JSON.parse(d) as CallRecord);
    return Promise.resolve(chat || calls.length ? { ...(chat ? { chat } : {}), calls } : undefined);
  }

  noteFirstVisit(key: string, visit: VisitSource) { return this.history.noteFirstVisit(key, visit); }
  taskConversation(taskNumber: number) { return this.history.taskConversation(taskNumber); }
  planfixPhones(id: number) { return this.history.planfixPhones(id); }
  customerConversations(keys: string[], page: { limit: number; after?: HistoryCursor }) { return this.history.customerConversations(keys, page); }
  customerCalls(keys: string[], page: { limit: number; after?: HistoryCursor; oldest?: boolean }) { return this.history.customerCalls(keys, page); }
}
