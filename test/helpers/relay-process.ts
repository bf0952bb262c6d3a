import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';

/**
 * The relay as operators run it: `node dist/relay.js` (built by the test command), on loopback,
 * with a data directory of its own. Retry pacing is shortened so outages take seconds.
 */
export class RelayProcess {
  private proc: ChildProcess | undefined;
  private exited: Promise<number | null> | undefined;
  output = '';
  port = 0;

  private constructor(readonly dataDir: string, private readonly env: Record<string, string>) {}

  static async start(env: Record<string, string> = {}, dataDir?: string): Promise<RelayProcess> {
    const r = new RelayProcess(dataDir ?? (await mkdtemp(join(tmpdir(), 'relay-e2e-'))), env);
    await r.spawn();
    return r;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  private async spawn(): Promise<void> {
    const proc = spawn(process.execPath, ['dist/relay.js'], {
      env: {
        PATH: process.env.PATH ?? '',
        HOST: '127.0.0.1',
        PORT: String(this.port),
        RELAY_DATA_DIR: this.dataDir,
        RELAY_ADMIN_TOKEN: ADMIN_TOKEN,
        RELAY_ALLOW_HOSTS: '127.0.0.1',
        RELAY_RETRY_BASE_MS: '50',
        RELAY_RETRY_MAX_MS: '400',
        RELAY_HTTP_TIMEOUT_MS: '3000',
        LOG_LEVEL: 'info',
        ...this.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.proc = proc;
    this.exited = new Promise((resolve) => proc.once('exit', (code) => resolve(code)));
    proc.stdout!.on('data', (d) => { this.output += d; });
    proc.stderr!.on('data', (d) => { this.output += d; });
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`relay did not start:\n${this.output}`)), 15_000);
      const onData = () => {
        const m = /listening on port (\d+)/.exec(this.output);
        if (m) { clearTimeout(timer); proc.stdout!.off('data', onData); resolve(Number(m[1])); }
      };
      proc.stdout!.on('data', onData);
      proc.once('exit', (code) => { clearTimeout(timer); reject(new Error(`relay exited (${code}):\n${this.output}`)); });
    });
    this.port = port;
  }

  /** Kills the process (SIGKILL by default: no chance to flush anything) and waits for it to go. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<number | null> {
    this.proc?.kill(signal);
    return this.exited!;
  }

  /** Starts again on the same port and data directory, as a supervisor would. */
  async restart(): Promise<void> {
    this.output = '';
    await this.spawn();
  }

  async stop(): Promise<void> {
    if (this.proc && this.proc.exitCode === null) await this.kill('SIGTERM');
    await rm(this.dataDir, { recursive: true, force: true });
  }

  async api<T = any>(method: string, path: string, body?: unknown, token = ADMIN_TOKEN): Promise<{ status: number; body: T }> {
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  }

  /** POSTs to a URL the relay showed (webhook URL), rewriting its host to where this process listens. */
  async post(shownUrl: string, body: string | Uint8Array, contentType = 'application/json'): Promise<{ status: number; body: any }> {
    const u = new URL(shownUrl);
    const res = await fetch(`${this.url}${u.pathname}${u.search}`, { method: 'POST', headers: { 'content-type': contentType }, body: body as BodyInit });
    const text = await res.text();
    let parsed: unknown = text;
    try { parsed = JSON.parse(text); } catch { /* not JSON */ }
    return { status: res.status, body: parsed };
  }
}
