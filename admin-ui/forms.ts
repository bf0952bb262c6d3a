import type { ApiError } from './api.ts';
import { h } from './dom.ts';
import { plainError } from './field-errors.ts';
import { pick, t } from './i18n.ts';
import { tableEditor, tableValue } from './table-editor.ts';
import { tableShape } from './table-shape.ts';
import type { FieldText } from '../relay/core/ui-text.ts';

// Forms built from the JSON Schema the admin API publishes for each channel kind, so a new
// setting appears on the page without a change here. Plain values get inputs; maps and lists
// (field maps, employee tables) get a table (table-editor.ts), and only shapes too nested for one
// a JSON box. Labels and help come from whoever declares the field (the channel, the account's
// own texts); a field without them shows its bare key.

export interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  format?: string;
  default?: unknown;
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  anyOf?: JsonSchema[];
  items?: JsonSchema;
  additionalProperties?: JsonSchema | boolean;
  propertyNames?: JsonSchema;
}

export interface FieldSpec {
  path: string;
  schema: JsonSchema;
  text?: FieldText;
  required?: boolean;
  secret?: boolean;
  /** The current value: shown, except for secrets, which only say whether they are set. */
  value?: unknown;
}

const kindOf = (s: JsonSchema): string => {
  if (s.enum) return 'enum';
  const t = Array.isArray(s.type) ? s.type.find((x) => x !== 'null') : s.type;
  if (t === 'string' || t === 'number' || t === 'integer' || t === 'boolean') return t;
  if (s.anyOf?.length) return kindOf(s.anyOf.find((x) => x.type !== 'null') ?? {});
  return 'json';
};

export function fieldsOf(prefix: string, schema: JsonSchema, values: Record<string, unknown> = {}, secrets: readonly string[] = [], texts: Partial<Record<string, FieldText>> = {}): FieldSpec[] {
  return Object.entries(schema.properties ?? {}).map(([name, s]) => ({
    path: prefix ? `${prefix}.${name}` : name, schema: s, text: texts[name], required: schema.required?.includes(name),
    secret: secrets.includes(name), value: values[name],
  }));
}

/** The fields in order, those for testing or unusual setups folded under a collapsed "Advanced". */
export function fieldGroup(specs: FieldSpec[]): HTMLElement[] {
  const advanced = specs.filter((f) => f.text?.advanced);
  return [
    ...specs.filter((f) => !f.text?.advanced).map(field),
    ...(advanced.length ? [h('details', { class: 'advanced' }, h('summary', {}, t().advanced), ...advanced.map(field))] : []),
  ];
}

export function field(f: FieldSpec): HTMLElement {
  const kind = kindOf(f.schema);
  const id = `f-${f.path.replace(/\W/g, '-')}`;
  const key = f.path.split('.').pop()!;
  const words = f.text ? pick(f.text) : undefined;
  const texts = t().form;
  let input: HTMLElement;
  if (f.secret) {
    input = h('input', { id, type: 'password', autocomplete: 'off', placeholder: f.value ? texts.secretSet(String(f.value)) : texts.secretUnset });
  } else if (kind === 'boolean') {
    input = h('input', { id, type: 'checkbox', checked: f.value === undefined ? f.schema.default === true : f.value === true });
  } else if (kind === 'enum') {
    const current = f.value ?? f.schema.default;
    const choice = (v: unknown) => { const c = f.text?.choices?.[String(v)]; return c ? pick(c) : String(v); };
    input = h('select', { id }, h('option', { value: '' }, '—'), ...f.schema.enum!.map((v) => h('option', { value: String(v), selected: v === current }, choice(v))));
  } else if (kind === 'json' && tableShape(f.schema)) {
    input = tableEditor(f, tableShape(f.schema)!, id);
  } else if (kind === 'json') {
    const v = f.value ?? f.schema.default;
    input = h('textarea', { id, rows: 4, spellcheck: 'false', placeholder: texts.json });
    (input as HTMLTextAreaElement).value = v === undefined ? '' : JSON.stringify(v, null, 2);
  } else {
    input = h('input', {
      id, type: kind === 'number' || kind === 'integer' ? 'number' : f.schema.format === 'email' ? 'email' : f.schema.format === 'uri' ? 'url' : 'text',
      value: f.value === undefined ? '' : String(f.value),
      placeholder: f.schema.default !== undefined ? texts.defaultValue(String(f.schema.default)) : '',
      ...(kind === 'number' ? { step: 'any' } : {}),
    });
  }
  input.dataset.kind ??= f.secret ? 'secret' : kind;
  const helpId = `${id}-help`;
  if (words?.help) input.setAttribute('aria-describedby', helpId);
  const needed = f.required && !(f.secret && f.value);
  // A field naming a Planfix object: pickers.ts offers the account's list for it.
  const picker = f.text?.picker ? JSON.stringify(f.text.picker) : undefined;
  return h('div', { class: 'field', 'data-path': f.path, 'data-required': needed || undefined, 'data-picker': picker },
    h('label', { for: id, title: key }, words?.label ?? key, f.required ? h('span', { class: 'req', title: texts.required }, ' *') : undefined),
    input,
    words?.help ? h('small', { class: 'help', id: helpId }, words.help) : undefined,
    h('div', { class: 'error', role: 'alert' }));
}

