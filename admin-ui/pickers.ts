import type { Choice, ChoicesAnswer, Picker, PickerList, Unavailable } from '../relay/core/picker.ts';
import { api } from './api.ts';
import { h } from './dom.ts';
import { fills, matchUser, type UserCell } from './employee-match.ts';
import { t } from './i18n.ts';

// Fields that name a Planfix object say so in their texts (`picker`); forms.ts and
// table-editor.ts mark them `data-picker`. Here each gets the account's list, read when the field
// first comes into view (an edit form opened, "Advanced" unfolded): a select beside an id field,
// suggestions under a name or e-mail typed into a table. The input stays, and stays what is saved:
// typing is always possible, and is what the page says to do when the list is not there.

const parse = (el: HTMLElement): Picker => JSON.parse(el.dataset.picker!) as Picker;
const isCell = (el: HTMLElement) => el.classList.contains('cell');

/** Offers the account's Planfix lists to every picker field in `root`, those drawn later included. */
export function pickers(root: HTMLElement, accountId: string): void {
  const lists = new Map<PickerList, Promise<ChoicesAnswer>>();
  const load = (list: PickerList): Promise<ChoicesAnswer> => {
    let answer = lists.get(list);
    if (!answer) {
      answer = api<ChoicesAnswer>('GET', `/accounts/${encodeURIComponent(accountId)}/planfix/choices?what=${list}`)
        .catch((err: Error): ChoicesAnswer => ({ unavailable: { reason: 'planfix_error', message: err.message } }));
      lists.set(list, answer);
    }
    return answer;
  };
  // Datalists are shared by the cells of a column; named per call, so a page drawn again gets its own.
  const prefix = `pick-${Math.random().toString(36).slice(2, 8)}`;

  const attach = async (el: HTMLElement) => {
    const picker = parse(el);
    const answer = await load(picker.list);
    const field = el.closest<HTMLElement>('.field');
    const input = el.querySelector<HTMLInputElement>(isCell(el) ? 'input' : 'input[data-kind]');
    if (!field || !input || !el.isConnected) return;
    if ('unavailable' in answer) {
      note(field, picker.list, unavailableText(answer.unavailable, isCell(el) || picker.value !== 'id'));
      return;
    }
    if (answer.truncated) note(field, picker.list, t().pickers.truncated(answer.items.length.toLocaleString()));
    if (picker.value === 'id' && !isCell(el)) selectFor(input, answer.items);
    else input.setAttribute('list', datalist(root, `${prefix}-${picker.list}-${picker.value}`, picker.value, answer.items));
    if (picker.list === 'users' && isCell(el)) suggest(field, answer.items);
  };

  const seen = new WeakSet<HTMLElement>();
  const visible = new IntersectionObserver((entries) => {
    for (const e of entries) {
      if (!e.isIntersecting) continue;
      visible.unobserve(e.target);
      void attach(e.target as HTMLElement);
    }
  });
  const scan = (node: Element) => {
    const found = [...(node.matches('[data-picker]') ? [node] : []), ...node.querySelectorAll('[data-picker]')] as HTMLElement[];
    for (const el of found) {
      if (seen.has(el)) continue;
      seen.add(el);
      visible.observe(el);
    }
  };
  scan(root);
  // Rows added to a table, a new channel's fields drawn for another kind.
  new MutationObserver((records) => {
    for (const r of records) for (const n of r.addedNodes) if (n instanceof Element) scan(n);
  }).observe(root, { childList: true, subtree: true });
}

function unavailableText(u: Unavailable, cells: boolean): string {
  const words = t().pickers;
  const manual = cells ? words.typeIn : words.typeId;
  if (u.reason === 'scope') return words.scope(u.scope, manual);
  if (u.reason === 'no_rest_token') return words.noToken(manual);
  return words.failed(u.message, manual);
}

/** One line under the field per list, however many of its cells asked. */
function note(field: HTMLElement, list: PickerList, text: string): void {
  if (field.querySelector(`:scope > .picker-note[data-list="${list}"]`)) return;
  const line = h('small', { class: 'picker-note', 'data-list': list }, text);
  field.insertBefore(line, field.querySelector(':scope > .error'));
}

/** A select of the list beside an id field: choosing puts the id into the field, typing one shows its name. */
function selectFor(input: HTMLInputElement, items: Choice[]): void {
  const words = t().pickers;
  const select = h('select', { class: 'picker', 'aria-label': `${input.labels?.[0]?.textContent ?? ''} ${words.choose}`.trim() },
    h('option', { value: '' }, words.choose),
    ...items.map((i) => h('option', { value: String(i.id) }, `${i.name} (${i.id})`)));
  const sync = () => {
    const v = input.value.trim();
    select.value = items.some((i) => String(i.id) === v) ? v : '';
  };
  sync();
  select.addEventListener('change', () => {
    if (!select.value) return;
    input.value = select.value;
    input.dispatchEvent(new Event('input', { bubbles: true }));
  });
  input.addEventListener('input', sync);
  input.after(select);
}

/** The list as suggestions for a text cell, one datalist per column kind. */
function datalist(root: HTMLElement, id: string, value: Picker['value'], items: Choice[]): string {
  if (root.querySelector(`datalist#${id}`)) return id;
  const options = new Map<string, string>();
  for (const i of items) {
    const v = value === 'id' ? String(i.id) : value === 'email' ? i.email : i.name;
    if (v && !options.has(v)) options.set(v, value === 'name' ? i.email ?? '' : i.name);
  }
  root.append(h('datalist', { id }, ...[...options].map(([v, label]) => h('option', { value: v, label: label || undefined }))));
  return id;
}

const attached = new WeakSet<HTMLElement>();

/**
 * Under each row whose typed e-mail or name is a Planfix employee's, what accepting them would
 * fill in, with a button: the admin's click writes it, never the page on its own.
 */
function suggest(field: HTMLElement, users: Choice[]): void {
  const refresh = () => {
    for (const row of field.querySelectorAll<HTMLElement>('tr.row')) {
      row.querySelector('.suggest')?.remove();
      const cells = [...row.querySelectorAll<HTMLElement>('.cell[data-picker]')]
        .map((c) => ({ c, picker: parse(c), input: c.querySelector('input')! }))
        .filter((x) => x.picker.list === 'users');
      const typed: UserCell[] = cells.map((x) => ({ value: x.picker.value, typed: x.input.value }));
      const user = matchUser(users, typed);
      const changes = user ? fills(user, typed) : [];
      if (!user || changes.every((v) => v === undefined)) continue;
      const words = t().pickers;
      cells[0]!.c.after(h('div', { class: 'suggest' }, words.suggested([user.name, user.email].filter(Boolean).join(', ')), ' ',
        h('button', {
          type: 'button', class: 'accept-suggestion', onclick: () => {
            cells.forEach((x, i) => { if (changes[i] !== undefined) x.input.value = changes[i]; });
            refresh();
          },
        }, words.accept)));
    }
  };
  refresh();
  if (attached.has(field)) return;
  attached.add(field);
  field.addEventListener('input', refresh);
}
