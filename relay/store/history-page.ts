import type { Conversation, ConversationSummary, HistoryCursor, HistoryPage, WidgetMeta } from './records.ts';

// A customer's history a page at a time, as both engines answer it: each contact's page is read
// through an index ending in the list's order, and the pages of a customer's contacts are merged.

/** Where visits came from, and nothing of the pages, visitor or site data a page of history does not show. */
export function summary(data: string, meta: string | null): ConversationSummary {
  const c = JSON.parse(data) as Conversation;
  if (!meta) return c;
  const { channel, referrer, landing, utm } = JSON.parse(meta) as WidgetMeta;
  return { ...c, meta: { channel, utm, ...(referrer ? { referrer } : {}), ...(landing ? { landing } : {}) } };
}

/** The contacts of a customer, each once: one page is read per contact. */
export const contactsOf = (keys: string[]): string[] => [...new Set(keys)];

/**
 * The first `limit` of the contacts' pages (each read with one more than a page, to know whether
 * another follows) merged in the list's order.
 */
export function merged<T>(pages: T[][], limit: number, cursor: (x: T) => HistoryCursor, oldest = false): HistoryPage<T> {
  const sign = oldest ? 1 : -1;
  const all = pages.flat().map((x) => ({ x, c: cursor(x) }));
  // Ids compare as bytes (UTF-8), as SQLite's BINARY and PostgreSQL's "C" collation do, so a cursor resumes where the page ended.
  all.sort((a, b) => sign * (a.c.at - b.c.at || Buffer.compare(Buffer.from(a.c.id), Buffer.from(b.c.id))));
  const items = all.slice(0, limit);
  return { items: items.map((i) => i.x), ...(all.length > limit ? { next: items.at(-1)!.c } : {}) };
}
