// `npm run demo` from this tree: it starts, prints working URLs, and a printed task page shows
// the widget with the chat's data and the call's recording, in Debian's Chromium.
import { spawn } from 'node:child_process';
import test from 'ava';
import { launchChromium } from './helpers/browser.ts';

test('the demo starts, prints its URLs, and its task pages show the widget', async (t) => {
  const child = spawn(process.execPath, ['--import=tsx', 'scripts/demo.ts'], { env: { ...process.env, DEMO_PORTS: 'auto' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  t.teardown(() => { if (child.exitCode === null) child.kill('SIGKILL'); });

  const deadline = Date.now() + 50_000;
  while (!out.includes('Metrics and health') && child.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  t.true(out.includes('Metrics and health'), out);
  const url = (label: RegExp) => new RegExp(`${label.source}.*?(http://127\\.0\\.0\\.1:\\d+/\\S+)`).exec(out)?.[1];
  const admin = /Admin page:\s+(http:\/\/\S+)/.exec(out)?.[1];
  const chatPage = url(/Chatra chat/);
  const callPage = url(/Call \(task/);
  t.truthy(admin && chatPage && callPage, out);
  t.is((await fetch(admin!)).status, 200);
  const health = await fetch(admin!.replace('/admin', '/healthz'));
  t.is(health.status, 200);

  const browser = await launchChromium();
  t.teardown(() => browser.close());
  const page = await browser.newPage();
  await page.goto(chatPage!);
  const panel = page.locator('planfix-relay-widget');
  await t.notThrowsAsync(panel.locator('text=Olena Kovalenko').first().waitFor({ timeout: 15_000 }));
  await t.notThrowsAsync(panel.locator('text=kettles-spring').first().waitFor({ timeout: 15_000 }), 'the UTM campaign is shown');
  await page.goto(callPage!);
  await t.notThrowsAsync(panel.locator('audio').first().waitFor({ state: 'attached', timeout: 15_000 }));

  child.kill('SIGINT');
  t.is(await exited, 0, 'Ctrl+C stops the demo cleanly');
});
