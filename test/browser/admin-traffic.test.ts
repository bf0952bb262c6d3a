// The traffic charts: real webhooks through the relay process to the Planfix simulator (delivered,
// retried through a 503 outage, one refused, one dead letter from Planfix refusing the token),
// then the admin API's figures and the page's bars in Chromium, which must say what was sent.
import test from 'ava';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser.ts';
import { ADMIN_TOKEN, RelayProcess } from '../helpers/relay-process.ts';
import { PlanfixSim } from '../sim/planfix.ts';

let browser: Browser;
let pf: PlanfixSim;
let relay: RelayProcess;
let account: { id: string };
let site: { id: string; webhookUrl: string };
let other: { id: string; webhookUrl: string };
/** Attempts Planfix answered 503: each is one retry. */
let retried = 0;

const message = (client: string, id: string, text: string) => JSON.stringify({ eventName: 'chatFragment', client: { id: client, name: client }, messages: [{ id, type: 'client', message: text }] });

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const traffic = async (q: string) => (await relay.api('GET', `/api/accounts/${account.id}/traffic?${q}`)).body;

test.before(async () => {
  pf = await PlanfixSim.start();
  relay = await RelayProcess.start();
  browser = await launchChromium();
  account = (await relay.api('POST', '/api/accounts', { name: 'Acme', defaultCountry: 'UA', planfix: { url: pf.origin, chatToken: 'pf-chat-token' } })).body;
  const channel = async (name: string) => (await relay.api('POST', `/api/accounts/${account.id}/channels`, { kind: 'chatra', name, settings: { publicKey: 'p', secretKey: 's' } })).body;
  site = await channel('Site chat');
  other = await channel('Shop chat');

  for (const n of [1, 2, 3]) await relay.post(site.webhookUrl, message('v1', `m${n}`, `hello ${n}`));
  await until('3 delivered', async () => (await traffic(`range=24h&channel=${site.id}`)).totals.delivered === 3);
  // An outage: the next message is retried until Planfix is back.
  await pf.setMode('error503');
  await relay.post(site.webhookUrl, message('v2', 'm4', 'during the outage'));
  await until('a 503', async () => pf.commands.some((c) => c.status === 503));
  await pf.setMode('up');
  await until('4 delivered', async () => (await traffic(`range=24h&channel=${site.id}`)).totals.delivered === 4);
  retried = pf.commands.filter((c) => c.status === 503).length;
  // Planfix refuses the token: a dead letter.
  await relay.api('PATCH', `/api/accounts/${account.id}`, { planfix: { chatToken: 'wrong-token' } });
  await relay.post(site.webhookUrl, message('v3', 'm5', 'lost'));
  await until('a dead letter', async () => (await relay.api('GET', `/api/accounts/${account.id}/dead-letters`)).body.length === 1);
  await relay.api('PATCH', `/api/accounts/${account.id}`, { planfix: { chatToken: 'pf-chat-token' } });
  // A body the relay cannot read: refused, nothing journaled.
  const bad = await relay.post(site.webhookUrl, '{"eventName": "chatFragment", ');
  if (bad.status !== 400) throw new Error(`the broken body got ${bad.status}`);
  // The other channel: one delivered.
  await relay.post(other.webhookUrl, message('w1', 'o1', 'from the shop'));
  await until('the shop\'s message', async () => (await traffic('range=24h')).totals.delivered === 5);
});

test.after.always(async () => {
  await browser?.close();
  await relay?.stop();
  await pf?.close();
});

test('the API counts what was sent, per channel and for all, by the hour and by 6 hours', async (t) => {
  t.true(retried >= 1);
  const day = await traffic(`range=24h&channel=${site.id}`);
  t.like(day, { range: '24h', channel: site.id, stepMs: 3_600_000, backlogNow: 0 });
  t.is(day.buckets.length, 24);
  t.like(day.totals, { received: 5, delivered: 4, retried, refused: 1, dead: 1 });
  t.true(day.totals.p50Ms > 0 && day.totals.p95Ms >= day.totals.p50Ms);
  const sum = (s: any, k: string) => s.buckets.reduce((a: number, b: any) => a + b[k], 0);
  t.is(sum(day, 'received'), 5, 'the buckets add up to the totals');
  t.true(day.buckets.at(-1).to > Date.now(), 'the last bucket is the current hour');

  t.like((await traffic(`range=24h&channel=${other.id}`)).totals, { received: 1, delivered: 1, retried: 0, refused: 0, dead: 0 });
  const week = await traffic('range=7d');
  t.is(week.buckets.length, 28);
  t.is(week.stepMs, 6 * 3_600_000);
  t.like(week.totals, { received: 6, delivered: 5, retried, refused: 1, dead: 1 });
});

