import { restUrl, type Account } from '../core/account.ts';
import { RetryableError, TerminalError } from '../errors.ts';
import { errorText, send, type OutboundPolicy } from '../net/outbound.ts';
import { Throttle } from './throttle.ts';

// Planfix does not say when the daily quota resets; probing again after this long costs one request.
const QUOTA_PAUSE_MS = 30 * 60_000;

export class RestError extends TerminalError {
  constructor(readonly path: string, readonly code: number | undefined, text: string) {
    super(`Planfix REST ${path} failed${code !== undefined ? ` (code ${code})` : ''}: ${text}`);
  }
}

export interface TaskStatus { id: number; name: string; isActive: boolean }

/** The REST v2 subset the relay needs, every request through the account's limiter. */
export class RestApi {
  private readonly throttles = new Map<string, Throttle>();

  constructor(private readonly policy: OutboundPolicy, private readonly timeoutMs: number) {}

  throttle(account: Account): Throttle {
    let t = this.throttles.get(account.id);
    if (!t) {
      t = new Throttle(1000 / (account.planfix.restRps ?? 1));
      this.throttles.set(account.id, t);
    }
    return t;
  }

  async call(account: Account, method: 'GET' | 'POST', path: string, body?: unknown): Promise<Record<string, unknown>> {
    const token = account.planfix.restToken;
    if (!token) throw new TerminalError('no Planfix REST token configured');
    const throttle = this.throttle(account);
    await throttle.take();
    const res = await send(this.policy, 'planfix', `${restUrl(account)}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
      timeoutMs: this.timeoutMs,
    });
    const json = (res.json && typeof res.json === 'object' ? res.json : {}) as Record<string, unknown>;
    const code = typeof json.code === 'number' ? json.code : undefined;
    if (code === 22) {
      throttle.pause(QUOTA_PAUSE_MS);
      throw new RetryableError('Planfix REST daily quota exhausted (code 22)', QUOTA_PAUSE_MS);
    }
    if (res.status >= 200 && res.status < 300 && json.result !== 'fail') return json;
    throw new RestError(path, code, errorText(json, res.text) || `HTTP ${res.status}`);
  }

  ping(account: Account) {
    return this.call(account, 'GET', '/ping');
  }

  async task(account: Account, id: number): Promise<{ id: number; processId?: number; status?: TaskStatus }> {
    const json = await this.call(account, 'GET', `/task/${id}?fields=id,processId,status`);
    return json.task as { id: number; processId?: number; status?: TaskStatus };
  }

  async statuses(account: Account, processId: number): Promise<TaskStatus[]> {
    const json = await this.call(account, 'GET', `/process/task/${processId}/statuses?fields=id,name,isActive`);
    return (json.statuses as TaskStatus[] | undefined) ?? [];
  }

  setTaskStatus(account: Account, id: number, statusId: number) {
    return this.call(account, 'POST', `/task/${id}`, { status: { id: statusId } });
  }

  /** Contact comments are not in the published REST subset; the path mirrors task comments (unconfirmed). */
  contactComment(account: Account, contactNumber: number, description: string) {
    return this.call(account, 'POST', `/contact/${contactNumber}/comments/`, { description });
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
