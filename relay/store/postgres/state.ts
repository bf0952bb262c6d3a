import type { Customer } from '../../core/events.ts';
import { contactKey, type Identifiers } from '../../core/identity.ts';
import type { CallRecord, Contact, Conversation, DeliveryStatus, HistoryCursor, PhoneBookState, PlanfixContact, TaskView, VisitSource, WidgetMeta } from '../records.ts';
import type { AccountState, Bound } from '../store.ts';
import type { Db, Query } from './db.ts';
import { PgHistory } from './history.ts';

/** Calls the widget lists for one task or contact; older ones stay in the database. */
const CALLS_SHOWN = 200;

type Kind = 'c' | 'p' | 'e';

const parse = <T>(json: string | null | undefined): T | undefined => (typeof json === 'string' ? JSON.parse(json) as T : undefined);

/**
 * Holds, until the transaction ends, the lock of one thing of an account: whoever reads it to
 * write it back (binding a customer, merging a call) waits for the one before, in any process.
 */
const lock = (q: Query, ...what: string[]) => q('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [what.join('\n')]);

const PUT_CONTACT = 'INSERT INTO contacts (account, key, data) VALUES ($1, $2, $3) ON CONFLICT (account, key) DO UPDATE SET data = excluded.data';
const PUT_CONVERSATION_DATA = 'UPDATE conversations SET data = $1, touched = $2 WHERE account = $3 AND chat_id = $4';

// The phone book mirror's numbers (see AccountState.putPhoneBookPage): a number stays with its
// oldest holder unless that holder was last read before the last full pass ($5).
const MIRROR = `INSERT INTO planfix_contacts AS p (account, phone, holder, data, synced)
  SELECT $1, phone, holder, data, $6::float8 FROM unnest($2::text[], $3::bigint[], $4::text[]) AS i (phone, holder, data)
  ON CONFLICT (account, phone) DO UPDATE SET holder = excluded.holder, data = excluded.data, synced = excluded.synced
  WHERE p.holder >= excluded.holder OR p.synced IS NULL OR p.synced < $5`;

/**
 * One account's state as rows. Every read goes to the server; a change that reads before it
 * writes runs in one transaction, holding a row's lock or, where the row may not exist yet, an
 * advisory lock, so that two requests at once (or two relays) cannot both read the old state.
 */
export class PgAccountState implements AccountState {
  private readonly history: PgHistory;

  constructor(private readonly account: string, private readonly db: Db) {
    this.history = new PgHistory(account, db);
  }

  noteFirstVisit(key: string, visit: VisitSource) { return this.history.noteFirstVisit(key, visit); }
  taskConversation(taskNumber: number) { return this.history.taskConversation(taskNumber); }
  planfixPhones(id: number) { return this.history.planfixPhones(id); }
  customerConversations(keys: string[], page: { limit: number; after?: HistoryCursor }) { return this.history.customerConversations(keys, page); }
  customerCalls(keys: string[], page: { limit: number; after?: HistoryCursor; oldest?: boolean }) { return this.history.customerCalls(keys, page); }

  private async identity(kind: Kind, value: string): Promise<string | undefined> {
    const [r] = await this.db.query<{ contact: string }>('SELECT contact FROM identities WHERE account = $1 AND kind = $2 AND value = $3', [this.account, kind, value]);
    return r?.contact;
  }

  byPhone(e164: string) { return this.identity('p', e164); }
  byClient(client: string) { return this.identity('c', client); }

  async contact(key: string): Promise<Contact | undefined> {
    const [r] = await this.db.query<{ data: string }>('SELECT data FROM contacts WHERE account = $1 AND key = $2', [this.account, key]);
    return parse<Contact>(r?.data);
  }

  async bind(ids: Identifiers, details: (prev: Contact | undefined) => Omit<Customer, 'clientId'>): Promise<Bound> {
    // Decided and written in one transaction: the contact is on disk when it is known.
    const contact = await this.db.tx(async (q) => {
      await lock(q, this.account, 'identities');
      const asked: [Kind, string | undefined][] = [['c', ids.client], ['p', ids.phone], ['e', ids.email]];
      const known = new Map((await q<{ kind: string; value: string; contact: string }>(
        'SELECT kind, value, contact FROM identities WHERE account = $1 AND (kind, value) IN ((\'c\', $2), (\'p\', $3), (\'e\', $4))',
        [this.account, ...asked.map(([, v]) => v ?? null)],
      )).map((r) => [`${r.kind}:${r.value}`, r.contact]));
      const key = contactKey({
        byClient: (v) => known.get(`c:${v}`),
        byPhone: (v) => known.get(`p:${v}`),
        byEmail: (v) => known.get(`e:${v}`),
      }, ids);
      const [row] = await q<{ data: string }>('SELECT data FROM contacts WHERE account = $1 AND key = $2', [this.account, key]);
      const prev = parse<Contact>(row?.data);
      const c: Contact = prev ?? { key, phones: [], emails: [], clients: [], customer: {} };
      const next: Contact = { ...c, phones: [...c.phones], emails: [...c.emails], clients: [...c.clients], customer: { ...c.customer } };
      // An identifier bound to another customer stays with that one.
      const claims = asked.filter((a): a is [Kind, string] => Boolean(a[1]) && !known.has(`${a[0]}:${a[1]}`));
      if (claims.length) {
        await q('INSERT INTO identities (account, kind, value, contact) SELECT $1, k, v, $4 FROM unnest($2::text[], $3::text[]) AS i (k, v)',
          [this.account, claims.map(([k]) => k), claims.map(([, v]) => v), key]);
        const lists: Record<Kind, string[]> = { c: next.clients, p: next.phones, e: next.emails };
        for (const [kind, value] of claims) lists[kind].push(value);
      }
      for (const [k, v] of Object.entries(details(prev)) as [keyof Contact['customer'], string | undefined][]) {
        if (v) next.customer[k] = v;
      }
      if (!prev || JSON.stringify(next) !== JSON.stringify(c)) await q(PUT_CONTACT, [this.account, key, JSON.stringify(next)]);
      return next;
    });
    return { contact, written: Promise.resolve() };
  }

  async markContactSent(key: string, fingerprint: string): Promise<void> {
    // Most messages find it as it is: no transaction.
    const known = await this.contact(key);
    if (!known || known.sent === fingerprint) return;
    await this.db.tx(async (q) => {
      // The lock bind() holds: a binding under way is not undone by this write, nor this one by it.
      await lock(q, this.account, 'identities');
      const [r] = await q<{ data: string }>('SELECT data FROM contacts WHERE account = $1 AND key = $2', [this.account, key]);
      const c = parse<Contact>(r?.data);
      if (c && c.sent !== fingerprint) await q(PUT_CONTACT, [this.account, key, JSON.stringify({ ...c, sent: fingerprint })]);
    });
  }

  async conversation(chatId: string): Promise<Conversation | undefined> {
    const [r] = await this.db.query<{ data: string; meta: string | null }>('SELECT data, meta FROM conversations WHERE account = $1 AND chat_id = $2', [this.account, chatId]);
    if (!r) return undefined;
    const c = JSON.parse(r.data) as Conversation;
    if (r.meta) c.meta = JSON.parse(r.meta) as WidgetMeta;
    return c;
  }

  async conversationsOf(contactKey: string): Promise<Conversation[]> {
    const rows = await this.db.query<{ data: string }>('SELECT data FROM conversations WHERE account = $1 AND contact = $2', [this.account, contactKey]);
    return rows.map((r) => JSON.parse(r.data) as Conversation);
  }

  async putConversation(c: Conversation): Promise<void> {
    const { meta, ...data } = c;
    await this.db.query(`INSERT INTO conversations (account, chat_id, contact, touched, data, meta) VALUES ($1, $2, $3, $4, $5, $6)
      ON CONFLICT (account, chat_id) DO UPDATE SET contact = excluded.contact, touched = excluded.touched, data = excluded.data, meta = excluded.meta`,
    [this.account, c.chatId, c.contactKey, Date.now(), JSON.stringify(data), meta ? JSON.stringify(meta) : null]);
  }

  /** A conversation's routing, without its metadata; `forUpdate` locks its row for the transaction. */
  private async routing(q: Query, chatId: string, forUpdate = false): Promise<Conversation | undefined> {
    const [r] = await q<{ data: string }>(`SELECT data FROM conversations WHERE account = $1 AND chat_id = $2${forUpdate ? ' FOR UPDATE' : ''}`, [this.account, chatId]);
    return parse<Conversation>(r?.data);
  }

  /** Changes a conversation's routing, leaving its metadata as it is. */
  private async updateConversation(chatId: string, change: (c: Conversation) => Conversation | undefined): Promise<void> {
    await this.db.tx(async (q) => {
      const c = await this.routing(q, chatId, true);
      const next = c && change(c);
      if (next) await q(PUT_CONVERSATION_DATA, [JSON.stringify(next), Date.now(), this.account, chatId]);
    });
  }

  private async taskChat(q: Query, taskNumber: number): Promise<string | undefined> {
    const [r] = await q<{ chat_id: string }>('SELECT chat_id FROM tasks WHERE account = $1 AND number = $2', [this.account, taskNumber]);
    return r?.chat_id;
  }

  async setTask(chatId: string, taskNumber: number, active: boolean): Promise<void> {
    const changes = (c: Conversation) => c.taskNumber !== taskNumber || c.fresh === active;
    // Learnt after every message, and mostly the same: no transaction.
    const read: Query = this.db.query.bind(this.db);
    const known = await this.routing(read, chatId);
    if (!known || (!changes(known) && (await this.taskChat(read, taskNumber)) === chatId)) return;
    await this.db.tx(async (q) => {
      const c = await this.routing(q, chatId, true);
      if (!c) return;
      if (changes(c)) {
        // A task the relay did not open (Planfix opened it when an employee closed the last one)
        // has none of the fields sent to its predecessor.
        const opened = c.taskNumber !== undefined && c.taskNumber !== taskNumber && !c.fresh;
        const { fieldsSent, ...rest } = c;
        const next = { ...rest, ...(fieldsSent && !opened ? { fieldsSent } : {}), taskNumber, fresh: !active };
        await q(PUT_CONVERSATION_DATA, [JSON.stringify(next), Date.now(), this.account, chatId]);
      }
      await q('INSERT INTO tasks (account, number, chat_id) VALUES ($1, $2, $3) ON CONFLICT (account, number) DO UPDATE SET chat_id = excluded.chat_id',
        [this.account, taskNumber, chatId]);
    });
  }

  setFieldsSent(chatId: string, fieldsSent: Record<string, string>): Promise<void> {
    return this.updateConversation(chatId, (c) => ({ ...c, fieldsSent }));
  }

  markFresh(chatId: string): Promise<void> {
    return this.updateConversation(chatId, (c) => (c.fresh ? undefined : { ...c, fresh: true }));
  }

  async outboundOf(providerKey: string) {
    const [r] = await this.db.query<{ message_id: string; status: DeliveryStatus | null }>(`SELECT o.message_id, s.status FROM outbound o
      LEFT JOIN statuses s ON s.account = o.account AND s.message_id = o.message_id WHERE o.account = $1 AND o.provider_key = $2`, [this.account, providerKey]);
    return r ? { messageId: r.message_id, ...(r.status ? { status: r.status } : {}) } : undefined;
  }

  async putOutbound(providerKey: string, messageId: string): Promise<void> {
    await this.db.query(`INSERT INTO outbound (account, provider_key, message_id, at) VALUES ($1, $2, $3, $4)
      ON CONFLICT (account, provider_key) DO UPDATE SET message_id = excluded.message_id, at = excluded.at`, [this.account, providerKey, messageId, Date.now()]);
  }

  async setStatus(messageId: string, status: DeliveryStatus): Promise<void> {
    await this.db.query(`INSERT INTO statuses (account, message_id, status, at) VALUES ($1, $2, $3, $4)
      ON CONFLICT (account, message_id) DO UPDATE SET status = excluded.status, at = excluded.at`, [this.account, messageId, status, Date.now()]);
  }

  async planfixContact(e164: string): Promise<PlanfixContact | undefined> {
    const [r] = await this.db.query<{ data: string }>('SELECT data FROM planfix_contacts WHERE account = $1 AND phone = $2', [this.account, e164]);
    return parse<PlanfixContact>(r?.data);
  }

  async putPlanfixContact(e164: string, c: PlanfixContact): Promise<void> {
    // Stamped with when it was learnt: a full pass of the phone book that began later and did not see it drops it.
    await this.db.query(`INSERT INTO planfix_contacts (account, phone, holder, data, synced) VALUES ($1, $2, $3, $4, $5)
      ON CONFLICT (account, phone) DO UPDATE SET holder = excluded.holder, data = excluded.data, synced = excluded.synced`, [this.account, e164, c.id, JSON.stringify(c), Date.now()]);
  }

  async phoneBook() {
    const [r] = await this.db.query<{ data: string | null; numbers: number }>(`SELECT (SELECT data FROM phone_book WHERE account = $1) AS data,
      (SELECT count(*) FROM planfix_contacts WHERE account = $1) AS numbers`, [this.account]);
    return { state: parse<PhoneBookState>(r!.data) ?? {}, numbers: r!.numbers };
  }

  async putPhoneBookPage(page: { entries: { e164: string; contact: PlanfixContact }[]; at: number; freshFrom: number; prune: boolean }, state: PhoneBookState): Promise<void> {
    // A number twice on one page: the oldest holder, as two writes one after the other would leave it.
    const oldest = new Map<string, PlanfixContact>();
    for (const e of page.entries) {
      const held = oldest.get(e.e164);
      if (!held || e.contact.id < held.id) oldest.set(e.e164, e.contact);
    }
    const entries = [...oldest];
    await this.db.tx(async (q) => {
      if (entries.length) {
        await q(MIRROR, [this.account, entries.map(([e164]) => e164), entries.map(([, c]) => c.id), entries.map(([, c]) => JSON.stringify(c)), page.freshFrom, page.at]);
      }
      if (page.prune) await q('DELETE FROM planfix_contacts WHERE account = $1 AND (synced IS NULL OR synced < $2)', [this.account, page.at]);
      await q('INSERT INTO phone_book (account, data) VALUES ($1, $2) ON CONFLICT (account) DO UPDATE SET data = excluded.data', [this.account, JSON.stringify(state)]);
    });
  }

  async call(callId: string): Promise<CallRecord | undefined> {
    const [r] = await this.db.query<{ data: string }>('SELECT data FROM calls WHERE account = $1 AND call_id = $2', [this.account, callId]);
    return parse<CallRecord>(r?.data);
  }

  putCall(call: CallRecord): Promise<CallRecord> {
    return this.db.tx(async (q) => {
      await lock(q, this.account, 'call', call.callId);
      const [r] = await q<{ data: string }>('SELECT data FROM calls WHERE account = $1 AND call_id = $2', [this.account, call.callId]);
      const prev = parse<CallRecord>(r?.data);
      const next = { ...prev, ...Object.fromEntries(Object.entries(call).filter(([, v]) => v !== undefined)) } as CallRecord;
      if (prev?.utm || call.utm) next.utm = { ...prev?.utm, ...call.utm };
      if (prev && JSON.stringify(prev) === JSON.stringify(next)) return prev;
      // An upsert keeps the row's n, which orders calls of the same second as they came.
      await q(`INSERT INTO calls (account, call_id, task, contact, at, touched, data) VALUES ($1, $2, $3, $4, $5, $6, $7)
        ON CONFLICT (account, call_id) DO UPDATE SET task = excluded.task, contact = excluded.contact, at = excluded.at, touched = excluded.touched, data = excluded.data`,
      [this.account, next.callId, next.taskNumber ?? null, next.contactKey ?? null, next.at, Date.now(), JSON.stringify(next)]);
      return next;
    });
  }

  async taskView(taskNumber: number): Promise<TaskView | undefined> {
    const [chatRows, callRows] = await Promise.all([
      this.db.query<{ meta: string | null }>(`SELECT c.meta FROM tasks t JOIN conversations c ON c.account = t.account AND c.chat_id = t.chat_id
        WHERE t.account = $1 AND t.number = $2`, [this.account, taskNumber]),
      this.db.query<{ data: string }>(`SELECT data FROM calls WHERE account = $1 AND task = $2 ORDER BY at DESC, n LIMIT ${CALLS_SHOWN}`, [this.account, taskNumber]),
    ]);
    const chat = parse<WidgetMeta>(chatRows[0]?.meta);
    const calls = callRows.map((r) => JSON.parse(r.data) as CallRecord);
    return chat || calls.length ? { ...(chat ? { chat } : {}), calls } : undefined;
  }
}
