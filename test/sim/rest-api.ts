// REST API v2 subset (planfix-api.md §3): Bearer auth, {"result":...} envelopes, error
// codes, prefixed ids, `fields` selection and the optional rate-limit / quota switches.
import { PROCESS_ID, STATUSES, type SimComment, type SimContact, type SimState, type SimTask } from './state.ts';

export interface RestAnswer {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

class Fail {
  constructor(
    readonly status: number,
    readonly code: number,
    readonly error: string,
  ) {}
}

/** Shown in X-RateLimit-Remaining when no dailyQuota is configured (smallest paid plan). */
const NOMINAL_DAILY_LIMIT = 20_000;
const MAX_PAGE = 100;
type Json = Record<string, unknown>;

export class RestApi {
  private used = 0;
  private recent: number[] = [];
  private readonly userIds = new Map<string, number>();

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
    const fields = () => url.searchParams.get('fields') ?? undefined;
    const obj = asObject(body);

    if (method === 'GET' && path === '/ping') return ok();
    if (seg.length === 2 && at(0) === 'task') {
      const task = this.task(at(1));
      if (method === 'GET') return ok({ task: this.taskJson(task, fields()) });
      if (method === 'POST') {
        this.updateTask(task, obj);
        return ok();
      }
    }
    if (method === 'POST' && seg.length === 4 && at(0) === 'task' && at(2) === 'comments' && at(3) === 'list') {
      return ok({ comments: this.commentList(this.task(at(1)), obj) });
    }
    if (method === 'GET' && seg.length === 4 && path.startsWith('/process/task/') && at(3) === 'statuses') {
      if (at(2) !== String(PROCESS_ID)) throw new Fail(400, 41, `Process not found by id ${at(2)}`);
      return ok({ statuses: STATUSES.map((s) => ({ ...s })) });
    }
    if (method === 'GET' && path === '/customfield/task') {
      return ok({
        customfields: this.state.config.taskFields.map((name) => ({ id: this.state.fieldId(name), name, type: 0 })),
      });
    }
    if (seg.length === 2 && at(0) === 'contact' && method === 'GET') {
      return ok({ contact: this.contactJson(this.contact(at(1)), fields()) });
    }
    // Assumption: the reference documents comments on tasks only; contact comments are
    // modelled by analogy with POST /task/{id}/comments/ (same body and answer).
    if (method === 'POST' && seg.length === 3 && at(0) === 'contact' && at(2) === 'comments') {
      const contact = this.contact(at(1));
      const description = obj.description;
      if (typeof description !== 'string' || description === '') {
        throw new Fail(400, 40, 'Required parameter description is missing');
      }
      return ok({ id: this.state.addContactComment(contact.number, description) }, 201);
    }
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

  private updateTask(task: SimTask, body: Json): void {
    if ('status' in body) {
      const id = Number(asObject(body.status).id);
      const status = STATUSES.find((s) => s.id === id);
      // Draft (0) exists only at creation; moving a task back to it is rejected.
      if (!status) throw new Fail(400, 41, `Invalid status id ${String(asObject(body.status).id)}`);
      task.statusId = status.id;
      task.active = status.isActive;
    }
    if (Array.isArray(body.customFieldData)) {
      for (const item of body.customFieldData) {
        const o = asObject(item);
        const name = this.state.config.taskFields.find((n) => this.state.fieldId(n) === asObject(o.field).id);
        // Fields not on the template are dropped silently, as observed on real accounts.
        if (name !== undefined) task.fields[name] = String(o.value ?? '');
      }
    }
  }

  private taskJson(task: SimTask, fields: string | undefined): Json {
    const status = STATUSES.find((s) => s.id === task.statusId)!;
    const full: Json = {
      id: task.number,
      name: task.name,
      description: '',
      status: { ...status },
      processId: PROCESS_ID,
      assigner: this.person(task.assigner.contactNumber),
      counterparty: this.person(task.counterparty.contactNumber),
      template: { id: 1 },
      isDeleted: false,
      customFieldData: this.state.config.taskFields.map((name) => ({
        field: { id: this.state.fieldId(name), name, type: 0 },
        value: task.fields[name] ?? '',
      })),
    };
    return select(full, fields, ['id', 'name']);
  }

  private contactJson(c: SimContact, fields: string | undefined): Json {
    const full: Json = {
      id: c.number,
      name: c.name,
      lastname: c.lastName,
      email: c.email,
      phones: c.phone ? [{ number: c.phone, maskedNumber: c.phone, type: 1 }] : [],
      description: c.data,
      avatarUrl: c.ico,
      template: { id: 1 },
      isDeleted: false,
    };
    return select(full, fields, ['id', 'name']);
  }

  private commentList(task: SimTask, body: Json): Json[] {
    const offset = Math.max(0, Number(body.offset ?? 0) || 0);
    const pageSize = Math.min(MAX_PAGE, Math.max(1, Number(body.pageSize ?? MAX_PAGE) || MAX_PAGE));
    const ordered = body.resultOrder === 'Desc' ? [...task.comments].reverse() : task.comments;
    const fields = typeof body.fields === 'string' ? body.fields : undefined;
    return ordered.slice(offset, offset + pageSize).map((c) => select(this.commentJson(task, c), fields, ['id', 'description']));
  }

  private commentJson(task: SimTask, c: SimComment): Json {
    return {
      id: c.id,
      dateTime: timePoint(c.at),
      type: 'Comment',
      fromType: c.fromType,
      description: c.text,
      task: { id: task.number },
      owner:
        'contactNumber' in c.author
          ? this.person(c.author.contactNumber)
          : { id: `user:${this.userId(c.author.employeeEmail)}`, name: c.author.employeeEmail },
      files: c.attachments.map((a) => ({ name: a.name, url: a.url })),
      isDeleted: false,
    };
  }

  private person(contactNumber: number): Json {
    const c = this.state.contact(contactNumber);
    return { id: `contact:${contactNumber}`, name: c ? [c.name, c.lastName].filter(Boolean).join(' ') : '' };
  }

  private userId(email: string): number {
    let id = this.userIds.get(email);
    if (id === undefined) this.userIds.set(email, (id = this.userIds.size + 1));
    return id;
  }
}

function parseId(raw: string, prefix: string): number | undefined {
  const m = new RegExp(`^(?:${prefix}:)?(\\d+)$`).exec(raw);
  return m ? Number(m[1]) : undefined;
}

function asObject(v: unknown): Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {};
}

/** `id` always, plus requested keys; numeric names select custom fields; unknown names ignored. */
function select(full: Json, fields: string | undefined, defaults: string[]): Json {
  const wanted = fields ? fields.split(',').map((s) => s.trim()).filter(Boolean) : defaults;
  const out: Json = { id: full.id };
  const cfIds = wanted.filter((w) => /^\d+$/.test(w)).map(Number);
  for (const w of wanted) if (w in full) out[w] = full[w];
  if (cfIds.length > 0 && Array.isArray(full.customFieldData) && !wanted.includes('customFieldData')) {
    out.customFieldData = full.customFieldData.filter((d) => cfIds.includes(Number(asObject(asObject(d).field).id)));
  }
  return out;
}

function timePoint(at: number): Json {
  const d = new Date(at);
  const p = (n: number) => String(n).padStart(2, '0');
  return {
    date: `${p(d.getUTCDate())}-${p(d.getUTCMonth() + 1)}-${d.getUTCFullYear()}`,
    time: `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}`,
    datetime: d.toISOString(),
  };
}
