import { gmRequest } from './config.ts';
import type { Target } from './detect.ts';
import type { ListName } from './history.ts';
import type { ContactData, CustomerData, HistoryList, TaskData, WidgetConfig } from './types.ts';

export type Loaded<T = TaskData | ContactData> =
  | { kind: 'data'; data: T }
  | { kind: 'empty' }
  | { kind: 'unauthorised' }
  | { kind: 'error'; detail: string };

interface Raw {
  status: number;
  text: string;
}

const TIMEOUT_MS = 15_000;

/**
 * GM_xmlhttpRequest when the userscript manager grants it (it is not bound by CORS and reaches
 * the hosts named in @connect), else fetch, which the relay allows from the Planfix origin.
 */
function get(url: string, headers: Record<string, string>): Promise<Raw> {
  const gm = gmRequest();
  if (gm) {
    return new Promise((resolve, reject) => gm({
      method: 'GET', url, headers, timeout: TIMEOUT_MS,
      onload: (r) => resolve({ status: r.status, text: r.responseText }),
      onerror: () => reject(new Error('network error')),
      ontimeout: () => reject(new Error('timeout')),
    }));
  }
  return fetch(url, { headers, mode: 'cors', credentials: 'omit', cache: 'no-store', signal: AbortSignal.timeout(TIMEOUT_MS) })
    .then(async (r) => ({ status: r.status, text: await r.text() }));
}

/** A page of a list as the relay sent it, or an empty one: its items are still read as untrusted. */
function listOf<T>(v: unknown): HistoryList<T> {
  const l = v as Partial<HistoryList<T>> | undefined;
  return { items: Array.isArray(l?.items) ? l.items : [], ...(typeof l?.more === 'string' ? { more: l.more } : {}) };
}

function customerOf(v: unknown): CustomerData | undefined {
  if (!v || typeof v !== 'object') return undefined;
  const c = v as CustomerData;
  return { ...c, conversations: listOf(c.conversations), calls: listOf(c.calls) };
}

async function load<T>(cfg: WidgetConfig, path: string, read: (json: any) => T): Promise<Loaded<T>> {
  const url = `${cfg.relayUrl}/widget/${encodeURIComponent(cfg.accountId)}/${path}`;
  let r: Raw;
  try {
    r = await get(url, { 'X-Widget-Key': cfg.key });
  } catch (err) {
    return { kind: 'error', detail: (err as Error).message };
  }
  if (r.status === 404) return { kind: 'empty' };
  if (r.status === 401 || r.status === 403) return { kind: 'unauthorised' };
  if (r.status !== 200) return { kind: 'error', detail: `HTTP ${r.status}` };
  try {
    return { kind: 'data', data: read(JSON.parse(r.text)) };
  } catch {
    return { kind: 'error', detail: 'bad answer' };
  }
}

/** A task's data, or a Planfix contact's customer. */
export function loadTarget(cfg: WidgetConfig, target: Target): Promise<Loaded> {
  if (target.kind === 'contact') {
    return load<ContactData>(cfg, `contacts/${target.id}`, (d) => {
      const customer = customerOf(d?.customer);
      if (!customer) throw new Error('bad answer');
      return { contact: target.id, customer };
    });
  }
  return load<TaskData>(cfg, `tasks/${target.id}`, (d) => {
    const customer = customerOf(d.customer);
    return { ...d, calls: Array.isArray(d.calls) ? d.calls : [], customer };
  });
}

/** The next page of one of the customer's lists. */
export function loadMore(cfg: WidgetConfig, target: Target, list: ListName, after: string): Promise<Loaded<HistoryList<unknown>>> {
  return load(cfg, `${target.kind}s/${target.id}/history/${list}?after=${encodeURIComponent(after)}`, listOf);
}
