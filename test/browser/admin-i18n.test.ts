// The admin page in the admin's language, in Debian's Chromium against the relay process, the
// Planfix simulator and every provider's fake: the language follows the browser and the admin's
// choice, every field has a plain label and help, a refusal says what to type, fields for unusual
// setups wait under Advanced, Ringostat's four URLs each have a Copy button, warnings are worded.
import test from 'ava';
import type { Browser, Page } from 'playwright-core';
import { adminPage, fourChannelAccount, startWorld, type AdminWorld } from '../helpers/admin-world.ts';
import { launchChromium } from '../helpers/browser.ts';

// One world for the file: each test works in accounts of its own, so none depends on another's
// order, and a relay with its simulator and fakes is started once instead of per test.
let browser: Browser;
let shared: AdminWorld;
test.before(async () => {
  const [b, w] = await Promise.allSettled([launchChromium(), startWorld()]);
  if (b.status === 'fulfilled') browser = b.value;
  if (w.status === 'fulfilled') shared = w.value;
  for (const r of [b, w]) if (r.status === 'rejected') throw r.reason;
});
test.after.always(async () => { await Promise.all([browser?.close(), shared?.close()]); });

/** The file's world; a relay started with other settings (`env`) is the test's own. */
async function world(t: import('ava').ExecutionContext, env?: Record<string, string>): Promise<AdminWorld> {
  if (!env) return shared;
  const w = await startWorld(env);
  t.teardown(() => w.close());
  return w;
}

async function open(t: import('ava').ExecutionContext, w: AdminWorld, locale: string, hash?: string, width = 1280) {
  const r = await adminPage(browser, w, { locale, width, height: 900, hash });
  t.teardown(() => r.context.close());
  return r;
}

const field = (page: Page, scope: string, path: string) => page.locator(`${scope} .field[data-path="${path}"]`);
const labelOf = async (page: Page, scope: string, path: string) => (await field(page, scope, path).locator('label').textContent())?.replace(/\s*\*$/, '');

test('the language follows the browser: Russian, Ukrainian, and English for any other', async (t) => {
  const w = await world(t);
  const cases: [string, string, string, string][] = [
    ['ru-RU', 'ru', 'Токен администратора', 'Войти'],
    ['uk-UA', 'uk', 'Токен адміністратора', 'Увійти'],
    ['de-DE', 'en', 'Admin token', 'Sign in'],
  ];
  for (const [locale, lang, tokenLabel, signIn] of cases) {
    const context = await browser.newContext({ locale });
    t.teardown(() => context.close());
    const page = await context.newPage();
    await page.goto(`${w.relay.url}/admin`);
    await page.locator('label[for="token"]').waitFor();
    t.is(await page.locator('label[for="token"]').textContent(), tokenLabel, locale);
    t.is(await page.locator('button[type=submit]').textContent(), signIn, locale);
    t.is(await page.evaluate(() => document.documentElement.lang), lang, locale);
    t.is(await page.locator('#language').inputValue(), lang, locale);
  }
});

test('the language chosen in the header redraws the page at once and is remembered', async (t) => {
  const w = await world(t);
  const account = await fourChannelAccount(w);
  const { context, page, errors } = await open(t, w, 'ru-RU', account.id);
  await page.locator('#connect h2', { hasText: 'Подключение ПланФикса' }).waitFor();
  await page.selectOption('#language', 'uk');
  await t.notThrowsAsync(page.locator('#connect h2', { hasText: 'Підключення ПланФікса' }).waitFor());
  t.is(await labelOf(page, '#account-edit', 'planfix.url'), 'Адреса ПланФікса');
  t.is(await page.locator('#channels h2').textContent(), 'Канали');

  // Another tab of the same browser, and a reload, open in Ukrainian although the browser says Russian.
  const again = await context.newPage();
  await again.goto(`${w.relay.url}/admin`);
  await t.notThrowsAsync(again.locator('label[for="token"]', { hasText: 'Токен адміністратора' }).waitFor());
  await page.reload();
  await t.notThrowsAsync(page.locator('#connect h2', { hasText: 'Підключення ПланФікса' }).waitFor());
  await page.selectOption('#language', 'en');
  await t.notThrowsAsync(page.locator('#connect h2', { hasText: 'Connect Planfix' }).waitFor());
  t.deepEqual(errors, []);
});

