// The admin page in Debian's Chromium against the relay process, the Planfix simulator and the
// Chatra fake: sign in, create an account and a channel, see what to paste where, see a
// validation error next to its field, watch an event arrive, retry or dismiss a dead letter.
import test from 'ava';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser.ts';
import { ADMIN_TOKEN, sharedRelays } from '../helpers/relay-process.ts';
import { ChatraFake } from '../sim/chatra.ts';
import { PlanfixSim } from '../sim/planfix.ts';

let browser: Browser;
test.before(async () => { browser = await launchChromium(); });
test.after.always(async () => { await browser?.close(); });
// One relay for the file: each test has a Planfix simulator, a Chatra fake and accounts of its own on it.
const relayFor = sharedRelays((stop) => test.after.always(stop));

async function signIn(t: import('ava').ExecutionContext) {
  const pf = await PlanfixSim.start();
  t.teardown(() => pf.close());
  const chatra = await ChatraFake.start();
  t.teardown(() => chatra.close());
  const relay = await relayFor();
  // English, whatever the machine's own language: the page follows the browser's (admin-i18n.test.ts covers the others).
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 }, locale: 'en-US' });
  t.teardown(() => context.close());
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: relay.url });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${relay.url}/admin`);
  await page.fill('#token', 'not-the-token');
  await page.click('button[type=submit]');
  await page.waitForSelector('text=That token was refused.');
  await page.fill('#token', ADMIN_TOKEN);
  await page.click('button[type=submit]');
  await page.waitForSelector('#account-create');
  return { pf, chatra, relay, page, errors };
}

const field = (page: Page, path: string) => page.locator(`.field[data-path="${path}"]`);

test('create an account and a channel through the page, with what to paste where and copy buttons', async (t) => {
  const { pf, chatra, relay, page, errors } = await signIn(t);
  // Other tests' accounts share the relay: this one's is known by its name, used only here.
  const name = 'Acme <b>shop</b>';
  const ours = async () => (await relay.api<any[]>('GET', '/api/accounts')).body.filter((a) => a.name === name);
  // A bad Planfix URL: the API's reason, in plain words, appears next to that field and nothing is created.
  await field(page, 'name').locator('input').fill(name);
  await field(page, 'planfix.url').locator('input').fill('https://evil.example.com');
  await field(page, 'planfix.chatToken').locator('input').fill('pf-chat-token');
  await page.click('#account-create button[type=submit]');
  await t.notThrowsAsync(field(page, 'planfix.url').locator('.error', { hasText: 'this is not a Planfix address: enter yours as https://yourcompany.planfix.ru' }).waitFor());
  t.is((await ours()).length, 0);

  await field(page, 'planfix.url').locator('input').fill(pf.origin);
  await page.click('#account-create button[type=submit]');
  await page.waitForSelector('#connect');
  const saved = await ours();
  t.is(saved.length, 1);
  const account = saved[0];
  t.is(await page.locator('h1').textContent(), name, 'names are text, never markup');
  const values = await page.locator('#connect .copy-value').allTextContents();
  t.true(values.includes(account.connect.planfixChat.url));
  t.true(values.includes(account.connect.planfixChat.token));
  t.true(values.includes(account.connect.planfixTelephony.url));
  t.true(values.includes(account.widget.userscriptUrl));
  t.false(values.some((v) => v.includes('pf-chat-token')), 'a secret the admin typed is never shown back');
  await page.locator('#connect .copy').first().click();
  t.is(await page.evaluate(() => navigator.clipboard.readText()), account.connect.planfixChat.url);

  // A channel with a bad e-mail: the error sits next to settings.agentEmail.
  await page.selectOption('#new-kind', 'chatra');
  await page.locator('#channel-create .field[data-path="name"] input').fill('Site chat');
  await field(page, 'settings.publicKey').locator('input').fill('chatra-pub');
  await field(page, 'settings.secretKey').locator('input').fill('chatra-secret');
  await field(page, 'settings.agentEmail').locator('input').fill('support-at-acme');
  // A field for tests only sits under the form's collapsed Advanced.
  t.false(await field(page, 'settings.apiUrl').isVisible());
  await page.locator('#channel-create details.advanced summary').click();
  await field(page, 'settings.apiUrl').locator('input').fill(chatra.apiUrl);
  await page.click('#channel-create button[type=submit]');
  const emailError = field(page, 'settings.agentEmail').locator('.error');
  await emailError.filter({ hasText: /.+/ }).waitFor();
  t.is(await emailError.textContent(), 'enter an e-mail address, like support@yourcompany.com');
  await field(page, 'settings.agentEmail').locator('input').fill('support@acme.test');
  await page.click('#channel-create button[type=submit]');
  await page.waitForSelector('article.channel');
  const channel = (await relay.api('GET', `/api/accounts/${account.id}`)).body.channels[0];
  const hookValue = await page.locator('article.channel .copy-value').first().textContent();
  t.is(hookValue, channel.webhookUrl);
  t.false((await page.locator('article.channel').textContent())!.includes('chatra-secret'));

  await page.locator('article.channel button', { hasText: 'Test' }).click();
  await t.notThrowsAsync(page.locator('article.channel .checks .ok', { hasText: 'Chatra accepted the API keys.' }).waitFor());

  // Edit the channel: a changed name and agent name are saved; the untouched secret is kept.
  await page.locator('article.channel button.edit').click();
  const edit = page.locator('article.channel form.edit-channel');
  t.is(await edit.locator('.field[data-path="settings.secretKey"] input').inputValue(), '', 'a secret is never put back into a form');
  await edit.locator('.field[data-path="name"] input').fill('Website chat');
  await edit.locator('.field[data-path="settings.agentName"] input').fill('Acme Support');
  await edit.locator('button[type=submit]').click();
  await page.locator('article.channel h3', { hasText: 'Website chat' }).waitFor();
  const edited = (await relay.api('GET', `/api/accounts/${account.id}`)).body.channels[0];
  t.like(edited, { name: 'Website chat', settings: { agentName: 'Acme Support', agentEmail: 'support@acme.test' } });
  await page.locator('article.channel button', { hasText: 'Test' }).click();
  await t.notThrowsAsync(page.locator('article.channel .checks .ok', { hasText: 'Chatra accepted the API keys.' }).waitFor());

  // A webhook arrives: the activity list shows it (the page refreshes every few seconds).
  await relay.post(channel.webhookUrl, JSON.stringify({ eventName: 'chatFragment', client: { id: 'v1', name: 'Olga' }, messages: [{ id: 'm1', type: 'client', message: 'Hello from the site' }] }));
  await pf.waitFor(() => pf.tasks[0]);
  await t.notThrowsAsync(page.locator('#activity tr.delivered', { hasText: 'Hello from the site' }).waitFor({ timeout: 10_000 }));

  t.deepEqual(errors, [], 'no script errors on the page');
});

test('the account settings set the language and time zone of Planfix texts; a bad zone is shown at its field; emptied goes back to the domain', async (t) => {
  const { pf, relay, page, errors } = await signIn(t);
  const account = (await relay.api('POST', '/api/accounts', { name: 'Acme', planfix: { url: pf.origin, chatToken: 'pf-chat-token' } })).body;
  await page.goto(`${relay.url}/admin#${account.id}`);
  const form = page.locator('#account-edit');
  await t.notThrowsAsync(page.locator('#locale', { hasText: 'written in en (from the Planfix domain), times in UTC (from the Planfix domain)' }).waitFor());
  await form.locator('.field[data-path="language"] select').selectOption('ru');
  await form.locator('.field[data-path="timeZone"] input').fill('Mars/Olympus');
  await form.locator('button[type=submit]').click();
  await t.notThrowsAsync(form.locator('.field[data-path="timeZone"] .error', { hasText: 'enter a time zone like Europe/Kyiv' }).waitFor());
  t.is((await relay.api('GET', `/api/accounts/${account.id}`)).body.language, undefined, 'nothing saved from a refused form');

  await form.locator('.field[data-path="timeZone"] input').fill('Europe/Moscow');
  await form.locator('button[type=submit]').click();
  await t.notThrowsAsync(page.locator('#locale', { hasText: 'written in ru (chosen), times in Europe/Moscow (chosen)' }).waitFor());
  t.like((await relay.api('GET', `/api/accounts/${account.id}`)).body, { language: 'ru', timeZone: 'Europe/Moscow' });

  await page.locator('#account-edit .field[data-path="language"] select').selectOption('');
  await page.locator('#account-edit .field[data-path="timeZone"] input').fill('');
  await page.locator('#account-edit button[type=submit]').click();
  await t.notThrowsAsync(page.locator('#locale', { hasText: 'written in en (from the Planfix domain)' }).waitFor());
  t.like((await relay.api('GET', `/api/accounts/${account.id}`)).body, { language: undefined, timeZone: undefined, locale: { language: 'en', timeZone: 'UTC' } });
  t.deepEqual(errors, [], 'no script errors on the page');
});

