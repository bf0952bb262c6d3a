import type { ApiError } from './api.ts';
import { h } from './dom.ts';

// Forms built from the JSON Schema the admin API publishes for each channel kind, so a new
// setting appears on the page without a change here. Plain values get inputs; maps and lists
// (field maps, employee tables) get a JSON box.

export interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  format?: string;
  default?: unknown;
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  anyOf?: JsonSchema[];
}

export interface FieldSpec {
  path: string;
  label: string;
  schema: JsonSchema;
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

export function fieldsOf(prefix: string, schema: JsonSchema, values: Record<string, unknown> = {}, secrets: readonly string[] = []): FieldSpec[] {
  return Object.entries(schema.properties ?? {}).map(([name, s]) => ({
    path: `${prefix}.${name}`, label: name, schema: s, required: schema.required?.includes(name),
    secret: secrets.includes(name), value: values[name],
  }));
}

export function field(f: FieldSpec): HTMLElement {
  const kind = kindOf(f.schema);
  const id = `f-${f.path.replace(/\W/g, '-')}`;
  let input: HTMLElement;
  if (f.secret) {
    input = h('input', { id, type: 'password', autocomplete: 'off', placeholder: f.value ? `set (${String(f.value)}); type to replace` : 'not set' });
  } else if (kind === 'boolean') {
    input = h('input', { id, type: 'checkbox', checked: f.value === undefined ? f.schema.default === true : f.value === true });
  } else if (kind === 'enum') {
    const current = f.value ?? f.schema.default;
    input = h('select', { id }, h('option', { value: '' }, '—'), ...f.schema.enum!.map((v) => h('option', { value: String(v), selected: v === current }, String(v))));
  } else if (kind === 'json') {
    const v = f.value ?? f.schema.default;
    input = h('textarea', { id, rows: 4, spellcheck: 'false', placeholder: 'JSON' });
    (input as HTMLTextAreaElement).value = v === undefined ? '' : JSON.stringify(v, null, 2);
  } else {
    input = h('input', {
      id, type: kind === 'number' || kind === 'integer' ? 'number' : f.schema.format === 'email' ? 'email' : f.schema.format === 'uri' ? 'url' : 'text',
      value: f.value === undefined ? '' : String(f.value),
      placeholder: f.schema.default !== undefined ? `default: ${String(f.schema.default)}` : '',
    });
  }
  input.dataset.kind = f.secret ? 'secret' : kind;
  return h('div', { class: 'field', 'data-path': f.path },
    h('label', { for: id }, f.label, f.required ? h('span', { class: 'req', title: 'required' }, ' *') : undefined),
    input,
    h('div', { class: 'error', role: 'alert' }));
}

/** The form's values as the API takes them: empty inputs and untouched secrets are left out. */
export function collect(form: HTMLElement, prefix: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const el of form.querySelectorAll<HTMLElement>(`.field[data-path^="${prefix}."]`)) {
    const name = el.dataset.path!.slice(prefix.length + 1);
    if (name.includes('.')) continue;
    const input = el.querySelector<HTMLInputElement>('input, select, textarea')!;
    const kind = input.dataset.kind;
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
        throw Object.assign(new Error('not valid JSON'), { path: el.dataset.path });
      }
    } else out[name] = raw;
  }
  return out;
}

export function clearErrors(form: HTMLElement): void {
  for (const e of form.querySelectorAll('.error')) e.textContent = '';
  for (const e of form.querySelectorAll('.field.invalid')) e.classList.remove('invalid');
}

/** Puts the API's message next to the field it names (or the nearest enclosing one), else at the form's foot. */
export function showError(form: HTMLElement, err: ApiError | (Error & { path?: string })): void {
  const path = 'field' in err && err.field ? err.field.path : (err as { path?: string }).path;
  const message = 'field' in err && err.field ? err.field.message : err.message;
  let target: HTMLElement | null = null;
  for (let p = path; p && !target; p = p.includes('.') ? p.slice(0, p.lastIndexOf('.')) : '') {
    target = form.querySelector<HTMLElement>(`.field[data-path="${CSS.escape(p)}"]`);
  }
  if (target) {
    target.classList.add('invalid');
    target.querySelector('.error')!.textContent = message;
  } else {
    form.querySelector('.form-error')!.textContent = err.message;
  }
}
