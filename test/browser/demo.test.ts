// `npm run demo` from this tree: it starts beside a relay already on 8080 and says where it went
// instead, or on PORT when given; its "Test connection" is green; its Planfix page lists what
// landed; a printed task page shows the widget with the chat's data and the task's own
// conversation, in Debian's Chromium. Serial: the demos must not race each other for port 8080.
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import test from 'ava';
import { launchChromium } from '../helpers/browser.ts';
import { FAST_REST } from '../helpers/relay-process.ts';

interface Demo {
  child: ChildProcess;
  out: () => string;
  exited: Promise<number | null>;
}

function startDemo(t: { teardown(fn: () => Promise<void>): void }, env: Record<string, string | undefined>): Demo {
  const { PORT: _notInherited, ...base } = process.env;
  // The demo hands its environment to its relay: Planfix REST at the simulator's pace, not the real
  // Planfix's 1 a second, which the demo's traffic and "Test connection" waited on for most of its start.
  // Its own process group: a failed assertion ends the test at once, and the demo's relay, which
  // writes to the demo's stderr, would outlive a killed demo and keep this worker from exiting.
  const child = spawn(process.execPath, ['--import=tsx', 'scripts/demo.ts'], { env: { ...base, ...FAST_REST, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr!.on('data', (d: Buffer) => { out += d.toString(); });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  t.teardown(async () => {
    // Ctrl+C first, so the demo deletes its data directory.
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGINT');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    }
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // ESRCH: the group is gone, as it should be.
    }
  });
  return { child, out: () => out, exited };
}

async function ready(demo: Demo): Promise<void> {
  const deadline = Date.now() + 45_000;
  while (!demo.out().includes('Metrics and health') && demo.child.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
}

/** Holds a port the way a running relay does; resolves to undefined when someone already holds it. */
function hold(port: number): Promise<net.Server | undefined> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(undefined));
    server.listen(port, '0.0.0.0', () => resolve(server));
  });
}

/**
 * A free port below the kernel's ephemeral range (32768 and up): one from port 0 could be handed
 * to another socket on this busy machine between the probe and the demo's start.
 */
async function freePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const server = await hold(port);
    if (server) return new Promise((resolve) => server.close(() => resolve(port)));
  }
}

const printed = (out: string, label: RegExp) => new RegExp(`${label.source}.*?(http://127\\.0\\.0\\.1:\\d+/\\S+)`).exec(out)?.[1];

