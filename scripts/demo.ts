// `npm run demo`: the whole product on this machine in a minute. The relay runs as `npm start`
// runs it; Planfix, the providers and a Planfix task page are the test simulators on loopback.
// A demo account gets a channel of every kind, plays a chat on each and a call with a
// recording, and the script prints where to look. Ctrl+C stops everything and deletes the data.
//
// DEMO_PORTS=auto picks free ports (the test of this script uses it); otherwise the relay is on
// 8080 and the simulators on 8090–8096.
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { managerScript } from '../test/helpers/browser.ts';
import { ChatraFake } from '../test/sim/chatra.ts';
import { PlanfixSim } from '../test/sim/planfix.ts';
import { RingostatFake } from '../test/sim/ringostat.ts';
import { TaskPage } from '../test/sim/task-page.ts';
import { VerboxSource } from '../test/sim/verbox.ts';
import { ViberFake } from '../test/sim/viber.ts';

const AUTO = process.env.DEMO_PORTS === 'auto';
const port = (n: number) => (AUTO ? 0 : n);
const HOST = '127.0.0.1';
const ADMIN_TOKEN = process.env.DEMO_ADMIN_TOKEN ?? 'demo-admin-token-0123456789abcdefghij';

const stops: (() => Promise<unknown> | unknown)[] = [];
let relayProcess: ChildProcess | undefined;

