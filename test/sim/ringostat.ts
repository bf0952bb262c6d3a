// RingostatFake: the part of Ringostat's API the relay calls for click-to-call,
// POST /callback/outward_call with the `Auth-key` header (channels.md §3.5).
// Ringostat documents neither the success body nor the error answers of this method; the
// choices made here are marked where they are made.
import type http from 'node:http';
import { fieldsOf, parseForm } from './form.ts';
import { HOST, RestartableServer, parseMaybeJson, readBody, waitFor } from './http.ts';

export interface RingostatRequest {
  method: string;
  path: string;
  /** The `Auth-key` header as received (undefined when absent). */
  authKey?: string;
  /** The `x-project-id` header as received. */
  projectId?: string;
  contentType: string;
  /** Form or JSON body as fields; the raw text when it was neither. */
  body: unknown;
  status: number;
  at: number;
}

/** An accepted click-to-call: `extension` rings first, then `destination` (order unconfirmed). */
export interface RingostatCallback {
  extension: string;
  destination: string;
  projectId?: string;
  at: number;
}

export interface RingostatFakeOptions {
  authKey?: string;
  /** When set, an `x-project-id` header that differs from it is refused. */
  projectId?: string;
  port?: number;
}

interface Answer {
  status: number;
  body: unknown;
}

export class RingostatFake {
  readonly origin: string;
  /** What the relay's `apiUrl` setting points at (https://api.ringostat.net in production). */
  readonly apiUrl: string;
  /** Every request, refused ones included. */
  requests: RingostatRequest[] = [];
  /** Every outward_call Ringostat accepted. */
  callbacks: RingostatCallback[] = [];
  private failures: { left: number; status: number; body: unknown } | null = null;

  private constructor(
    private readonly server: RestartableServer,
    readonly authKey: string,
    readonly projectId: string | undefined,
  ) {
    this.origin = `http://${HOST}:${server.port}`;
    this.apiUrl = this.origin;
  }

  static async start(opts: RingostatFakeOptions = {}): Promise<RingostatFake> {
    let fake: RingostatFake | undefined;
    const server = new RestartableServer((req, res) => void fake!.onRequest(req, res));
    await server.listen(opts.port ?? 0);
    fake = new RingostatFake(server, opts.authKey ?? 'ringostat-auth-key', opts.projectId);
    return fake;
  }

  async close(): Promise<void> {
    await this.server.stop();
  }

  /** The next n outward_call requests fail with this status/body (before the key is checked). */
  failNext(n: number, status: number, body: unknown = { message: 'Internal Server Error' }): void {
    this.failures = n > 0 ? { left: n, status, body } : null;
  }

  waitFor<T>(fn: () => T | undefined | false | PromiseLike<T | undefined | false>, timeoutMs?: number): Promise<T> {
    return waitFor(fn, timeoutMs, 'RingostatFake.waitFor');
  }

  private async onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const method = req.method ?? 'GET';
    const path = new URL(req.url ?? '/', this.origin).pathname;
    const contentType = req.headers['content-type'] ?? '';
    const body = contentType.toLowerCase().includes('application/x-www-form-urlencoded')
      ? fieldsOf(parseForm(raw))
      : parseMaybeJson(raw);
    const authKey = header(req, 'auth-key');
    const projectId = header(req, 'x-project-id');
    const a = this.answer(method, path, authKey, projectId, body);
    this.requests.push({
      method,
      path,
      ...(authKey !== undefined ? { authKey } : {}),
      ...(projectId !== undefined ? { projectId } : {}),
      contentType,
      body,
      status: a.status,
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
  ): Answer {
    const isCallback = method === 'POST' && /^\/callback\/outward_call\/?$/.test(path);
    // SIP logins online (channels.md §3.5): what a key check can read without side effects.
    if (method === 'GET' && /^\/sipstatus\/online\/?$/.test(path)) {
      return authKey === this.authKey ? { status: 200, body: [] } : { status: 401, body: { message: 'Unauthorized' } };
    }
    if (!isCallback) return { status: 404, body: { message: 'Not Found' } };
    if (this.failures) {
      const f = this.failures;
      if (--f.left <= 0) this.failures = null;
      return { status: f.status, body: f.body };
    }
    // Sim choice: 401 for a missing or wrong key, 403 for another project's id.
    if (authKey !== this.authKey) return { status: 401, body: { message: 'Unauthorized' } };
    if (this.projectId !== undefined && projectId !== undefined && projectId !== this.projectId) {
      return { status: 403, body: { message: 'Forbidden' } };
    }
    const b = body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
    const str = (k: string) => (typeof b[k] === 'string' || typeof b[k] === 'number' ? String(b[k]).trim() : '');
    const extension = str('extension');
    const destination = str('destination');
    if (!extension) return { status: 400, body: { message: 'extension is required' } };
    if (!destination) return { status: 400, body: { message: 'destination is required' } };
    this.callbacks.push({ extension, destination, ...(projectId !== undefined ? { projectId } : {}), at: Date.now() });
    // Sim choice: the success body is undocumented, so an empty 200 (a client must accept any 2xx).
    return { status: 200, body: undefined };
  }
}

function header(req: http.IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