test('a dead letter is listed with its reason and the Retry button delivers it once the cause is fixed', async (t) => {
  const { pf, relay, page, errors } = await signIn(t);
  const account = (await relay.api('POST', '/api/accounts', { name: 'Acme', planfix: { url: pf.origin, chatToken: 'wrong-token' } })).body;
  const channel = (await relay.api('POST', `/api/accounts/${account.id}/channels`, { kind: 'chatra', name: 'Chat', settings: { publicKey: 'p', secretKey: 's' } })).body;
  await relay.post(channel.webhookUrl, JSON.stringify({ eventName: 'chatFragment', client: { id: 'v2' }, messages: [{ id: 'd1', type: 'client', message: 'Lost?' }] }));
  await page.goto(`${relay.url}/admin#${account.id}`);
  const row = page.locator('table.dead tr', { hasText: 'Invalid token' });
  await t.notThrowsAsync(row.waitFor({ timeout: 15_000 }));
  t.is(pf.tasks.length, 0);

  await relay.api('PATCH', `/api/accounts/${account.id}`, { planfix: { chatToken: 'pf-chat-token' } });
  await row.locator('button.retry').click();
  const task = await pf.waitFor(() => pf.tasks[0]);
  t.true(task.comments[0]!.text.startsWith('Lost?'));
  await t.notThrowsAsync(page.locator('h3', { hasText: 'Dead letters (0)' }).waitFor({ timeout: 10_000 }));
  t.deepEqual(errors, [], 'no script errors on the page');
});