async function main(): Promise<void> {
  const pf = await PlanfixSim.start({ port: port(8090) });
  const chatra = await ChatraFake.start({ port: port(8091) });
  const ringostat = await RingostatFake.start({ port: port(8092) });
  const viber = await ViberFake.start({ port: port(8094) });
  const verbox = await VerboxSource.start();
  const site = await TaskPage.start();
  stops.push(() => pf.close(), () => chatra.close(), () => ringostat.close(), () => viber.close(), () => verbox.close(), () => site.close());

  const relay = await startRelay(port(8080));
  // "Planfix" as the employee's browser sees it: the task page, with the userscript run the way
  // Tampermonkey would run it (installed from the account's link), so no extension is needed.
  const planfix = await startPlanfixFront(site, port(8093));

  const adminApi = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${relay}/api${path}`, {
      method, headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined,
    });
    const json = await res.json() as any;
    if (!res.ok) throw new Error(`${method} ${path}: ${JSON.stringify(json)}`);
    return json;
  };

  const account = await adminApi('POST', '/accounts', {
    name: 'Demo shop', defaultCountry: 'UA',
    planfix: {
      url: planfix.origin, chatApiUrl: pf.chatApiUrl, restUrl: pf.restUrl, telephonyApiUrl: pf.telephonyApiUrl,
      chatToken: 'pf-chat-token', restToken: 'pf-rest-token', telephonyToken: 'pf-tel-token',
    },
  });
  planfix.userscript = await (await fetch(account.widget.userscriptUrl)).text();
  const channel = (body: unknown) => adminApi('POST', `/accounts/${account.id}/channels`, body);
  pf.addEmployee({ email: 'ivan@demo.test', name: 'Ivan', lastName: 'Petrenko', ext: '101' });
  const chatraChannel = await channel({ kind: 'chatra', name: 'Site chat', settings: { publicKey: 'chatra-pub', secretKey: 'chatra-secret', agentEmail: 'support@demo.test', apiUrl: chatra.apiUrl } });
  const viberChannel = await channel({ kind: 'viber', name: 'Viber bot', settings: { authToken: viber.authToken, botName: 'demoshop', apiUrl: viber.apiUrl, welcomeText: 'Hi! Ask us anything.' } });
  const verboxChannel = await channel({ kind: 'verbox', name: 'Verbox chat', settings: { replyUrl: verbox.replyUrl, replyToken: verbox.replyToken, token: 'demo-verbox-token-0123' } });
  const callsChannel = await channel({
    kind: 'ringostat', name: 'Calls', settings: { authKey: ringostat.authKey, apiUrl: ringostat.apiUrl },
    options: { employees: [{ id: '380671112233', ext: '101', email: 'ivan@demo.test', name: 'Ivan Petrenko' }], defaultExt: '101' },
  });

  const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const now = Date.now();

  // A Chatra visitor from a Google ad, three pages, then a question; an employee answers in Planfix.
  await post(chatraChannel.webhookUrl, {
    eventName: 'chatStarted',
    client: {
      id: 'demo-visitor-1', name: 'Olena Kovalenko', email: 'olena@example.com', phone: '067 123 45 67', city: 'Kyiv', country: 'Ukraine', ip: '203.0.113.7',
      userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
      referrer: 'https://www.google.com/', chatUrl: 'https://app.chatra.io/chat/demo',
      utm: { source: 'google', medium: 'cpc', campaign: 'kettles-spring' },
      visitedPages: [
        { url: 'https://shop.example.com/?utm_source=google&utm_medium=cpc', title: 'Demo shop', time: new Date(now - 300_000).toISOString() },
        { url: 'https://shop.example.com/kettles', title: 'Kettles', time: new Date(now - 200_000).toISOString() },
        { url: 'https://shop.example.com/kettles/blue-42', title: 'Blue kettle 1.7 l', time: new Date(now - 100_000).toISOString() },
      ],
    },
    messages: [{ id: 'demo-chatra-1', type: 'client', message: 'Hi! Is the blue kettle in stock? Can you deliver to Kyiv tomorrow?' }],
  });

  // A Viber user writes and sends a picture.
  const vUser = { id: 'demo-viber-user==', name: 'Taras', avatar: 'https://example.com/taras.jpg', country: 'UA', language: 'uk', api_version: 10 };
  await viber.emit({ event: 'message', timestamp: now, message_token: 5900000000000000001n, sender: vUser, message: { type: 'text', text: 'Good day! Where is my order #1042?' } });
  await viber.emit({ event: 'message', timestamp: now + 1, message_token: 5900000000000000002n, sender: vUser, message: { type: 'picture', media: 'https://example.com/receipt.jpg', text: 'the receipt' } });

  // A Verbox chat, forwarded with the channel's token.
  await post(verboxChannel.webhookUrl, {
    event: 'message', messageId: 'demo-verbox-1', clientId: 'vb-demo-1', author: 'client', name: 'Iryna', phone: '+380 50 765 43 21',
    text: 'Do you have a store in Lviv?', browser: 'Firefox 128', city: 'Lviv', page: 'https://shop.example.com/stores?utm_source=facebook',
  }, { 'x-relay-token': 'demo-verbox-token-0123' });

  // A call through Ringostat: rings, is answered, ends with a recording.
  const call = { uniqueid: 'demo-call-1', calldate: new Date(now - 60_000).toISOString(), call_type: 'in', caller: '380631112233', dst: '380443334455', employee_number: '101', utm_source: 'ringostat', utm_medium: 'calltracking' };
  await post(`${callsChannel.webhookUrl}?event=call_start`, call);
  await post(`${callsChannel.webhookUrl}?event=pickup`, { ...call, connected_with: '380671112233' });
  await post(`${callsChannel.webhookUrl}?event=call_end`, { ...call, connected_with: '380671112233', disposition: 'ANSWERED', billsec: 95, has_recording: '1', recording: site.recordingUrl('demo-call-1') });

  const chatTask = await pf.waitFor(() => pf.tasks.find((t) => t.comments.some((c) => c.text.includes('blue kettle'))), 20_000);
  await pf.reply({ relayUrl: account.connect.planfixChat.url, token: account.connect.planfixChat.token, taskNumber: chatTask.number, message: 'Yes, it is in stock. We can deliver tomorrow before 18:00.', user: { name: 'Ivan', lastName: 'Petrenko' } });
  const viberTask = await pf.waitFor(() => pf.tasks.find((t) => t.comments.some((c) => c.text.includes('order #1042'))), 20_000);
  const verboxTask = await pf.waitFor(() => pf.tasks.find((t) => t.comments.some((c) => c.text.includes('Lviv'))), 20_000);
  const callTask = await pf.waitFor(() => pf.tasks.find((t) => /Call with/.test(t.name)), 30_000);
  await pf.waitFor(() => chatra.messages.length > 0, 10_000);

  const line = (label: string, url: string) => `  ${label.padEnd(26)} ${url}`;
  console.log(`
planfix-relay demo is running. Ctrl+C stops it and deletes its data.

Admin page:              ${relay}/admin   (admin token: ${ADMIN_TOKEN})
Planfix task pages, with the widget showing each task's channel data:
${line(`Chatra chat (task ${chatTask.number})`, `${planfix.origin}/task/${chatTask.number}?lang=en`)}
${line(`Viber (task ${viberTask.number})`, `${planfix.origin}/task/${viberTask.number}?lang=en`)}
${line(`Verbox (task ${verboxTask.number})`, `${planfix.origin}/task/${verboxTask.number}?lang=en`)}
${line(`Call (task ${callTask.number})`, `${planfix.origin}/task/${callTask.number}?lang=en`)}
Simulated Planfix:       ${pf.origin} (Chat API ${pf.chatApiUrl}, REST ${pf.restUrl})
Metrics and health:      ${relay}/metrics  ${relay}/healthz
`);
}

async function startRelay(listenPort: number): Promise<string> {
  const dataDir = await mkdtemp(join(tmpdir(), 'planfix-relay-demo-'));
  stops.push(() => rm(dataDir, { recursive: true, force: true }));
  // The URLs the relay shows are its own loopback address here.
  const { RELAY_PUBLIC_URL: _ignored, ...env } = process.env;
  const child = spawn(process.execPath, ['dist/relay.js'], {
    env: {
      ...env, PORT: String(listenPort), HOST, RELAY_DATA_DIR: dataDir, RELAY_ADMIN_TOKEN: ADMIN_TOKEN,
      RELAY_ALLOW_HOSTS: HOST, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  relayProcess = child;
  stops.unshift(() => new Promise<void>((r) => { if (child.exitCode !== null) r(); else { child.once('exit', () => r()); child.kill('SIGTERM'); } }));
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the relay did not start: ${out}`)), 20_000);
    child.once('exit', (code) => reject(new Error(`the relay exited (${code}) before it was ready: ${out}`)));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /admin API at (http:\/\/\S+?)\/api/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!.replace('localhost', HOST));
      }
    });
  });
}

