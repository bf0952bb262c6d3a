import type { Loaded } from './api.ts';
import { sameTarget, type Target } from './detect.ts';
import { el, link, safeUrl, type Child } from './dom.ts';
import { history, type ListName, type MoreState } from './history.ts';
import { labels, pageLang, when, type Labels, type Lang } from './i18n.ts';
import { byKey, call, rows, section } from './parts.ts';
import { CSS } from './styles.ts';
import type { ContactData, CustomerData, HistoryList, TaskData, WidgetChat } from './types.ts';

export type View = { target: Target } & (Loaded | { kind: 'loading' });

export const HOST_TAG = 'planfix-relay-widget';
const COLLAPSED_KEY = 'planfix-relay:collapsed';
const FIRST_PAGES = 5;

/** Below this width a floating panel would cover most of the task: it starts collapsed. */
const NARROW_PX = 768;

/** The employee's own choice, kept across pages; undefined until they make one. Storage can be off (privacy settings). */
export function readCollapsed(): boolean | undefined {
  try {
    const v = localStorage.getItem(COLLAPSED_KEY);
    return v === '1' ? true : v === '0' ? false : undefined;
  } catch {
    return undefined;
  }
}
function saveCollapsed(v: boolean): void {
  try {
    localStorage.setItem(COLLAPSED_KEY, v ? '1' : '0');
  } catch { /* not remembered, still works */ }
}

/** One panel: a host element with a shadow root, re-rendered as a whole on every change. */
export class Panel {
  readonly host: HTMLElement;
  private readonly root: ShadowRoot;
  private view: View | undefined;
  private allPages = false;
  private readonly more: MoreState = { loading: new Set(), failed: new Set(), onMore: (list) => void this.loadMore(list) };
  onRetry: (target: Target) => void = () => {};
  /** Reads the next page of one of the customer's lists. */
  onMore: (target: Target, list: ListName, after: string) => Promise<Loaded<HistoryList<unknown>>> = () => Promise.resolve({ kind: 'empty' });

  /** `chosen`: the employee's collapse choice as readCollapsed() gave it. */
  constructor(private readonly accountLang: string | undefined, private chosen: boolean | undefined) {
    this.host = document.createElement(HOST_TAG);
    this.root = this.host.attachShadow({ mode: 'open' });
  }

  show(view: View): void {
    if (!sameTarget(view.target, this.view?.target)) this.allPages = false;
    this.more.loading.clear();
    this.more.failed.clear();
    this.view = view;
    // data-task or data-contact: what the page is about, for a reader (the tests) to wait on.
    const d = this.host.dataset;
    delete d[view.target.kind === 'task' ? 'contact' : 'task'];
    d[view.target.kind] = String(view.target.id);
    d.state = view.kind;
    this.render();
  }

  /** The customer's history shown, if any. */
  private customer(): CustomerData | undefined {
    const v = this.view;
    return v?.kind === 'data' ? v.data.customer : undefined;
  }

  /** Adds the next page of a list; a target left meanwhile, or a reload, drops it. */
  private async loadMore(list: ListName): Promise<void> {
    const view = this.view;
    const after = this.customer()?.[list].more;
    if (!view || !after || this.more.loading.has(list)) return;
    this.more.loading.add(list);
    this.more.failed.delete(list);
    this.render();
    const r = await this.onMore(view.target, list, after);
    if (this.view !== view) return;
    this.more.loading.delete(list);
    const customer = this.customer()!;
    if (r.kind === 'data') {
      const { items, more } = r.data;
      (customer as Record<ListName, HistoryList<unknown>>)[list] = { items: [...customer[list].items, ...items], ...(more ? { more } : {}) };
    } else {
      this.more.failed.add(list);
    }
    this.render();
    performance.mark('planfix-relay:more', { detail: { ...view.target, list, state: r.kind } });
  }

  /** Whether there is anything to show: a task the relay knows nothing of shows no panel at all. */
  get visible(): boolean {
    return !!this.view && this.view.kind !== 'empty';
  }

  /** Forgets the task shown, until the next one's answer. */
  clear(): void {
    this.view = undefined;
  }

  private get collapsed(): boolean {
    return this.chosen ?? (this.host.hasAttribute('floating') && innerWidth < NARROW_PX);
  }

  /** Renders again, e.g. with the labels of a page language that changed. */
  refresh(): void {
    this.render();
  }

