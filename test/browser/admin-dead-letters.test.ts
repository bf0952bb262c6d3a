// Dead letters on the admin page in Debian's Chromium, in Russian at 1,100 px and in Ukrainian and English at 360 px. Russian: the reason in plain words with
// the relay's own words under "Подробности", and "Повторить все" asking first (in Russian) and
// sending every letter back once the cause is fixed. Also the alert settings saved from the page.
import test, { type ExecutionContext } from 'ava';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../helpers/browser.ts';
import { ADMIN_TOKEN, sharedRelays, type RelayProcess } from '../helpers/relay-process.ts';
import { PlanfixSim } from '../sim/planfix.ts';
import { en } from '../../admin-ui/texts-en.ts';
import { uk } from '../../admin-ui/texts-uk.ts';

let browser: Browser;
test.before(async () => { browser = await launchChromium(); });
test.after.always(async () => { await browser?.close(); });
// One relay for the file: each test has a Planfix simulator and an account of its own on it.
const relayFor = sharedRelays((stop) => test.after.always(stop));

/** Signed in to the admin page, on the account's screen, in a fresh context of this size and language. */
async function accountPage(t: ExecutionContext, relay: RelayProcess, account: string, o: { width: number; height: number; locale: string }) {
  const context = await browser.newContext({ viewport: { width: o.width, height: o.height }, locale: o.locale });
  t.teardown(() => context.close());
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${relay.url}/admin`);
  await page.fill('#token', ADMIN_TOKEN);
  await page.click('button[type=submit]');
  await page.waitForSelector('#account-create');
  await page.goto(`${relay.url}/admin#${account}`);
  return { page, errors };
}

test('Russian: plain-words reason with details, Retry all with a confirmation in Russian, alert settings saved', async (t) => {
  const pf = await PlanfixSim.start();
  t.teardown(() => pf.close());
  const relay = await relayFor();
  const account = (await relay.api('POST', '/api/accounts', { name: 'Акме', planfix: { url: pf.origin, chatToken: 'wrong-token' } })).body;
  const channel = (await relay.api('POST', `/api/accounts/${account.id}/channels`, { kind: 'chatra', name: 'Чат', settings: { publicKey: 'p', secretKey: 's' } })).body;
  const say = (client: string, id: string, message: string) =>
    relay.post(channel.webhookUrl, JSON.stringify({ eventName: 'chatFragment', client: { id: client }, messages: [{ id, type: 'client', message }] }));
  await say('v1', 'm1', 'Первое');
  await say('v2', 'm2', 'Другой клиент');
  await say('v1', 'm3', 'Второе');
  await pf.waitFor(async () => ((await relay.api('GET', `/api/accounts/${account.id}/dead-letters`)).body as unknown[]).length === 3);

  const { page, errors } = await accountPage(t, relay, account.id, { width: 1100, height: 900, locale: 'ru-RU' });
  await page.locator('h3', { hasText: 'Недоставленные (3)' }).waitFor({ timeout: 15_000 });
  const rows = page.locator('table.dead tr');
  t.is(await rows.count(), 3);
  const first = rows.first();
  t.is(await first.locator('td.reason .plain').textContent(), 'ПланФикс не принял токен: проверьте токены в настройках аккаунта');
  t.false(await first.locator('td.reason code.raw').isVisible(), 'the raw reason is folded away');
  await first.locator('td.reason summary', { hasText: 'Подробности' }).click();
  t.regex(await first.locator('td.reason code.raw').innerText(), /401.*Invalid token/);

  // The confirmation is in Russian; dismissing it changes nothing.
  const asked: string[] = [];
  page.once('dialog', (d) => { asked.push(d.message()); void d.dismiss(); });
  await page.click('#retry-all');
  await t.notThrowsAsync(page.locator('#retry-all:not([disabled])').waitFor());
  t.regex(asked[0] ?? '', /^Отправить все недоставленные \(3\) в ПланФикс ещё раз\?/);
  t.is(((await relay.api('GET', `/api/accounts/${account.id}/dead-letters`)).body as unknown[]).length, 3, 'nothing retried when the admin says no');

  await relay.api('PATCH', `/api/accounts/${account.id}`, { planfix: { chatToken: 'pf-chat-token' } });
  page.once('dialog', (d) => void d.accept());
  await page.click('#retry-all');
  await t.notThrowsAsync(page.locator('#dead-note', { hasText: 'Отправлено повторно: 3.' }).waitFor({ timeout: 10_000 }));
  const texts = () => pf.tasks.flatMap((x) => x.comments.map((c) => c.text.split('\n')[0]));
  await pf.waitFor(() => texts().length >= 3);
  t.deepEqual(texts().filter((x) => x === 'Первое' || x === 'Второе'), ['Первое', 'Второе'], 'one conversation\'s in their order');
  t.is(texts().length, 3, 'each delivered once');
  t.deepEqual((await relay.api('GET', `/api/accounts/${account.id}/dead-letters`)).body, []);

  // The alert settings, in Russian, saved through the account form.
  const form = page.locator('#account-edit');
  await t.notThrowsAsync(form.locator('h3', { hasText: 'Оповещения о недоставленных' }).waitFor());
  await form.locator('.field[data-path="alerts.employeeId"] input').fill('2');
  await form.locator('.field[data-path="alerts.url"] input').fill('http://127.0.0.1:9/alerts');
  await form.locator('button[type=submit]').click();
  await pf.waitFor(async () => (await relay.api('GET', `/api/accounts/${account.id}`)).body.alerts?.employeeId === 2);
  t.deepEqual((await relay.api('GET', `/api/accounts/${account.id}`)).body.alerts, { employeeId: 2, url: 'http://127.0.0.1:9/alerts' });
  t.deepEqual(errors, [], 'no script errors on the page');
});

