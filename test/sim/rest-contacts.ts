// REST contacts (docs/reference/planfix-api.md §3.6): list with filters, read, create, update, templates
// and the contact comments the relay writes for visits and calls.
import { phoneContains } from './phones.ts';
import {
  Fail,
  asObject,
  byOperator,
  contains,
  fieldsOfBody,
  filtersOf,
  page,
  personOf,
  requireString,
  select,
  timePoint,
  unsupportedFilter,
  type Filter,
  type Json,
} from './rest-util.ts';
import { CONTACT_TEMPLATES, type SimContact, type SimPhone, type SimState } from './state.ts';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function contactJson(c: SimContact, fields: string | undefined): Json {
  const full: Json = {
    id: c.number,
    name: c.name,
    lastname: c.lastName,
    email: c.email,
    // No phone mask is configured in the sim, so the masked form is the number as stored.
    phones: c.phones.map((p) => ({ number: p.number, maskedNumber: p.number, type: p.type })),
    description: c.data,
    avatarUrl: c.ico,
    template: { id: c.templateId },
    isCompany: false,
    isDeleted: false,
    createdDate: timePoint(c.createdAt),
  };
  return select(full, fields, ['id', 'name']);
}

export function listContacts(state: SimState, body: Json): Json[] {
  const tests = filtersOf(body).map((f) => contactFilter(state, f));
  const found = state.contacts.filter((c) => tests.every((t) => t(c)));
  return page(found, body).map((c) => contactJson(c, fieldsOfBody(body)));
}

function contactFilter(state: SimState, f: Filter): (c: SimContact) => boolean {
  const on = (get: (c: SimContact) => unknown, test: (v: unknown) => boolean) => {
    const t = byOperator(f, test);
    return (c: SimContact) => t(get(c));
  };
  switch (f.type) {
    case 4003: {
      const mode = state.config.phoneFilter;
      const value = String(f.value ?? '');
      return on((c) => c.phones, (phones) => (phones as SimPhone[]).some((p) => phoneContains(p.number, value, mode)));
    }
    case 4026:
      return on((c) => c.email.toLowerCase(), (v) => v !== '' && v === String(f.value ?? '').toLowerCase());
    case 4005:
      return on((c) => c.email, (v) => String(f.value ?? '') !== '' && contains(String(v), f.value));
    case 4001:
      return on((c) => `${c.name} ${c.lastName}`, (v) => contains(String(v), f.value));
    case 4014:
      return on((c) => c.name, (v) => contains(String(v), f.value));
    case 4015:
      return on((c) => c.lastName, (v) => contains(String(v), f.value));
    case 4016:
      return on((c) => c.templateId, (v) => v === Number(f.value));
    case 4231:
      return on((c) => c.number, (v) => v === Number(f.value));
    case 38: { // last modified: only the form the relay's phone book sends, on the sim's clock (UTC)
      const v = asObject(f.value);
      const from = filterTime(v.dateFrom);
      const to = filterTime(v.dateTo);
      if (state.config.changedFilter === 'refused' || v.dateType !== 'otherRange_withTime' || from === undefined || to === undefined) return unsupportedFilter(f);
      return on((c) => c.updatedAt, (at) => (at as number) >= from && (at as number) <= to);
    }
    case 4007: // "is a contact": the sim has no companies
      return () => true;
    case 4006:
      return () => false;
  }
  return unsupportedFilter(f);
}

/** `dd-mm-yyyy hh:mm` as Planfix's date filters take it, read as UTC (the sim's users' clock). */
function filterTime(v: unknown): number | undefined {
  const m = /^(\d{2})-(\d{2})-(\d{4}) (\d{2}):(\d{2})$/.exec(String(v ?? ''));
  return m ? Date.UTC(+m[3]!, +m[2]! - 1, +m[1]!, +m[4]!, +m[5]!) : undefined;
}

/** Contact template: `template: {id}` as real clients send, or the generated model's `templateId`. */
function templateOf(body: Json): number {
  const raw = body.template !== undefined ? asObject(body.template).id : body.templateId;
  if (raw === undefined) throw new Fail(400, 40, 'Required parameter template is missing');
  const id = Number(raw);
  if (!CONTACT_TEMPLATES.some((t) => t.id === id)) throw new Fail(400, 41, `Contact template not found by id ${String(raw)}`);
  return id;
}

function phonesOf(body: Json): SimPhone[] {
  if (!Array.isArray(body.phones)) throw new Fail(400, 41, 'phones must be an array');
  return body.phones.map((raw) => {
    const p = asObject(raw);
    const number = typeof p.number === 'number' ? String(p.number) : p.number;
    if (typeof number !== 'string' || number.trim() === '') throw new Fail(400, 41, 'phones[].number is missing');
    // Stored exactly as sent: Planfix neither validates nor normalises numbers.
    return { number, type: p.type === undefined ? 1 : Number(p.type) };
  });
}

function checkEmail(state: SimState, email: string, self?: SimContact): void {
  if (email === '') return;
  if (!EMAIL.test(email)) throw new Fail(400, 2004, `Invalid email ${email}`);
  const lower = email.toLowerCase();
  const taken =
    state.contacts.some((c) => c !== self && c.email.toLowerCase() === lower) || state.employee(email) !== undefined;
  // Planfix refuses a second contact with an e-mail already in use (it allows duplicate phones).
  if (taken) throw new Fail(400, state.config.duplicateEmailCode, `Email ${email} is already used`);
}

export function createContact(state: SimState, body: Json): number {
  const templateId = templateOf(body);
  if (typeof body.name !== 'string' || body.name.trim() === '') throw new Fail(400, 2006, 'Contact name is empty');
  const email = typeof body.email === 'string' ? body.email : '';
  checkEmail(state, email);
  const contact = state.addContact({
    name: body.name,
    lastName: typeof body.lastname === 'string' ? body.lastname : '',
    email,
    phones: body.phones === undefined ? [] : phonesOf(body),
    data: typeof body.description === 'string' ? body.description : '',
    templateId,
    source: 'rest',
  });
  return contact.number;
}

/** Only the keys present change; `phones` is replaced as a whole. */
export function updateContact(state: SimState, c: SimContact, body: Json): void {
  if ('name' in body && (typeof body.name !== 'string' || body.name.trim() === '')) {
    throw new Fail(400, 2006, 'Contact name is empty');
  }
  if (typeof body.email === 'string') checkEmail(state, body.email, c);
  const phones = body.phones === undefined ? undefined : phonesOf(body);
  if (typeof body.name === 'string') c.name = body.name;
  if (typeof body.lastname === 'string') c.lastName = body.lastname;
  if (typeof body.email === 'string') c.email = body.email;
  if (typeof body.description === 'string') c.data = body.description;
  if (phones) c.phones = phones;
  c.updates++;
  c.updatedAt = Date.now();
}

/**
 * Assumption: the reference documents comments on tasks only; contact comments are modelled
 * by analogy with POST /task/{id}/comments/ (same body and answer).
 */
export function commentOnContact(state: SimState, c: SimContact, body: Json): number {
  const description = requireString(body, 'description');
  const author = body.owner === undefined ? undefined : personOf(state, body.owner);
  return state.addContactComment(c.number, description, author);
}