/** The form's values as the API takes them: empty inputs and untouched secrets are left out. */
export function collect(form: HTMLElement, prefix: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const el of form.querySelectorAll<HTMLElement>(`.field[data-path^="${prefix}."]`)) {
    const name = el.dataset.path!.slice(prefix.length + 1);
    if (name.includes('.')) continue;
    // The element that says its kind: the input, or a table's own box before the inputs of its cells.
    const input = el.querySelector<HTMLInputElement>('[data-kind]')!;
    const kind = input.dataset.kind;
    if (kind === 'table') {
      const v = tableValue(input);
      if (v !== undefined) out[name] = v;
      continue;
    }
    if (kind === 'boolean') {
      out[name] = input.checked;
      continue;
    }
    const raw = input.value.trim();
    if (!raw) continue;
    if (kind === 'number' || kind === 'integer') out[name] = Number(raw);
    else if (kind === 'json') {
      try {
        out[name] = JSON.parse(raw);
      } catch {
        throw new FormError(el.dataset.path!, t().form.notJson);
      }
    } else out[name] = raw;
  }
  return out;
}

/** A mistake the page sees before asking the API: where, and what to do, already in the page's language. */
export class FormError extends Error {
  constructor(readonly path: string, message: string) {
    super(message);
  }
}

export function clearErrors(form: HTMLElement): void {
  for (const e of form.querySelectorAll('.error, .form-error')) e.textContent = '';
  for (const e of form.querySelectorAll('.field.invalid, .cell.invalid')) e.classList.remove('invalid');
}

/** Every required field left empty, marked at once; true when there was none. */
export function checkRequired(form: HTMLElement): boolean {
  let ok = true;
  for (const el of form.querySelectorAll<HTMLElement>('.field[data-required]')) {
    const input = el.querySelector<HTMLInputElement>('input, select, textarea')!;
    if (input.value.trim()) continue;
    ok = false;
    mark(el, plainError({ path: el.dataset.path!, reason: 'required' }, ''));
  }
  if (!ok) openAdvanced(form.querySelector<HTMLElement>('.field.invalid'))?.querySelector<HTMLElement>('input, select, textarea')?.focus();
  return ok;
}

function mark(el: HTMLElement, message: string): void {
  el.classList.add('invalid');
  el.querySelector('.error')!.textContent = message;
}

/** A field under a closed "Advanced" is shown before it is pointed at. */
function openAdvanced(el: HTMLElement | null): HTMLElement | null {
  const details = el?.closest('details');
  if (details) details.open = true;
  return el;
}

/** Puts the error next to the field it names (or the nearest enclosing one), in plain words; else at the form's foot. */
export function showError(form: HTMLElement, err: ApiError | FormError | Error): void {
  const issue = 'issue' in err ? err.issue : undefined;
  const path = err instanceof FormError ? err.path : issue?.path;
  let target: HTMLElement | null = null;
  let p = path;
  for (; p && !target; p = p.includes('.') ? p.slice(0, p.lastIndexOf('.')) : '') {
    target = form.querySelector<HTMLElement>(`.cell[data-path="${CSS.escape(p)}"], .field[data-path="${CSS.escape(p)}"]`);
  }
  if (!target || !path) {
    form.querySelector('.form-error')!.textContent = err.message;
    return;
  }
  const own = target.dataset.path!;
  // A key inside a JSON box, or a cell's path beyond its own (employees.0.email) is named before the words.
  const inner = path.length > own.length ? `${path.slice(own.length + 1)}: ` : '';
  const apiMessage = err.message.replace(/^[^:]*: /, '');
  mark(target, err instanceof FormError ? err.message : `${inner}${plainError(issue!, apiMessage)}`);
  target.querySelector('.error')!.setAttribute('title', err.message);
  openAdvanced(target);
}
