import { api } from './api.ts';
import { clear, h, time } from './dom.ts';
import { t } from './i18n.ts';
import type { Account } from './types.ts';

// The account's recent deliveries and its dead letters, with Retry and Dismiss. Each table
// scrolls inside its card, so a narrow screen never scrolls the page sideways.

interface ActivityItem {
  at: number; event: string; channel: string; kind: string; outcome: string; latencyMs: number; attempts: number;
  error?: string; errorCode?: string; preview?: string; skipped?: string[]; skippedCodes?: string[]; recovered?: boolean;
}
interface DeadLetter { eventId: string; channel: string; kind: string; failedAt: string; reason: string; reasonCode: string; preview?: string }

const scroll = (table: HTMLElement) => h('div', { class: 'table-scroll' }, table);
const own = (words: Record<string, string>, k: string) => (Object.hasOwn(words, k) ? words[k]! : k);
/** The page's words for a code, none for a code it does not know (or no code, from an older relay). */
const known = (words: Record<string, string>, k: string | undefined) => (k !== undefined && Object.hasOwn(words, k) ? words[k] : undefined);

/** The reason in plain words, the relay's own words under Details (what support asks for). */
function reasonCell(plain: string, raw: string): HTMLElement {
  return h('td', { class: 'reason' }, h('span', { class: 'plain' }, plain),
    h('details', {}, h('summary', {}, t().activity.details), h('code', { class: 'raw' }, raw)));
}

/** An outcome's error in plain words by its code, else the relay's words; a delivered one's preview and what it skipped. */
function detailCell(i: ActivityItem): HTMLElement {
  const words = t().activity;
  const results = t().results;
  if (i.error) {
    const plain = known(i.outcome === 'dead' ? words.reasons : results.retryReasons, i.errorCode);
    return plain ? reasonCell(plain, i.error) : h('td', {}, i.error);
  }
  const skipped = (i.skipped ?? []).map((x, n) => `${words.skipped}: ${known(results.skips, i.skippedCodes?.[n]) ?? x}`);
  return h('td', {}, [i.preview, ...skipped].filter(Boolean).join(' · '));
}

/** What Retry all did, kept across the list's 3-second redraws for a while: shown once, it was gone before it was read. */
const NOTE_MS = 30_000;
let shownNote: { account: string; text: string; until: number } | undefined;

export async function renderActivity(a: Account, box: HTMLElement, newNote?: string): Promise<void> {
  if (newNote) shownNote = { account: a.id, text: newNote, until: Date.now() + NOTE_MS };
  const [items, dead] = await Promise.all([
    api<ActivityItem[]>('GET', `/accounts/${a.id}/activity`),
    api<DeadLetter[]>('GET', `/accounts/${a.id}/dead-letters`),
  ]);
  // Read once the lists are in: a redraw that began before Retry all answered still shows its note.
  const note = shownNote && shownNote.account === a.id && Date.now() < shownNote.until ? shownNote.text : undefined;
  const words = t().activity;
  const channelName = (id: string) => a.channels.find((c) => c.id === id)?.name ?? id;
  const button = (cls: string, label: string, title: string | undefined, run: () => Promise<unknown>) => h('button', {
    type: 'button', class: cls, title, onclick: async (e: Event) => {
      (e.target as HTMLButtonElement).disabled = true;
      await run();
      await renderActivity(a, box);
    },
  }, label);
  clear(box, h('h2', {}, words.title),
    items.length ? scroll(h('table', { class: 'activity' },
      h('thead', {}, h('tr', {}, ...words.headings.map((x) => h('th', {}, x)))),
      h('tbody', {}, ...items.map((i) => h('tr', { class: `${i.outcome}${i.recovered ? ' recovered' : ''}` },
        h('td', {}, time(i.at)), h('td', {}, channelName(i.channel)), h('td', {}, own(words.kinds, i.kind)),
        h('td', {}, i.outcome === 'retrying' ? words.retrying(i.attempts) : own(words.outcomes, i.outcome),
          // Its webhook never came: reconciliation read it from the provider's log.
          i.recovered ? h('span', { class: 'recovered-mark' }, ` · ${t().reconcile.recovered}`) : undefined), h('td', {}, `${i.latencyMs} ms`),
        detailCell(i)))))) : h('p', { class: 'muted' }, words.nothing),
    h('h3', {}, words.dead(dead.length)),
    note ? h('p', { class: 'muted', id: 'dead-note', role: 'status' }, note) : undefined,
    dead.length ? h('p', {}, h('button', {
      type: 'button', id: 'retry-all', onclick: async (e: Event) => {
        if (!confirm(words.confirmRetryAll(dead.length))) return;
        (e.target as HTMLButtonElement).disabled = true;
        const r = await api<{ requeued: number; more: boolean }>('POST', `/accounts/${a.id}/dead-letters/retry`);
        await renderActivity(a, box, words.requeued(r.requeued) + (r.more ? ` ${words.requeuedMore}` : ''));
      },
    }, words.retryAll)) : undefined,
    dead.length ? scroll(h('table', { class: 'dead' },
      h('tbody', {}, ...dead.map((d) => h('tr', { 'data-event': d.eventId },
        h('td', {}, time(d.failedAt)), h('td', {}, channelName(d.channel)), h('td', {}, own(words.kinds, d.kind)), reasonCell(own(words.reasons, d.reasonCode), d.reason), h('td', {}, d.preview ?? ''),
        h('td', { class: 'buttons' },
          button('retry', words.retry, undefined, () => api('POST', `/accounts/${a.id}/dead-letters/${encodeURIComponent(d.eventId)}/retry`)), ' ',
          button('dismiss', words.dismiss, words.dismissTitle, () => api('DELETE', `/accounts/${a.id}/dead-letters/${encodeURIComponent(d.eventId)}`)))))))) : h('p', { class: 'muted' }, words.none));
}
