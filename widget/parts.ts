import { el, link, safeUrl, type Child } from './dom.ts';
import { duration, statusName, when, type Labels, type Lang } from './i18n.ts';
import type { WidgetCall, WidgetChannel } from './types.ts';

// Pieces the panel's sections share: a list of labelled values, a titled section, a call.

export type Row = [label: string, value: Child];

export function rows(list: Row[]): HTMLElement | undefined {
  const shown = list.filter(([, v]) => v !== undefined && v !== null && v !== false && v !== '');
  if (!shown.length) return undefined;
  return el('dl', {}, ...shown.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]));
}

export function section(name: string, title: string, content: Child): HTMLElement | undefined {
  return content ? el('section', { 'data-section': name }, el('h3', {}, title), content) : undefined;
}

/**
 * Entries by key, compared as code units: the relay's UTM keys (utm_campaign … utm_term) come out
 * as localeCompare orders them, without the 10-15 ms a fresh tab spends loading ICU's collation
 * data for its first localeCompare.
 */
export const byKey = ([a]: [string, unknown], [b]: [string, unknown]) => (a < b ? -1 : a > b ? 1 : 0);

export const channelName = (c: WidgetChannel | undefined) => (c ? [c.title, c.name].filter(Boolean).join(' · ') : undefined);

/** A link to a task of this Planfix, opened in place as Planfix's own links are. */
export function taskLink(task: number | undefined, t: Labels): HTMLElement | undefined {
  return typeof task === 'number' && Number.isSafeInteger(task) && task > 0
    ? el('a', { href: `/task/${task}`, 'data-field': 'task' }, `${t.task} #${task}`)
    : undefined;
}

/** A recording's player, made on the first click: a long history draws no media element it does not play. */
function playButton(src: string, t: Labels): HTMLElement {
  const b = el('button', { class: 'link', type: 'button', 'data-action': 'play' }, `▶ ${t.play}`);
  b.addEventListener('click', () => {
    const audio = el('audio', { controls: '', preload: 'none', src });
    b.replaceWith(audio);
    void audio.play().catch(() => undefined);
  });
  return b;
}

/** A call; in a customer's history (`context`) with its channel and its task, its player made when asked. */
export function call(c: WidgetCall, t: Labels, lang: Lang, context = false): HTMLElement {
  const head = [c.direction === 'out' ? t.out : t.in, statusName(t, c.status), duration(c.durationSec)].filter(Boolean).join(' · ');
  const meta = [when(c.at, lang), c.employee, c.phone, context && channelName(c.channel)].filter(Boolean).join(' · ');
  const rec = safeUrl(c.recordingUrl);
  const card = safeUrl(c.cardUrl);
  return el('li', { 'data-call': '' },
    el('div', { class: 'line' }, el('span', {}, head), context && taskLink(c.task, t)),
    el('div', { class: 'muted' }, meta),
    c.analyticsId && el('div', { class: 'muted', 'data-field': 'analyticsId' }, `${t.analyticsId}: ${c.analyticsId}`),
    rec && (context ? playButton(rec, t) : el('audio', { controls: '', preload: 'none', src: rec })),
    rec && el('a', { href: rec, download: '', target: '_blank', rel: 'noopener noreferrer' }, t.download),
    card && el('div', {}, link(card, t.callCard, { 'data-field': 'card' })));
}
