// REST API v2 subset (docs/reference/planfix-api.md §3): Bearer auth, {"result":...} envelopes, error
// codes, prefixed ids, `fields` selection and the optional rate-limit / quota switches.
// Contacts, tasks and employees live in rest-contacts.ts, rest-tasks.ts and rest-users.ts.
import { scopeOf } from './rest-scopes.ts';
import { commentOnContact, contactJson, createContact, listContacts, updateContact } from './rest-contacts.ts';
import { commentList, commentOnTask, createTask, listTasks, taskJson, updateTask } from './rest-tasks.ts';
import { listUsers } from './rest-users.ts';
import { Fail, asObject, parseId, select, type Json } from './rest-util.ts';
import { CONTACT_TEMPLATES, PROCESS_ID, STATUSES, TASK_TEMPLATES, type SimContact, type SimState, type SimTask } from './state.ts';

export interface RestAnswer {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

/** Shown in X-RateLimit-Remaining when no dailyQuota is configured (smallest paid plan). */
const NOMINAL_DAILY_LIMIT = 20_000;

export class RestApi {
  private used = 0;
  private recent: number[] = [];

  constructor(private readonly state: SimState) {}

  handle(method: string, url: URL, rawBody: string, authorization: string | undefined): RestAnswer {
    let body: unknown = rawBody.trim() === '' ? null : rawBody;
    let answer: { status: number; body: unknown };
    try {
      this.admit(method, url, authorization);
      if (rawBody.trim() !== '') {
        try {
          body = JSON.parse(rawBody);
        } catch {
          throw new Fail(400, 30, 'Invalid JSON');
        }
      }
      answer = this.route(method, url, body);
    } catch (e) {
      if (!(e instanceof Fail)) throw e;
      answer = { status: e.status, body: { result: 'fail', code: e.code, error: e.error } };
    }
    this.state.restCalls.push({
      method,
      path: url.pathname,
      body,
      status: answer.status,
      at: Date.now(),
    });
    const limit = this.state.config.dailyQuota ?? NOMINAL_DAILY_LIMIT;
    return { ...answer, headers: { 'x-ratelimit-remaining': String(Math.max(0, limit - this.used)) } };
  }

  /** Token, then daily quota, then per-second rate; only admitted calls count. */
  private admit(method: string, url: URL, authorization: string | undefined): void {
    const bearer = /^Bearer\s+(.+)$/i.exec(authorization ?? '')?.[1]?.trim();
    // Documented: GET requests may carry the token as ?access_token= instead.
    const token = bearer ?? (method === 'GET' ? url.searchParams.get('access_token') : null);
    if (token !== this.state.config.restToken) throw new Fail(401, 1, 'Access denied, unknown token');
    const scope = scopeOf(method, url.pathname);
    const { restScopes } = this.state.config;
    if (scope && restScopes && !restScopes.includes(scope)) throw new Fail(403, 5, `Method is not allowed for the token's scopes (needs ${scope})`);

    const { dailyQuota, restRps } = this.state.config;
    if (dailyQuota !== null && this.used >= dailyQuota) {
      throw new Fail(400, 22, 'Daily limit of REST API requests exceeded');
    }
    if (restRps !== null) {
      const now = Date.now();
      this.recent = this.recent.filter((t) => now - t < 1000);
      if (this.recent.length >= restRps) throw new Fail(429, 0, 'Too many requests');
      this.recent.push(now);
    }
    this.used++;
  }

  private route(method: string, url: URL, body: unknown): { status: number; body: unknown } {
    const path = url.pathname.replace(/^\/rest/, '').replace(/\/+$/, '');
    const seg = path.split('/').slice(1).map(decodeURIComponent);
    const at = (i: number) => seg[i] ?? '';
    const ok = (payload: Json = {}, status = 200) => ({ status, body: { result: 'success', ...payload } });
    const created = (id: number) => ok({ id }, 201);
    const fields = () => url.searchParams.get('fields') ?? undefined;
    const obj = asObject(body);
    const is = (m: string, p: string) => method === m && path === p;

    if (is('GET', '/ping')) return ok();

    if (is('POST', '/contact/list')) return ok({ contacts: listContacts(this.state, obj) });
    if (is('POST', '/contact')) return created(createContact(this.state, obj));
    if (is('GET', '/contact/templates')) return ok({ templates: templates(CONTACT_TEMPLATES, fields()) });
    if (seg.length === 2 && at(0) === 'contact') {
      const contact = this.contact(at(1));
      if (method === 'GET') return ok({ contact: contactJson(contact, fields()) });
      if (method === 'POST') {
        updateContact(this.state, contact, obj);
        return ok();
      }
    }
    if (method === 'POST' && seg.length === 3 && at(0) === 'contact' && at(2) === 'comments') {
      return created(commentOnContact(this.state, this.contact(at(1)), obj));
    }

    if (is('POST', '/task/list')) return ok({ tasks: listTasks(this.state, obj) });
    if (is('POST', '/task')) return created(createTask(this.state, obj));
    if (is('GET', '/task/templates')) return ok({ templates: templates(TASK_TEMPLATES, fields()) });
    if (seg.length === 2 && at(0) === 'task') {
      const task = this.task(at(1));
      if (method === 'GET') return ok({ task: taskJson(this.state, task, fields()) });
      if (method === 'POST') {
        updateTask(this.state, task, obj);
        return ok();
      }
    }
    if (method === 'POST' && seg.length === 3 && at(0) === 'task' && at(2) === 'comments') {
      return created(commentOnTask(this.state, this.task(at(1)), obj));
    }
    if (method === 'POST' && seg.length === 4 && at(0) === 'task' && at(2) === 'comments' && at(3) === 'list') {
      return ok({ comments: commentList(this.state, this.task(at(1)), obj) });
    }

    if (is('GET', '/process/task')) return ok({ processes: [] });
    if (method === 'GET' && seg.length === 4 && path.startsWith('/process/task/') && at(3) === 'statuses') {
      if (at(2) !== String(PROCESS_ID)) throw new Fail(400, 41, `Process not found by id ${at(2)}`);
      return ok({ statuses: STATUSES.map((s) => ({ ...s })) });
    }
    if (is('GET', '/customfield/task')) {
      return ok({
        customfields: this.state.config.taskFields.map((name) => ({ id: this.state.fieldId(name), name, type: 0 })),
      });
    }
    if (is('GET', '/customfield/contact')) return ok({ customfields: [] });
    if (is('POST', '/user/list')) return ok({ users: listUsers(this.state, obj) });
    throw new Fail(404, 0, 'Rest API error');
  }

  private task(raw: string): SimTask {
    const n = parseId(raw, 'task');
    const task = n === undefined ? undefined : this.state.task(n);
    if (!task) throw new Fail(404, 1000, `Task not found by id ${raw}`);
    return task;
  }

  private contact(raw: string): SimContact {
    const n = parseId(raw, 'contact');
    const contact = n === undefined ? undefined : this.state.contact(n);
    if (!contact) throw new Fail(404, 2000, `Contact not found by id ${raw}`);
    return contact;
  }
}

function templates(list: readonly { id: number; name: string }[], fields: string | undefined): Json[] {
  return list.map((t) => select({ ...t }, fields, ['id', 'name']));
}
