import { contactsOf, merged, summary } from '../history-page.ts';
import type { CallRecord, Conversation, ConversationSummary, HistoryCursor, HistoryPage, VisitSource } from '../records.ts';
import type { Db } from './db.ts';

// A customer's history for the widget on PostgreSQL, as sqlite/history.ts answers it. Ids are
// ordered with the "C" collation (bytes), as SQLite orders them, so the pages of a customer's
// contacts merge and resume the same on both engines. Schema step 2 has the indexes that end in
// each list's order.

const UPDATED = "((data::json->>'updatedAt')::float8)";

/** One account's customer history. */
export class PgHistory {
  constructor(private readonly account: string, private readonly db: Db) {}

  async noteFirstVisit(key: string, visit: VisitSource): Promise<void> {
    await this.db.tx(async (q) => {
      const [r] = await q<{ data: string }>('SELECT data FROM contacts WHERE account = $1 AND key = $2 FOR UPDATE', [this.account, key]);
      if (!r) return;
      const c = JSON.parse(r.data) as { firstVisit?: VisitSource };
      if (c.firstVisit && c.firstVisit.at <= visit.at) return;
      await q('UPDATE contacts SET data = $1 WHERE account = $2 AND key = $3', [JSON.stringify({ ...c, firstVisit: visit }), this.account, key]);
    });
  }

  async taskConversation(taskNumber: number): Promise<Conversation | undefined> {
    const [r] = await this.db.query<{ data: string }>(`SELECT c.data FROM tasks t JOIN conversations c ON c.account = t.account AND c.chat_id = t.chat_id
      WHERE t.account = $1 AND t.number = $2`, [this.account, taskNumber]);
    return r ? JSON.parse(r.data) as Conversation : undefined;
  }

  async planfixPhones(id: number): Promise<string[]> {
    const rows = await this.db.query<{ phone: string }>('SELECT phone FROM planfix_contacts WHERE account = $1 AND holder = $2 ORDER BY phone COLLATE "C"', [this.account, id]);
    return rows.map((r) => r.phone);
  }

  async customerConversations(keys: string[], page: { limit: number; after?: HistoryCursor }): Promise<HistoryPage<ConversationSummary>> {
    const { after } = page;
    const read = (key: string) => this.db.query<{ data: string; meta: string | null }>(
      `SELECT data, meta FROM conversations WHERE account = $1 AND contact = $2${after ? ` AND (${UPDATED}, chat_id COLLATE "C") < ($4::float8, $5::text COLLATE "C")` : ''}
      ORDER BY ${UPDATED} DESC, chat_id COLLATE "C" DESC LIMIT $3`,
      [this.account, key, page.limit + 1, ...(after ? [after.at, after.id] : [])],
    );
    const pages = await Promise.all(contactsOf(keys).map(async (k) => (await read(k)).map((r) => summary(r.data, r.meta))));
    return merged(pages, page.limit, (c) => ({ at: c.updatedAt, id: c.chatId }));
  }

  async customerCalls(keys: string[], page: { limit: number; after?: HistoryCursor; oldest?: boolean }): Promise<HistoryPage<CallRecord>> {
    const { after, oldest } = page;
    const [order, beyond] = oldest ? ['ASC', '>'] : ['DESC', '<'];
    const read = (key: string) => this.db.query<{ data: string }>(
      `SELECT data FROM calls WHERE account = $1 AND contact = $2${after ? ` AND (at, call_id COLLATE "C") ${beyond} ($4::float8, $5::text COLLATE "C")` : ''}
      ORDER BY at ${order}, call_id COLLATE "C" ${order} LIMIT $3`,
      [this.account, key, page.limit + 1, ...(after ? [after.at, after.id] : [])],
    );
    const pages = await Promise.all(contactsOf(keys).map(async (k) => (await read(k)).map((r) => JSON.parse(r.data) as CallRecord)));
    return merged(pages, page.limit, (c) => ({ at: c.at, id: c.callId }), oldest);
  }
}
