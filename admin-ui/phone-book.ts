import { api } from './api.ts';
import { clear, h, time } from './dom.ts';
import { t } from './i18n.ts';
import type { Account } from './types.ts';

// The account's mirror of its Planfix phone book: what lets a call's pop-up open while the phone
// still rings. Shown for accounts it serves, or once it has run.

interface PhoneBookView {
  enabled: boolean;
  mirrored: boolean;
  numbers: number;
  contacts?: number;
  fullAt?: string;
  syncedAt?: string;
  pass?: { kind: 'full' | 'changes'; contacts: number; startedAt: string };
  error?: { at: string; text: string };
  changesRefused: boolean;
}

export async function renderPhoneBook(a: Account, box: HTMLElement): Promise<void> {
  const v = await api<PhoneBookView>('GET', `/accounts/${a.id}/phone-book`);
  const words = t().phoneBook;
  const lines = !v.enabled ? [words.off]
    : !v.mirrored ? [words.notNeeded]
    : [
      words.numbers(v.numbers, v.contacts),
      v.pass ? words.reading(v.pass.contacts) : v.syncedAt ? words.syncedAt(time(v.syncedAt)) : words.never,
      ...(v.changesRefused ? [words.changesRefused] : []),
    ];
  clear(box,
    h('h2', {}, words.title),
    h('p', { class: 'help' }, words.help),
    ...lines.map((line) => h('p', { class: 'phone-book-state' }, line)),
    ...(v.error && v.enabled && v.mirrored ? [h('p', { class: 'error phone-book-error' }, words.error(time(v.error.at), v.error.text))] : []),
  );
}
