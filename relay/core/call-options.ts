import { z } from 'zod';
import { UTM_KEYS } from './events.ts';

// How calls land in Planfix: the same for every telephony provider, so the schema lives here and
// an adapter only adds its own connection settings.

export const employeeSchema = z.object({
  /** How the provider names the employee: extension, number or SIP login. */
  id: z.string().min(1),
  /** The employee's short number in Planfix's telephony settings. */
  ext: z.string().min(1).optional(),
  email: z.string().email().optional(),
  name: z.string().min(1).optional(),
}).strict();

export const callOptionsShape = {
  employees: z.array(employeeSchema).default([]),
  /** Planfix short number for calls no employee took (a missed call): Planfix records calls only under a known one. */
  defaultExt: z.string().min(1).optional(),
  /** Where an answered call's comment goes: the contact, or the contact's most recent active task. */
  callTarget: z.enum(['contact', 'lastActiveTask']).default('lastActiveTask'),
  /** The same for a call nobody talked on; Planfix and Ringostat's own integration keep those on the contact. */
  missedCallTarget: z.enum(['contact', 'lastActiveTask']).default('contact'),
  createContacts: z.boolean().default(true),
  contactTemplateId: z.number().int().positive().optional(),
  /** `{phone}` is replaced by the number in E.164. Unset: the account language's "Client {phone}". */
  contactName: z.string().min(1).max(200).optional(),
  taskTemplateId: z.number().int().positive().optional(),
  /** Unset: the account language's "Call with {phone}". */
  taskName: z.string().min(1).max(200).optional(),
  /** UTM key → field name of Planfix's "Call" data tag (`data_<name>`); "" turns one off. */
  callFields: z.partialRecord(z.enum(UTM_KEYS), z.string().max(100)).optional(),
  /** UTM key → id of a task custom field (REST writes fields by id). */
  taskUtmFields: z.partialRecord(z.enum(UTM_KEYS), z.number().int().positive()).optional(),
};

const callOptions = z.object(callOptionsShape);
export type CallOptions = z.infer<typeof callOptions>;
/** What a channel that has no call options of its own lands calls with. */
export const DEFAULT_CALL_OPTIONS: CallOptions = callOptions.parse({});
export type Employee = z.infer<typeof employeeSchema>;

const digits = (s: string) => s.replace(/\D/g, '');

/** The employee the provider means; numbers compare by their digits ("+380 67…" is "38067…"). */
export function findEmployee(list: Employee[], id: string | undefined): Employee | undefined {
  if (!id) return undefined;
  return list.find((e) => e.id === id || (digits(id).length >= 3 && digits(e.id) === digits(id)));
}
