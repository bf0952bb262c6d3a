import http from 'node:http';

export interface Answer {
  /** 0 when no HTTP answer came (refused, reset, timeout). */
  status: number;
  text: string;
  /** The network error's code when status is 0 (ECONNREFUSED, ECONNRESET, …). */
  error?: string;
  ms: number;
}

/**
 * One request over a fresh connection (Connection: close), so that a reset can only mean the
 * server dropped a request it had accepted, never a keep-alive socket it closed while idle.
 */
export function request(url: string, init: { method?: string; headers?: Record<string, string>; body?: string | Buffer; timeoutMs?: number } = {}): Promise<Answer> {
  const started = Date.now();
  const u = new URL(url);
  if (u.hostname !== '127.0.0.1') throw new Error(`faults: only 127.0.0.1 targets, not ${url}`);
  return new Promise((resolve) => {
    const body = init.body === undefined ? undefined : Buffer.isBuffer(init.body) ? init.body : Buffer.from(init.body);
    const req = http.request({
      host: u.hostname, port: u.port, path: `${u.pathname}${u.search}`, method: init.method ?? 'POST', agent: false,
      headers: { connection: 'close', ...(body ? { 'content-length': String(body.length) } : {}), ...init.headers },
      timeout: init.timeoutMs ?? 15_000,
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), ms: Date.now() - started }));
      res.on('error', (err: NodeJS.ErrnoException) => resolve({ status: 0, text: '', error: err.code ?? err.message, ms: Date.now() - started }));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ status: 0, text: '', error: err.code ?? err.message, ms: Date.now() - started }));
    req.end(body);
  });
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function waitUntil<T>(fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(50);
  }
}

export function percentile(values: number[], p: number): number {
  if (!values.length) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
