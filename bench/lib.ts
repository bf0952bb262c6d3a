// Shared plumbing of `npm run bench`: the relay as a process (as operators run it), bundling the
// helper processes, the Chatra webhook every figure sends, waiting, percentiles and the table.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleForNode } from '../scripts/node-bundle.ts';
import { Proc } from '../test/helpers/proc.ts';

export { Proc };

export const ADMIN_TOKEN = 'bench-admin-token-0123456789abcdefghij';
export const HOST = '127.0.0.1';

export interface Row {
  figure: string;
  target: string;
  measured: string;
  met: boolean;
}

export interface FigureResult {
  rows: Row[];
  /** Lines printed under the table: how it was measured, the raw rounds. */
  notes: string[];
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function waitFor<T>(fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs: number, what: string, everyMs = 5): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export function median(values: number[]): number {
  return percentile([...values].sort((a, b) => a - b), 50);
}

export const fmt = (n: number, digits = 1) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

export async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `relay-bench-${prefix}-`));
}

/** Resident set size and its peak of a process, from /proc (Linux), in MB. */
export async function rssOf(pid: number): Promise<{ rssMB: number; peakMB: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMB: kb('VmRSS') / 1024, peakMB: kb('VmHWM') / 1024 };
}

/** The V8 heap as the relay's own /metrics reports it (prom-client's default process metrics). */
export async function heapOf(url: string): Promise<{ used: number; total: number; external: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const metric = (name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? ([\\d.e+]+)$`, 'm').exec(text)?.[1] ?? NaN) / 2 ** 20;
  return { used: metric('relay_process_nodejs_heap_size_used_bytes'), total: metric('relay_process_nodejs_heap_size_total_bytes'), external: metric('relay_process_nodejs_external_memory_bytes') };
}

/** Bundles a TypeScript entry into one ESM file, so helper processes run as plain `node` without a TypeScript loader. */
export async function bundle(entry: string, outDir: string): Promise<string> {
  const outfile = join(outDir, entry.replace(/^.*\//, '').replace(/\.ts$/, '.mjs'));
  await bundleForNode(entry, outfile);
  return outfile;
}

/** The relay process: `node dist/relay.js`, configured by the environment as in production. */
export class RelayProc {
  private constructor(readonly p: Proc, readonly dataDir: string) {}

  static async start(dataDir: string, opts: { nodeArgs?: string[]; env?: Record<string, string>; script?: string } = {}): Promise<RelayProc> {
    // BENCH_RELAY: another build of the relay, to compare a change A/B with the same harness.
    const p = await Proc.start([...opts.nodeArgs ?? [], opts.script ?? process.env.BENCH_RELAY ?? 'dist/relay.js'], {
      HOST, PORT: '0', RELAY_DATA_DIR: dataDir, RELAY_ADMIN_TOKEN: ADMIN_TOKEN, RELAY_ALLOW_HOSTS: HOST, LOG_LEVEL: 'info', ...opts.env,
    });
    return new RelayProc(p, dataDir);
  }

  get url(): string { return this.p.url; }
  get pid(): number { return this.p.pid; }
  get readyMs(): number { return this.p.readyMs; }

  async api<T = any>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  }

  async backlog(): Promise<number> {
    const res = await fetch(`${this.url}/healthz`);
    return ((await res.json()) as { backlog: number }).backlog;
  }

  /** Waits until every journaled event is delivered (or dead). */
  async drained(timeoutMs = 120_000): Promise<void> {
    await waitFor(async () => (await this.backlog()) === 0, timeoutMs, 'the relay backlog to drain', 20);
  }

  /** The path part of a URL the relay showed, on this process. */
  local(shownUrl: string): string {
    const u = new URL(shownUrl);
    return `${this.url}${u.pathname}${u.search}`;
  }

  async stop(): Promise<void> {
    await this.p.stop('SIGTERM');
  }

  async destroy(): Promise<void> {
    await this.stop();
    await rm(this.dataDir, { recursive: true, force: true });
  }
}

/** An account whose Planfix is the simulator, with one Chatra channel; answers the webhook URL. */
export async function chatraAccount(relay: RelayProc, planfixOrigin: string, name = 'Acme'): Promise<{ accountId: string; channelId: string; webhookUrl: string }> {
  const account = await relay.api('POST', '/api/accounts', {
    name, defaultCountry: 'UA', planfix: { url: planfixOrigin, chatToken: 'pf-chat-token' },
  });
  if (account.status !== 201) throw new Error(`account: ${JSON.stringify(account.body)}`);
  const channel = await relay.api('POST', `/api/accounts/${account.body.id}/channels`, {
    kind: 'chatra', name: 'Site chat',
    settings: { publicKey: 'chatra-pub', secretKey: 'chatra-secret', agentEmail: 'support@acme.test', agentName: 'Acme Support', apiUrl: `http://${HOST}:9/api` },
    // The benches measure what the relay takes at full speed: the admission limits stay out of the way.
    limits: { ratePerSecond: 10_000, burst: 100_000, newConversationsPerHour: 100_000, accountBacklog: 10_000_000 },
  });
  if (channel.status !== 201) throw new Error(`channel: ${JSON.stringify(channel.body)}`);
  return { accountId: account.body.id, channelId: channel.body.id, webhookUrl: relay.local(channel.body.webhookUrl) };
}