test.serial('with 8080 taken the demo comes up on another port and says where; every check is green; its Planfix page and task pages show what landed', async (t) => {
  t.timeout(90_000);
  const blocker = await hold(8080);
  t.teardown(() => blocker?.close());
  const demo = startDemo(t, {});
  await ready(demo);
  const out = demo.out();
  t.true(out.includes('Metrics and health'), out);
  t.false(out.includes('Test connection fails'), out);

  const admin = /Admin page:\s+(http:\/\/\S+)/.exec(out)?.[1];
  t.truthy(admin, out);
  const relay = new URL(admin!);
  t.not(relay.port, '8080');
  const moved = out.split('\n').filter((l) => l.includes('8080'));
  t.deepEqual(moved, [`Port 8080 is already in use (a relay started with npm start?), so the demo's relay listens on port ${relay.port} instead.`], out);
  t.is((await fetch(admin!)).status, 200);
  t.is((await fetch(new URL('/healthz', relay))).status, 200);

  // The admin page's "Test connection", through the API the page uses, with the printed token.
  const token = /admin token: (\S+?)\)/.exec(out)?.[1];
  const api = async (method: string, path: string) => {
    const res = await fetch(new URL(`/api${path}`, relay), { method, headers: { authorization: `Bearer ${token}` } });
    t.is(res.status, 200, `${method} ${path}`);
    return res.json() as Promise<any>;
  };
  const accounts = await api('GET', '/accounts') as { id: string }[];
  t.is(accounts.length, 1);
  const account = accounts[0]!;
  const parts = await api('POST', `/accounts/${account.id}/check`) as Record<string, { ok: boolean; message: string }>;
  t.deepEqual(Object.keys(parts).sort(), ['chat', 'rest', 'telephony']);
  for (const [part, r] of Object.entries(parts)) t.true(r.ok, `${part}: ${r.message}`);
  const { channels } = await api('GET', `/accounts/${account.id}`) as { channels: { id: string; kind: string }[] };
  t.deepEqual(channels.map((c) => c.kind).sort(), ['chatra', 'ringostat', 'verbox', 'viber']);
  for (const c of channels) {
    const r = await api('POST', `/accounts/${account.id}/channels/${c.id}/check`) as { ok: boolean; message: string };
    t.true(r.ok, `${c.kind}: ${r.message}`);
  }

  const chatPage = printed(out, /Chatra chat/);
  const viberPage = printed(out, /Viber \(task/);
  const callPage = printed(out, /Call \(task/);
  const planfixPage = printed(out, /Planfix page:/);
  t.truthy(chatPage && viberPage && callPage && planfixPage, out);

  // Every printed task is on the Planfix page, linked, with its contact, messages and call.
  const list = await (await fetch(planfixPage!)).text();
  for (const url of [chatPage, viberPage, callPage]) {
    const { pathname, search } = new URL(url!);
    t.true(list.includes(`<a href="${pathname}${search}">`), `${pathname} is linked from the Planfix page`);
  }
  for (const text of ['Olena Kovalenko', 'Is the blue kettle in stock?', 'We can deliver tomorrow', 'Ivan Petrenko', 'Taras', 'Where is my order #1042?', 'Iryna', 'Do you have a store in Lviv?', 'incoming +380631112233: answered', '95 s']) {
    t.true(list.includes(text), `the Planfix page shows "${text}"`);
  }

  const browser = await launchChromium();
  t.teardown(() => browser.close());
  const page = await browser.newPage();
  await page.goto(chatPage!);
  const panel = page.locator('planfix-relay-widget');
  await t.notThrowsAsync(panel.locator('text=Olena Kovalenko').first().waitFor({ timeout: 15_000 }));
  await t.notThrowsAsync(panel.locator('text=kettles-spring').first().waitFor({ timeout: 15_000 }), 'the UTM campaign is shown');
  // Each task page shows its own conversation.
  const comments = async () => (await page.locator('#app .comment').allTextContents()).join('\n');
  t.regex(await comments(), /Olena Kovalenko: Hi! Is the blue kettle in stock\?/);
  t.regex(await comments(), /Ivan Petrenko: Yes, it is in stock/);
  t.notRegex(await comments(), /order #1042/);
  await page.goto(viberPage!);
  t.regex(await comments(), /Taras: Good day! Where is my order #1042\?/);
  t.notRegex(await comments(), /blue kettle/);
  await page.goto(callPage!);
  await t.notThrowsAsync(panel.locator('audio').first().waitFor({ state: 'attached', timeout: 15_000 }));

  demo.child.kill('SIGINT');
  t.is(await demo.exited, 0, 'Ctrl+C stops the demo cleanly');
});

test.serial('the demo listens on PORT when given, and refuses plainly when that PORT is taken', async (t) => {
  t.timeout(90_000);
  const port = await freePort();
  const demo = startDemo(t, { PORT: String(port) });
  await ready(demo);
  t.is(/Admin page:\s+(http:\/\/\S+)/.exec(demo.out())?.[1], `http://127.0.0.1:${port}/admin`, demo.out());
  t.false(demo.out().includes('already in use'), demo.out());

  const second = startDemo(t, { PORT: String(port) });
  t.is(await second.exited, 1);
  t.is(second.out().trim(), `demo failed: PORT=${port} is taken: something (another relay?) already listens on 127.0.0.1:${port}. Stop it, choose another PORT, or leave PORT unset and the demo finds a free port.`);

  demo.child.kill('SIGINT');
  t.is(await demo.exited, 0);
});