test('Ukrainian and English at 360 px: the reasons in plain words, Dismiss and Retry reachable, the page never wider than the screen', async (t) => {
  const pf = await PlanfixSim.start();
  t.teardown(() => pf.close());
  const relay = await relayFor();
  const account = (await relay.api('POST', '/api/accounts', { name: 'Акме', planfix: { url: pf.origin, chatToken: 'wrong-token' } })).body;
  const channel = (await relay.api('POST', `/api/accounts/${account.id}/channels`, { kind: 'chatra', name: 'Чат на сайті', settings: { publicKey: 'p', secretKey: 's' } })).body;
  for (const [client, id] of [['v1', 'm1'], ['v2', 'm2']]) {
    await relay.post(channel.webhookUrl, JSON.stringify({ eventName: 'chatFragment', client: { id: client }, messages: [{ id, type: 'client', message: `Повідомлення ${id} з дуже довгим текстом, щоб рядок таблиці був ширшим за екран телефона` }] }));
  }
  const dead = async () => (await relay.api('GET', `/api/accounts/${account.id}/dead-letters`)).body as { eventId: string; reasonCode: string }[];
  await pf.waitFor(async () => (await dead()).length === 2);
  const code = (await dead())[0]!.reasonCode;

  for (const [locale, words] of [['uk-UA', uk], ['en-US', en]] as const) {
    const { page, errors } = await accountPage(t, relay, account.id, { width: 360, height: 740, locale });
    const rows = page.locator('table.dead tr');
    await rows.first().waitFor({ timeout: 15_000 });
    const count = await rows.count();
    t.is(await rows.first().locator('td.reason .plain').textContent(), words.activity.reasons[code as keyof typeof words.activity.reasons], locale);
    t.is(await page.locator('#retry-all').textContent(), words.activity.retryAll);
    t.true(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), `${locale}: the page does not scroll sideways`);
    const box = await page.locator('#retry-all').boundingBox();
    t.true(!!box && box.x >= 0 && box.x + box.width <= 360, `${locale}: Retry all is on the screen`);
    // The row's buttons are in the table, which scrolls inside its card: scrolled to, they work.
    const dismiss = rows.first().locator('button.dismiss');
    t.is(await dismiss.textContent(), words.activity.dismiss);
    await dismiss.scrollIntoViewIfNeeded();
    await dismiss.click();
    await pf.waitFor(async () => (await dead()).length === count - 1);
    // The table redrawn one row shorter: its last row before is gone (nth(count - 2), the row left
    // behind, never went, and this waited its whole 10 s each time).
    await page.locator('table.dead tr').nth(count - 1).waitFor({ state: 'detached', timeout: 10_000 }).catch(() => undefined);
    t.deepEqual(errors, [], `${locale}: no script errors`);
  }
  t.deepEqual(await dead(), [], 'each language dismissed one');
  t.is(pf.tasks.length, 0, 'a dismissed letter is never delivered');
});