test('every field has a plain label and a line of help in the page\'s language, never its key', async (t) => {
  const w = await world(t);
  const account = await fourChannelAccount(w);
  const expected: Record<string, Record<string, string>> = {
    'ru-RU': { 'planfix.url': 'Адрес ПланФикса', 'planfix.chatToken': 'Токен ПланФикса для чатов', 'planfix.completeStatus': 'Статус завершённой задачи', 'settings.agentEmail': 'E-mail агента для ответов', 'options.closeTaskOnChatEnd': 'Завершать задачу, когда чат закончен' },
    'uk-UA': { 'planfix.url': 'Адреса ПланФікса', 'planfix.chatToken': 'Токен ПланФікса для чатів', 'planfix.completeStatus': 'Статус завершеної задачі', 'settings.agentEmail': 'E-mail агента для відповідей', 'options.closeTaskOnChatEnd': 'Завершувати задачу, коли чат закінчено' },
    'en-GB': { 'planfix.url': 'Planfix address', 'planfix.chatToken': 'Planfix chat token', 'planfix.completeStatus': 'Status of a completed task', 'settings.agentEmail': 'Reply agent\'s e-mail', 'options.closeTaskOnChatEnd': 'Complete the task when the chat ends' },
  };
  for (const [locale, labels] of Object.entries(expected)) {
    const { page, errors } = await open(t, w, locale, account.id);
    await page.locator('#account-edit').waitFor();
    for (const [path, label] of Object.entries(labels)) {
      const scope = path.startsWith('planfix.') ? '#account-edit' : '#channel-create';
      t.is(await labelOf(page, scope, path), label, `${locale} ${path}`);
    }
    // No field of any form of any kind shows a bare key or lacks its help.
    for (const kind of ['chatra', 'viber', 'verbox', 'ringostat']) {
      await page.selectOption('#new-kind', kind);
      const bare = await page.locator('.field[data-path*="."]').evaluateAll((els) => els
        .filter((el) => !el.querySelector('.help')?.textContent || el.querySelector('label')!.textContent!.replace(/\s*\*$/, '') === (el as HTMLElement).dataset.path!.split('.').pop())
        .map((el) => (el as HTMLElement).dataset.path));
      t.deepEqual(bare, [], `${locale} ${kind}: fields without words`);
    }
    t.deepEqual(errors, []);
  }
});

test('a refusal says what to type in the page\'s language; good input is saved', async (t) => {
  const w = await world(t);
  // Other tests add accounts to the same relay: this one's is known by its name, used only here.
  const name = 'Acme (refusals)';
  const ours = async () => (await w.relay.api<{ id: string; name: string }[]>('GET', '/api/accounts')).body.filter((a) => a.name === name);
  // The API names the field and why, for any reader.
  const refused = await w.relay.api('POST', '/api/accounts', { name, planfix: { url: 'acme', chatToken: 'x' } });
  t.is(refused.status, 400);
  t.deepEqual(refused.body, { error: 'planfix.url: Invalid URL', field: { path: 'planfix.url', reason: 'invalid_format', format: 'url' } });

  const { page, errors } = await open(t, w, 'ru-RU');
  const form = '#account-create';
  // Required fields left empty are all marked at once, before anything is sent.
  await page.click(`${form} button[type=submit]`);
  for (const path of ['name', 'planfix.url', 'planfix.chatToken']) {
    t.is(await field(page, form, path).locator('.error').textContent(), 'заполните это поле', path);
  }
  await field(page, form, 'name').locator('input').fill(name);
  await field(page, form, 'planfix.url').locator('input').fill('acme.planfix');
  await field(page, form, 'planfix.chatToken').locator('input').fill('pf-chat-token');
  await page.click(`${form} button[type=submit]`);
  await t.notThrowsAsync(field(page, form, 'planfix.url').locator('.error', { hasText: 'введите адрес в виде https://yourcompany.planfix.ru' }).waitFor());
  t.is(await field(page, form, 'name').locator('.error').textContent(), '', 'a fixed field is no longer marked');
  await field(page, form, 'defaultCountry').locator('input').fill('Russia');
  await field(page, form, 'planfix.url').locator('input').fill(w.pf.origin);
  await page.click(`${form} button[type=submit]`);
  await t.notThrowsAsync(field(page, form, 'defaultCountry').locator('.error', { hasText: 'введите страну двумя буквами, например RU или UA' }).waitFor());
  t.deepEqual(await ours(), [], 'nothing saved from a refused form');

  await field(page, form, 'defaultCountry').locator('input').fill('ru');
  await page.click(`${form} button[type=submit]`);
  await page.locator('#connect').waitFor();
  const saved = await ours();
  t.is(saved.length, 1, 'one account saved');
  const account = saved[0]!;
  t.like(account, { name, defaultCountry: 'RU', planfix: { url: w.pf.origin } });

  // In Ukrainian, a channel's e-mail and the employees table.
  await page.selectOption('#language', 'uk');
  const ch = '#channel-create';
  await page.selectOption('#new-kind', 'chatra');
  await field(page, ch, 'name').locator('input').fill('Чат на сайті');
  await field(page, ch, 'settings.publicKey').locator('input').fill('pk');
  await field(page, ch, 'settings.secretKey').locator('input').fill('sk');
  await field(page, ch, 'settings.agentEmail').locator('input').fill('support-at-acme');
  const employees = field(page, ch, 'options.employees');
  t.is(await employees.locator('thead th[data-col="key"]').textContent(), 'Співробітник ПланФікса');
  await employees.locator('button.add-row', { hasText: 'Додати рядок' }).click();
  const cell = (col: string) => employees.locator(`tbody tr.row .cell[data-col="${col}"]`);
  // An e-mail without whose it is: the page asks for the name before sending anything.
  await cell('value').locator('input').fill('ivan-at-acme');
  await page.click(`${ch} button[type=submit]`);
  t.is(await cell('key').locator('.error').textContent(), 'заповніть це поле');
  await cell('key').locator('input').fill('Іван Петренко');
  await page.click(`${ch} button[type=submit]`);
  await t.notThrowsAsync(field(page, ch, 'settings.agentEmail').locator('.error', { hasText: 'введіть e-mail, наприклад support@yourcompany.ua' }).waitFor());
  await field(page, ch, 'settings.agentEmail').locator('input').fill('support@acme.test');
  await page.click(`${ch} button[type=submit]`);
  // The e-mail in the table is refused on its own cell.
  await t.notThrowsAsync(cell('value').locator('.error', { hasText: 'введіть e-mail' }).waitFor());
  await cell('value').locator('input').fill('ivan@acme.test');
  await page.click(`${ch} button[type=submit]`);
  await page.locator('article.channel').waitFor();
  t.like((await w.relay.api('GET', `/api/accounts/${account.id}`)).body.channels[0], { name: 'Чат на сайті', settings: { agentEmail: 'support@acme.test' }, options: { employees: { 'Іван Петренко': 'ivan@acme.test' } } });
  t.deepEqual(errors, []);
});

