import { api } from './api.ts';
import { clear, h, time } from './dom.ts';
import type { Account } from './types.ts';

// The account's recent deliveries and its dead letters, with Retry and Dismiss.

interface ActivityItem { at: number; event: string; channel: string; kind: string; outcome: string; latencyMs: number; attempts: number; error?: string; preview?: string; skipped?: string[] }
interface DeadLetter { eventId: string; channel: string; kind: string; failedAt: string; reason: string; preview?: string }

export async function renderActivity(a: Account, box: HTMLElement): Promise<void> {
  const [items, dead] = await Promise.all([
    api<ActivityItem[]>('GET', `/accounts/${a.id}/activity`),
    api<DeadLetter[]>('GET', `/accounts/${a.id}/dead-letters`),
  ]);
  const channelName = (id: string) => a.channels.find((c) => c.id === id)?.name ?? id;
  clear(box, h('h2', {}, 'Activity'),
    items.length ? h('table', { class: 'activity' },
      h('thead', {}, h('tr', {}, ...['Time', 'Channel', 'Kind', 'Outcome', 'Latency', 'Preview / error'].map((t) => h('th', {}, t)))),
      h('tbody', {}, ...items.map((i) => h('tr', { class: i.outcome },
        h('td', {}, time(i.at)), h('td', {}, channelName(i.channel)), h('td', {}, i.kind),
        h('td', {}, i.outcome === 'retrying' ? `retrying (${i.attempts})` : i.outcome), h('td', {}, `${i.latencyMs} ms`),
        h('td', {}, i.error ?? [i.preview, ...(i.skipped ?? []).map((x) => `skipped: ${x}`)].filter(Boolean).join(' · ')))))) : h('p', { class: 'muted' }, 'Nothing yet.'),
    h('h3', {}, `Dead letters (${dead.length})`),
    dead.length ? h('table', { class: 'dead' },
      h('tbody', {}, ...dead.map((d) => h('tr', { 'data-event': d.eventId },
        h('td', {}, time(d.failedAt)), h('td', {}, channelName(d.channel)), h('td', {}, d.kind), h('td', {}, d.reason), h('td', {}, d.preview ?? ''),
        h('td', {}, h('button', {
          type: 'button', class: 'retry', onclick: async (e: Event) => {
            (e.target as HTMLButtonElement).disabled = true;
            await api('POST', `/accounts/${a.id}/dead-letters/${encodeURIComponent(d.eventId)}/retry`);
            await renderActivity(a, box);
          },
        }, 'Retry'), ' ', h('button', {
          type: 'button', class: 'dismiss', title: 'Delete it without delivering', onclick: async (e: Event) => {
            (e.target as HTMLButtonElement).disabled = true;
            await api('DELETE', `/accounts/${a.id}/dead-letters/${encodeURIComponent(d.eventId)}`);
            await renderActivity(a, box);
          },
        }, 'Dismiss')))))) : h('p', { class: 'muted' }, 'None.'));
}
