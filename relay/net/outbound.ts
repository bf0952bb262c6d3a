import { RetryableError, TerminalError } from '../errors.ts';

// Planfix accounts live on these domains; providers' API hosts are fixed. Anything else must be
// listed in RELAY_ALLOW_HOSTS, so a leaked admin token cannot turn the relay into a proxy.
const PLANFIX_SUFFIXES = ['planfix.ru', 'planfix.com', 'planfix.ua', 'planfix.by', 'planfix.kz'];
const PROVIDER_HOSTS = ['app.chatra.io', 'chatapi.viber.com', 'api.ringostat.net'];

export type UrlKind = 'planfix' | 'provider';

export class OutboundPolicy {
  constructor(private readonly allowHosts: string[]) {}

  /** Returns a reason when the URL may not be called, undefined when it may. */
  check(raw: string, kind: UrlKind): string | undefined {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return 'must be an absolute URL';
    }
    if (url.username || url.password) return 'must not carry credentials';
    const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
    // Entries may be written "host", "host:port", "[::1]" or "[::1]:port".
    const names = [url.host.toLowerCase(), url.hostname.toLowerCase(), host, url.port ? `${host}:${url.port}` : host];
    if (names.some((n) => this.allowHosts.includes(n))) {
      return url.protocol === 'https:' || url.protocol === 'http:' ? undefined : 'must be an http(s) URL';
    }
    if (url.protocol !== 'https:') return 'must be an https URL';
    const ok = kind === 'planfix'
      ? PLANFIX_SUFFIXES.some((s) => host === s || host.endsWith(`.${s}`))
      : PROVIDER_HOSTS.includes(host);
    if (ok) return undefined;
    return kind === 'planfix'
      ? `host ${host} is not a Planfix domain (${PLANFIX_SUFFIXES.join(', ')}) nor in RELAY_ALLOW_HOSTS`
      : `host ${host} is not a known provider API host nor in RELAY_ALLOW_HOSTS`;
  }
}

export interface HttpResult {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

/**
 * One outbound HTTP call with the allow-list re-checked at call time, a timeout, and the failure
 * sorted for the worker: transport errors, 429 and 5xx are retryable; the caller decides on 4xx.
 */
export async function send(
  policy: OutboundPolicy, kind: UrlKind, url: string, init: RequestInit & { timeoutMs: number },
): Promise<HttpResult> {
  const refused = policy.check(url, kind);
  if (refused) throw new TerminalError(`outbound URL refused: ${refused}`);
  let res: Response;
  try {
    res = await fetch(url, { ...init, signal: AbortSignal.timeout(init.timeoutMs), redirect: 'manual' });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
    throw new RetryableError(`${new URL(url).host} unreachable (${cause})`);
  }
  const text = await res.text().catch(() => '');
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (res.status === 429 || res.status >= 500) {
    const retryAfter = Number(res.headers.get('retry-after'));
    throw new RetryableError(
      `${new URL(url).host} answered ${res.status}${errorText(json, text) ? `: ${errorText(json, text)}` : ''}`,
      Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined,
    );
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** The provider's own error words, for dead letters and messageStatus texts. */
export function errorText(json: unknown, text: string): string {
  if (json && typeof json === 'object') {
    const o = json as Record<string, unknown>;
    for (const k of ['error', 'message', 'status_message', 'description']) {
      if (typeof o[k] === 'string' && o[k]) return o[k] as string;
    }
  }
  return text.slice(0, 200);
}
