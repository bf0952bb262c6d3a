// REST tasks (docs/reference/planfix-api.md §3.7, §3.8): list with filters, read, create, update and
// comments.
import {
  Fail,
  asObject,
  byOperator,
  contains,
  fieldsOfBody,
  filtersOf,
  intSet,
  page,
  personJson,
  personOf,
  requireString,
  select,
  timePoint,
  unsupportedFilter,
  type Filter,
  type Json,
} from './rest-util.ts';
import { PROCESS_ID, ROBOT_EMPLOYEE, STATUSES, TASK_TEMPLATES, type SimComment, type SimState, type SimTask } from './state.ts';

/** Saved-filter tokens a real account knows without configuration [obs]; the sim treats all as "every task". */
const SYSTEM_FILTERS = new Set([':all', ':in', ':out', ':audit']);

export function taskJson(state: SimState, task: SimTask, fields: string | undefined): Json {
  const status = STATUSES.find((s) => s.id === task.statusId)!;
  const full: Json = {
    id: task.number,
    name: task.name,
    description: task.description,
    type: 'Task',
    status: { ...status },
    processId: PROCESS_ID,
    assigner: personJson(state, task.assigner),
    ...(task.counterparty ? { counterparty: personJson(state, task.counterparty) } : {}),
    assignees: {
      users: task.assignees.users.map((email) => personJson(state, { employeeEmail: email })),
      groups: task.assignees.groups.map((id) => ({ id, name: `Group ${id}` })),
    },
    template: { id: task.templateId },
    dateTime: timePoint(task.createdAt),
    dateOfLastUpdate: timePoint(task.updatedAt),
    isDeleted: false,
    customFieldData: state.config.taskFields.map((name) => ({
      field: { id: state.fieldId(name), name, type: 0 },
      value: task.fields[name] ?? '',
    })),
  };
  return select(full, fields, ['id', 'name']);
}

export function listTasks(state: SimState, body: Json): Json[] {
  if (body.filterId !== undefined && !SYSTEM_FILTERS.has(String(body.filterId))) {
    throw new Fail(400, 41, `Filter not found by id ${String(body.filterId)}`);
  }
  const tests = filtersOf(body).map((f) => taskFilter(state, f));
  const found = state.tasks.filter((t) => tests.every((test) => test(t)));
  if (state.config.taskListOrder === 'desc') found.reverse();
  return page(found, body).map((t) => taskJson(state, t, fieldsOfBody(body)));
}

function taskFilter(state: SimState, f: Filter): (t: SimTask) => boolean {
  const on = (get: (t: SimTask) => unknown, test: (v: unknown) => boolean, ops?: string[]) => {
    const t = byOperator(f, test, ops);
    return (task: SimTask) => t(get(task));
  };
  switch (f.type) {
    case 7: {
      // Counterparty takes a bare contact number or "contact:N".
      const m = /^(?:contact:)?(\d+)$/.exec(String(f.value ?? ''));
      if (!m) throw new Fail(400, 41, `filter 7: ${JSON.stringify(f.value)} is not a contact`);
      const n = Number(m[1]);
      return on((t) => t.counterparty?.contactNumber, (v) => v === n);
    }
    case 1:
    case 2: {
      // Compared as prefixed ids, so naming someone the account lacks simply matches nothing.
      const id = String(f.value ?? '');
      if (!/^(user|contact|group):\d+$/.test(id)) throw new Fail(400, 41, `filter ${f.type}: ${JSON.stringify(f.value)} is not user:N, contact:N or group:N`);
      if (f.type === 1) return on((t) => personJson(state, t.assigner).id, (v) => v === id);
      return on(
        (t) => [...t.assignees.users.map((u) => `user:${state.userId(u)}`), ...t.assignees.groups.map((g) => `group:${g}`)],
        (v) => (v as string[]).includes(id),
      );
    }
    case 10: {
      const ids = intSet(f);
      return on((t) => t.statusId, (v) => ids.has(v as number));
    }
    case 51: {
      const ids = intSet(f);
      return on((t) => t.templateId, (v) => ids.has(v as number));
    }
    case 57: {
      const ids = intSet(f);
      return on((t) => t.number, (v) => ids.has(v as number));
    }
    case 8:
      return on((t) => t.name, (v) => contains(String(v), f.value));
    case 101: {
      const name = state.config.taskFields.find((n) => state.fieldId(n) === f.field);
      if (name === undefined) throw new Fail(400, 41, `filter 101: no String field ${String(f.field)}`);
      const want = String(f.value ?? '');
      const test =
        f.operator === 'have' || f.operator === 'nothave'
          ? (v: unknown) => contains(String(v), want)
          : (v: unknown) => v === want;
      return on((t) => t.fields[name] ?? '', test, ['equal', 'notequal', 'have', 'nothave']);
    }
  }
  return unsupportedFilter(f);
}

