import { h } from './dom.ts';
import { FormError, type FieldSpec } from './forms.ts';
import { plainError } from './field-errors.ts';
import { pick, t } from './i18n.ts';
import type { Column, TableShape } from './table-shape.ts';
import type { Picker } from '../relay/core/picker.ts';

// One editor for every map and list a channel's schema holds (employee mappings, field maps,
// event names): rows of inputs instead of a JSON box. Each cell carries the path the admin API
// names in its field errors (`options.employees.2.ext`, `options.employees.Ivan Petrov`), so a
// refusal is shown on the cell it is about.

const readers = new WeakMap<HTMLElement, () => unknown>();

/** The table's value as the API takes it; undefined leaves the field out. */
export function tableValue(el: HTMLElement): unknown {
  return readers.get(el)?.();
}

const NUMBER = /^-?\d+(\.\d+)?$/;

/** Text typed into a cell as its column's type; what does not parse is sent as typed, for the API to say what is wrong. */
function cellValue(kind: Column['kind'], raw: string): unknown {
  if (kind === 'list') return raw.split(',').map((s) => s.trim()).filter(Boolean);
  if ((kind === 'number' || kind === 'integer') && NUMBER.test(raw)) return Number(raw);
  // Ringostat's callback parameters take either; "007" stays text, as a number it would lose its zeros.
  if (kind === 'stringOrNumber' && NUMBER.test(raw) && String(Number(raw)) === raw) return Number(raw);
  return raw;
}

const shown = (v: unknown): string => (Array.isArray(v) ? v.join(', ') : v === undefined || v === null ? '' : String(v));

function cell(col: Column, value: unknown, label: string, placeholder?: unknown, picker?: Picker): HTMLElement {
  const numeric = col.kind === 'number' || col.kind === 'integer';
  const input = h('input', {
    type: numeric ? 'number' : col.schema.format === 'email' ? 'email' : 'text', value: shown(value), 'aria-label': label,
    placeholder: placeholder === undefined ? undefined : shown(placeholder), ...(col.kind === 'number' ? { step: 'any' } : {}),
  });
  // A column of Planfix objects: pickers.ts offers the account's list for it.
  return h('div', { class: 'cell', 'data-col': col.id, 'data-picker': picker ? JSON.stringify(picker) : undefined }, input, h('div', { class: 'error', role: 'alert' }));
}

const inputOf = (c: Element) => c.querySelector('input')!;
const raw = (c: Element) => inputOf(c).value.trim();

export function tableEditor(f: FieldSpec, shape: TableShape, id: string): HTMLElement {
  const words = t().form;
  const columns = shape.type === 'map' ? [shape.key, shape.value] : shape.columns;
  const heading = (c: Column) => {
    const text = f.text?.columns?.[c.id];
    return text ? pick(text) : { label: c.id, help: '' };
  };
  const defaults = (f.schema.default ?? {}) as Record<string, unknown>;
  const fixed = shape.type === 'map' ? shape.keys : undefined;
  const body = h('tbody');
  const remove = (row: HTMLElement) => h('td', {}, h('button', { type: 'button', class: 'remove-row', title: words.removeRow, 'aria-label': words.removeRow, onclick: () => row.remove() }, '×'));

  const addRow = (values: Record<string, unknown>) => {
    const row = h('tr', { class: 'row' });
    row.append(...columns.map((c) => h('td', {}, cell(c, values[c.id], heading(c).label, c.schema.default, f.text?.columns?.[c.id]?.picker))), remove(row));
    body.append(row);
    return row;
  };
  const fixedRow = (key: string, value: unknown) => {
    const choice = f.text?.choices?.[key];
    body.append(h('tr', { class: 'row', 'data-key': key },
      h('th', { scope: 'row', title: key }, choice ? pick(choice) : key),
      // A name stored empty turns that key off: shown as such, not as the default it does not take.
      h('td', {}, cell(columns[1]!, value, `${heading(columns[1]!).label}: ${key}`, value === '' ? t().pickers.off : defaults[key], f.text?.columns?.value?.picker))));
  };

  const current = f.value;
  if (fixed) {
    const given = (current ?? {}) as Record<string, unknown>;
    for (const k of fixed) fixedRow(k, given[k]);
  } else if (shape.type === 'map') {
    for (const [k, v] of Object.entries((current ?? {}) as Record<string, unknown>)) addRow({ key: k, value: v });
  } else {
    for (const item of (Array.isArray(current) ? current : []) as unknown[]) addRow(shape.plain ? { value: item } : (item as Record<string, unknown>));
  }

  const el = h('div', { class: 'table-edit', id },
    h('div', { class: 'table-scroll' }, h('table', {},
      h('thead', {}, h('tr', {}, ...columns.map((c) => {
        const w = heading(c);
        return h('th', { scope: 'col', title: w.help || undefined, 'data-col': c.id }, w.label, c.required && shape.type === 'rows' ? h('span', { class: 'req', title: words.required }, ' *') : undefined);
      }), fixed ? undefined : h('th', {}))),
      body)),
    fixed ? undefined : h('button', { type: 'button', class: 'add-row', onclick: () => inputOf(addRow({})).focus() }, words.addRow),
    ...columns.map(heading).filter((w) => w.help).map((w) => h('small', { class: 'help column-help' }, h('b', {}, w.label), ` — ${w.help}`)));
  el.dataset.kind = 'table';

  readers.set(el, () => {
    const rows = [...body.querySelectorAll<HTMLElement>('tr.row')];
    const fail = (c: HTMLElement, path: string, message: string) => {
      c.dataset.path = path;
      return new FormError(path, message);
    };
    let out: unknown;
    if (shape.type === 'map') {
      const map: Record<string, unknown> = {};
      for (const row of rows) {
        const [keyCell, valueCell] = [row.querySelector<HTMLElement>('.cell[data-col="key"]'), row.querySelector<HTMLElement>('.cell[data-col="value"]')!];
        const key = row.dataset.key ?? raw(keyCell!);
        const value = raw(valueCell);
        if (!key && !value) continue;
        if (!key) throw fail(keyCell!, `${f.path}.#${rows.indexOf(row)}`, plainError({ path: '', reason: 'required' }, ''));
        valueCell.dataset.path = `${f.path}.${key}`;
        if (Object.hasOwn(map, key)) throw fail(keyCell!, `${f.path}.${key}`, words.duplicateKey);
        if (value) map[key] = cellValue(shape.value.kind, value);
        // Left empty, a key stored turned off stays off: leaving it out would turn it on again.
        else if (fixed && (current as Record<string, unknown> | undefined)?.[key] === '') map[key] = '';
        else if (!fixed) throw fail(valueCell, `${f.path}.${key}`, plainError({ path: '', reason: 'required' }, ''));
      }
      out = map;
    } else {
      const list: unknown[] = [];
      for (const row of rows) {
        const cells = [...row.querySelectorAll<HTMLElement>('.cell')];
        if (cells.every((c) => !raw(c))) continue;
        const i = list.length;
        const item: Record<string, unknown> = {};
        for (const [n, c] of cells.entries()) {
          const col = columns[n]!;
          c.dataset.path = shape.plain ? `${f.path}.${i}` : `${f.path}.${i}.${col.id}`;
          if (raw(c)) item[col.id] = cellValue(col.kind, raw(c));
        }
        list.push(shape.plain ? item.value : item);
      }
      out = list;
    }
    const empty = Array.isArray(out) ? !out.length : !Object.keys(out as object).length;
    // An emptied table is sent only where something was stored: a change merges into what is stored, so leaving it out would keep the old rows.
    return empty && current === undefined ? undefined : out;
  });
  return el;
}
