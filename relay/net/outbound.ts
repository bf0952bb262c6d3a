import http from 'node:http';
import https from 'node:https';
import { RetryableError, TerminalError } from '../errors.ts';

// Planfix accounts live on these domains; providers' API hosts are fixed (each channel declares
// its own). Anything else must be listed in RELAY_ALLOW_HOSTS, so a leaked admin token cannot turn
// the relay into a proxy.
const PLANFIX_SUFFIXES = ['planfix.ru', 'planfix.com', 'planfix.ua', 'planfix.by', 'planfix.kz'];

/** `alert`: an admin's own receiver of dead-letter alerts, allowed only through RELAY_ALLOW_HOSTS. */
export type UrlKind = 'planfix' | 'provider' | 'alert';

/** Why a URL may not be called: which rule (for the admin page to word) and the relay's words. */
export interface UrlRefusal {
  rule: 'absolute' | 'credentials' | 'http' | 'https' | 'host';
  message: string;
}

export class OutboundPolicy {
  constructor(private readonly allowHosts: string[], private readonly providerHosts: readonly string[] = []) {}

  /** Returns a reason when the URL may not be called, undefined when it may. */
  check(raw: string, kind: UrlKind): string | undefined {
    return this.refusal(raw, kind)?.message;
  }

  refusal(raw: string, kind: UrlKind): UrlRefusal | undefined {
    const no = (rule: UrlRefusal['rule'], message: string): UrlRefusal => ({ rule, message });
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return no('absolute', 'must be an absolute URL');
    }
    if (url.username || url.password) return no('credentials', 'must not carry credentials');
    const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
    // Entries may be written "host", "host:port", "[::1]" or "[::1]:port".
    const names = [url.host.toLowerCase(), url.hostname.toLowerCase(), host, url.port ? `${host}:${url.port}` : host];
    if (names.some((n) => this.allowHosts.includes(n))) {
      return url.protocol === 'https:' || url.protocol === 'http:' ? undefined : no('http', 'must be an http(s) URL');
    }
    if (url.protocol !== 'https:') return no('https', 'must be an https URL');
    const ok = kind === 'planfix'
      ? PLANFIX_SUFFIXES.some((s) => host === s || host.endsWith(`.${s}`))
      : kind === 'provider' && this.providerHosts.includes(host);
    if (ok) return undefined;
    return no('host', kind === 'planfix'
      ? `host ${host} is not a Planfix domain (${PLANFIX_SUFFIXES.join(', ')}) nor in RELAY_ALLOW_HOSTS`
      : kind === 'alert' ? `host ${host} is not in RELAY_ALLOW_HOSTS` : `host ${host} is not a known provider API host nor in RELAY_ALLOW_HOSTS`);
  }
}

export interface HttpResult {
  status: number;
  headers: { get(name: string): string | null };
  text: string;
  json: unknown;
}

export interface SendInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string | URLSearchParams;
  timeoutMs: number;
}

// Keep-alive connections per host, as fetch keeps them; an idle one is closed after 4 s, before
// a Node server's default 5 s keep-alive timeout can close it under a request being sent.
const agents = {
  'http:': new http.Agent({ keepAlive: true, timeout: 4000 }),
  'https:': new https.Agent({ keepAlive: true, timeout: 4000 }),
};

class TimeoutError extends Error {
  override name = 'TimeoutError';
  code = 'TimeoutError';
}

/**
 * The most of an answer the relay reads. Planfix's and the providers' answers are a few KB (a REST
 * page of 100 contacts is under 1 MB); a broken or hostile peer streaming more would otherwise
 * grow the process without bound.
 */
export const MAX_ANSWER_BYTES = 16 * 1024 * 1024;

class AnswerTooLarge extends Error {}

/** A peer answered more than MAX_ANSWER_BYTES: refused for good, but a caller that can ask for less (a shorter span of a log) may. */
export class AnswerTooLargeError extends TerminalError {}

/**
 * One request with node:http(s). The relay's calls are small form and JSON requests; fetch (undici)
 * spent about 200 µs of CPU more on each than this does, on the delivery path of every event.
 * No redirect is followed (as fetch with redirect: 'manual'), nothing is decompressed.
 */
