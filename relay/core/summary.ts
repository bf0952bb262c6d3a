import type { Visit } from './events.ts';
import { formatTime, type Locale } from './locale.ts';
import { textsOf, type PlanfixTexts } from './planfix-texts.ts';

const LABELS: [keyof Visit, (t: PlanfixTexts) => string][] = [
  ['ip', () => 'IP'], ['browser', (t) => t.browser], ['os', (t) => t.os], ['device', (t) => t.device],
  ['referrer', (t) => t.referrer], ['landing', (t) => t.landing],
];

function when(ms: number | undefined, locale: Locale): string {
  return ms ? ` (${formatTime(ms, locale)})` : '';
}

/** The visit as readable lines for the first message of a task, like Planfix's native quote of system data. */
export function visitSummary(visit: Visit | undefined, channelTitle: string, locale: Locale): string {
  if (!visit) return '';
  const t = textsOf(locale.language);
  const lines: string[] = [];
  const place = [visit.city, visit.country].filter(Boolean).join(', ');
  if (place) lines.push(`${t.location}: ${place}`);
  for (const [k, label] of LABELS) {
    const v = visit[k];
    if (typeof v === 'string' && v) lines.push(`${label(t)}: ${v}`);
  }
  const utm = Object.entries(visit.utm ?? {}).filter(([, v]) => v);
  if (utm.length) lines.push(`UTM: ${utm.map(([k, v]) => `${k}=${v}`).join(', ')}`);
  const site = Object.entries(visit.siteData ?? {});
  if (site.length) {
    lines.push(`${t.siteData}:`);
    for (const [k, v] of site) lines.push(`  • ${k}: ${v}`);
  }
  if (visit.pages?.length) {
    lines.push(`${t.pagesVisited}:`);
    for (const p of visit.pages.slice(-10)) lines.push(`  • ${p.title ? `${p.title} — ` : ''}${p.url}${when(p.at, locale)}`);
  }
  if (visit.dashboardUrl) lines.push(`${t.openIn(channelTitle)}: ${visit.dashboardUrl}`);
  return lines.length ? `— ${t.channelVisitor(channelTitle)} —\n${lines.join('\n')}` : '';
}

/** One line for the contact card action on each new visit: OS, browser and IP. */
export function visitAction(visit: Visit | undefined, channelTitle: string, locale: Locale): string | undefined {
  if (!visit) return undefined;
  const t = textsOf(locale.language);
  const parts = [visit.os && `${t.os}: ${visit.os}`, visit.browser && `${t.browser}: ${visit.browser}`, visit.device && `${t.device}: ${visit.device}`, visit.ip && `IP: ${visit.ip}`].filter(Boolean);
  return parts.length ? `${t.newChat(channelTitle)}. ${parts.join('; ')}` : undefined;
}
