// RingostatFake: the part of Ringostat's API the relay calls (docs/reference/channels.md §3.5), with the
// `Auth-key` header:
// - POST /a/v2, JSON-RPC 2.0 `Api\V2\Callback.external`: the extended callback, which rings
//   `caller` (an employee's number or SIP login) and then `callee`. Errors come back as a
//   JSON-RPC `error` in an HTTP 200, as Ringostat documents.
// - POST /callback/outward_call, the simple callback: its `extension` must be one of the
//   project's numbers connected as incoming, so an employee's number is refused.
// - GET /sipstatus/online, for the key check.
// - GET /calls/list, the call log (ringostat-calls.ts), which a test fills with calls whose
//   webhooks never came.
// Ringostat documents neither the success bodies nor the simple method's error answers; the
// choices made here are marked where they are made.
import type http from 'node:http';
import { fieldsOf, parseForm } from './form.ts';
import { HOST, RestartableServer, parseMaybeJson, readBody, waitFor } from './http.ts';
import { CallLog, type CallSpec } from './ringostat-calls.ts';

export const EXTERNAL_CALLBACK = 'Api\\V2\\Callback.external';

export interface RingostatRequest {
  method: string;
  path: string;
  /** The query string's parameters. */
  query: Record<string, string>;
  /** The `Auth-key` header as received (undefined when absent). */
  authKey?: string;
  /** The `x-project-id` header as received. */
  projectId?: string;
  contentType: string;
  /** Form or JSON body as fields; the raw text when it was neither. */
  body: unknown;
  status: number;
  /** The JSON-RPC error sent back in an HTTP 200, if any. */
  rpcError?: { code: number; message: string };
  at: number;
}

/** An accepted callback: `caller` rings first, then `callee`. */
export interface RingostatCallback {
  /** `external` for /a/v2 Callback.external, `outward_call` for the simple method. */
  via: 'external' | 'outward_call';
  /** The extended method's `caller`, or the simple method's `extension`. */
  caller: string;
  /** The extended method's `callee`, or the simple method's `destination`. */
  callee: string;
  projectId?: string;
  /** The JSON-RPC params (extended method) or the body fields (simple method) as received. */
  params: Record<string, unknown>;
  at: number;
}

export interface RingostatFakeOptions {
  authKey?: string;
  /** The project's id: `x-project-id` and the JSON-RPC `projectId` must match it when set. */
  projectId?: string;
  /** Project numbers connected as "incoming": the only `extension` values outward_call takes. */
  projectNumbers?: string[];
  port?: number;
  /** The project's zone: the call log's `calldate` and its `from` / `to` are in it. Default Europe/Kyiv. */
  timeZone?: string;
  /** The most rows one call-log answer holds. Default 6500. */
  maxRows?: number;
}

interface Answer {
  status: number;
  body: unknown;
  rpcError?: { code: number; message: string };
}

export class RingostatFake {
  readonly origin: string;
  /** What the relay's `apiUrl` setting points at (https://api.ringostat.net in production). */
  readonly apiUrl: string;
  /** Every request, refused ones included. */
  requests: RingostatRequest[] = [];
  /** Every callback Ringostat accepted, by either method. */
  callbacks: RingostatCallback[] = [];
  /** The project's call log: what `GET /calls/list` reads. */
  readonly callLog: CallLog;
  private failures: { left: number; status: number; body: unknown } | null = null;
  private callLogFailures: { left: number; status: number; body: unknown } | null = null;

  private constructor(
    private readonly server: RestartableServer,
    readonly authKey: string,
    readonly projectId: string | undefined,
    readonly projectNumbers: string[],
    opts: RingostatFakeOptions,
  ) {
    this.callLog = new CallLog(opts.timeZone ?? 'Europe/Kyiv', opts.maxRows ?? 6500);
    this.origin = `http://${HOST}:${server.port}`;
    this.apiUrl = this.origin;
  }

  static async start(opts: RingostatFakeOptions = {}): Promise<RingostatFake> {
    let fake: RingostatFake | undefined;
    const server = new RestartableServer((req, res) => void fake!.onRequest(req, res));
    await server.listen(opts.port ?? 0);
    fake = new RingostatFake(server, opts.authKey ?? 'ringostat-auth-key', opts.projectId, opts.projectNumbers ?? ['380441112233'], opts);
    return fake;
  }

  async close(): Promise<void> {
    await this.server.stop();
  }

  /** The next n callback requests (either method) fail with this status/body (before the key is checked). */
  failNext(n: number, status: number, body: unknown = { message: 'Internal Server Error' }): void {
    this.failures = n > 0 ? { left: n, status, body } : null;
  }

  /** A call happens: it is in the call log from now on (its webhooks are the test's to send, or not). */
  logCall(call: CallSpec): Record<string, unknown> {
    return this.callLog.add(call);
  }

  /** The next n call-log requests fail with this status/body (before the key is checked). */
  failCallLog(n: number, status: number, body: unknown = { message: 'Internal Server Error' }): void {
    this.callLogFailures = n > 0 ? { left: n, status, body } : null;
  }

  /** The call-log requests received, refused ones included. */
  get callLogRequests(): RingostatRequest[] {
    return this.requests.filter((r) => r.path.replace(/\/$/, '') === '/calls/list');
  }

  waitFor<T>(fn: () => T | undefined | false | PromiseLike<T | undefined | false>, timeoutMs?: number): Promise<T> {
    return waitFor(fn, timeoutMs, 'RingostatFake.waitFor');
  }