test('fields for tests and unusual setups wait under a collapsed Advanced, opened by an error in them', async (t) => {
  const w = await world(t);
  const account = await fourChannelAccount(w);
  const { page, errors } = await open(t, w, 'en-US', account.id);
  for (const kind of ['chatra', 'viber', 'ringostat']) {
    await page.selectOption('#new-kind', kind);
    const advanced = page.locator('#channel-create details.advanced:has(.field[data-path="settings.apiUrl"])');
    t.is(await advanced.count(), 1, `${kind}: apiUrl is under Advanced`);
    t.false(await advanced.evaluate((d) => (d as HTMLDetailsElement).open), kind);
    t.false(await advanced.locator('.field[data-path="settings.apiUrl"]').isVisible());
  }
  t.is(await page.locator('#account-edit details.advanced .field[data-path="planfix.providerId"]').count(), 1);
  t.is(await page.locator('#account-edit details.advanced .field[data-path="planfix.chatApiUrl"]').count(), 1);
  t.is(await page.locator('#account-edit details.advanced summary').textContent(), 'Advanced');
  // A refused advanced field is shown, not left hidden in a closed section.
  const ch = '#channel-create';
  await page.selectOption('#new-kind', 'chatra');
  await field(page, ch, 'name').locator('input').fill('Chat');
  await field(page, ch, 'settings.publicKey').locator('input').fill('pk');
  await field(page, ch, 'settings.secretKey').locator('input').fill('sk');
  await page.locator(`${ch} details.advanced summary`).click();
  await field(page, ch, 'settings.apiUrl').locator('input').fill('https://api.example.test/');
  await page.locator(`${ch} details.advanced summary`).click();
  await page.click(`${ch} button[type=submit]`);
  await t.notThrowsAsync(field(page, ch, 'settings.apiUrl').locator('.error', { hasText: 'this host is not the provider\'s' }).waitFor());
  t.true(await field(page, ch, 'settings.apiUrl').isVisible());
  t.deepEqual(errors, []);
});

