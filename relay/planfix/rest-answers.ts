import { z } from 'zod';
import { issueText } from '../core/issue.ts';
import { RestError } from './rest-error.ts';

// What the relay reads of Planfix REST answers, checked where they enter: a shape Planfix (or a
// proxy in front of it) did not promise fails the request with what was wrong, instead of an
// undefined travelling on into a task's status or a contact's id.

/** Ids may come back bare or prefixed ("contact:12"). */
export const idOf = (v: unknown): number => Number(String(v ?? '').replace(/^\w+:/, ''));
// A list item with an odd id is the caller's to skip (NaN is no id); a created object must have one.
const id = z.union([z.number(), z.string()]).transform(idOf);
const newId = id.refine((n) => Number.isInteger(n) && n > 0, 'not an id');

const status = z.object({ id: z.number(), name: z.string(), isActive: z.boolean() });
const task = z.object({ id, processId: z.number().optional(), status: status.partial().optional() });

export const answers = {
  task: z.object({ task }),
  statuses: z.object({ statuses: z.array(status).default([]) }),
  contacts: z.object({
    contacts: z.array(z.object({
      id,
      phones: z.array(z.object({ number: z.union([z.string(), z.number()]).optional() })).default([]),
    })).default([]),
  }),
  templates: z.object({ templates: z.array(z.object({ id })).default([]) }),
  created: z.object({ id: newId }),
  tasks: z.object({ tasks: z.array(task).default([]) }),
  users: z.object({ users: z.array(z.object({ id, email: z.string().optional() })).default([]) }),
};

export type TaskStatus = z.infer<typeof status>;
export type RestTask = z.infer<typeof task>;

export function read<T>(schema: z.ZodType<T>, json: unknown, path: string): T {
  const r = schema.safeParse(json);
  if (!r.success) throw new RestError(path, undefined, `unexpected answer: ${issueText(r.error, 'answer')}`);
  return r.data;
}
