import { el, link, type Child } from './dom.ts';
import { contentName, when, type Labels, type Lang } from './i18n.ts';
import { byKey, call, channelName, rows, taskLink } from './parts.ts';
import type { CustomerData, HistoryList, WidgetConversation, WidgetSource } from './types.ts';

// "This customer": where the customer first came from and lately, their conversations on every
// channel and their calls, newest first, each list a page at a time.

export type ListName = 'conversations' | 'calls';

/** What the panel tells the section: which list is loading its next page, which failed to. */
export interface MoreState {
  loading: Set<ListName>;
  failed: Set<ListName>;
  onMore: (list: ListName) => void;
}

function source(name: 'first' | 'latest', title: string, s: WidgetSource | undefined, t: Labels, lang: Lang): HTMLElement | undefined {
  if (!s) return undefined;
  const utm = Object.entries(s.utm ?? {}).sort(byKey);
  return el('div', { 'data-source': name },
    el('h4', {}, title),
    rows([
      [t.when, [when(s.at, lang), channelName(s.channel)].filter(Boolean).join(' · ')],
      [t.referrer, s.referrer && link(s.referrer, s.referrer)],
      [t.landing, s.landing && link(s.landing, s.landing)],
      ...utm,
    ]));
}

/** The customer's last message: its first line, else what it held instead of words. */
function lastLine(c: WidgetConversation, t: Labels): string | undefined {
  const l = c.last;
  if (!l) return undefined;
  if (l.text) return l.text;
  if (l.attachment) return `📎 ${l.attachment}`;
  return l.content ? `[${contentName(t, l.content)}]` : undefined;
}

function conversation(c: WidgetConversation, t: Labels, lang: Lang): HTMLElement {
  const last = lastLine(c, t);
  return el('li', { 'data-conversation': '' },
    el('div', { class: 'line' }, el('span', {}, channelName(c.channel)), taskLink(c.task, t)),
    el('div', { class: 'muted' }, when(c.at, lang)),
    last && el('div', { class: 'last', title: last }, last));
}

function list<T>(name: ListName, title: string, page: HistoryList<T>, item: (x: T) => HTMLElement, t: Labels, more: MoreState): HTMLElement | undefined {
  if (!page.items.length && !page.more) return undefined;
  let button: Child;
  if (page.more) {
    const loading = more.loading.has(name);
    const b = el('button', { class: 'link', type: 'button', 'data-action': `more-${name}` }, loading ? t.loading : more.failed.has(name) ? t.retry : t.showMore);
    b.disabled = loading;
    b.addEventListener('click', () => more.onMore(name));
    button = b;
  }
  return el('div', { 'data-list': name }, el('h4', {}, title), el('ul', {}, ...page.items.map(item)), button);
}

/** The section's content; the panel titles it (a task's panel) or is it (a contact's). */
export function history(d: CustomerData, t: Labels, lang: Lang, more: MoreState): HTMLElement {
  const first = source('first', t.firstVisit, d.first, t, lang);
  const latest = source('latest', t.latestVisit, d.latest, t, lang);
  return el('div', { class: 'history' },
    (first || latest) && el('div', { class: 'sources' }, first, latest),
    list('conversations', t.conversations, d.conversations, (c) => conversation(c, t, lang), t, more),
    list('calls', t.calls, d.calls, (c) => call(c, t, lang, true), t, more));
}
