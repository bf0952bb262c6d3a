import { z } from 'zod';
import { issueText } from '../core/issue.ts';
import { ChatApiError } from './chat-error.ts';

// What the relay reads of Chat API answers, checked where they enter (as rest-answers.ts does for
// REST): a shape Planfix did not promise fails the command naming the field, instead of an
// undefined read as "no task". getTask and getContact answer `{"data":{"number":1014}}`; clients
// have also met `data` as a JSON-encoded string, `number` at the top level or as a string, and
// `statusIsActive` beside it as a boolean or spelled as text or a digit.

const number = z.union([z.number(), z.string()]).transform(Number).refine((n) => Number.isInteger(n) && n > 0, 'not a positive whole number');
// null counts as not said, as a missing field does.
const flag = z.union([z.boolean(), z.enum(['true', 'false', '1', '0']), z.literal([1, 0]), z.null()], { error: 'not true or false (as a boolean, text or 1/0)' })
  .transform((v) => (v === null ? undefined : v === true || v === 'true' || v === '1' || v === 1));
const fields = z.object({ number: number.optional(), statusIsActive: flag.optional() });

/** A string that is no JSON stays a string, so the schema refuses it as `data` by name. */
const decoded = (v: unknown): unknown => {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
};

const numbered = fields.extend({ data: z.preprocess(decoded, fields.nullable().optional()) }).transform((a, ctx) => {
  const n = a.data?.number ?? a.number;
  if (n === undefined) {
    ctx.addIssue({ code: 'custom', path: ['data', 'number'], message: 'missing' });
    return z.NEVER;
  }
  return { number: n, statusIsActive: a.data?.statusIsActive ?? a.statusIsActive };
});

export type Numbered = z.output<typeof numbered>;

/** getTask's and getContact's answer: the Planfix number, and for a task whether it is open. */
export function readNumbered(cmd: string, json: unknown): Numbered {
  const r = numbered.safeParse(json);
  if (!r.success) throw new ChatApiError(cmd, undefined, `unexpected answer: ${issueText(r.error, 'answer')}`);
  return r.data;
}

// Planfix says "no such task or contact" only in words: 400 {"error":"task not found"} to getTask,
// 400 {"error":"unknown contact"} to getContact. They are read here, from the `error` field, once;
// the words are matched loosely ("Task not found by id 10" is how Planfix's REST words it).
const NOT_FOUND = /\bnot found\b|\bunknown contact\b/i;
const refusal = z.object({ error: z.string() });

/** Whether a refusal is Planfix's "no such task or contact yet". */
export function isNotFound(status: number, json: unknown): boolean {
  const r = refusal.safeParse(json);
  return status === 400 && r.success && NOT_FOUND.test(r.data.error);
}
