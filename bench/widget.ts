// Figure 5, widget: dist/widget.js gzipped, and the time from a Planfix task page starting to load
// to the panel drawn with its data, in Debian's Chromium (headless) with the account's userscript
// run as a userscript manager runs it (test/helpers/browser.ts). The page is the fake Planfix task
// page (test/sim/task-page.ts); the data comes from a relay process fed one Chatra chat through
// the Planfix simulator. The widget marks `planfix-relay:rendered` when it shows the data; its
// startTime counts from the navigation's start.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { CHROMIUM, contextWithUserscript, launchChromium } from '../test/helpers/browser.ts';
import { PlanfixSim } from '../test/sim/planfix.ts';
import { TaskPage } from '../test/sim/task-page.ts';
import { chatraBody, fmt, median, RelayProc, tempDir, waitFor, type FigureResult } from './lib.ts';

export const WIDGET = { loads: 15, budgetGzip: 15 * 1024, budgetMs: 150 };
/** The admin page's script: its charts are drawn by its own SVG code, not a library, to keep this. */
export const ADMIN = { budgetGzip: 25 * 1024 };

export async function widget(): Promise<FigureResult> {
  const bundle = await readFile('dist/widget.js');
  const gz = gzipSync(bundle).length;
  const rows: FigureResult['rows'] = [{
    figure: '5 widget: dist/widget.js gzipped', target: '<= 15 KB', measured: `${fmt(gz / 1024, 1)} KB (${fmt(bundle.length / 1024, 1)} KB raw)`, met: gz <= WIDGET.budgetGzip,
  }];
  const admin = await readFile('dist/admin.js');
  const adminGz = gzipSync(admin).length;
  rows.push({
    figure: '5 admin page: dist/admin.js gzipped', target: '<= 25 KB', measured: `${fmt(adminGz / 1024, 1)} KB (${fmt(admin.length / 1024, 1)} KB raw)`, met: adminGz <= ADMIN.budgetGzip,
  });
  if (!ensureChromium()) {
    rows.push({ figure: '5 widget: task page load -> panel rendered', target: '<= 150 ms', measured: `not measured: no ${CHROMIUM}`, met: false });
    return { rows, notes: [`${CHROMIUM} is missing and could not be installed; install it with: sudo apt-get install -y chromium`] };
  }
  const [site, pf, relay, browser] = await Promise.all([TaskPage.start(), PlanfixSim.start(), tempDir('widget').then((d) => RelayProc.start(d)), launchChromium()]);
  try {
    // The account's Planfix is the task page's origin (the widget's data is allowed from there only).
    const account = await relay.api('POST', '/api/accounts', {
      name: 'Acme', defaultCountry: 'UA', planfix: { url: site.origin, chatApiUrl: pf.chatApiUrl, chatToken: 'pf-chat-token' },
    });
    if (account.status !== 201) throw new Error(`account: ${JSON.stringify(account.body)}`);
    const channel = await relay.api('POST', `/api/accounts/${account.body.id}/channels`, {
      kind: 'chatra', name: 'Site chat', settings: { publicKey: 'chatra-pub', secretKey: 'chatra-secret', agentEmail: 'support@acme.test', apiUrl: 'http://127.0.0.1:9/api' },
    });
    if (channel.status !== 201) throw new Error(`channel: ${JSON.stringify(channel.body)}`);
    const hook = await fetch(relay.local(channel.body.webhookUrl), { method: 'POST', headers: { 'content-type': 'application/json' }, body: chatraBody(7, 'w-1', Date.now(), 'chatStarted') });
    if (hook.status !== 200) throw new Error(`webhook: ${hook.status}`);
    const key = account.body.widget.key as string;
    const task = await waitFor(async () => {
      for (const t of pf.tasks) {
        const res = await fetch(`${relay.url}/widget/${account.body.id}/tasks/${t.number}`, { headers: { 'x-widget-key': key } });
        if (res.status === 200) return t.number;
      }
      return undefined;
    }, 20_000, 'the chat task to be known to the widget API', 50);
    const userscript = await (await fetch(relay.local(account.body.widget.userscriptUrl))).text();

    const context = await contextWithUserscript(browser, userscript);
    const times: number[] = [];
    try {
      // The first load (Chromium's own start-up costs) is not counted.
      for (let i = 0; i <= WIDGET.loads; i++) {
        const page = await context.newPage();
        await page.goto(site.url(task, { lang: 'en' }));
        await page.waitForSelector(`planfix-relay-widget[data-task="${task}"][data-state="data"]`);
        const rendered = await page.evaluate(() => performance.getEntriesByName('planfix-relay:rendered')[0]?.startTime ?? NaN);
        if (i > 0) times.push(rendered);
        await page.close();
      }
    } finally {
      await context.close();
    }
    const sorted = [...times].sort((a, b) => a - b);
    const med = median(times);
    rows.push({ figure: '5 widget: task page load -> panel rendered', target: '<= 150 ms', measured: `${fmt(med, 0)} ms (median of ${times.length}, max ${fmt(sorted.at(-1)!, 0)} ms)`, met: med <= WIDGET.budgetMs });
    return { rows, notes: [`bundle ${bundle.length} bytes, ${gz} bytes gzipped (zlib default level); page load -> panel: ${sorted.map((t) => fmt(t, 0)).join(', ')} ms`] };
  } finally {
    await browser.close();
    await relay.destroy();
    await Promise.all([pf.close(), site.close()]);
  }
}

/** Debian's Chromium, installed as `npm test` installs it (root with apt-get) when it is missing. */
function ensureChromium(): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.getuid?.() !== 0 || spawnSync('sh', ['-c', 'command -v apt-get']).status !== 0) return false;
  console.log('  Chromium is missing: installing Debian\'s chromium package');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (spawnSync('apt-get', ['install', '-y', '-qq', 'chromium'], { env, stdio: 'ignore' }).status !== 0) {
    spawnSync('apt-get', ['update', '-qq'], { env, stdio: 'ignore' });
    spawnSync('apt-get', ['install', '-y', '-qq', 'chromium'], { env, stdio: 'ignore' });
  }
  return existsSync(CHROMIUM);
}