  private render(): void {
    const view = this.view;
    if (!view) return;
    const lang = pageLang(this.accountLang);
    const t = labels(lang);
    const collapsed = this.collapsed;
    const head = el('button', { class: 'head', type: 'button', 'aria-expanded': String(!collapsed), title: collapsed ? t.expand : t.collapse },
      el('span', { class: 'arrow', 'aria-hidden': 'true' }, '▾'), view.target.kind === 'task' ? t.title : t.thisCustomer, el('span', { class: 'task muted' }, `#${view.target.id}`));
    head.addEventListener('click', () => {
      this.chosen = !collapsed;
      saveCollapsed(this.chosen);
      this.render();
    });
    const body = el('div', { class: 'body' }, ...this.content(view, t, lang));
    body.hidden = collapsed;
    this.root.replaceChildren(el('style', {}, CSS), el('div', { class: collapsed ? 'panel collapsed' : 'panel' }, head, body));
  }

  private content(view: View, t: Labels, lang: Lang): Child[] {
    switch (view.kind) {
      case 'loading': return [el('p', { class: 'note' }, t.loading)];
      case 'empty': return [];
      case 'unauthorised': return [el('p', { class: 'error' }, t.reinstall)];
      case 'error': {
        const retry = el('button', { class: 'link', type: 'button' }, t.retry);
        retry.addEventListener('click', () => this.onRetry(view.target));
        return [el('p', { class: 'error' }, `${t.unreachable} (${view.detail}). `, retry)];
      }
      case 'data': return view.target.kind === 'contact'
        ? [history((view.data as ContactData).customer, t, lang, this.more)]
        : this.sections(view.data as TaskData, t, lang);
    }
  }

  private sections(d: TaskData, t: Labels, lang: Lang): Child[] {
    const chat = d.chat;
    const channel = chat?.channel ?? d.calls.find((c) => c.channel)?.channel;
    const dashboard = safeUrl(chat?.dashboardUrl);
    const utm = { ...Object.assign({}, ...d.calls.map((c) => c.utm ?? {})), ...chat?.utm } as Record<string, string>;
    const list = [
      section('channel', t.channel, channel && el('div', {},
        el('div', {}, [channel.title, channel.name].filter(Boolean).join(' · ')),
        dashboard && link(dashboard, `${t.openIn} ${channel.title}`))),
      chat && section('customer', t.customer, rows([[t.name, chat.customer.name], [t.phone, chat.customer.phone], [t.email, chat.customer.email]])),
      chat && section('visitor', t.visitor, rows([
        [t.browser, chat.visitor.browser], [t.os, chat.visitor.os], [t.device, chat.visitor.device],
        [t.ip, chat.visitor.ip], [t.city, chat.visitor.city], [t.country, chat.visitor.country],
      ])),
      chat && this.pages(chat, t, lang),
      chat && section('source', t.source, rows([
        [t.referrer, chat.referrer && link(chat.referrer, chat.referrer)],
        [t.landing, chat.landing && link(chat.landing, chat.landing)],
      ])),
      section('utm', t.utm, rows(Object.entries(utm).sort(byKey))),
      // In the site's own order: it usually puts what matters first.
      chat?.siteData && section('site', t.siteData, rows(Object.entries(chat.siteData))),
      d.calls.length > 0 && section('calls', t.calls, el('ul', {}, ...d.calls.map((c) => call(c, t, lang)))),
      d.customer && section('history', t.thisCustomer, history(d.customer, t, lang, this.more)),
    ];
    return list.filter((x): x is HTMLElement => !!x);
  }

  private pages(chat: WidgetChat, t: Labels, lang: Lang): HTMLElement | undefined {
    if (!chat.pages.length) return undefined;
    // Newest first; pages without a time keep their visit order among themselves.
    const sorted = chat.pages.map((p, i) => ({ p, i })).sort((a, b) => (b.p.at ?? 0) - (a.p.at ?? 0) || b.i - a.i).map((x) => x.p);
    const visible = this.allPages ? sorted : sorted.slice(0, FIRST_PAGES);
    const items = visible.map((p) => el('li', {}, link(p.url, p.title || p.url), el('time', {}, when(p.at, lang))));
    let more: HTMLElement | undefined;
    if (sorted.length > FIRST_PAGES) {
      more = el('button', { class: 'link', type: 'button', 'data-action': 'pages' }, this.allPages ? t.showFewer : `${t.showAll} (${sorted.length})`);
      more.addEventListener('click', () => {
        this.allPages = !this.allPages;
        this.render();
      });
    }
    return section('pages', t.pages, el('div', {}, el('ol', {}, ...items), more));
  }
}
