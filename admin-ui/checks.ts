import { h } from './dom.ts';
import { t } from './i18n.ts';
import type { Check } from './types.ts';

/** One "Test connection" result: what was checked (a part's key, worded when the page knows it), the answer, and what to do about it. */
export function checkLine(name: string, c: Check): HTMLElement {
  const words = t().check;
  return h('li', { class: c.ok ? 'ok' : 'bad', 'data-check': name },
    h('strong', {}, `${c.ok ? '✓' : '✗'} ${Object.hasOwn(words.parts, name) ? words.parts[name] : name}: `), c.message,
    c.fix ? h('div', { class: 'fix' }, `${words.fix}: ${c.fix}`) : undefined,
    c.details?.scopes ? h('div', { class: 'muted' }, Object.entries(c.details.scopes).map(([k, v]) => `${k}: ${v}`).join(' · ')) : undefined);
}
