import { h, time } from './dom.ts';
import { t } from './i18n.ts';
import type { Channel } from './types.ts';

/**
 * On a channel whose provider keeps a log: when the relay last read it, the span, what it found
 * and recovered, or why it failed or does not run. Nothing for other channels.
 */
export function recoveryLine(c: Channel, title: string): HTMLElement | undefined {
  const r = c.recovery;
  if (!r) return undefined;
  const words = t().reconcile;
  if (!r.on) return h('p', { class: 'recovery muted' }, words.off[r.off ?? 'turned_off'](title));
  const last = r.last;
  if (!last) return h('p', { class: 'recovery muted' }, words.notYet(title), words.every(r.everyMinutes));
  // The relay's own words, a sentence of their own: ended with a stop when they are not.
  const sentence = (s: string) => (/[.!?]$/.test(s) ? s : `${s}.`);
  if (last.error) return h('p', { class: 'recovery warning' }, `${words.failed(title, time(last.at))} `, h('span', { class: 'recovery-error' }, sentence(last.error)), ` ${words.again}`);
  const span = last.from && last.to ? words.span(time(last.from), time(last.to)) : words.nothing;
  return h('p', { class: `recovery${last.warning ? ' warning' : ''}` }, words.last(title, time(last.at)), span, last.from ? words.found(last.found, last.recovered) : '.',
    words.every(r.everyMinutes), last.warning ? h('span', { class: 'recovery-warning' }, ` ${sentence(last.warning)}`) : undefined);
}
