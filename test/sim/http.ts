// Plumbing shared by the fakes: a loopback-only HTTP server that can be stopped and
// restarted on the same port, body reading, outbound requests and polling.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export const HOST = '127.0.0.1';

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Empty → null, JSON → parsed value, anything else → the raw text. */
export function parseMaybeJson(text: string): unknown {
  if (text.trim() === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The fakes must never talk to anything but this machine. */
export function assertLoopback(url: string): void {
  const host = new URL(url).hostname;
  if (host !== HOST && host !== 'localhost') {
    throw new Error(`sim: refusing to send to ${url}; only ${HOST} is allowed`);
  }
}

export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: unknown }> {
  assertLoopback(url);
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: parseMaybeJson(await res.text()) };
}

export async function postForm(url: string, body: string): Promise<{ status: number; body: unknown }> {
  assertLoopback(url);
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body,
  });
  return { status: res.status, body: parseMaybeJson(await res.text()) };
}

export async function waitFor<T>(
  fn: () => T | undefined | false | PromiseLike<T | undefined | false>,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() >= deadline) {
      const src = fn.toString().replace(/\s+/g, ' ').slice(0, 200);
      throw new Error(`${what} not met within ${timeoutMs} ms: ${src}`);
    }
    await sleep(20);
  }
}

/**
 * An http.Server around one request handler that can go down (port closed, connections
 * refused) and come back on the very same port, so a client configured with the old URL
 * sees a real outage and a real recovery.
 */
export class RestartableServer {
  private server: http.Server | null = null;
  private portNo = 0;

  constructor(private readonly handler: http.RequestListener) {}

  get port(): number {
    return this.portNo;
  }

  get listening(): boolean {
    return this.server !== null;
  }

  async listen(port: number): Promise<void> {
    if (this.server) return;
    const server = http.createServer(this.handler);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, HOST, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.portNo = (server.address() as AddressInfo).port;
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    const closed = new Promise<void>((r) => server.close(() => r()));
    // Keep-alive sockets would otherwise keep the old server answering.
    server.closeAllConnections();
    await closed;
  }
}
