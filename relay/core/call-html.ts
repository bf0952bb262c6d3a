import type { CallEvent } from './events.ts';
import { escapeHtml as esc } from './html.ts';
import type { Locale } from './locale.ts';
import { textsOf } from './planfix-texts.ts';

export const link = (url: string, text = url) => `<a href="${esc(url)}" target="_blank" rel="noopener noreferrer">${esc(text)}</a>`;

function minutes(sec: number | undefined): string {
  if (!sec) return '0:00';
  return `${Math.floor(sec / 60)}:${String(sec % 60).padStart(2, '0')}`;
}

/** The call as Planfix shows it: every value from the webhook escaped, the recording a plain link the browser plays. */
export function callHtml(ev: CallEvent, phone: string, employee: string | undefined, locale: Locale): string {
  const { call: t, landing } = textsOf(locale.language);
  const lines = [
    `📞 ${ev.direction === 'in' ? t.incoming : t.outgoing}, ${t.outcome[ev.outcome ?? 'answered']}, ${minutes(ev.durationSec)}`,
    `${t.number}: ${esc(phone)}`,
    ...(employee ? [`${t.employee}: ${esc(employee)}`] : []),
    ...(ev.department ? [`${t.department}: ${esc(ev.department)}`] : []),
    ...(ev.waitSec ? [`${t.waited}: ${minutes(ev.waitSec)}`] : []),
    ...(ev.missedReason ? [`${t.reason}: ${esc(ev.missedReason)}`] : []),
    ...Object.entries(ev.visit?.utm ?? {}).map(([k, v]) => `${esc(k)}: ${esc(v ?? '')}`),
    ...(ev.visit?.landing ? [`${landing}: ${esc(ev.visit.landing)}`] : []),
    ...(ev.recordingUrl ? [`${t.recording}: ${link(ev.recordingUrl)}`] : []),
    ...(ev.cardUrl ? [link(ev.cardUrl, t.card)] : []),
  ];
  return lines.join('<br>');
}