test('a Ringostat channel shows its four webhook URLs, each with a Copy button and where it goes in Ringostat', async (t) => {
  const w = await world(t);
  const account = await fourChannelAccount(w);
  const calls = account.channels.find((c) => c.kind === 'ringostat')!;
  t.deepEqual(calls.webhookUrls!.map((u) => u.url), ['call_start', 'pickup', 'call_end', 'record'].map((e) => `${calls.webhookUrl}?event=${e}`));
  const { page, errors } = await open(t, w, 'ru-RU', account.id);
  const card = page.locator('article.channel[data-kind="ringostat"]');
  await card.waitFor();
  const rows = card.locator('.copy-row');
  t.is(await rows.count(), 4);
  t.deepEqual(await rows.locator('.copy-label').allTextContents(), ['Начало звонка', 'Звонок принят', 'Конец звонка', 'Запись готова']);
  for (let i = 0; i < 4; i++) {
    const row = rows.nth(i);
    t.is(await row.locator('.copy-value').textContent(), calls.webhookUrls![i]!.url);
    t.regex(await row.locator('small').textContent() ?? '', /^В Ringostat: Интеграция → Вебхуки/);
    await row.locator('button.copy').click();
    t.is(await page.evaluate(() => navigator.clipboard.readText()), calls.webhookUrls![i]!.url);
  }
  // Each URL is one Ringostat accepts for its moment.
  const body = JSON.stringify({ uniqueid: 'c-9', caller: '380501112233' });
  for (const u of calls.webhookUrls!) t.is((await w.relay.post(u.url, body)).status, 200, u.id);
  t.deepEqual(errors, []);
});

test('warnings say what the setup lacks in the page\'s language, and go once it is fixed', async (t) => {
  const w = await world(t);
  const account = await fourChannelAccount(w);
  const chatId = account.channels.find((c) => c.kind === 'chatra')!.id;
  const ru = await open(t, w, 'ru-RU', account.id);
  const warning = (page: Page, code: string) => page.locator(`.warning[data-warning="${code}"]`);
  await t.notThrowsAsync(warning(ru.page, 'public_url_local').filter({ hasText: /^Публичный адрес релея — http:\/\/(localhost|127\.0\.0\.1):\d+: Chatra, Viber, Ringostat и ПланФикс не могут до него достучаться/ }).waitFor());
  t.regex(await warning(ru.page, 'telephony_token_missing').textContent() ?? '', /^Телефония ПланФикса не подключена/);
  t.regex(await warning(ru.page, 'employees_missing').textContent() ?? '', /^«Отвечать от имени сотрудника» включено/);
  t.is(await warning(ru.page, 'rest_token_missing_close').count(), 0, 'the account has its REST token');

  // Without the REST token, completing the task when the chat ends cannot work: the channel says so, in Ukrainian.
  const bare = (await w.relay.api('POST', '/api/accounts', { name: 'No REST', planfix: { url: w.pf.origin, chatToken: 'pf-chat-token' } })).body;
  await w.relay.api('POST', `/api/accounts/${bare.id}/channels`, { kind: 'chatra', name: 'Chat', settings: { publicKey: 'pk', secretKey: 'sk', agentEmail: 'a@acme.test' } });
  const uk = await open(t, w, 'uk-UA', bare.id);
  await t.notThrowsAsync(warning(uk.page, 'rest_token_missing_close').filter({ hasText: /^Задачі не завершуються після закінчення чату/ }).waitFor());
  await uk.page.goto(`${w.relay.url}/admin#${account.id}`);
  await t.notThrowsAsync(warning(uk.page, 'telephony_token_missing').filter({ hasText: /^Телефонію ПланФікса не підключено/ }).waitFor());
  t.regex(await uk.page.locator(`article.channel[data-channel="${chatId}"] .warning[data-warning="employees_missing"]`).textContent() ?? '', /^«Відповідати від імені співробітника» увімкнено/);

  // The employee mapping ends the Chatra warning; the English reader of the API still gets a text.
  await w.relay.api('PATCH', `/api/accounts/${account.id}/channels/${chatId}`, { options: { employees: { 'Ivan Petrov': 'ivan@acme.test' } } });
  const en = await open(t, w, 'en-US', account.id);
  await en.page.locator('article.channel').first().waitFor();
  t.is(await en.page.locator(`article.channel[data-channel="${chatId}"] .warning[data-warning="employees_missing"]`).count(), 0);
  t.regex(await warning(en.page, 'telephony_token_missing').textContent() ?? '', /^Planfix Telephony is not connected/);
  t.deepEqual([...ru.errors, ...uk.errors, ...en.errors], []);
});

test('a relay with a public address warns of none', async (t) => {
  const w = await world(t, { RELAY_PUBLIC_URL: 'https://relay.example.test' });
  const account = await fourChannelAccount(w);
  t.deepEqual((await w.relay.api('GET', `/api/accounts/${account.id}`)).body.warningCodes, []);
  const { page } = await open(t, w, 'en-US', account.id);
  await page.locator('#connect').waitFor();
  t.is(await page.locator('.warning[data-warning="public_url_local"]').count(), 0);
});
