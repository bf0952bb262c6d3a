// `npm run demo`: the whole product on this machine in a minute. The relay runs as `npm start`
// runs it; Planfix, the providers and a Planfix task page are the test simulators on loopback.
// A demo account gets a channel of every kind, plays a chat on each and a call with a
// recording, and the script prints where to look. Ctrl+C stops everything and deletes the data.
//
// The relay listens on PORT (8080 by default; another one when 8080 is taken, see demo-port.ts);
// the simulators take free ports, since only the printed URLs matter.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChatraFake } from '../test/sim/chatra.ts';
import { landed } from '../test/sim/landed.ts';
import { PlanfixSim } from '../test/sim/planfix.ts';
import { RingostatFake } from '../test/sim/ringostat.ts';
import { TaskPage } from '../test/sim/task-page.ts';
import { VerboxSource } from '../test/sim/verbox.ts';
import { ViberFake } from '../test/sim/viber.ts';
import { startPlanfixFront } from './demo-front.ts';
import { chooseRelayPort, movedLine } from './demo-port.ts';
import { playTraffic, VERBOX_TOKEN } from './demo-traffic.ts';

const HOST = '127.0.0.1';
const ADMIN_TOKEN = process.env.DEMO_ADMIN_TOKEN ?? 'demo-admin-token-0123456789abcdefghij';

const stops: (() => Promise<unknown> | unknown)[] = [];
let relayProcess: ChildProcess | undefined;

async function main(): Promise<void> {
  // Before any simulator starts, so a PORT that is taken fails at once, with nothing to stop.
  const relayPort = await chooseRelayPort(process.env, HOST);
  const pf = await PlanfixSim.start();
  const chatra = await ChatraFake.start();
  const ringostat = await RingostatFake.start();
  const viber = await ViberFake.start({ bot: { name: 'Demo shop', uri: 'demoshop' } });
  const verbox = await VerboxSource.start();
  const site = await TaskPage.start({ landed: () => landed(pf) });
  stops.push(() => pf.close(), () => chatra.close(), () => ringostat.close(), () => viber.close(), () => verbox.close(), () => site.close());

  const relay = await startRelay(relayPort.port);
  if (relayPort.movedFrom) console.log(movedLine(relayPort.movedFrom, Number(new URL(relay).port)));
  const planfix = await startPlanfixFront(site, pf, HOST);
  stops.push(() => planfix.close());

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
      url: planfix.origin, chatApiUrl: planfix.chatApiUrl, restUrl: planfix.restUrl, telephonyApiUrl: planfix.telephonyApiUrl,
      chatToken: 'pf-chat-token', restToken: 'pf-rest-token', telephonyToken: pf.telephonyToken,
    },
  });
  planfix.userscript = await (await fetch(account.widget.userscriptUrl)).text();
  // The admin's step in Planfix: switch telephony on with the relay as the PBX. Without it
  // Planfix would not know where to send click-to-call, and "Test connection" says so.
  const setup = await pf.telephonySetup({ relayUrl: account.connect.planfixTelephony.url, token: account.connect.planfixTelephony.token, planfixUrl: planfix.telephonyApiUrl });
  if (setup.status !== 200) throw new Error(`the relay refused Planfix's telephony setup: ${setup.status} ${JSON.stringify(setup.body)}`);
  const channel = (body: unknown) => adminApi('POST', `/accounts/${account.id}/channels`, body);
  pf.addEmployee({ email: 'ivan@demo.test', name: 'Ivan', lastName: 'Petrenko', ext: '101' });
  const chatraChannel = await channel({ kind: 'chatra', name: 'Site chat', settings: { publicKey: 'chatra-pub', secretKey: 'chatra-secret', agentEmail: 'support@demo.test', apiUrl: chatra.apiUrl } });
  await channel({ kind: 'viber', name: 'Viber bot', settings: { authToken: viber.authToken, botName: 'demoshop', apiUrl: viber.apiUrl, welcomeText: 'Hi! Ask us anything.' } });
  const verboxChannel = await channel({ kind: 'verbox', name: 'Verbox chat', settings: { replyUrl: verbox.replyUrl, replyToken: verbox.replyToken, token: VERBOX_TOKEN } });
  const callsChannel = await channel({
    kind: 'ringostat', name: 'Calls', settings: { authKey: ringostat.authKey, apiUrl: ringostat.apiUrl },
    options: { employees: [{ id: '380671112233', ext: '101', email: 'ivan@demo.test', name: 'Ivan Petrenko' }], defaultExt: '101' },
  });

  const tasks = await playTraffic({
    pf, chatra, viber, site, account,
    webhooks: { chatra: chatraChannel.webhookUrl, verbox: verboxChannel.webhookUrl, ringostat: callsChannel.webhookUrl },
  });
  const failing = await failingChecks(adminApi, account);

  const taskPage = (n: number) => `${planfix.origin}/task/${n}?lang=en`;
  const line = (label: string, url: string) => `  ${label.padEnd(26)} ${url}`;
  console.log(`
planfix-relay demo is running. Ctrl+C stops it and deletes its data.

Admin page:              ${relay}/admin   (admin token: ${ADMIN_TOKEN})
Planfix page:            ${planfix.origin}/planfix?lang=en   (every task, contact, message and call that landed)
Planfix task pages, with the widget showing each task's channel data:
${line(`Chatra chat (task ${tasks.chatra.number})`, taskPage(tasks.chatra.number))}
${line(`Viber (task ${tasks.viber.number})`, taskPage(tasks.viber.number))}
${line(`Verbox (task ${tasks.verbox.number})`, taskPage(tasks.verbox.number))}
${line(`Call (task ${tasks.call.number})`, taskPage(tasks.call.number))}
Simulated Planfix:       ${planfix.origin} (Chat API ${planfix.chatApiUrl}, REST ${planfix.restUrl})
Metrics and health:      ${relay}/metrics  ${relay}/healthz
${failing.length ? `\nTest connection fails (a bug of the demo): ${failing.join('; ')}\n` : ''}`);
}

/** The admin page's "Test connection" of the account and each channel; what is not ok, in words. */
async function failingChecks(adminApi: (method: string, path: string) => Promise<any>, account: { id: string }): Promise<string[]> {
  const parts = await adminApi('POST', `/accounts/${account.id}/check`) as Record<string, { ok: boolean; message: string }>;
  const { channels } = await adminApi('GET', `/accounts/${account.id}`) as { channels: { id: string; name: string }[] };
  const failing = Object.entries(parts).filter(([, r]) => !r.ok).map(([k, r]) => `${k}: ${r.message}`);
  for (const c of channels) {
    const r = await adminApi('POST', `/accounts/${account.id}/channels/${c.id}/check`) as { ok: boolean; message: string };
    if (!r.ok) failing.push(`${c.name}: ${r.message}`);
  }
  return failing;
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
