// ChatraFake: Chatra's REST API as the relay uses it (POST/GET /api/messages/), plus
// builders for Chatra webhook bodies (docs/reference/channels.md §2).
import type http from 'node:http';
import { customAlphabet } from 'nanoid';
import { HOST, RestartableServer, parseMaybeJson, readBody, waitFor } from './http.ts';

export { postJson } from './http.ts';

/** Chatra ids look like `kX3pQ9mWz2YbT7cAf`: 17 alphanumerics. */
export const chatraId = customAlphabet('23456789ABCDEFGHJKLMNPQRSTWXYZabcdefghijkmnopqrstuvwxyz', 17);

export interface ChatraSentMessage {
  id: string;
  clientId: string;
  text: string;
  agentId?: string;
  agentEmail?: string;
  agentName?: string;
  receivedFrom?: string;
  at: number;
}

export interface ChatraRequest {
  method: string;
  path: string;
  body: unknown;
  status: number;
  at: number;
}

export class ChatraFake {
  readonly origin: string;
  readonly apiUrl: string;
  messages: ChatraSentMessage[] = [];
  /** Every API request with the status it got, including rejected ones. */
  requests: ChatraRequest[] = [];
  private failures: { left: number; status: number; body: unknown } | null = null;
  // Chatra creates a dummy agent for an unknown agentEmail; keep its id stable.
  private readonly agentByEmail = new Map<string, string>();

  private constructor(
    private readonly server: RestartableServer,
    private readonly auth: string,
  ) {
    this.origin = `http://${HOST}:${server.port}`;
    this.apiUrl = `${this.origin}/api`;
  }

  static async start(opts: { publicKey?: string; secretKey?: string; port?: number } = {}): Promise<ChatraFake> {
    const auth = `Chatra.Simple ${opts.publicKey ?? 'chatra-pub'}:${opts.secretKey ?? 'chatra-secret'}`;
    let fake: ChatraFake | undefined;
    const server = new RestartableServer((req, res) => void fake!.onRequest(req, res));
    await server.listen(opts.port ?? 0);
    fake = new ChatraFake(server, auth);
    return fake;
  }

  async close(): Promise<void> {
    await this.server.stop();
  }

  /** The next n POST /messages/ calls fail with this status/body (before auth is checked). */
  failNext(n: number, status: number, body: unknown = { error: 'Internal server error' }): void {
    this.failures = n > 0 ? { left: n, status, body } : null;
  }

  waitFor<T>(fn: () => T | undefined | false | PromiseLike<T | undefined | false>, timeoutMs?: number): Promise<T> {
    return waitFor(fn, timeoutMs, 'ChatraFake.waitFor');
  }

  private async onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const method = req.method ?? 'GET';
    const path = new URL(req.url ?? '/', this.origin).pathname;
    const body = parseMaybeJson(raw);
    const answer = this.answer(method, path, req.headers.authorization, raw, body);
    this.requests.push({ method, path, body, status: answer.status, at: Date.now() });
    res.writeHead(answer.status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(answer.body));
  }

  private answer(
    method: string,
    path: string,
    authorization: string | undefined,
    raw: string,
    body: unknown,
  ): { status: number; body: unknown } {
    const isSend = method === 'POST' && /^\/api\/messages\/?$/.test(path);
    if (isSend && this.failures) {
      const f = this.failures;
      if (--f.left <= 0) this.failures = null;
      return { status: f.status, body: f.body };
    }
    if (authorization !== this.auth) return { status: 401, body: { error: 'Unauthorized' } };
    if (isSend) {
      if (raw.trim() !== '' && typeof body === 'string') return { status: 400, body: { error: 'Invalid JSON' } };
      return this.send(body);
    }
    const one = /^\/api\/messages\/([^/]+)\/?$/.exec(path);
    if (method === 'GET' && one) {
      const m = this.messages.find((x) => x.id === one[1]);
      return m ? { status: 200, body: this.messageJson(m) } : { status: 404, body: { error: 'Message not found' } };
    }
    // A visitor card; the fake keeps none, so any id is "not found" once the keys are accepted.
    if (method === 'GET' && /^\/api\/clients\/[^/]+\/?$/.test(path)) return { status: 404, body: { error: 'Client not found' } };
    return { status: 404, body: { error: 'Not found' } };
  }

  private send(body: unknown): { status: number; body: unknown } {
    const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
    const bad = (error: string) => ({ status: 400, body: { error } });
    const str = (k: string) => (typeof b[k] === 'string' && b[k] !== '' ? (b[k] as string) : undefined);
    const clientId = str('clientId');
    const text = typeof b.text === 'string' ? b.text : undefined;
    if (!clientId) return bad('clientId is required');
    if (text === undefined || text.length === 0) return bad('text is required');
    if (text.length > 5000) return bad('text must be at most 5000 characters');
    const agentEmail = str('agentEmail');
    const agentName = str('agentName');
    let agentId = str('agentId');
    if (!agentId) {
      if (!agentEmail) return bad('agentId or agentEmail is required');
      if (!agentName) return bad('agentName is required with agentEmail');
      agentId = this.agentByEmail.get(agentEmail) ?? chatraId();
      this.agentByEmail.set(agentEmail, agentId);
    }
    const receivedFrom = str('receivedFrom');
    const m: ChatraSentMessage = {
      id: chatraId(),
      clientId,
      text,
      agentId,
      ...(agentEmail ? { agentEmail } : {}),
      ...(agentName ? { agentName } : {}),
      ...(receivedFrom ? { receivedFrom } : {}),
      at: Date.now(),
    };
    this.messages.push(m);
    return { status: 200, body: this.messageJson(m) };
  }

  private messageJson(m: ChatraSentMessage): Record<string, unknown> {
    return {
      id: m.id,
      type: 'agent',
      clientId: m.clientId,
      text: m.text,
      agentId: m.agentId,
      ...(m.receivedFrom ? { receivedFrom: m.receivedFrom } : {}),
      createdAt: m.at,
    };
  }
}