test('the Dismiss button deletes a dead letter without delivering it, and the provider resending it later is a duplicate', async (t) => {
  const { pf, relay, page, errors } = await signIn(t);
  const account = (await relay.api('POST', '/api/accounts', { name: 'Acme', planfix: { url: pf.origin, chatToken: 'wrong-token' } })).body;
  const channel = (await relay.api('POST', `/api/accounts/${account.id}/channels`, { kind: 'chatra', name: 'Chat', settings: { publicKey: 'p', secretKey: 's' } })).body;
  const spam = JSON.stringify({ eventName: 'chatFragment', client: { id: 'v3' }, messages: [{ id: 's1', type: 'client', message: 'Buy followers' }] });
  await relay.post(channel.webhookUrl, spam);
  await page.goto(`${relay.url}/admin#${account.id}`);
  const row = page.locator('table.dead tr', { hasText: 'Invalid token' });
  await t.notThrowsAsync(row.waitFor({ timeout: 15_000 }));

  await row.locator('button.dismiss').click();
  await t.notThrowsAsync(page.locator('h3', { hasText: 'Dead letters (0)' }).waitFor({ timeout: 10_000 }));
  t.deepEqual((await relay.api('GET', `/api/accounts/${account.id}/dead-letters`)).body, []);

  // With Planfix reachable again, the resend is a duplicate; the customer's next message is delivered alone.
  await relay.api('PATCH', `/api/accounts/${account.id}`, { planfix: { chatToken: 'pf-chat-token' } });
  t.like((await relay.post(channel.webhookUrl, spam)).body, { accepted: 0, duplicates: 1 });
  await relay.post(channel.webhookUrl, JSON.stringify({ eventName: 'chatFragment', client: { id: 'v3' }, messages: [{ id: 's2', type: 'client', message: 'Sorry, wrong chat' }] }));
  const task = await pf.waitFor(() => pf.tasks[0]);
  t.deepEqual(task.comments.map((c) => c.text.split('\n')[0]), ['Sorry, wrong chat']);
  t.deepEqual(errors, [], 'no script errors on the page');
});

