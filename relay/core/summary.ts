import type { Visit } from './events.ts';

const LABELS: [keyof Visit, string][] = [
  ['city', 'City'], ['country', 'Country'], ['ip', 'IP'], ['browser', 'Browser'], ['os', 'OS'], ['device', 'Device'],
  ['referrer', 'Came from'], ['landing', 'Landing page'],
];

function when(ms: number | undefined): string {
  return ms ? ` (${new Date(ms).toISOString().replace('T', ' ').slice(0, 16)} UTC)` : '';
}

/** The visit as readable lines for the first message of a task, like Planfix's native quote of system data. */
export function visitSummary(visit: Visit | undefined, channelTitle: string): string {
  if (!visit) return '';
  const lines: string[] = [];
  const place = [visit.city, visit.country].filter(Boolean).join(', ');
  if (place) lines.push(`Location: ${place}`);
  for (const [k, label] of LABELS) {
    if (k === 'city' || k === 'country') continue;
    const v = visit[k];
    if (typeof v === 'string' && v) lines.push(`${label}: ${v}`);
  }
  const utm = Object.entries(visit.utm ?? {}).filter(([, v]) => v);
  if (utm.length) lines.push(`UTM: ${utm.map(([k, v]) => `${k}=${v}`).join(', ')}`);
  const site = Object.entries(visit.siteData ?? {});
  if (site.length) {
    lines.push('Site data:');
    for (const [k, v] of site) lines.push(`  • ${k}: ${v}`);
  }
  if (visit.pages?.length) {
    lines.push('Pages visited:');
    for (const p of visit.pages.slice(-10)) lines.push(`  • ${p.title ? `${p.title} — ` : ''}${p.url}${when(p.at)}`);
  }
  if (visit.dashboardUrl) lines.push(`Open in ${channelTitle}: ${visit.dashboardUrl}`);
  return lines.length ? `— ${channelTitle} visitor —\n${lines.join('\n')}` : '';
}

/** One line for the contact card action on each new visit: OS, browser and IP. */
export function visitAction(visit: Visit | undefined, channelTitle: string): string | undefined {
  if (!visit) return undefined;
  const parts = [visit.os && `OS: ${visit.os}`, visit.browser && `Browser: ${visit.browser}`, visit.device && `Device: ${visit.device}`, visit.ip && `IP: ${visit.ip}`].filter(Boolean);
  return parts.length ? `New ${channelTitle} chat. ${parts.join('; ')}` : undefined;
}
