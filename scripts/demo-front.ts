// The demo's Planfix at one address, as a real account is: its task pages (with the userscript
// run the way Tampermonkey runs it, installed from the account's link, so no extension is needed)
// and its APIs, passed on to the simulator. The relay accepts what Planfix hands it (the telephony
// endpoint at setup) only on the account's own Planfix, so pages and APIs must share the origin.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { managerScript } from '../test/helpers/browser.ts';
import type { TaskPage } from '../test/sim/task-page.ts';

export interface PlanfixFront {
  origin: string;
  chatApiUrl: string;
  restUrl: string;
  telephonyApiUrl: string;
  /** Set once the account exists: it comes from the account's install link. */
  userscript: string;
  close(): Promise<void>;
}

const API = /^\/(?:webchat\/api|tel\/api|rest)(?:[/?]|$)/;

export async function startPlanfixFront(site: TaskPage, sim: { origin: string }, host: string): Promise<PlanfixFront> {
  const server = http.createServer((req, res) => {
    if (API.test(req.url ?? '')) passOn(sim.origin, req, res);
    else void page(req, res).catch(() => { if (!res.headersSent) res.writeHead(502); res.end(); });
  });
  const page = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const upstream = await fetch(`${site.origin}${req.url ?? '/'}`, { method: req.method === 'HEAD' ? 'HEAD' : 'GET' });
    const type = upstream.headers.get('content-type') ?? 'application/octet-stream';
    if (!type.startsWith('text/html')) {
      res.writeHead(upstream.status, { 'content-type': type });
      res.end(Buffer.from(await upstream.arrayBuffer()));
      return;
    }
    const html = (await upstream.text()).replace('</body>', `<script>${managerScript(front.userscript).replace(/<\/script/gi, '<\\/script')}</script></body>`);
    res.writeHead(upstream.status, { 'content-type': type, 'cache-control': 'no-store' });
    res.end(html);
  };
  await new Promise<void>((r) => server.listen(0, host, r));
  const origin = `http://${host}:${(server.address() as AddressInfo).port}`;
  const front: PlanfixFront = {
    origin, chatApiUrl: `${origin}/webchat/api`, restUrl: `${origin}/rest`, telephonyApiUrl: `${origin}/tel/api`, userscript: '',
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
  return front;
}

/** The request as it came, body and headers, and the simulator's answer as it is. */
function passOn(target: string, req: http.IncomingMessage, res: http.ServerResponse): void {
  const upstream = http.request(`${target}${req.url}`, { method: req.method, headers: { ...req.headers, host: new URL(target).host } }, (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(res);
  });
  upstream.on('error', () => { if (!res.headersSent) res.writeHead(502); res.end(); });
  req.pipe(upstream);
}