function request(url: URL, init: SendInit, retried = false): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> {
  const body = init.body === undefined ? undefined : String(init.body);
  const headers: Record<string, string | number> = { 'user-agent': 'planfix-relay', ...init.headers };
  if (body !== undefined) {
    headers['content-length'] = Buffer.byteLength(body);
    const hasType = Object.keys(headers).some((k) => k.toLowerCase() === 'content-type');
    if (!hasType) headers['content-type'] = init.body instanceof URLSearchParams ? 'application/x-www-form-urlencoded;charset=UTF-8' : 'text/plain;charset=UTF-8';
  }
  const mod = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = mod.request(url, { method: init.method ?? 'GET', headers, agent: agents[url.protocol as 'http:' | 'https:'] }, (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_ANSWER_BYTES) {
          clearTimeout(timer);
          req.destroy();
          reject(new AnswerTooLarge(`answered more than ${MAX_ANSWER_BYTES / 1024 / 1024} MB`));
          return;
        }
        chunks.push(c);
      });
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', (err) => { clearTimeout(timer); reject(err); });
    });
    const timer = setTimeout(() => req.destroy(new TimeoutError(`no answer within ${init.timeoutMs} ms`)), init.timeoutMs);
    req.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      // A kept-alive connection the server closed just as it was reused: nothing reached the
      // server, so the request goes once more on a new connection (what Node's docs advise).
      if (!answered && !retried && req.reusedSocket && (err.code === 'ECONNRESET' || err.code === 'EPIPE')) {
        resolve(request(url, init, true));
        return;
      }
      reject(err);
    });
    req.end(body);
  });
}

/**
 * One outbound HTTP call with the allow-list re-checked at call time, a timeout, and the failure
 * sorted for the worker: transport errors, 429 and 5xx are retryable; the caller decides on 4xx.
 */
export async function send(policy: OutboundPolicy, kind: UrlKind, url: string, init: SendInit): Promise<HttpResult> {
  const refused = policy.check(url, kind);
  if (refused) throw new TerminalError(`outbound URL refused: ${refused}`, 'blocked-url');
  const target = new URL(url);
  let res: Awaited<ReturnType<typeof request>>;
  try {
    res = await request(target, init);
  } catch (err) {
    if (err instanceof AnswerTooLarge) throw new AnswerTooLargeError(`${target.host} ${err.message}`);
    const cause = (err as NodeJS.ErrnoException).code ?? (err as Error).name;
    throw new RetryableError(`${target.host} unreachable (${cause})`, undefined, 'unreachable');
  }
  const { text } = res;
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  const headers = { get: (name: string) => { const v = res.headers[name.toLowerCase()]; return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v; } };
  if (res.status === 429 || res.status >= 500) {
    const retryAfter = Number(headers.get('retry-after'));
    throw new RetryableError(
      `${target.host} answered ${res.status}${errorText(json, text) ? `: ${errorText(json, text)}` : ''}`,
      Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined,
      'busy',
    );
  }
  return { status: res.status, headers, text, json };
}

/**
 * A provider's non-2xx answer as the error Planfix and the log show: a refusal of the keys (401 or
 * 403) names the setting to check; anything else is the status with the provider's words.
 */
export function providerError(who: string, status: number, why: string, keys: { refused: string; check: string }): TerminalError {
  const said = `${status}${why ? `: ${why}` : ''}`;
  return new TerminalError(status === 401 || status === 403 ? `${who} ${keys.refused} (${said}); ${keys.check}` : `${who} answered ${said}`, 'provider-refused');
}

/**
 * The provider's own error words, for dead letters and messageStatus texts: bounded, whichever
 * field they come in (a provider's JSON `error` is as long as it likes).
 */
export function errorText(json: unknown, text: string): string {
  if (json && typeof json === 'object') {
    const o = json as Record<string, unknown>;
    for (const k of ['error', 'message', 'status_message', 'description']) {
      if (typeof o[k] === 'string' && o[k]) return (o[k] as string).slice(0, 300);
    }
  }
  return text.slice(0, 200);
}