test('a Ringostat channel of an account without Planfix Telephony shows the warning, and a call\'s activity line says what was skipped', async (t) => {
  const { pf, relay, page, errors } = await signIn(t);
  const account = (await relay.api('POST', '/api/accounts', { name: 'Acme', defaultCountry: 'UA', planfix: { url: pf.origin, chatToken: 'pf-chat-token', restToken: 'pf-rest-token' } })).body;
  const channel = (await relay.api('POST', `/api/accounts/${account.id}/channels`, { kind: 'ringostat', name: 'Calls', options: { callTarget: 'contact' } })).body;
  await page.goto(`${relay.url}/admin#${account.id}`);
  await t.notThrowsAsync(page.locator('article.channel .warning', { hasText: 'Planfix Telephony is not connected' }).waitFor({ timeout: 10_000 }));
  await relay.post(`${channel.webhookUrl}?event=call_end`, JSON.stringify({ uniqueid: 'c-1', caller: '380501112233', disposition: 'NO ANSWER', billsec: 0 }));
  await t.notThrowsAsync(page.locator('#activity tr.delivered', { hasText: 'skipped: Planfix Telephony (no telephony token)' }).waitFor({ timeout: 15_000 }));
  t.deepEqual(errors, [], 'no script errors on the page');
});

test('a channel\'s admission limit is set on the page, and the card says when it bites', async (t) => {
  const { pf, relay, page, errors } = await signIn(t);
  const account = (await relay.api('POST', '/api/accounts', { name: 'Acme', planfix: { url: pf.origin, chatToken: 'pf-chat-token' } })).body;
  const channel = (await relay.api('POST', `/api/accounts/${account.id}/channels`, { kind: 'chatra', name: 'Chat', settings: { publicKey: 'p', secretKey: 's' } })).body;
  await page.goto(`${relay.url}/admin#${account.id}`);
  await page.locator('article.channel button.edit').click();
  const edit = page.locator('article.channel form.edit-channel');
  t.is(await edit.locator('.field[data-path="limits.newConversationsPerHour"] input').getAttribute('placeholder'), 'default: 500', 'the default is shown');
  // A value the API refuses: its reason sits next to the field, nothing is saved.
  await edit.locator('.field[data-path="limits.newConversationsPerHour"] input').fill('2.5');
  await edit.locator('button[type=submit]').click();
  await t.notThrowsAsync(edit.locator('.field[data-path="limits.newConversationsPerHour"] .error').filter({ hasText: /.+/ }).waitFor());
  t.deepEqual((await relay.api('GET', `/api/accounts/${account.id}/channels/${channel.id}`)).body.limits, {});
  await edit.locator('.field[data-path="limits.newConversationsPerHour"] input').fill('1');
  await edit.locator('button[type=submit]').click();
  await page.locator('article.channel form.edit-channel').waitFor({ state: 'hidden' });
  t.deepEqual((await relay.api('GET', `/api/accounts/${account.id}/channels/${channel.id}`)).body.limits, { newConversationsPerHour: 1 });
  t.false(await page.locator('article.channel .admission').isVisible(), 'nothing refused: nothing shown');

  const first = (client: string) => relay.post(channel.webhookUrl, JSON.stringify({ eventName: 'chatStarted', client: { id: client, name: client }, messages: [{ id: `${client}-1`, type: 'client', message: 'hi' }] }));
  t.is((await first('lim-a')).status, 200);
  t.is((await first('lim-b')).status, 429);
  // The page refreshes every few seconds: the card shows the limit biting without a reload.
  const line = page.locator('article.channel .admission.biting');
  await t.notThrowsAsync(line.waitFor({ timeout: 10_000 }));
  t.regex(await line.textContent() ?? '', /Limits biting: 1 refused this hour \(new conversations: 1\)/);
  t.deepEqual(errors, [], 'no script errors on the page');
});
