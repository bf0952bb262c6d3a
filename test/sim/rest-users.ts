// REST employees (docs/reference/planfix-api.md §3.11): POST /user/list with the employee filters the relay
// needs to map e-mails and short numbers.
import { phoneContains } from './phones.ts';
import { Fail, byOperator, contains, fieldsOfBody, filtersOf, page, select, type Filter, type Json } from './rest-util.ts';
import type { SimEmployee, SimState } from './state.ts';

export function listUsers(state: SimState, body: Json): Json[] {
  const tests = filtersOf(body).map((f) => userFilter(state, f));
  const found = state.employees.filter((e) => tests.every((t) => t(e)));
  return page(found, body).map((e) => userJson(e, fieldsOfBody(body)));
}

/**
 * The reference names no UserResponse key for the short number, so none is invented here:
 * a relay finds an employee by ext with filter 9004 and reads the e-mail.
 */
function userJson(e: SimEmployee, fields: string | undefined): Json {
  const full: Json = {
    id: e.id,
    name: e.name,
    lastname: e.lastName,
    email: e.email,
    status: 'Active',
    role: e.role,
    isDeleted: false,
  };
  return select(full, fields, ['id', 'name']);
}

function userFilter(state: SimState, f: Filter): (e: SimEmployee) => boolean {
  const on = (get: (e: SimEmployee) => unknown, test: (v: unknown) => boolean) => {
    const t = byOperator(f, test);
    return (e: SimEmployee) => t(get(e));
  };
  const value = String(f.value ?? '');
  switch (f.type) {
    case 9003:
      return on((e) => e.email, (v) => value !== '' && contains(String(v), value));
    case 9002:
      return on((e) => e.phone, (v) => phoneContains(String(v), value, state.config.phoneFilter));
    case 9004:
      return on((e) => e.ext, (v) => value !== '' && v === value);
    case 9006:
      return on((e) => `${e.name} ${e.lastName}`, (v) => contains(String(v), value));
    case 9008:
      return on((e) => e.id, (v) => v === Number(f.value));
  }
  throw new Fail(400, 41, `filter type ${f.type} is not supported by the simulator`);
}
