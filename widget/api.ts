import { gmRequest } from './config.ts';
import type { TaskData, WidgetConfig } from './types.ts';

export type Loaded =
  | { kind: 'data'; data: TaskData }
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

export async function loadTask(cfg: WidgetConfig, task: number): Promise<Loaded> {
  const url = `${cfg.relayUrl}/widget/${encodeURIComponent(cfg.accountId)}/tasks/${task}`;
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
    const data = JSON.parse(r.text) as TaskData;
    return { kind: 'data', data: { ...data, calls: Array.isArray(data.calls) ? data.calls : [] } };
  } catch {
    return { kind: 'error', detail: 'bad answer' };
  }
}
