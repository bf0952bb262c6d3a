import type { TrafficCounts, TrafficSeries } from '../relay/core/traffic.ts';
import { api } from './api.ts';
import { barChart, type Bar } from './chart.ts';
import { clear, h } from './dom.ts';
import { lang, t, type Texts } from './i18n.ts';
import type { Account } from './types.ts';

// The account's traffic over 24 hours or 7 days, all channels or one: a small chart per figure
// (events received, delivered, retried, refused, dead; latency; backlog), each with its total.

type Range = '24h' | '7d';
type Answer = TrafficSeries & { backlogNow: number };

const COUNTED: (keyof TrafficCounts)[] = ['received', 'delivered', 'retried', 'refused', 'dead'];

/** Which range and channel the admin chose, kept while the page refreshes. */
const chosen = { range: '24h' as Range, channel: '' };

export function duration(ms: number, u: Texts['traffic']['units']): string {
  if (ms < 1_000) return `${ms} ${u.ms}`;
  if (ms < 60_000) return `${+(ms / 1_000).toFixed(1)} ${u.s}`;
  if (ms < 3_600_000) return `${+(ms / 60_000).toFixed(1)} ${u.min}`;
  return `${+(ms / 3_600_000).toFixed(1)} ${u.h}`;
}

function when(ms: number, range: Range): string {
  const d = new Date(ms);
  return range === '24h' ? d.toLocaleTimeString(lang(), { hour: '2-digit', minute: '2-digit' })
    : d.toLocaleString(lang(), { weekday: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

export async function renderTraffic(a: Account, box: HTMLElement): Promise<void> {
  if (chosen.channel && !a.channels.some((c) => c.id === chosen.channel)) chosen.channel = '';
  const q = `range=${chosen.range}${chosen.channel ? `&channel=${encodeURIComponent(chosen.channel)}` : ''}`;
  const s = await api<Answer>('GET', `/accounts/${a.id}/traffic?${q}`);
  const words = t().traffic;
  const again = () => void renderTraffic(a, box);
  const span = (b: { from: number; to: number }) => `${when(b.from, s.range)} – ${when(b.to, s.range)}`;
  const ticks = (): [string, string, string] => {
    const b = s.buckets;
    return [when(b[0]!.from, s.range), when(b[Math.floor(b.length / 2)]!.from, s.range), when(b.at(-1)!.from, s.range)];
  };
  const figure = (metric: string, heading: string, total: string, bars: Bar[], opts: { log?: boolean; max?: (v: number) => string } = {}) =>
    h('figure', { class: 'traffic-chart', 'data-metric': metric, 'data-total': total },
      h('figcaption', {}, h('span', {}, heading), ' ', h('strong', { class: 'total' }, total)),
      barChart({ metric, bars, ticks: ticks(), max: opts.max ?? String, log: opts.log, label: `${heading}: ${total}` }));

  const counts = COUNTED.map((k) => figure(k, words.metrics[k], String(s.totals[k]), s.buckets.map((b) => ({
    value: b[k], from: new Date(b.from).toISOString(), title: `${span(b)}: ${words.metrics[k]} ${b[k]}`,
  }))));
  const ms = (v: number | undefined) => (v === undefined ? '—' : `≤ ${duration(v, words.units)}`);
  const latency = figure('latency', words.latency, s.totals.p50Ms === undefined ? words.noLatency : words.percentiles(ms(s.totals.p50Ms), ms(s.totals.p95Ms)),
    s.buckets.map((b) => ({
      value: b.p95Ms ?? 0, ...(b.p50Ms !== undefined ? { inner: b.p50Ms } : {}), from: new Date(b.from).toISOString(),
      title: `${span(b)}: ${b.p50Ms === undefined ? words.noLatency : words.percentiles(ms(b.p50Ms), ms(b.p95Ms))}`,
    })), { log: true, max: (v) => duration(v, words.units) });
  const backlog = figure('backlog', words.backlog, words.backlogNow(s.backlogNow), s.buckets.map((b) => ({
    value: b.backlog, from: new Date(b.from).toISOString(), title: `${span(b)}: ${words.backlog} ${b.backlog}`,
  })));

  const rangeButton = (r: Range, label: string) => h('button', {
    type: 'button', class: `range${r === s.range ? ' chosen' : ''}`, 'data-range': r, 'aria-pressed': String(r === s.range),
    onclick: () => { chosen.range = r; again(); },
  }, label);
  const select = h('select', { id: 'traffic-channel', 'aria-label': words.channel },
    h('option', { value: '' }, words.allChannels),
    ...a.channels.map((c) => h('option', { value: c.id, selected: c.id === chosen.channel }, c.name)));
  select.addEventListener('change', () => { chosen.channel = select.value; again(); });

  clear(box, h('h2', {}, words.title),
    h('div', { class: 'traffic-tools' }, rangeButton('24h', words.range24h), rangeButton('7d', words.range7d), select),
    h('p', { class: 'muted' }, s.range === '24h' ? words.hourly : words.sixHourly),
    h('div', { class: 'traffic-charts', 'data-range': s.range, 'data-channel': chosen.channel }, ...counts, latency, backlog));
}
