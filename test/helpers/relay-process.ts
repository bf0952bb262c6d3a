import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Proc } from './proc.ts';

export const ADMIN_TOKEN = 'test-admin-token-0123456789abcdefghij';

/**
 * REST requests 100 ms apart instead of Planfix's 1 a second, for tests where the pace is not the
 * subject: a call from a new number costs five of them. Tests about pacing keep the real one.
 */
export const FAST_REST = { RELAY_REST_INTERVAL_MS: '100' };

/**
 * The relay as operators run it: `node dist/relay.js` (built by the test command), on loopback,
 * with a data directory of its own. Retry pacing is shortened so outages take seconds.
 */
export class RelayProcess {
  private proc: Proc | undefined;
  port = 0;

  private constructor(readonly dataDir: string, private readonly env: Record<string, string>, private readonly script: string) {}

  /** `script`: another build of the relay (one with a test-only channel registered). */
  static async start(env: Record<string, string> = {}, dataDir?: string, script = 'dist/relay.js'): Promise<RelayProcess> {
    const r = new RelayProcess(dataDir ?? (await mkdtemp(join(tmpdir(), 'relay-e2e-'))), env, script);
    await r.spawn();
    return r;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** What this run of the process printed (since the last start). */
  get output(): string {
    return this.proc?.output ?? '';
  }

  /**
   * Waits until what the process printed satisfies `done`: a log line is written after the answer
   * it belongs to may already have arrived, so reading `output` straight after a request races it.
   */
  async waitForOutput(done: (output: string) => boolean, timeoutMs = 10_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (!done(this.output)) {
      if (Date.now() > deadline) throw new Error(`the relay did not print what was awaited within ${timeoutMs} ms:\n${this.output.slice(-4000)}`);
      await new Promise((r) => setTimeout(r, 25));
    }
    return this.output;
  }

  private async spawn(): Promise<void> {
    this.proc = await Proc.start([this.script], {
      HOST: '127.0.0.1',
      PORT: String(this.port),
      RELAY_DATA_DIR: this.dataDir,
      RELAY_ADMIN_TOKEN: ADMIN_TOKEN,
      RELAY_ALLOW_HOSTS: '127.0.0.1',
      RELAY_RETRY_BASE_MS: '50',
      RELAY_RETRY_MAX_MS: '400',
      RELAY_HTTP_TIMEOUT_MS: '3000',
      LOG_LEVEL: 'info',
      // The phone book mirror reads contact/list in the background: off unless a test is about it,
      // so the REST requests a test counts are its own.
      RELAY_PHONE_BOOK: 'off',
      ...this.env,
    }, { readyTimeoutMs: 15_000 });
    this.port = this.proc.port;
  }

  /** The running process's id (to freeze it with SIGSTOP, which kill() would wait on for ever). */
  get pid(): number {
    return this.proc!.pid;
  }

  /** Kills the process (SIGKILL by default: no chance to flush anything) and waits for it to go. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<number | null> {
    return this.proc!.stop(signal);
  }

  /** Starts again on the same port and data directory, as a supervisor would. */
  async restart(): Promise<void> {
    await this.spawn();
  }

  async stop(): Promise<void> {
    await this.proc?.stop('SIGTERM');
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

  /**
   * Deletes the account when the test ends: on a relay shared by a file's tests, its work must end
   * before the test's simulators close (teardowns run last first: register it after them).
   */
  forgetAtEnd(t: { teardown(fn: () => Promise<void>): void }, accountId: string): void {
    t.teardown(async () => { await this.api('DELETE', `/api/accounts/${accountId}`); });
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

/**
 * Relay processes shared by one file's tests, one per environment, each started when a test first
 * asks for it and stopped by `after` (test.after.always) once the file is done. For tests that each
 * work in an account of their own, on simulators of their own: none then depends on another's
 * order, and a relay starts once per file instead of once per test (a second of CPU each).
 */
export function sharedRelays(after: (fn: () => Promise<void>) => void): (env?: Record<string, string>) => Promise<RelayProcess> {
  const started = new Map<string, Promise<RelayProcess>>();
  after(async () => {
    await Promise.all([...started.values()].map((r) => r.then((relay) => relay.stop(), () => undefined)));
  });
  return (env = {}) => {
    const key = JSON.stringify(Object.entries(env).sort());
    let relay = started.get(key);
    if (!relay) started.set(key, (relay = RelayProcess.start(env)));
    return relay;
  };
}