const VISITS_FROM = Date.UTC(2026, 0, 1);
const CITIES = ['Kyiv', 'Lviv', 'Odesa', 'Kharkiv', 'Dnipro', 'Zaporizhzhia', 'Vinnytsia', 'Poltava', 'Chernihiv', 'Uzhhorod', 'Ivano-Frankivsk', 'Rivne'];
const BROWSERS = [['Chrome 120', 'Windows 10'], ['Safari 17', 'iOS 17.2'], ['Chrome 121', 'Android 14'], ['Firefox 121', 'Ubuntu'], ['Edge 120', 'Windows 11'], ['Safari 17', 'macOS 14']] as const;
const SOURCES = [['google', 'cpc', 'https://www.google.com/'], ['facebook', 'social', 'https://l.facebook.com/'], ['newsletter', 'email', undefined], ['bing', 'cpc', 'https://www.bing.com/']] as const;

/**
 * A Chatra `chatFragment` webhook as the reference (docs/reference/channels.md §2.1) shows one: a described
 * visitor with location, browser, referrer, UTM and three visited pages, and one new message.
 * `visitor` picks the conversation (and varies the visit as real traffic does: a dozen cities,
 * a few browsers and traffic sources, 40 categories and 2,000 products); `id` the message (the
 * dedupe key: every one is new). The visit's pages keep their times from one webhook of the chat
 * to the next, as in Chatra.
 */
export function chatraBody(visitor: number, id: string, at = Date.now(), eventName = 'chatFragment'): string {
  const visitAt = VISITS_FROM + visitor * 1000;
  const [browser, os] = BROWSERS[visitor % BROWSERS.length]!;
  const [source, medium, referrer] = SOURCES[visitor % SOURCES.length]!;
  const campaign = `spring-${visitor % 7}`;
  const category = visitor % 40;
  const product = (visitor * 7) % 2000;
  return JSON.stringify({
    eventName,
    client: {
      id: `v${visitor}-kX3pQ9mWz2YbT7cAf`,
      displayedName: 'Pumpkin Ninja',
      name: `Olga Petrenko ${visitor}`,
      email: `olga${visitor}@example.com`,
      phone: `+38050${String(1_000_000 + visitor).slice(-7)}`,
      info: { orderId: `A-${1000 + visitor}` },
      country: 'Ukraine',
      city: CITIES[visitor % CITIES.length],
      ip: `203.0.${(visitor >> 8) & 255}.${visitor & 255}`,
      browser,
      os,
      referrer,
      utm: { source, medium, campaign },
      visitedPages: [
        { url: `https://shop.example.com/?utm_source=${source}&utm_medium=${medium}&utm_campaign=${campaign}`, title: 'Shop', time: visitAt - 180_000 },
        { url: `https://shop.example.com/c/${category}`, title: `Category ${category}`, time: visitAt - 120_000 },
        { url: `https://shop.example.com/p/${product}`, title: `Product ${product}: a blue kettle, 1.7 l`, time: visitAt - 60_000 },
      ],
    },
    messages: [{ id, type: 'client', message: `Hi! Is the blue kettle in stock? Can it be delivered to Kyiv tomorrow? (${id})`, createdAt: at }],
    agents: [],
  });
}

/** The message id chatraBody put at the end of a message text, as Planfix receives it. */
export function messageIdIn(text: string): string | undefined {
  return /\(([\w-]+)\)(?:\n|$)/.exec(text)?.[1];
}

export function loadAverage(): Promise<string> {
  return readFile('/proc/loadavg', 'utf8').then((s) => s.split(' ').slice(0, 3).join(' '), () => '?');
}

/** The Planfix simulator in its own process (bench/sim-host.ts, bundled). */
export class SimHost {
  private seq = 0;
  private readonly waiting = new Map<number, (v: number) => void>();

  private constructor(private readonly p: Proc) {
    p.proc.on('message', (m: { id: number; value: number }) => {
      this.waiting.get(m.id)?.(m.value);
      this.waiting.delete(m.id);
    });
  }

  static async start(bundled: string): Promise<SimHost> {
    return new SimHost(await Proc.start([bundled], {}, { ipc: true }));
  }

  get origin(): string {
    return this.p.url;
  }

  /** How many newMessage commands the simulator accepted so far. */
  newMessages(): Promise<number> {
    const id = ++this.seq;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.p.proc.send({ id, ask: 'newMessages' });
    });
  }

  async stop(): Promise<void> {
    this.p.proc.disconnect();
    await this.p.stop();
  }
}

/** CPU time (user + system) a process has used so far, in ms, from /proc (Linux). */
export async function cpuMsOf(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 (utime, stime) are the 12th and 13th after the command name, in clock ticks (100 Hz).
  return (Number(f[11]) + Number(f[12])) * 10;
}