function statusOf(raw: unknown): (typeof STATUSES)[number] {
  const id = Number(asObject(raw).id);
  const status = STATUSES.find((s) => s.id === id);
  // Draft (0) is not modelled: the sim's process has no draft status.
  if (!status) throw new Fail(400, 41, `Invalid status id ${String(asObject(raw).id)}`);
  return status;
}

function peopleOf(state: SimState, raw: unknown): SimTask['assignees'] {
  const o = asObject(raw);
  const users = (Array.isArray(o.users) ? o.users : []).map((u) => {
    const who = personOf(state, u);
    if (!('employeeEmail' in who)) throw new Fail(400, 41, 'assignees.users takes employees (user:N)');
    return who.employeeEmail;
  });
  const groups = (Array.isArray(o.groups) ? o.groups : []).map((g) => Number(asObject(g).id));
  return { users, groups };
}

/** customFieldData → field name → value; fields not on the template are dropped silently [obs]. */
function fieldValues(state: SimState, raw: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!Array.isArray(raw)) return out;
  for (const item of raw) {
    const o = asObject(item);
    const name = state.config.taskFields.find((n) => state.fieldId(n) === Number(asObject(o.field).id));
    if (name !== undefined) out[name] = String(o.value ?? '');
  }
  return out;
}

export function createTask(state: SimState, body: Json): number {
  const name = requireString(body, 'name');
  let templateId: number = TASK_TEMPLATES[0].id;
  if (body.template !== undefined) {
    templateId = Number(asObject(body.template).id);
    if (!TASK_TEMPLATES.some((t) => t.id === templateId)) {
      throw new Fail(400, 41, `Task template not found by id ${String(asObject(body.template).id)}`);
    }
  }
  let contactNumber: number | undefined;
  if (body.counterparty !== undefined) {
    const who = personOf(state, body.counterparty);
    if (!('contactNumber' in who)) throw new Fail(400, 41, 'counterparty must be a contact (contact:N)');
    contactNumber = who.contactNumber;
  }
  const task = state.addTask({
    name,
    description: typeof body.description === 'string' ? body.description : '',
    templateId,
    ...(contactNumber !== undefined ? { contactNumber } : {}),
    assigner: body.assigner === undefined ? { employeeEmail: ROBOT_EMPLOYEE } : personOf(state, body.assigner),
    ...(body.assignees !== undefined ? { assignees: peopleOf(state, body.assignees) } : {}),
    ...(body.status !== undefined ? { statusId: statusOf(body.status).id } : {}),
    fields: fieldValues(state, body.customFieldData),
    source: 'rest',
  });
  return task.number;
}

/** All checks run before any change, so a rejected update leaves the task as it was. */
export function updateTask(state: SimState, task: SimTask, body: Json): void {
  const status = 'status' in body ? statusOf(body.status) : undefined;
  if ('name' in body && (typeof body.name !== 'string' || body.name.trim() === '')) {
    throw new Fail(400, 40, 'Required parameter name is missing');
  }
  const assignees = body.assignees !== undefined ? peopleOf(state, body.assignees) : undefined;
  if (status) state.setStatus(task, status.id);
  if (typeof body.name === 'string') task.name = body.name;
  if (typeof body.description === 'string') task.description = body.description;
  // People lists on update replace the old ones [obs].
  if (assignees) task.assignees = assignees;
  Object.assign(task.fields, fieldValues(state, body.customFieldData));
  task.updatedAt = Date.now();
}

export function commentOnTask(state: SimState, task: SimTask, body: Json): number {
  const description = requireString(body, 'description');
  // Without `owner` the comment is the token user's, i.e. the robot's.
  const author = body.owner === undefined ? { employeeEmail: ROBOT_EMPLOYEE } : personOf(state, body.owner);
  return state.addComment(task, {
    text: description,
    author,
    attachments: [],
    fromType: 'Planfix',
    ...(body.recipients !== undefined ? { recipients: body.recipients } : {}),
  }).id;
}

export function commentList(state: SimState, task: SimTask, body: Json): Json[] {
  const ordered = body.resultOrder === 'Desc' ? [...task.comments].reverse() : task.comments;
  return page(ordered, body).map((c) => select(commentJson(state, task, c), fieldsOfBody(body), ['id', 'description']));
}

function commentJson(state: SimState, task: SimTask, c: SimComment): Json {
  return {
    id: c.id,
    dateTime: timePoint(c.at),
    type: 'Comment',
    fromType: c.fromType,
    description: c.text,
    task: { id: task.number },
    owner: personJson(state, c.author),
    recipients: c.recipients ?? {},
    files: c.attachments.map((a) => ({ name: a.name, url: a.url })),
    isDeleted: false,
  };
}
