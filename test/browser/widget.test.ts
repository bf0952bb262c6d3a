// The widget in a browser: Debian's Chromium opens the fake Planfix task page with the account's
// userscript installed as a userscript manager would run it; the data comes from a real relay
// process fed by a Chatra webhook through the Planfix simulator.
import anyTest, { type ExecutionContext, type TestFn } from 'ava';
import { readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { contextWithUserscript, launchChromium, managerScript } from '../helpers/browser.ts';
import { FAST_REST, RelayProcess } from '../helpers/relay-process.ts';
import { ChatraFake, chatraWebhook, type ChatraClient } from '../sim/chatra.ts';
import { PlanfixSim } from '../sim/planfix.ts';
import { RingostatFake } from '../sim/ringostat.ts';
import { TaskPage } from '../sim/task-page.ts';

interface World {
  browser: Browser;
  relay: RelayProcess;
  pf: PlanfixSim;
  chatra: ChatraFake;
  ringostat: RingostatFake;
  site: TaskPage;
  account: { id: string; widget: { key: string; userscriptUrl: string } };
  userscript: string;
  chatTask: number;
  xssTask: number;
  callTask: number;
  /** Posts a Chatra webhook to the account's Chatra channel. */
  chatraHook: (body: unknown) => Promise<{ status: number }>;
  /** Posts Ringostat's "after the call" webhook to the account's Ringostat channel. */
  callEnded: (body: Record<string, unknown>) => Promise<{ status: number; body: unknown }>;
}
const test = anyTest as TestFn<World>;
/** Chatra clients carry more keys than the fake names: ones the relay reads though unconfirmed. */
type Client = Partial<ChatraClient> & Record<string, unknown>;

const EMPTY_TASK = 7777;
const BUDGET_GZIP = 15 * 1024;
const HOST = 'planfix-relay-widget';
const UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';
const XSS = {
  img: '<img src=x onerror="window.__pwned=1;alert(1)">',
  script: '"><script>window.__pwned=1;alert(1)</script>',
  js: 'javascript:window.__pwned=1;alert(1)',
};

/** Seven pages a minute apart, oldest first, as Chatra lists them. */
const visitedPages = (now: number) => Array.from({ length: 7 }, (_, i) => ({
  url: `https://shop.example.com/p/${i + 1}?utm_source=google`, title: `Product ${i + 1}`, time: now - (7 - i) * 60_000,
}));

async function fetchText(url: string): Promise<{ status: number; text: string }> {
  const res = await fetch(url);
  return { status: res.status, text: await res.text() };
}

/** What the data API answers for a task (undefined unless 200). */
async function taskData(w: Pick<World, 'relay' | 'account'>, task: number): Promise<any> {
  const res = await fetch(`${w.relay.url}/widget/${w.account.id}/tasks/${task}`, { headers: { 'x-widget-key': w.account.widget.key } });
  return res.status === 200 ? res.json() : undefined;
}

/** Polls the data API until the relay knows a task for this customer; returns its number. */
async function taskOf(w: Pick<World, 'relay' | 'pf' | 'account'>, customerName: string): Promise<number> {
  return w.pf.waitFor(async () => {
    for (const task of w.pf.tasks) if ((await taskData(w, task.number))?.chat?.customer?.name === customerName) return task.number;
    return undefined;
  }, 20_000);
}

test.before(async (t) => {
  const [site, pf, chatra, ringostat, relay, browser] = await Promise.all([
    TaskPage.start(), PlanfixSim.start(), ChatraFake.start(), RingostatFake.start(), RelayProcess.start(FAST_REST), launchChromium(),
  ]);
  Object.assign(t.context, { site, pf, chatra, ringostat, relay, browser });
  // The account's Planfix is the fake task page's origin (what the widget is allowed from); its
  // Chat API and REST are the simulator's.
  const account = await relay.api('POST', '/api/accounts', {
    name: 'Acme', defaultCountry: 'UA',
    planfix: {
      url: site.origin, chatApiUrl: pf.chatApiUrl, restUrl: pf.restUrl, telephonyApiUrl: `${pf.origin}/tel/api`,
      chatToken: 'pf-chat-token', restToken: 'pf-rest-token', telephonyToken: 'pf-tel-token',
    },
  });
  if (account.status !== 201) throw new Error(`account: ${JSON.stringify(account.body)}`);
  t.context.account = account.body;
  const channel = await relay.api('POST', `/api/accounts/${account.body.id}/channels`, {
    kind: 'chatra', name: 'Site chat',
    settings: { publicKey: 'chatra-pub', secretKey: 'chatra-secret', agentEmail: 'support@acme.test', apiUrl: chatra.apiUrl },
  });
  if (channel.status !== 201) throw new Error(`channel: ${JSON.stringify(channel.body)}`);

  // A call from a customer who has an open task in Planfix: Ringostat's webhook puts it there.
  pf.addEmployee({ email: 'ivan@acme.test', name: 'Ivan', lastName: 'Petrov', ext: '11' });
  const caller = pf.addContact({ name: 'Petro', phones: ['+380671234567'] });
  t.context.callTask = pf.addTask({ contactNumber: caller.number, name: 'Order by phone' }).number;
  const calls = await relay.api('POST', `/api/accounts/${account.body.id}/channels`, {
    kind: 'ringostat', name: 'Calls',
    settings: { authKey: ringostat.authKey, apiUrl: ringostat.apiUrl },
    options: { employees: [{ id: '380671112233', ext: '11', email: 'ivan@acme.test', name: 'Ivan Petrov' }] },
  });
  if (calls.status !== 201) throw new Error(`ringostat channel: ${JSON.stringify(calls.body)}`);
  t.context.callEnded = (body) => relay.post(`${calls.body.webhookUrl}?event=call_end`, JSON.stringify(body));
  const ended = await t.context.callEnded({
    uniqueid: 'call-1', calldate: new Date(Date.now() - 3_600_000).toISOString(), call_type: 'in', caller: '380671234567',
    dst: '380443334455', connected_with: '380671112233', disposition: 'ANSWERED', billsec: 125,
    has_recording: '1', recording: site.recordingUrl('call-1'), utm_source: 'ringostat-test',
    call_card: 'https://app.ringostat.com/project/callcards/card/call-1/?project_id=11111', client_id: '1169999034.1555555510',
  });
  if (ended.status !== 200) throw new Error(`ringostat webhook: ${JSON.stringify(ended.body)}`);

  const hook = t.context.chatraHook = (body: unknown) => relay.post(channel.body.webhookUrl, JSON.stringify(body));
  const now = Date.now();
  const olga: Client = {
    browser: undefined, os: undefined, userAgent: UA, device: 'Desktop', visitedPages: visitedPages(now),
    utm: { source: 'google', medium: 'cpc', campaign: 'spring' }, chatUrl: 'https://app.chatra.io/chat/kX3pQ9mWz2YbT7cAf',
  };
  const chat = await hook(chatraWebhook('chatStarted', { client: olga, messages: [{ id: 'w1', message: 'Hi! Is the blue kettle in stock?' }] }));
  const attacker: Client = {
    id: 'xss-visitor', name: XSS.img, displayedName: XSS.script, email: undefined, phone: XSS.script,
    city: XSS.img, country: XSS.script, ip: XSS.script, browser: XSS.img, os: XSS.script, device: XSS.img,
    referrer: XSS.js, landing: XSS.js, chatUrl: XSS.js,
    utm: { source: XSS.script, medium: XSS.img, campaign: XSS.js }, info: { [XSS.img]: XSS.script },
    visitedPages: [{ url: 'https://shop.example.com/x', title: XSS.img, time: now }, { url: XSS.js, title: XSS.script, time: now }],
  };
  const xss = await hook(chatraWebhook('chatStarted', { client: attacker, messages: [{ id: 'x1', message: 'hello' }] }));
  if (chat.status !== 200 || xss.status !== 200) throw new Error('webhooks refused');
  t.context.chatTask = await taskOf(t.context, 'Olga Petrenko');
  t.context.xssTask = await taskOf(t.context, XSS.img);
  await pf.waitFor(async () => (await taskData(t.context, t.context.callTask))?.calls[0]?.recordingUrl, 20_000);
  t.context.userscript = (await fetchText(account.body.widget.userscriptUrl)).text;
});

test.after.always(async (t) => {
  await t.context.browser?.close();
  await t.context.relay?.stop();
  await Promise.all([t.context.pf?.close(), t.context.chatra?.close(), t.context.ringostat?.close(), t.context.site?.close()]);
});

/** A page of a fresh browser context (its own localStorage) with the userscript installed. */
async function open(t: ExecutionContext<World>, url: string, userscript = t.context.userscript, options: BrowserContextOptions = {}) {
  const context = await contextWithUserscript(t.context.browser, userscript, options);
  t.teardown(() => context.close());
  const page = await context.newPage();
  const dialogs: string[] = [];
  page.on('dialog', (d) => { dialogs.push(d.message()); void d.dismiss(); });
  await page.goto(url);
  return { page, dialogs };
}

const panelReady = (page: Page, task: number, state = 'data') => page.waitForSelector(`${HOST}[data-task="${task}"][data-state="${state}"]`);
/** Waits until the widget has handled the relay's answer for the task, panel or not. */
const answered = (page: Page, task: number, state: string) => page.waitForFunction(([task, state]) =>
  performance.getEntriesByName('planfix-relay:rendered').some((m) => (m as PerformanceMark).detail?.task === task && (m as PerformanceMark).detail?.state === state), [task, state] as const);
const texts = (page: Page, selector: string) => page.locator(`${HOST} ${selector}`).allTextContents();
/** The value next to a label in a section's list. */
const row = (page: Page, section: string, label: string) =>
  page.locator(`${HOST} [data-section="${section}"] dt`, { hasText: new RegExp(`^${label}$`) }).locator('xpath=following-sibling::dd[1]').textContent();

test('a chat task shows its channel, customer, visitor data, pages and UTM next to the known anchor', async (t) => {
  const { site, chatTask } = t.context;
  const { page } = await open(t, site.url(chatTask, { lang: 'en' }));
  await panelReady(page, chatTask);

  t.deepEqual(await texts(page, '[data-section="channel"] > div > div'), ['Chatra · Site chat']);
  const dashboard = page.locator(`${HOST} [data-section="channel"] a`);
  t.is(await dashboard.getAttribute('href'), 'https://app.chatra.io/chat/kX3pQ9mWz2YbT7cAf');
  t.is(await row(page, 'customer', 'Name'), 'Olga Petrenko');
  t.is(await row(page, 'customer', 'Phone'), '+380501112233');
  t.is(await row(page, 'customer', 'E-mail'), 'olga@example.com');
  // Browser and OS come from the raw User-Agent the webhook carried.
  t.is(await row(page, 'visitor', 'Browser'), 'Chrome 120');
  t.is(await row(page, 'visitor', 'OS'), 'Windows 10');
  t.is(await row(page, 'visitor', 'Device'), 'Desktop');
  t.is(await row(page, 'visitor', 'IP'), '203.0.113.7');
  t.is(await row(page, 'visitor', 'City'), 'Kyiv');
  t.is(await row(page, 'visitor', 'Country'), 'Ukraine');

  // Newest first, five until "show all".
  const pageLinks = () => texts(page, '[data-section="pages"] li a');
  t.deepEqual(await pageLinks(), ['Product 7', 'Product 6', 'Product 5', 'Product 4', 'Product 3']);
  await page.locator(`${HOST} [data-action="pages"]`).click();
  t.is((await pageLinks()).length, 7);
  const first = page.locator(`${HOST} [data-section="pages"] li a`).first();
  t.is(await first.getAttribute('href'), 'https://shop.example.com/p/7?utm_source=google');
  t.is(await first.getAttribute('rel'), 'noopener noreferrer');
  t.is(await first.getAttribute('target'), '_blank');

  t.is(await row(page, 'source', 'Referrer'), 'https://www.google.com/');
  t.is(await row(page, 'utm', 'utm_source'), 'google');
  t.is(await row(page, 'utm', 'utm_medium'), 'cpc');
  t.is(await row(page, 'utm', 'utm_campaign'), 'spring');
  // What the site passed with setIntegrationData (the webhook's client.info).
  t.is(await row(page, 'site', 'orderId'), 'A-1001');
  t.deepEqual(await texts(page, '[data-section="site"] h3'), ['Site data']);
  t.is(await page.locator(`${HOST} [data-section="calls"]`).count(), 0, 'an empty section is hidden');

  // Mounted right after the known anchor, and the page's hostile styles stay out of the panel.
  t.true(await page.evaluate((tag) => document.querySelector(tag)!.previousElementSibling!.matches('.taskview-actions'), HOST));
  t.is(await page.locator(HOST).getAttribute('floating'), null);
  t.not(await first.evaluate((a) => getComputedStyle(a).color), 'rgb(255, 0, 0)');

  // Reported, not asserted: a timing bound would fail on a busy machine, not on a bug.
  const [rendered, ready] = await page.evaluate(() => [
    performance.getEntriesByName('planfix-relay:rendered')[0]!.startTime,
    (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).domContentLoadedEventEnd,
  ]);
  t.log(`task page navigation start → panel rendered with data: ${rendered!.toFixed(0)} ms (document ready at ${ready!.toFixed(0)} ms)`);
  if (process.env.UPDATE_SCREENSHOT) {
    await page.locator(`${HOST} [data-action="pages"]`).click();
    await page.screenshot({ path: 'docs/widget.png', fullPage: true });
  }
});

test('a call task lists the call and plays its recording, loaded only when played', async (t) => {
  const { site, callTask } = t.context;
  const { page } = await open(t, site.url(callTask, { lang: 'en' }));
  await panelReady(page, callTask);
  const call = page.locator(`${HOST} [data-section="calls"] li`);
  t.is(await call.count(), 1);
  const text = (await call.textContent())!;
  t.true(text.includes('Incoming · answered · 2:05'), text);
  t.true(text.includes('Ivan Petrov'), text);
  t.true(text.includes('+380671234567'), text);
  t.deepEqual(await texts(page, '[data-section="channel"] > div > div'), ['Ringostat · Calls']);
  t.is(await row(page, 'utm', 'utm_source'), 'ringostat-test');
  t.is(await page.locator(`${HOST} [data-section="visitor"]`).count(), 0);

  const audio = page.locator(`${HOST} audio`);
  t.is(await audio.getAttribute('preload'), 'none');
  t.is(await audio.getAttribute('src'), site.recordingUrl('call-1'));
  const download = page.locator(`${HOST} [data-call] a[download]`);
  t.is(await download.getAttribute('href'), site.recordingUrl('call-1'));
  t.is(await download.textContent(), 'Download the recording');
  t.deepEqual(site.recordingRequests, [], 'preload="none": nothing fetched before play');
  const card = page.locator(`${HOST} [data-call] a[data-field="card"]`);
  t.is(await card.getAttribute('href'), 'https://app.ringostat.com/project/callcards/card/call-1/?project_id=11111');
  t.is(await card.textContent(), 'Call card');
  t.is(await page.locator(`${HOST} [data-call] [data-field="analyticsId"]`).textContent(), 'Analytics client id: 1169999034.1555555510');

  await audio.evaluate((a: HTMLAudioElement) => a.play());
  await audio.evaluate((a: HTMLAudioElement) => new Promise<void>((resolve) => {
    if (a.currentTime > 0 || a.ended) resolve();
    else a.addEventListener('timeupdate', () => resolve(), { once: true });
  }));
  t.true(site.recordingRequests.includes('/recordings/call-1.wav'));
});

const navLink = (page: Page, text: string) => page.locator('.topbar a[data-spa]', { hasText: new RegExp(`^${text}$`) });

test('moving to another task swaps the data without a reload; Planfix re-rendering keeps one panel', async (t) => {
  const { site, chatTask, callTask } = t.context;
  const { page } = await open(t, site.url(chatTask, { lang: 'en', nav: [chatTask, callTask] }));
  await panelReady(page, chatTask);
  await page.evaluate(() => { (window as Window & { marker?: number }).marker = 42; });
  // Other tests load pages meanwhile; only this one's links carry `nav`.
  const loads = () => site.loads.filter((l) => l.includes('nav=')).length;
  t.is(loads(), 1);

  await navLink(page, `Task #${callTask}`).click();
  await panelReady(page, callTask);
  t.is(await page.locator(`${HOST} [data-section="calls"]`).count(), 1);
  t.is(await page.locator(`${HOST} [data-section="visitor"]`).count(), 0);

  await page.goBack();
  await panelReady(page, chatTask);
  t.is(await row(page, 'customer', 'Name'), 'Olga Petrenko');

  // Planfix throws its view away and draws it again: the panel comes back next to the new anchor.
  await page.evaluate(() => (window as Window & { __sim?: { render(): void } }).__sim!.render());
  await page.waitForFunction((tag) => document.querySelector(tag)?.previousElementSibling?.matches('.taskview-actions'), HOST);
  // A second run of the userscript (installed twice) adds no second panel.
  await page.evaluate(managerScript(t.context.userscript));
  t.is(await page.locator(HOST).count(), 1);

  // Off a task page the panel goes; back on one it returns.
  await navLink(page, 'Tasks').click();
  await page.waitForSelector(HOST, { state: 'detached' });
  await navLink(page, `Task #${chatTask}`).click();
  await panelReady(page, chatTask);

  t.is(await page.locator(HOST).count(), 1);
  t.is(await page.evaluate(() => (window as Window & { marker?: number }).marker), 42, 'the same document');
  t.is(loads(), 1, 'no page load');
});

test('installed twice, the userscript asks for the task data once and draws one panel', async (t) => {
  const { site, chatTask } = t.context;
  const context = await contextWithUserscript(t.context.browser, t.context.userscript);
  t.teardown(() => context.close());
  await context.addInitScript({ content: managerScript(t.context.userscript) });
  const page = await context.newPage();
  const asked: string[] = [];
  page.on('request', (r) => { if (/\/widget\/[^/]+\/tasks\//.test(new URL(r.url()).pathname)) asked.push(`${r.method()} ${r.url()}`); });
  await page.goto(site.url(chatTask, { lang: 'en' }));
  await panelReady(page, chatTask);
  t.is(await page.locator(HOST).count(), 1);
  t.is(asked.length, 1, asked.join('\n'));
});

test('coming back to the tab shows what arrived meanwhile, without a reload', async (t) => {
  const { site, pf, chatraHook } = t.context;
  const first = { url: 'https://shop.example.com/a', title: 'First look', time: Date.now() - 60_000 };
  const client: Client = { id: 'returning-visitor', name: 'Taras Shevchuk', email: 'taras@example.com', phone: '+380931234567', visitedPages: [first] };
  await chatraHook(chatraWebhook('chatStarted', { client, messages: [{ id: 'r1', message: 'hello' }] }));
  const task = await taskOf(t.context, 'Taras Shevchuk');
  const { page } = await open(t, site.url(task, { lang: 'en' }));
  await panelReady(page, task);
  t.deepEqual(await texts(page, '[data-section="pages"] li a'), ['First look']);

  const second = { url: 'https://shop.example.com/b', title: 'Second look', time: Date.now() };
  await chatraHook(chatraWebhook('chatFragment', { client: { ...client, visitedPages: [first, second] }, messages: [{ id: 'r2', message: 'me again' }] }));
  await pf.waitFor(async () => (await taskData(t.context, task))?.chat.pages.length === 2);
  await page.evaluate(() => document.dispatchEvent(new Event('visibilitychange')));
  await page.locator(`${HOST} [data-section="pages"] li a`, { hasText: 'Second look' }).waitFor();
  t.deepEqual(await texts(page, '[data-section="pages"] li a'), ['Second look', 'First look']);
});

test('a task without data shows no panel and no text, in any language, until its data arrives', async (t) => {
  const { site, pf, callEnded } = t.context;
  for (const lang of ['en', 'ru', 'uk'] as const) {
    const { page } = await open(t, site.url(EMPTY_TASK, { lang }));
    await answered(page, EMPTY_TASK, 'empty');
    t.is(await page.locator(HOST).count(), 0, lang);
    t.false(/Channel data|Данные канала|Дані каналу|No channel data|Нет данных/.test(await page.locator('body').innerText()), lang);
  }

  // A customer's task that no channel has touched yet: then they call, and the call lands on it.
  const caller = pf.addContact({ name: 'Mykola', phones: ['+380671239876'] });
  const task = pf.addTask({ contactNumber: caller.number, name: 'Quote request' }).number;
  const { page } = await open(t, site.url(task, { lang: 'en' }));
  await answered(page, task, 'empty');
  t.is(await page.locator(HOST).count(), 0);
  const ended = await callEnded({
    uniqueid: 'call-late', calldate: new Date().toISOString(), call_type: 'in', caller: '380671239876',
    dst: '380443334455', connected_with: '380671112233', disposition: 'ANSWERED', billsec: 42,
  });
  t.is(ended.status, 200);
  await pf.waitFor(async () => (await taskData(t.context, task))?.calls.length > 0, 20_000);
  await page.evaluate(() => document.dispatchEvent(new Event('visibilitychange')));
  await panelReady(page, task);
  t.is(await page.locator(`${HOST} [data-section="calls"] li`).count(), 1);
});

test('a Ukrainian page gets Ukrainian labels, dates and call results', async (t) => {
  const { site, chatTask, callTask } = t.context;
  const chat = await open(t, site.url(chatTask, { lang: 'uk' }));
  await panelReady(chat.page, chatTask);
  t.deepEqual(await texts(chat.page, '.head'), [`▾Дані каналу#${chatTask}`]);
  t.deepEqual(await texts(chat.page, 'h3'), ['Канал', 'Клієнт', 'Відвідувач', 'Переглянуті сторінки', 'Джерело', 'UTM', 'Дані сайту']);
  t.is(await row(chat.page, 'customer', 'Ім’я'), 'Olga Petrenko');
  t.is(await row(chat.page, 'visitor', 'Пристрій'), 'Desktop');
  t.is(await row(chat.page, 'source', 'Реферер'), 'https://www.google.com/');
  t.is(await chat.page.locator(`${HOST} [data-action="pages"]`).textContent(), 'Показати всі (7)');
  t.is(await chat.page.locator(`${HOST} .head`).getAttribute('title'), 'Згорнути');

  const call = await open(t, site.url(callTask, { lang: 'uk' }));
  await panelReady(call.page, callTask);
  const text = (await call.page.locator(`${HOST} [data-section="calls"] li`).textContent())!;
  t.true(text.includes('Вхідний · з відповіддю · 2:05'), text);
  t.true(text.includes('Завантажити запис'), text);
  t.true(text.includes('Client ID аналітики: 1169999034.1555555510'), text);
  t.deepEqual(await texts(call.page, '[data-section="calls"] h3'), ['Дзвінки']);
});

test("a page in a language the widget does not speak gets the account's, from the userscript", async (t) => {
  const { relay, site } = t.context;
  const created = await relay.api('POST', '/api/accounts', { name: 'Kyiv team', language: 'uk', planfix: { url: site.origin, chatToken: 'x' } });
  t.is(created.status, 201);
  const script = (await fetchText(created.body.widget.userscriptUrl)).text;
  t.true(script.includes('"language":"uk"'));
  // A wrong key: the only answer an account without data gets that shows a panel, to read its words.
  const { page } = await open(t, site.url(EMPTY_TASK, { lang: 'de' }), script.replaceAll(created.body.widget.key, 'not-the-key'));
  await panelReady(page, EMPTY_TASK, 'unauthorised');
  t.regex((await page.locator(`${HOST} .error`).textContent())!, /^Ключ віджета більше не дійсний/);
});

/** The panel's background as the browser paints it. */
const panelBackground = (page: Page) => page.locator(`${HOST} .panel`).evaluate((e) => getComputedStyle(e).backgroundColor);
const LIGHT_BG = 'rgb(255, 255, 255)';
const DARK_BG = 'rgb(31, 36, 43)';

test('the panel is dark on a dark page, and follows the page when it switches theme without a reload', async (t) => {
  const { site, chatTask } = t.context;
  const { page } = await open(t, site.url(chatTask, { lang: 'en', theme: 'dark' }));
  await panelReady(page, chatTask);
  t.is(await panelBackground(page), DARK_BG);
  t.true(await page.locator(HOST).evaluate((h) => h.hasAttribute('dark')));

  // Planfix's switch animates the background: the widget must judge the colour it ends on.
  const setTheme = (name: string) => page.evaluate((n) => (window as Window & { __sim?: { setTheme(n: string): void } }).__sim!.setTheme(n), name);
  await setTheme('light');
  await page.waitForFunction((tag) => !document.querySelector(tag)!.hasAttribute('dark'), HOST);
  t.is(await panelBackground(page), LIGHT_BG);
  await setTheme('dark');
  await page.waitForFunction((tag) => document.querySelector(tag)!.hasAttribute('dark'), HOST);
  t.is(await panelBackground(page), DARK_BG);

  // Floating, it looks at the page behind it the same way.
  const floating = await open(t, site.url(chatTask, { lang: 'en', theme: 'dark', anchor: false }));
  await panelReady(floating.page, chatTask);
  t.is(await floating.page.locator(HOST).getAttribute('floating'), '');
  t.is(await panelBackground(floating.page), DARK_BG);
});

test("without a page background the system's colour scheme decides; a light page stays light on a dark system", async (t) => {
  const { site, chatTask } = t.context;
  const cases = [
    { theme: 'bare', colorScheme: 'dark', bg: DARK_BG },
    { theme: 'bare', colorScheme: 'light', bg: LIGHT_BG },
    { theme: undefined, colorScheme: 'dark', bg: LIGHT_BG },
  ] as const;
  for (const c of cases) {
    const { page } = await open(t, site.url(chatTask, { lang: 'en', theme: c.theme }), undefined, { colorScheme: c.colorScheme });
    await panelReady(page, chatTask);
    t.is(await panelBackground(page), c.bg, JSON.stringify(c));
  }
  // Text stays readable: the panel's text colour is the dark palette's, not the page's.
  const { page } = await open(t, site.url(chatTask, { lang: 'en', theme: 'bare' }), undefined, { colorScheme: 'dark' });
  await panelReady(page, chatTask);
  t.is(await page.locator(`${HOST} .head`).evaluate((e) => getComputedStyle(e).color), 'rgb(227, 231, 236)');
});

test('on a narrow screen the floating panel starts collapsed, unless the employee expanded it before', async (t) => {
  const { site, chatTask } = t.context;
  const url = site.url(chatTask, { lang: 'en', anchor: false });
  const body = (page: Page) => page.locator(`${HOST} .body`);

  const wide = await open(t, url, undefined, { viewport: { width: 1280, height: 800 } });
  await panelReady(wide.page, chatTask);
  t.true(await body(wide.page).isVisible());
  t.is(await wide.page.locator(`${HOST} .head`).getAttribute('aria-expanded'), 'true');

  const { page } = await open(t, url, undefined, { viewport: { width: 360, height: 740 } });
  await panelReady(page, chatTask);
  t.true(await body(page).isHidden());
  t.is(await page.locator(`${HOST} .head`).getAttribute('aria-expanded'), 'false');
  const box = (await page.locator(HOST).boundingBox())!;
  t.true(box.x >= 0 && box.x + box.width <= 360, `inside the screen: ${JSON.stringify(box)}`);

  await page.locator(`${HOST} .head`).click();
  t.true(await body(page).isVisible());
  await page.reload();
  await panelReady(page, chatTask);
  t.true(await body(page).isVisible(), 'the remembered choice wins over the width');
});

test('the site data section is labelled in the page language', async (t) => {
  const { site, chatTask } = t.context;
  const { page } = await open(t, site.url(chatTask, { lang: 'ru' }));
  await panelReady(page, chatTask);
  t.deepEqual(await texts(page, '[data-section="site"] h3'), ['Данные сайта']);
  t.is(await row(page, 'site', 'orderId'), 'A-1001');
});

test('a page without the known anchor gets the floating panel, which collapses and remembers it', async (t) => {
  const { site, chatTask } = t.context;
  const { page } = await open(t, site.url(chatTask, { anchor: false, lang: 'en' }));
  await panelReady(page, chatTask);
  const host = page.locator(HOST);
  t.is(await host.getAttribute('floating'), '');
  t.is(await host.evaluate((h) => h.parentElement?.tagName), 'BODY');
  t.is(await host.evaluate((h) => getComputedStyle(h).position), 'fixed');

  await page.locator(`${HOST} .head`).click();
  t.true(await page.locator(`${HOST} .body`).isHidden());
  await page.reload();
  await panelReady(page, chatTask);
  t.true(await page.locator(`${HOST} .body`).isHidden(), 'collapsed after a reload');
  t.is(await page.locator(`${HOST} .head`).getAttribute('aria-expanded'), 'false');
  await page.locator(`${HOST} .head`).click();
  t.true(await page.locator(`${HOST} .body`).isVisible());
});

test('script, HTML and javascript: URLs in every visitor field render as inert text', async (t) => {
  const { site, xssTask } = t.context;
  const { page, dialogs } = await open(t, site.url(xssTask, { lang: 'en' }));
  await panelReady(page, xssTask);
  for (const label of ['Browser', 'OS', 'Device', 'IP', 'City', 'Country']) {
    t.true([XSS.img, XSS.script].includes((await row(page, 'visitor', label))!), label);
  }
  t.is(await row(page, 'customer', 'Name'), XSS.img);
  t.is(await row(page, 'customer', 'Phone'), XSS.script);
  t.is(await row(page, 'source', 'Referrer'), XSS.js);
  t.is(await row(page, 'source', 'Landing page'), XSS.js);
  t.is(await row(page, 'utm', 'utm_source'), XSS.script);
  t.is(await row(page, 'utm', 'utm_medium'), XSS.img);
  t.is(await row(page, 'utm', 'utm_campaign'), XSS.js);
  t.deepEqual(await texts(page, '[data-section="pages"] li a'), [XSS.img]);
  t.deepEqual(await texts(page, '[data-section="site"] dt'), [`${XSS.img.slice(0, 39)}…`], 'keys are cut at 40 characters');
  t.deepEqual(await texts(page, '[data-section="site"] dd'), [XSS.script]);

  const found = await page.evaluate((tag) => {
    const root = document.querySelector(tag)!.shadowRoot!;
    return {
      injected: root.querySelectorAll('img, script, iframe, object, embed, svg').length + document.querySelectorAll('img').length,
      hrefs: Array.from(root.querySelectorAll('a'), (a) => a.getAttribute('href')),
      pwned: (window as Window & { __pwned?: number }).__pwned,
    };
  }, HOST);
  t.is(found.injected, 0, 'no element was injected');
  t.true(found.hrefs.length > 0);
  t.true(found.hrefs.every((h) => /^https?:\/\//.test(h ?? '')), found.hrefs.join(' '));
  t.is(await page.locator(`${HOST} [data-section="channel"] a`).count(), 0, 'a javascript: dashboard URL is no link');
  // Clicking the would-be links runs nothing either.
  await page.locator(`${HOST} [data-section="source"] dd`).first().click();
  t.is(found.pwned, undefined);
  t.is(await page.evaluate(() => (window as Window & { __pwned?: number }).__pwned), undefined);
  t.deepEqual(dialogs, []);
});

test('the data API wants the key and grants CORS to the Planfix origin only', async (t) => {
  const { relay, account, site, pf, chatTask } = t.context;
  const api = `${relay.url}/widget/${account.id}/tasks/${chatTask}`;
  const get = (headers: Record<string, string>) => fetch(api, { headers });
  const ok = await get({ 'x-widget-key': account.widget.key, origin: site.origin });
  t.is(ok.status, 200);
  t.is(ok.headers.get('access-control-allow-origin'), site.origin);
  t.is(ok.headers.get('cache-control'), 'no-store');
  t.is((await get({ 'x-widget-key': 'wrong-key', origin: site.origin })).status, 401);
  t.is((await get({ origin: site.origin })).status, 401);
  t.is((await fetch(`${relay.url}/widget/nope/tasks/${chatTask}`, { headers: { 'x-widget-key': account.widget.key } })).status, 401);
  const unknownTask = await fetch(`${relay.url}/widget/${account.id}/tasks/${EMPTY_TASK}`, { headers: { 'x-widget-key': account.widget.key } });
  t.is(unknownTask.status, 404);
  t.is(unknownTask.headers.get('cache-control'), 'no-store');

  const foreign = await get({ 'x-widget-key': account.widget.key, origin: pf.origin });
  t.is(foreign.headers.get('access-control-allow-origin'), null);
  const preflight = (origin: string) => fetch(api, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'x-widget-key' } });
  const own = await preflight(site.origin);
  t.is(own.status, 204);
  t.is(own.headers.get('access-control-allow-origin'), site.origin);
  t.regex(own.headers.get('access-control-allow-headers') ?? '', /x-widget-key/i);
  const other = await preflight(pf.origin);
  t.is(other.headers.get('access-control-allow-origin'), null);

  // The browser's own verdict: the same request from another origin (the simulator's) is blocked.
  const context = await t.context.browser.newContext();
  t.teardown(() => context.close());
  const page = await context.newPage();
  const read = (p: Page) => p.evaluate(([url, key]) => fetch(url!, { headers: { 'x-widget-key': key! } }).then((r) => r.status, (e: Error) => e.name), [api, account.widget.key]);
  await page.goto(`${pf.origin}/`);
  t.is(await read(page), 'TypeError');
  await page.goto(site.url('/tasks'));
  t.is(await read(page), 200);
});

test('a rotated key turns the installed userscript away and the panel asks for a reinstall', async (t) => {
  const { relay, site, browser } = t.context;
  // An account of its own: the other tests keep using their key meanwhile.
  const created = await relay.api('POST', '/api/accounts', { name: 'Rotating', planfix: { url: site.origin, chatToken: 'x' } });
  const old = created.body.widget as { key: string; userscriptUrl: string };
  const oldScript = await fetchText(old.userscriptUrl);
  t.is(oldScript.status, 200);
  const { page } = await open(t, site.url(EMPTY_TASK, { lang: 'en' }), oldScript.text);
  await answered(page, EMPTY_TASK, 'empty');

  const rotated = await relay.api('POST', `/api/accounts/${created.body.id}/widget/rotate`);
  t.is(rotated.status, 200);
  const fresh = rotated.body as { key: string; userscriptUrl: string };
  t.not(fresh.key, old.key);
  t.true(fresh.userscriptUrl.includes(fresh.key));
  t.is((await relay.api('GET', `/api/accounts/${created.body.id}`)).body.widget.key, fresh.key);
  t.is((await relay.api('POST', `/api/accounts/${created.body.id}/widget/rotate`, undefined, 'not-the-admin-token')).status, 401);

  await page.reload();
  await panelReady(page, EMPTY_TASK, 'unauthorised');
  t.regex((await page.locator(`${HOST} .error`).textContent())!, /Reinstall the userscript from the relay admin page/);
  t.is((await fetchText(old.userscriptUrl)).status, 401, 'the old update URL is refused too');

  const newScript = await fetchText(fresh.userscriptUrl);
  const context = await contextWithUserscript(browser, newScript.text);
  t.teardown(() => context.close());
  const again = await context.newPage();
  await again.goto(site.url(EMPTY_TASK, { lang: 'en' }));
  await answered(again, EMPTY_TASK, 'empty');
});

test('the userscript has a proper header and the bundle is within budget', async (t) => {
  const { relay, account, site, userscript } = t.context;
  const header = userscript.slice(0, userscript.indexOf('// ==/UserScript==') + 18);
  const lines = header.split('\n');
  const has = (line: RegExp) => t.true(lines.some((l) => line.test(l)), `${line} in\n${header}`);
  has(/^\/\/ ==UserScript==$/);
  has(new RegExp(`^// @match\\s+${site.origin.replace(/\./g, '\\.')}/task/\\*$`));
  has(/^\/\/ @noframes$/);
  has(/^\/\/ @run-at\s+document-start$/);
  has(/^\/\/ @grant\s+GM_xmlhttpRequest$/);
  has(/^\/\/ @connect\s+127\.0\.0\.1$/);
  has(new RegExp(`^// @updateURL\\s+${account.widget.userscriptUrl.replace(/[.?]/g, '\\$&')}$`));
  has(new RegExp(`^// @downloadURL\\s+${account.widget.userscriptUrl.replace(/[.?]/g, '\\$&')}$`));
  has(/^\/\/ @version\s+\d+\.\d+\.\d+$/);
  // The account has no language and its Planfix address no country: English.
  t.true(userscript.includes(JSON.stringify({ relayUrl: relay.url, accountId: account.id, key: account.widget.key, language: 'en' })));
  t.is((await fetchText(`${relay.url}/widget/${account.id}.user.js`)).status, 401, 'no key, no script');

  const bundle = await readFile('dist/widget.js');
  const served = await fetch(`${relay.url}/widget.js`);
  t.regex(served.headers.get('content-type') ?? '', /javascript/);
  t.is(await served.text(), bundle.toString('utf8'));
  t.true(userscript.includes(bundle.toString('utf8')));
  const gz = gzipSync(bundle, { level: 9 }).length;
  t.log(`dist/widget.js: ${bundle.length} bytes, ${gz} bytes gzipped (budget ${BUDGET_GZIP})`);
  t.true(gz <= BUDGET_GZIP, `${gz} bytes gzipped`);
});
