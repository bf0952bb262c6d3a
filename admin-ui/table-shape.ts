import type { JsonSchema } from './forms.ts';

// Which maps and lists of a channel's schema the page shows as a table, and with which columns.
// Free of the DOM: the texts test reads the same columns the page draws, so a column without
// words cannot slip through.

/** What one cell holds: a value typed as text, or a list of words typed comma-separated. */
export type CellKind = 'string' | 'number' | 'integer' | 'stringOrNumber' | 'list';

export interface Column {
  id: string;
  kind: CellKind;
  schema: JsonSchema;
  required?: boolean;
}

export type TableShape =
  /** Key → value, one row each: free keys the admin adds, or the fixed ones the schema names (`keys`). */
  | { type: 'map'; keys?: string[]; key: Column; value: Column }
  /** A list of flat objects (a column per property) or of plain values (one column, `value`). */
  | { type: 'rows'; columns: Column[]; plain: boolean };

const typeOf = (s: JsonSchema): string | undefined => (Array.isArray(s.type) ? s.type.find((x) => x !== 'null') : s.type);

function cellKind(s: JsonSchema): CellKind | undefined {
  const t = typeOf(s);
  if (t === 'string' || t === 'number' || t === 'integer') return t;
  if (t === 'array' && s.items && typeOf(s.items) === 'string') return 'list';
  const kinds = (s.anyOf ?? []).map(cellKind);
  if (kinds.length && kinds.every((k) => k === 'string' || k === 'number' || k === 'integer')) return kinds.every((k) => k === 'string') ? 'string' : 'stringOrNumber';
  return undefined;
}

/** The table a field is drawn as; undefined for a plain value, or a shape too nested for one (it stays a JSON box). */
export function tableShape(s: JsonSchema): TableShape | undefined {
  const t = typeOf(s);
  if (t === 'object') {
    // A record: `additionalProperties` says what each value is; `propertyNames.enum` fixes its keys.
    if (s.additionalProperties && typeof s.additionalProperties === 'object' && !s.properties) {
      const kind = cellKind(s.additionalProperties);
      if (!kind) return undefined;
      const names = s.propertyNames ?? { type: 'string' };
      return { type: 'map', keys: names.enum?.map(String), key: { id: 'key', kind: 'string', schema: names }, value: { id: 'value', kind, schema: s.additionalProperties } };
    }
    // An object whose every property is the same simple kind (Verbox's event names) reads as a map with fixed keys.
    const props = Object.entries(s.properties ?? {});
    const kinds = new Set(props.map(([, p]) => cellKind(p)));
    if (props.length && kinds.size === 1 && !kinds.has(undefined)) {
      return { type: 'map', keys: props.map(([k]) => k), key: { id: 'key', kind: 'string', schema: { type: 'string' } }, value: { id: 'value', kind: [...kinds][0]!, schema: props[0]![1] } };
    }
    return undefined;
  }
  if (t === 'array' && s.items) {
    const kind = cellKind(s.items);
    if (kind && kind !== 'list') return { type: 'rows', plain: true, columns: [{ id: 'value', kind, schema: s.items, required: true }] };
    if (typeOf(s.items) !== 'object' || !s.items.properties) return undefined;
    const columns: Column[] = [];
    for (const [id, p] of Object.entries(s.items.properties)) {
      const k = cellKind(p);
      if (!k) return undefined;
      columns.push({ id, kind: k, schema: p, required: s.items.required?.includes(id) });
    }
    return { type: 'rows', plain: false, columns };
  }
  return undefined;
}

/** The ids of a table's columns, as the channel's texts name them (`columns`). */
export function columnIds(shape: TableShape): string[] {
  return shape.type === 'map' ? ['key', 'value'] : shape.columns.map((c) => c.id);
}