test('the API refuses a bad range, an unknown key or channel, and a missing token, saying why', async (t) => {
  const r = await traffic('range=1y');
  t.like(r, { error: 'range: one of 24h, 7d', field: { path: 'range' } });
  t.is((await relay.api('GET', `/api/accounts/${account.id}/traffic?range=1y`)).status, 400);
  t.like(await relay.api('GET', `/api/accounts/${account.id}/traffic`), { status: 400, body: { error: 'range: one of 24h, 7d' } }, 'range is required');
  const extra = await relay.api('GET', `/api/accounts/${account.id}/traffic?range=24h&chanel=x`);
  t.is(extra.status, 400);
  t.regex(extra.body.error, /chanel/);
  t.is((await relay.api('GET', `/api/accounts/${account.id}/traffic?range=24h&range=7d`)).status, 400, 'one range');
  t.like(await relay.api('GET', `/api/accounts/${account.id}/traffic?range=24h&channel=nope`), { status: 404, body: { error: 'channel not found' } });
  t.is((await relay.api('GET', '/api/accounts/nope/traffic?range=24h')).status, 404);
  t.is((await relay.api('GET', `/api/accounts/${account.id}/traffic?range=24h`, undefined, 'x'.repeat(ADMIN_TOKEN.length))).status, 401);
});

async function open(locale: string, width: number): Promise<{ page: Page; errors: string[]; close: () => Promise<void> }> {
  const context = await browser.newContext({ locale, viewport: { width, height: 900 }, deviceScaleFactor: 1 });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${relay.url}/admin#${account.id}`);
  await page.fill('#token', ADMIN_TOKEN);
  await page.click('button[type=submit]');
  await page.locator('#traffic .traffic-charts').waitFor();
  return { page, errors, close: () => context.close() };
}

const chart = (page: Page, metric: string) => page.locator(`#traffic figure[data-metric="${metric}"]`);
const barValues = async (page: Page, metric: string) => (await chart(page, metric).locator('g.bar').evaluateAll((gs) => gs.map((g) => Number(g.getAttribute('data-value')))));

test('the charts show the traffic at 1280 px, per channel and over 7 days, in English', async (t) => {
  const { page, errors, close } = await open('en-US', 1280);
  t.teardown(close);
  // All channels, 24 hours: each figure's total and its bars add up to what was sent.
  const expected = { received: 6, delivered: 5, retried, refused: 1, dead: 1 };
  for (const [metric, n] of Object.entries(expected)) {
    t.is(await chart(page, metric).getAttribute('data-total'), String(n), metric);
    const bars = await barValues(page, metric);
    t.is(bars.length, 24);
    t.is(bars.reduce((a, b) => a + b, 0), n, `${metric}: the bars add up`);
  }
  t.regex(await chart(page, 'received').locator('figcaption').textContent() ?? '', /Received 6/);
  // The current hour's bar says its count in its tooltip.
  const last = chart(page, 'delivered').locator('g.bar').last();
  t.regex(await last.locator('title').textContent() ?? '', /Delivered [1-5]$/);
  t.regex(await chart(page, 'latency').locator('figcaption').textContent() ?? '', /Delivery time half ≤ .+, 95% ≤ .+/);
  t.is(await chart(page, 'backlog').getAttribute('data-total'), 'now 0');

  // One channel.
  await page.selectOption('#traffic-channel', other.id);
  await page.locator(`#traffic .traffic-charts[data-channel="${other.id}"]`).waitFor();
  t.is(await chart(page, 'received').getAttribute('data-total'), '1');
  t.is(await chart(page, 'dead').getAttribute('data-total'), '0');

  // Seven days in 6-hour bars, the channel still chosen.
  await page.click('#traffic button[data-range="7d"]');
  await page.locator('#traffic .traffic-charts[data-range="7d"]').waitFor();
  t.is((await barValues(page, 'received')).length, 28);
  t.is(await chart(page, 'received').getAttribute('data-total'), '1');
  await page.selectOption('#traffic-channel', '');
  await page.locator('#traffic .traffic-charts[data-channel=""]').waitFor();
  t.is(await chart(page, 'refused').getAttribute('data-total'), '1');
  t.deepEqual(errors, []);
});

test('at 360 px in Russian the charts fit the screen, one under another, with Russian labels', async (t) => {
  const { page, errors, close } = await open('ru-RU', 360);
  t.teardown(close);
  t.regex(await page.locator('#traffic h2').textContent() ?? '', /Трафик/);
  t.regex(await chart(page, 'delivered').locator('figcaption').textContent() ?? '', /Доставлено 5/);
  t.regex(await chart(page, 'dead').locator('g.bar title').allTextContents().then((x) => x.join('\n')), /Не доставлено 1/);
  const boxes = await page.locator('#traffic svg.chart').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().toJSON() as DOMRect));
  t.is(boxes.length, 7);
  for (const b of boxes) t.true(b.left >= 0 && b.right <= 360, `a chart within the screen: ${b.left}–${b.right}`);
  t.true(boxes[1]!.top > boxes[0]!.top, 'one under another');
  t.false(await page.evaluate(() => document.documentElement.scrollWidth > innerWidth), 'no sideways scrolling');
  t.deepEqual(errors, []);
});
