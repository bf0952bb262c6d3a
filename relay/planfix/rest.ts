import { restUrl, type Account } from '../core/account.ts';
import { RetryableError, TerminalError } from '../errors.ts';
import { errorText, send, type OutboundPolicy } from '../net/outbound.ts';
import { countPlanfix } from '../metrics.ts';
import { answers, read, type RestTask, type TaskStatus } from './rest-answers.ts';
import { RestError } from './rest-error.ts';
import { Throttle, type RestPace } from './throttle.ts';

// Planfix does not say when the daily quota resets; probing again after this long costs one request.
const QUOTA_PAUSE_MS = 30 * 60_000;

export { RestError };
export type { RestTask, TaskStatus };
export interface RestContact { id: number; phones: string[] }

/** Planfix's largest page of a list. */
export const PAGE = 100;
/**
 * The most pages one list request reads. A server that ignores `offset` (a proxy, a change on
 * Planfix's side) answers a full page for ever: the loop and what it collects must end.
 */
const MAX_PAGES = 50;

const restContact = (c: { id: number; phones: { number?: string | number }[] }): RestContact =>
  ({ id: c.id, phones: c.phones.map((p) => String(p.number ?? '')).filter(Boolean) });

/** The REST v2 subset the relay needs, every request through the account's limiter. */
export class RestApi {
  private readonly throttles = new Map<string, Throttle>();
  private stopped = false;

  /** `intervalMs`: between one answer and the next request at `restRps` 1 (Planfix's limit); shorter only against a test Planfix. */
  /** `pace`: several relay processes share the database, and Planfix's limit with it. */
  constructor(private readonly policy: OutboundPolicy, private readonly timeoutMs: number, private readonly intervalMs = 1000, private readonly pace?: RestPace) {}

  throttle(account: Account): Throttle {
    let t = this.throttles.get(account.id);
    if (!t) {
      t = new Throttle(this.intervalMs / (account.planfix.restRps ?? 1), this.pace && { pace: this.pace, account: account.id });
      if (this.stopped) t.stop();
      this.throttles.set(account.id, t);
    }
    return t;
  }

  /** On shutdown: REST requests not yet sent fail at once (retryable) instead of waiting their turn. */
  stop(): void {
    this.stopped = true;
    for (const t of this.throttles.values()) t.stop();
  }

  async call(account: Account, method: 'GET' | 'POST', path: string, body?: unknown): Promise<Record<string, unknown>> {
    const token = account.planfix.restToken;
    if (!token) throw new TerminalError('no Planfix REST token configured', 'not-configured');
    const throttle = this.throttle(account);
    return countPlanfix('rest', () => this.request(throttle, account, token, method, path, body), (err) => err instanceof RetryableError);
  }