// ---- webhook bodies (docs/reference/channels.md §2.1; key names beyond the core are unconfirmed) ----

export interface ChatraClient {
  id: string;
  displayedName: string;
  name?: string;
  email?: string;
  phone?: string;
  info?: Record<string, unknown>;
  city?: string;
  country?: string;
  ip?: string;
  browser?: string;
  os?: string;
  referrer?: string;
  utm?: { source?: string; medium?: string; campaign?: string; term?: string; content?: string };
  visitedPages?: { url: string; title: string; time?: number }[];
}

export interface ChatraWebhookMessage {
  id: string;
  type: 'client' | 'agent';
  message: string;
  agentId?: string;
  createdAt: number;
}

export interface ChatraAgent {
  id: string;
  name: string;
  email: string;
}

export type ChatraEventName = 'chatStarted' | 'chatFragment' | 'chatTranscript';

export interface ChatraWebhook {
  eventName: ChatraEventName | (string & {});
  client: ChatraClient;
  messages: ChatraWebhookMessage[];
  agents: ChatraAgent[];
}

/**
 * A webhook body. The client defaults to a fully described visitor (like the reference
 * example) so UTM/visit mapping is exercised; override any key, or set it to undefined
 * to leave it out of the JSON. Messages default to client messages with fresh ids.
 */
export function chatraWebhook(
  eventName: ChatraWebhook['eventName'],
  parts: {
    client?: Partial<ChatraClient>;
    messages?: (Partial<ChatraWebhookMessage> & { message: string })[];
    agents?: ChatraAgent[];
  } = {},
): ChatraWebhook {
  const now = Date.now();
  return {
    eventName,
    client: {
      id: 'kX3pQ9mWz2YbT7cAf',
      displayedName: 'Pumpkin Ninja',
      name: 'Olga Petrenko',
      email: 'olga@example.com',
      phone: '+380501112233',
      info: { orderId: 'A-1001' },
      country: 'Ukraine',
      city: 'Kyiv',
      ip: '203.0.113.7',
      browser: 'Chrome 120',
      os: 'Windows 10',
      referrer: 'https://www.google.com/',
      utm: { source: 'google', medium: 'cpc', campaign: 'spring' },
      visitedPages: [{ url: 'https://shop.example.com/p/42', title: 'Blue kettle', time: now - 60_000 }],
      ...parts.client,
    },
    messages: (parts.messages ?? []).map((m, i) => ({
      id: m.id ?? chatraId(),
      type: m.type ?? 'client',
      message: m.message,
      ...(m.agentId !== undefined ? { agentId: m.agentId } : {}),
      createdAt: m.createdAt ?? now + i,
    })),
    agents: parts.agents ?? [],
  };
}
