// Shared pieces of the REST simulator: the failure type every handler throws, body and id
// readers, `fields` selection, list paging and the filter operators (docs/reference/planfix-api.md §3).
import type { SimAuthor, SimState } from './state.ts';

export type Json = Record<string, unknown>;

/** Thrown by handlers; RestApi turns it into {"result":"fail","code":…,"error":…}. */
export class Fail {
  constructor(
    readonly status: number,
    readonly code: number,
    readonly error: string,
  ) {}
}

export const MAX_PAGE = 100;

export function asObject(v: unknown): Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {};
}

export function parseId(raw: string, prefix: string): number | undefined {
  const m = new RegExp(`^(?:${prefix}:)?(\\d+)$`).exec(raw);
  return m ? Number(m[1]) : undefined;
}

/** `id` always, plus requested keys; numeric names select custom fields; unknown names ignored. */
export function select(full: Json, fields: string | undefined, defaults: string[]): Json {
  const wanted = fields ? fields.split(',').map((s) => s.trim()).filter(Boolean) : defaults;
  const out: Json = { id: full.id };
  const cfIds = wanted.filter((w) => /^\d+$/.test(w)).map(Number);
  for (const w of wanted) if (w in full) out[w] = full[w];
  if (cfIds.length > 0 && Array.isArray(full.customFieldData) && !wanted.includes('customFieldData')) {
    out.customFieldData = full.customFieldData.filter((d) => cfIds.includes(Number(asObject(asObject(d).field).id)));
  }
  return out;
}

export function timePoint(at: number): Json {
  const d = new Date(at);
  const p = (n: number) => String(n).padStart(2, '0');
  return {
    date: `${p(d.getUTCDate())}-${p(d.getUTCMonth() + 1)}-${d.getUTCFullYear()}`,
    time: `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}`,
    datetime: d.toISOString(),
  };
}

/** offset/pageSize of a list body; pageSize above 100 is capped (the reference leaves 41 vs cap open). */
export function page<T>(items: T[], body: Json): T[] {
  const offset = Math.max(0, Number(body.offset ?? 0) || 0);
  const pageSize = Math.min(MAX_PAGE, Math.max(1, Number(body.pageSize ?? MAX_PAGE) || MAX_PAGE));
  return items.slice(offset, offset + pageSize);
}

export function fieldsOfBody(body: Json): string | undefined {
  return typeof body.fields === 'string' ? body.fields : undefined;
}

export interface Filter {
  type: number;
  operator: string;
  value: unknown;
  field?: number;
}

/** The `filters` array, checked for shape; list endpoints AND them together. */
export function filtersOf(body: Json): Filter[] {
  if (body.filters === undefined) return [];
  if (!Array.isArray(body.filters)) throw new Fail(400, 41, 'filters must be an array');
  return body.filters.map((raw) => {
    const f = asObject(raw);
    if (typeof f.type !== 'number') throw new Fail(400, 41, 'filter type must be a number');
    if (typeof f.operator !== 'string') throw new Fail(400, 41, `filter ${f.type}: operator is missing`);
    return {
      type: f.type,
      operator: f.operator,
      value: f.value,
      ...(f.field !== undefined ? { field: Number(f.field) } : {}),
    };
  });
}

/**
 * equal/notequal around a positive test. An unknown filter type or operator is an error here
 * (real Planfix may ignore it) so that a relay filter the sim does not model fails loudly
 * instead of silently matching everything.
 */
export function byOperator(f: Filter, test: (value: unknown) => boolean, ops: string[] = ['equal', 'notequal']): (value: unknown) => boolean {
  if (!ops.includes(f.operator)) throw new Fail(400, 41, `filter ${f.type}: unsupported operator ${f.operator}`);
  return f.operator === 'notequal' || f.operator === 'nothave' ? (v) => !test(v) : test;
}

export function unsupportedFilter(f: Filter): never {
  throw new Fail(400, 41, `filter type ${f.type} is not supported by the simulator`);
}

/** An int or an array of ints (OR), as task filters 10, 51 and 57 take. */
export function intSet(f: Filter): Set<number> {
  const values = Array.isArray(f.value) ? f.value : [f.value];
  const out = new Set<number>();
  for (const v of values) {
    const n = Number(v);
    if (!Number.isInteger(n)) throw new Fail(400, 41, `filter ${f.type}: ${JSON.stringify(f.value)} is not an id`);
    out.add(n);
  }
  return out;
}

export const contains = (haystack: string, needle: unknown) =>
  haystack.toLowerCase().includes(String(needle ?? '').toLowerCase());

/** A PersonRequest id (`user:5`, `contact:12`) resolved against the account. */
export function personOf(state: SimState, raw: unknown): SimAuthor {
  const id = String(asObject(raw).id ?? '');
  const user = /^user:(\d+)$/.exec(id);
  if (user) {
    const e = state.employeeById(Number(user[1]));
    if (!e) throw new Fail(400, 4000, `Employee not found by id ${id}`);
    return { employeeEmail: e.email };
  }
  const contact = /^contact:(\d+)$/.exec(id);
  if (contact) {
    if (!state.contact(Number(contact[1]))) throw new Fail(400, 2000, `Contact not found by id ${id}`);
    return { contactNumber: Number(contact[1]) };
  }
  throw new Fail(400, 41, `Invalid person id ${JSON.stringify(id)}: expected user:N or contact:N`);
}

/** The PersonResponse for a comment author, assigner or counterparty. */
export function personJson(state: SimState, who: SimAuthor): Json {
  if ('contactNumber' in who) {
    const c = state.contact(who.contactNumber);
    return { id: `contact:${who.contactNumber}`, name: c ? [c.name, c.lastName].filter(Boolean).join(' ') : '' };
  }
  const e = state.employee(who.employeeEmail);
  return {
    id: `user:${state.userId(who.employeeEmail)}`,
    name: e ? [e.name, e.lastName].filter(Boolean).join(' ') : who.employeeEmail,
  };
}

export function requireString(obj: Json, key: string): string {
  const v = obj[key];
  if (typeof v !== 'string' || v.trim() === '') throw new Fail(400, 40, `Required parameter ${key} is missing`);
  return v;
}
