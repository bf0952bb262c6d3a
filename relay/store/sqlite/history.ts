import { contactsOf, merged, summary } from '../history-page.ts';
import type { CallRecord, Conversation, ConversationSummary, HistoryCursor, HistoryPage, VisitSource } from '../records.ts';
import type { Db } from './db.ts';

// A customer's history for the widget: their conversations and calls newest first, a page at a
// time, and what links a Planfix contact to them. Each list is read per contact through an index
// ending in its order (schema step 8), so a page costs the same whatever the history holds; a
// customer of several contacts gets each one's page merged.

const UPDATED = "json_extract(data, '$.updatedAt')";

/** The statements every account shares, prepared once per connection. */
export function historyStatements(db: Db) {
  const q = (sql: string) => db.sql.prepare(sql);
  const conversations = (where: string) => q(`SELECT data, meta FROM conversations WHERE account = ? AND contact = ?${where}
    ORDER BY ${UPDATED} DESC, chat_id DESC LIMIT ?`);
  const calls = (where: string, order: 'ASC' | 'DESC') => q(`SELECT data FROM calls WHERE account = ? AND contact = ?${where}
    ORDER BY at ${order}, call_id ${order} LIMIT ?`).pluck();
  return {
    contact: q('SELECT data FROM contacts WHERE account = ? AND key = ?').pluck(),
    putContact: q('UPDATE contacts SET data = ? WHERE account = ? AND key = ?'),
    taskConversation: q(`SELECT c.data FROM tasks t JOIN conversations c ON c.account = t.account AND c.chat_id = t.chat_id
      WHERE t.account = ? AND t.number = ?`).pluck(),
    planfixPhones: q("SELECT phone FROM planfix_contacts WHERE account = ? AND json_extract(data, '$.id') = ? ORDER BY phone").pluck(),
    conversations: conversations(''),
    conversationsAfter: conversations(` AND (${UPDATED}, chat_id) < (?, ?)`),
    calls: calls('', 'DESC'),
    callsAfter: calls(' AND (at, call_id) < (?, ?)', 'DESC'),
    oldestCalls: calls('', 'ASC'),
    oldestCallsAfter: calls(' AND (at, call_id) > (?, ?)', 'ASC'),
  };
}

export type HistoryStatements = ReturnType<typeof historyStatements>;

/** One account's customer history, read from the connection's statements. */
export class SqliteHistory {
  constructor(private readonly account: string, private readonly db: Db, private readonly st: HistoryStatements) {}

  noteFirstVisit(key: string, visit: VisitSource): Promise<void> {
    return this.db.write(() => {
      const json = this.st.contact.get(this.account, key) as string | undefined;
      if (!json) return;
      const c = JSON.parse(json) as { firstVisit?: VisitSource };
      if (c.firstVisit && c.firstVisit.at <= visit.at) return;
      this.st.putContact.run(JSON.stringify({ ...c, firstVisit: visit }), this.account, key);
    });
  }

  taskConversation(taskNumber: number): Promise<Conversation | undefined> {
    const json = this.st.taskConversation.get(this.account, taskNumber) as string | undefined;
    return Promise.resolve(json ? JSON.parse(json) as Conversation : undefined);
  }

  planfixPhones(id: number): Promise<string[]> {
    return Promise.resolve(this.st.planfixPhones.all(this.account, id) as string[]);
  }

  customerConversations(keys: string[], page: { limit: number; after?: HistoryCursor }): Promise<HistoryPage<ConversationSummary>> {
    const { after } = page;
    const read = (key: string, n: number) => (after
      ? this.st.conversationsAfter.all(this.account, key, after.at, after.id, n)
      : this.st.conversations.all(this.account, key, n)) as { data: string; meta: string | null }[];
    const pages = contactsOf(keys).map((k) => read(k, page.limit + 1).map((r) => summary(r.data, r.meta)));
    return Promise.resolve(merged(pages, page.limit, (c) => ({ at: c.updatedAt, id: c.chatId })));
  }

  customerCalls(keys: string[], page: { limit: number; after?: HistoryCursor; oldest?: boolean }): Promise<HistoryPage<CallRecord>> {
    const { after, oldest } = page;
    const [first, next] = oldest ? [this.st.oldestCalls, this.st.oldestCallsAfter] : [this.st.calls, this.st.callsAfter];
    const read = (key: string, n: number) => (after ? next.all(this.account, key, after.at, after.id, n) : first.all(this.account, key, n)) as string[];
    const pages = contactsOf(keys).map((k) => read(k, page.limit + 1).map((d) => JSON.parse(d) as CallRecord));
    return Promise.resolve(merged(pages, page.limit, (c) => ({ at: c.at, id: c.callId }), oldest));
  }
}