  private async onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', this.origin);
    const path = url.pathname;
    const query = Object.fromEntries(url.searchParams);
    const contentType = req.headers['content-type'] ?? '';
    const body = contentType.toLowerCase().includes('application/x-www-form-urlencoded')
      ? fieldsOf(parseForm(raw))
      : parseMaybeJson(raw);
    const authKey = header(req, 'auth-key');
    const projectId = header(req, 'x-project-id');
    const a = this.answer(method, path, authKey, projectId, body, query);
    this.requests.push({
      method,
      path,
      query,
      ...(authKey !== undefined ? { authKey } : {}),
      ...(projectId !== undefined ? { projectId } : {}),
      contentType,
      body,
      status: a.status,
      ...(a.rpcError ? { rpcError: a.rpcError } : {}),
      at: Date.now(),
    });
    if (a.body === undefined) {
      res.writeHead(a.status);
      res.end();
      return;
    }
    res.writeHead(a.status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(a.body));
  }

  private answer(
    method: string,
    path: string,
    authKey: string | undefined,
    projectId: string | undefined,
    body: unknown,
    query: Record<string, string>,
  ): Answer {
    // SIP logins online (docs/reference/channels.md §3.5): what a key check can read without side effects.
    if (method === 'GET' && /^\/sipstatus\/online\/?$/.test(path)) {
      return authKey === this.authKey ? { status: 200, body: [] } : { status: 401, body: { message: 'Unauthorized' } };
    }
    if (method === 'GET' && /^\/calls\/list\/?$/.test(path)) return this.calls(authKey, query);
    const rpc = method === 'POST' && /^\/a\/v2\/?$/.test(path);
    const simple = method === 'POST' && /^\/callback\/outward_call\/?$/.test(path);
    if (!rpc && !simple) return { status: 404, body: { message: 'Not Found' } };
    if (this.failures) {
      const f = this.failures;
      if (--f.left <= 0) this.failures = null;
      return { status: f.status, body: f.body };
    }
    // Sim choice: 401 for a missing or wrong key, 403 for another project's id header.
    if (authKey !== this.authKey) return { status: 401, body: { message: 'Unauthorized' } };
    if (this.projectId !== undefined && projectId !== undefined && projectId !== this.projectId) {
      return { status: 403, body: { message: 'Forbidden' } };
    }
    return rpc ? this.external(body) : this.outwardCall(body, projectId);
  }

  /** The call log: the key, then the project (sim choice: 403 for another project's id), then the query. */
  private calls(authKey: string | undefined, query: Record<string, string>): Answer {
    if (this.callLogFailures) {
      const f = this.callLogFailures;
      if (--f.left <= 0) this.callLogFailures = null;
      return { status: f.status, body: f.body };
    }
    if (authKey !== this.authKey) return { status: 401, body: { message: 'Unauthorized' } };
    if (!query.projectId) return { status: 400, body: { message: 'projectId is required' } };
    if (this.projectId !== undefined && query.projectId !== this.projectId) return { status: 403, body: { message: 'Forbidden' } };
    return this.callLog.answer({ ...query, exportType: query.export_type });
  }

  /** The simple method: `extension` is a project number connected as incoming (Ringostat's help article). */
  private outwardCall(body: unknown, projectId: string | undefined): Answer {
    const b = isRecord(body) ? body : {};
    const extension = text(b.extension);
    const destination = text(b.destination);
    if (!extension) return { status: 400, body: { message: 'extension is required' } };
    if (!destination) return { status: 400, body: { message: 'destination is required' } };
    // Sim choice: the refusal's status and words are undocumented; the rule is Ringostat's.
    if (!this.projectNumbers.includes(extension.replace(/^\+/, ''))) {
      return { status: 400, body: { message: 'extension must be a project number connected as incoming' } };
    }
    this.callbacks.push({ via: 'outward_call', caller: extension, callee: destination, ...(projectId !== undefined ? { projectId } : {}), params: b, at: Date.now() });
    // Sim choice: the success body is undocumented, so an empty 200 (a client must accept any 2xx).
    return { status: 200, body: undefined };
  }

  /** JSON-RPC 2.0 `Api\V2\Callback.external`; every refusal is an `error` in an HTTP 200. */
  private external(body: unknown): Answer {
    const id = isRecord(body) && (typeof body.id === 'number' || typeof body.id === 'string') ? body.id : null;
    const fail = (code: number, message: string): Answer => ({ status: 200, body: { jsonrpc: '2.0', id, error: { code, message } }, rpcError: { code, message } });
    if (!isRecord(body)) return fail(-32700, 'Parse error');
    if (body.jsonrpc !== '2.0' || typeof body.method !== 'string') return fail(-32600, 'Invalid Request');
    if (body.method !== EXTERNAL_CALLBACK) return fail(-32601, 'Method not found');
    const p = isRecord(body.params) ? body.params : {};
    const projectId = text(p.projectId);
    const caller = text(p.caller);
    const callee = text(p.callee);
    if (!projectId) return fail(-32602, 'Invalid params: projectId is required');
    if (this.projectId !== undefined && projectId !== this.projectId) return fail(-32602, 'Invalid params: unknown projectId');
    if (!caller) return fail(-32602, 'Invalid params: caller is required');
    if (!callee) return fail(-32602, 'Invalid params: callee is required');
    this.callbacks.push({ via: 'external', caller, callee, projectId, params: p, at: Date.now() });
    // Sim choice: the success result is undocumented.
    return { status: 200, body: { jsonrpc: '2.0', id, result: true } };
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function text(v: unknown): string {
  return typeof v === 'string' || typeof v === 'number' ? String(v).trim() : '';
}

function header(req: http.IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