  private async request(throttle: Throttle, account: Account, token: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<Record<string, unknown>> {
    const res = await throttle.run(() => send(this.policy, 'planfix', `${restUrl(account)}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
      timeoutMs: this.timeoutMs,
    }));
    const json = (res.json && typeof res.json === 'object' ? res.json : {}) as Record<string, unknown>;
    const code = typeof json.code === 'number' ? json.code : undefined;
    if (code === 22) {
      throttle.pause(QUOTA_PAUSE_MS);
      throw new RetryableError('Planfix REST daily quota exhausted (code 22)', QUOTA_PAUSE_MS, 'quota');
    }
    if (res.status >= 200 && res.status < 300 && json.result !== 'fail') return json;
    throw new RestError(path, code, errorText(json, res.text) || `HTTP ${res.status}`, res.status);
  }

  ping(account: Account) {
    return this.call(account, 'GET', '/ping');
  }

  async task(account: Account, id: number): Promise<RestTask> {
    const path = `/task/${id}?fields=id,processId,status`;
    return read(answers.task, await this.call(account, 'GET', path), path).task;
  }

  async statuses(account: Account, processId: number): Promise<TaskStatus[]> {
    const path = `/process/task/${processId}/statuses?fields=id,name,isActive`;
    return read(answers.statuses, await this.call(account, 'GET', path), path).statuses;
  }

  setTaskStatus(account: Account, id: number, statusId: number) {
    return this.call(account, 'POST', `/task/${id}`, { status: { id: statusId } });
  }

  /** Contacts whose phone text contains `value` (filter 4003), every page. */
  async contactsByPhone(account: Account, value: string): Promise<RestContact[]> {
    const found = await this.pages(account, '/contact/list', { fields: 'id,name,lastname,phones', filters: [{ type: 4003, operator: 'equal', value }] },
      (json) => read(answers.contacts, json, '/contact/list').contacts);
    return found.map(restContact);
  }

  /**
   * One page of the account's contacts with their phones as Planfix stores them, from `offset`:
   * all of them, or those a `filter` selects (the phone book's changes pass).
   */
  async contactPhones(account: Account, offset: number, filter?: Record<string, unknown>): Promise<RestContact[]> {
    const json = await this.call(account, 'POST', '/contact/list', { offset, pageSize: PAGE, fields: 'id,phones', ...(filter ? { filters: [filter] } : {}) });
    return read(answers.contacts, json, '/contact/list').contacts.map(restContact);
  }

  /** Every page of a list request, read with `page`. */
  private async pages<T>(account: Account, path: string, body: Record<string, unknown>, page: (json: unknown) => T[]): Promise<T[]> {
    const out: T[] = [];
    for (let n = 0; n < MAX_PAGES; n++) {
      const items = page(await this.call(account, 'POST', path, { offset: n * PAGE, pageSize: PAGE, ...body }));
      out.push(...items);
      if (items.length < PAGE) return out;
    }
    throw new RestError(path, undefined, `more than ${MAX_PAGES * PAGE} results, or the server ignores offset`);
  }

  /** The account's first contact template: Planfix refuses a contact without one. */
  async firstContactTemplate(account: Account): Promise<number> {
    const path = '/contact/templates?isCompany=false&fields=id,name';
    const id = read(answers.templates, await this.call(account, 'GET', path), path).templates[0]?.id;
    if (!id || !(id > 0)) throw new RestError('/contact/templates', undefined, 'the account has no contact template; set contactTemplateId');
    return id;
  }

  async createContact(account: Account, body: Record<string, unknown>): Promise<number> {
    return read(answers.created, await this.call(account, 'POST', '/contact/', body), '/contact/').id;
  }

  /** The tasks whose counterparty is the contact (filter 7), with their status. */
  contactTasks(account: Account, contactId: number): Promise<RestTask[]> {
    return this.pages(account, '/task/list', { fields: 'id,name,status,processId', filters: [{ type: 7, operator: 'equal', value: `contact:${contactId}` }] },
      (json) => read(answers.tasks, json, '/task/list').tasks);
  }

  async createTask(account: Account, body: Record<string, unknown>): Promise<number> {
    return read(answers.created, await this.call(account, 'POST', '/task/', body), '/task/').id;
  }

  updateTask(account: Account, id: number, body: Record<string, unknown>) {
    return this.call(account, 'POST', `/task/${id}`, body);
  }

  taskComment(account: Account, taskId: number, body: { description: string; owner?: { id: string } }) {
    return this.call(account, 'POST', `/task/${taskId}/comments/`, body);
  }

  /** The employee with this e-mail (filter 9003), or undefined. */
  async userByEmail(account: Account, email: string): Promise<number | undefined> {
    const json = await this.call(account, 'POST', '/user/list', {
      offset: 0, pageSize: PAGE, fields: 'id,email', filters: [{ type: 9003, operator: 'equal', value: email }],
    });
    const { users } = read(answers.users, json, '/user/list');
    const hit = users.find((u) => (u.email ?? '').toLowerCase() === email.toLowerCase()) ?? users[0];
    return hit && hit.id > 0 ? hit.id : undefined;
  }

  /** Contact comments are not in the published REST subset; the path mirrors task comments (unconfirmed). */
  contactComment(account: Account, contactNumber: number, description: string, owner?: { id: string }) {
    return this.call(account, 'POST', `/contact/${contactNumber}/comments/`, { description, ...(owner ? { owner } : {}) });
  }
}

const COMPLETED = /заверш|выполн|complet|done|finish/i;

/** The status a finished chat's task moves to: the configured id or name, else a "completed"-like inactive one. */
export function pickCompleteStatus(statuses: TaskStatus[], wanted: number | string | undefined): TaskStatus | undefined {
  if (typeof wanted === 'number') return statuses.find((s) => s.id === wanted);
  if (typeof wanted === 'string') return statuses.find((s) => s.name.toLowerCase() === wanted.toLowerCase());
  const inactive = statuses.filter((s) => !s.isActive);
  return inactive.find((s) => COMPLETED.test(s.name)) ?? inactive[0];
}
