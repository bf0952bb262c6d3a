/**
 * Fields that name a Planfix object (a template, a task field, an employee) are picked on the
 * admin page from lists the relay reads from the account's Planfix (GET
 * /api/accounts/:id/planfix/choices). Shared by the relay and the page, so kept free of imports.
 */
export const PICKER_LISTS = ['taskTemplates', 'contactTemplates', 'taskFields', 'users'] as const;
export type PickerList = (typeof PICKER_LISTS)[number];

/** Declared in a field's texts: which list it is picked from, and what of the picked item it holds. */
export interface Picker {
  list: PickerList;
  value: 'id' | 'name' | 'email';
}

/** One item of a list. Users also have their e-mail (where Planfix gives it) and both parts of the name, for matching. */
export interface Choice {
  id: number;
  name: string;
  email?: string;
  firstName?: string;
  lastName?: string;
}

/** Why a list is not there; the page then says what to do and leaves the field to be typed. */
export type Unavailable =
  | { reason: 'scope'; scope: string }
  | { reason: 'no_rest_token' }
  | { reason: 'planfix_error'; message: string };

export type ChoicesAnswer = { items: Choice[]; truncated?: true } | { unavailable: Unavailable };

/** The REST token scope (docs/reference/planfix-api.md §3.4) each list is read with. */
export const PICKER_SCOPES: Record<PickerList, string> = {
  taskTemplates: 'task_readonly',
  contactTemplates: 'contact_readonly',
  taskFields: 'task_readonly',
  users: 'user_readonly',
};
