import { h } from './dom.ts';
import type { Check } from './types.ts';

/** One "Test connection" result: what was checked, the answer, and what to do about it. */
export function checkLine(name: string, c: Check): HTMLElement {
  return h('li', { class: c.ok ? 'ok' : 'bad', 'data-check': name },
    h('strong', {}, `${c.ok ? '✓' : '✗'} ${name}: `), c.message,
    c.fix ? h('div', { class: 'fix' }, `Fix: ${c.fix}`) : undefined,
    c.details?.scopes ? h('div', { class: 'muted' }, Object.entries(c.details.scopes).map(([k, v]) => `${k}: ${v}`).join(' · ')) : undefined);
}
