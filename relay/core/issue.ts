import type { z } from 'zod';

/** A field error as the admin API answers it besides its text: which field, and why, for the page to word. */
export interface FieldIssue {
  path: string;
  /** zod's issue code (`invalid_format`, `too_small`, …), `required` for a missing value, or the relay's own (`not_allowed`). */
  reason: string;
  format?: string;
  expected?: string;
  origin?: string;
  minimum?: number;
  maximum?: number;
  /** With `too_small` / `too_big`: whether the bound itself is allowed. */
  inclusive?: boolean;
  values?: unknown[];
  /** With `not_allowed`: the outbound policy's rule the URL breaks (`https`, `host`, …). */
  rule?: string;
}

function pathOf(issue: z.core.$ZodIssue, prefix: string): string {
  const keys = issue.code === 'unrecognized_keys' ? issue.keys : undefined;
  return [prefix, ...issue.path.map(String), ...(keys?.length ? [keys[0]!] : [])].filter(Boolean).join('.');
}

/** A schema's first complaint as one line an admin can act on: "settings.publicKey: Required". */
export function issueText(err: z.ZodError, prefix = ''): string {
  const issue = err.issues[0]!;
  const message = issue.code === 'unrecognized_keys' ? 'unknown field' : issue.message;
  return `${pathOf(issue, prefix) || 'body'}: ${message}`;
}

const at = (value: unknown, path: PropertyKey[]): unknown =>
  path.reduce<unknown>((v, k) => (v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined), value);

/** The first complaint's field and reason; `value` is what was checked, to tell a missing value from a wrong one. */
export function issueField(err: z.ZodError, value: unknown, prefix = ''): FieldIssue {
  const issue = err.issues[0]!;
  const missing = issue.code === 'invalid_type' && at(value, issue.path) === undefined;
  const i = issue as Partial<Record<'format' | 'expected' | 'origin', string>> & { minimum?: unknown; maximum?: unknown; inclusive?: boolean; values?: unknown[] };
  return {
    path: pathOf(issue, prefix) || 'body',
    reason: missing ? 'required' : issue.code,
    ...(i.format ? { format: i.format } : {}),
    ...(i.expected && !missing ? { expected: i.expected } : {}),
    ...(i.origin ? { origin: i.origin } : {}),
    ...(typeof i.minimum === 'number' ? { minimum: i.minimum } : {}),
    ...(typeof i.maximum === 'number' ? { maximum: i.maximum } : {}),
    ...(typeof i.inclusive === 'boolean' ? { inclusive: i.inclusive } : {}),
    ...(Array.isArray(i.values) ? { values: i.values } : {}),
  };
}