/** The task page behind a front that adds the userscript, as a userscript manager would. */
async function startPlanfixFront(site: TaskPage, listenPort: number): Promise<{ origin: string; userscript: string }> {
  const front = { origin: '', userscript: '' };
  const server = http.createServer(async (req, res) => {
    const upstream = await fetch(`${site.origin}${req.url ?? '/'}`);
    const type = upstream.headers.get('content-type') ?? 'application/octet-stream';
    if (!type.startsWith('text/html')) {
      res.writeHead(upstream.status, { 'content-type': type });
      res.end(Buffer.from(await upstream.arrayBuffer()));
      return;
    }
    const page = (await upstream.text()).replace('</body>', `<script>${managerScript(front.userscript).replace(/<\/script/gi, '<\\/script')}</script></body>`);
    res.writeHead(upstream.status, { 'content-type': type, 'cache-control': 'no-store' });
    res.end(page);
  });
  await new Promise<void>((r) => server.listen(listenPort, HOST, r));
  stops.push(() => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }));
  front.origin = `http://${HOST}:${(server.address() as AddressInfo).port}`;
  return front;
}

let stopping = false;
async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  for (const s of stops) await Promise.resolve(s()).catch(() => undefined);
  process.exit(code);
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

main().catch(async (err) => {
  console.error(`demo failed: ${(err as Error).message}`);
  if (relayProcess?.exitCode === null) relayProcess.kill('SIGTERM');
  await stop(1);
});
