// Maps and lists on the admin page as tables, in Debian's Chromium against the relay process and
// every provider's fake: employee rows for Chatra and Ringostat added, refused on the bad cell,
// removed, and read back through the admin API; the Verbox field map with its defaults shown;
// a Viber webhook Viber refused, shown with its reason on the card and connected again.
import test from 'ava';
import type { Browser, Locator, Page } from 'playwright-core';
import { adminPage, fourChannelAccount, startWorld, type AdminWorld } from '../helpers/admin-world.ts';
import { launchChromium } from '../helpers/browser.ts';
import { sharedRelays } from '../helpers/relay-process.ts';

let browser: Browser;
test.before(async () => { browser = await launchChromium(); });
test.after.always(async () => { await browser?.close(); });
// One relay for the file; each test's world has its own simulator, fakes and account on it.
const relayFor = sharedRelays((stop) => test.after.always(stop));

async function setup(t: import('ava').ExecutionContext) {
  const w = await startWorld({}, {}, relayFor);
  t.teardown(() => w.close());
  const account = await fourChannelAccount(w);
  const r = await adminPage(browser, w, { locale: 'en-US', width: 1280, height: 900, hash: account.id });
  t.teardown(() => r.context.close());
  await r.page.locator('article.channel').first().waitFor();
  return { w, account, ...r };
}

const channelOf = (account: { channels: { id: string; kind: string }[] }, kind: string) => account.channels.find((c) => c.kind === kind)!;
const card = (page: Page, id: string) => page.locator(`article.channel[data-channel="${id}"]`);

/**
 * Clicks the card's Connect again and waits for the page drawn anew with the outcome: the card
 * before it shows the last outcome too, and a click on it while it goes is lost.
 */
async function connectAgain(page: Page, id: string): Promise<void> {
  await card(page, id).evaluate((el) => { el.dataset.before = 'connect'; });
  await card(page, id).locator('button.connect', { hasText: 'Connect again' }).click();
  await page.locator(`article.channel[data-channel="${id}"]:not([data-before])`).waitFor();
}

/** The channel's edit form, opened. */
async function edit(page: Page, id: string): Promise<Locator> {
  await card(page, id).locator('button.edit').click();
  const form = card(page, id).locator('form.edit-channel');
  await form.waitFor();
  return form;
}

async function save(form: Locator): Promise<void> {
  await form.locator('button[type=submit]').click();
}

/** Saved: the page drew the account again, with the edit form closed. */
const saved = (page: Page, id: string) => card(page, id).locator('form.edit-channel').waitFor({ state: 'hidden' });

const options = async (w: AdminWorld, accountId: string, id: string) => (await w.relay.api('GET', `/api/accounts/${accountId}/channels/${id}`)).body;

async function addRow(table: Locator, cells: Record<string, string>): Promise<void> {
  await table.locator('button.add-row').click();
  const row = table.locator('tbody tr.row').last();
  for (const [col, value] of Object.entries(cells)) await row.locator(`.cell[data-col="${col}"] input`).fill(value);
}

test('Chatra employees: two rows saved exactly, a bad e-mail refused on its cell, a row removed', async (t) => {
  const { w, account, page, errors } = await setup(t);
  const chat = channelOf(account, 'chatra');
  let form = await edit(page, chat.id);
  const table = form.locator('.field[data-path="options.employees"]');
  t.is(await table.locator('thead th[data-col="key"]').textContent(), 'Planfix employee');
  t.is(await table.locator('thead th[data-col="value"]').textContent(), 'Chatra agent e-mail');
  t.is(await table.locator('textarea').count(), 0, 'no JSON box');
  await addRow(table, { key: 'Ivan Petrov', value: 'ivan@acme.test' });
  await addRow(table, { key: 'Olga Shevchenko', value: 'olga@acme.test' });
  await save(form);
  await saved(page, chat.id);
  t.deepEqual((await options(w, account.id, chat.id)).options.employees, { 'Ivan Petrov': 'ivan@acme.test', 'Olga Shevchenko': 'olga@acme.test' });
  t.is(await card(page, chat.id).locator('.warning[data-warning="employees_missing"]').count(), 0, 'mapped: no warning');

  // A value that is not an e-mail: the API's refusal sits on that cell, and nothing is saved.
  form = await edit(page, chat.id);
  const rows = form.locator('.field[data-path="options.employees"] tbody tr.row');
  t.is(await rows.count(), 2, 'the saved rows are shown');
  await rows.nth(1).locator('.cell[data-col="value"] input').fill('olga-at-acme');
  await save(form);
  const bad = rows.nth(1).locator('.cell[data-col="value"]');
  await t.notThrowsAsync(bad.locator('.error', { hasText: 'enter an e-mail address, like support@yourcompany.com' }).waitFor());
  t.true(await bad.evaluate((el) => el.classList.contains('invalid')));
  t.is(await rows.nth(0).locator('.error').first().textContent(), '', 'the good row is not marked');
  t.deepEqual((await options(w, account.id, chat.id)).options.employees, { 'Ivan Petrov': 'ivan@acme.test', 'Olga Shevchenko': 'olga@acme.test' });

  // The bad row removed: what is saved is the one row left.
  await rows.nth(1).locator('button.remove-row').click();
  await save(form);
  await saved(page, chat.id);
  t.deepEqual((await options(w, account.id, chat.id)).options.employees, { 'Ivan Petrov': 'ivan@acme.test' });
  t.deepEqual(errors, []);
});

test('Ringostat employees: rows of number or SIP login and short number saved exactly, a bad cell refused, a row removed', async (t) => {
  const { w, account, page, errors } = await setup(t);
  const calls = channelOf(account, 'ringostat');
  let form = await edit(page, calls.id);
  const table = form.locator('.field[data-path="options.employees"]');
  t.deepEqual(await table.locator('thead th').allTextContents(), ['Number or SIP login *', 'Planfix short number', 'E-mail', 'Name', '']);
  await addRow(table, { id: '380671112233', ext: '101', name: 'Ivan Petrov' });
  await addRow(table, { id: 'olga_sip', ext: '102', email: 'olga@acme.test' });
  await save(form);
  await saved(page, calls.id);
  t.deepEqual((await options(w, account.id, calls.id)).options.employees, [
    { id: '380671112233', ext: '101', name: 'Ivan Petrov' },
    { id: 'olga_sip', ext: '102', email: 'olga@acme.test' },
  ]);

  form = await edit(page, calls.id);
  const rows = form.locator('.field[data-path="options.employees"] tbody tr.row');
  await rows.nth(1).locator('.cell[data-col="email"] input').fill('olga-at-acme');
  await save(form);
  const bad = rows.nth(1).locator('.cell[data-col="email"]');
  await t.notThrowsAsync(bad.locator('.error', { hasText: 'enter an e-mail address' }).waitFor());
  t.is(await bad.getAttribute('data-path'), 'options.employees.1.email', 'the cell the API named');
  t.is((await options(w, account.id, calls.id)).options.employees.length, 2, 'nothing saved');

  await rows.nth(0).locator('button.remove-row').click();
  await rows.nth(0).locator('.cell[data-col="email"] input').fill('olga@acme.test');
  await save(form);
  await saved(page, calls.id);
  t.deepEqual((await options(w, account.id, calls.id)).options.employees, [{ id: 'olga_sip', ext: '102', email: 'olga@acme.test' }]);
  t.deepEqual(errors, []);
});

test('the Verbox field map shows the defaults and saves a renamed field', async (t) => {
  const { w, account, page, errors } = await setup(t);
  const chat = channelOf(account, 'verbox') as { id: string; kind: string; webhookUrl: string };
  const form = await edit(page, chat.id);
  const map = form.locator('.field[data-path="settings.fieldMap"]');
  t.is(await map.locator('button.add-row').count(), 0, 'the relay\'s fields are the rows: none to add');
  t.is(await map.locator('tr[data-key="phone"] input').getAttribute('placeholder'), 'phone');
  t.is(await map.locator('tr[data-key="chatId"] input').getAttribute('placeholder'), 'chatId');
  t.is(await map.locator('tr[data-key="phone"] input').inputValue(), '', 'a default is shown, not filled in');
  await map.locator('tr[data-key="phone"] input').fill('client.phone');
  await save(form);
  await saved(page, chat.id);
  t.deepEqual((await options(w, account.id, chat.id)).settings.fieldMap, { phone: 'client.phone' });

  // Shown again as saved, the other rows still empty.
  const again = await edit(page, chat.id);
  t.is(await again.locator('.field[data-path="settings.fieldMap"] tr[data-key="phone"] input').inputValue(), 'client.phone');
  t.is(await again.locator('.field[data-path="settings.fieldMap"] tr[data-key="email"] input').inputValue(), '');
  t.deepEqual(errors, []);
});

test('a Viber webhook Viber refused shows its reason on the card, and Connect again sets it once Viber accepts', async (t) => {
  const { w, account, page, errors } = await setup(t);
  w.viber.refuseWebhooks({ status: 1, message: 'Result[HttpStatus=400] Invalid certificate' });
  const created = await w.relay.api('POST', `/api/accounts/${account.id}/channels`, { kind: 'viber', name: 'Second bot', settings: { authToken: w.viber.authToken, botName: 'acme2', apiUrl: w.viber.apiUrl } });
  t.is(created.status, 201, 'a refused webhook does not refuse the channel');
  t.like(created.body.connect, { ok: false });
  const id = created.body.id as string;
  await page.reload();
  const line = card(page, id).locator('.connect-state');
  await t.notThrowsAsync(line.waitFor());
  t.regex(await line.textContent() ?? '', /^Connecting failed: Viber set_webhook failed: status 1 Result\[HttpStatus=400\] Invalid certificate/);
  t.regex(await card(page, id).locator('.card-note').textContent() ?? '', /The relay sets the bot's webhook in Viber itself.*only https with a certificate from a public authority/);

  // Still refused: the card says so again, with the same reason.
  await connectAgain(page, id);
  await t.notThrowsAsync(card(page, id).locator('.connect-state.warning', { hasText: 'Invalid certificate' }).waitFor());

  w.viber.refuseWebhooks(null);
  await connectAgain(page, id);
  await t.notThrowsAsync(card(page, id).locator('.connect-state.ok', { hasText: /^Connected / }).waitFor());
  t.is(await card(page, id).locator('.connect-state.warning').count(), 0);
  const view = (await w.relay.api('GET', `/api/accounts/${account.id}/channels/${id}`)).body;
  t.like(view.connect, { ok: true });
  t.is(w.viber.webhookUrl, view.webhookUrl, 'Viber now calls this channel');

  // The call's status codes: no such channel, and a kind without a connect step, are refused as such.
  const chatra = channelOf(account, 'chatra');
  t.is((await w.relay.api('POST', `/api/accounts/${account.id}/channels/nope/connect`)).status, 404);
  t.is((await w.relay.api('POST', `/api/accounts/nope/channels/${id}/connect`)).status, 404);
  const none = await w.relay.api('POST', `/api/accounts/${account.id}/channels/${chatra.id}/connect`);
  t.is(none.status, 400);
  t.is(none.body.error, 'chatra channels have no connect step');
  t.deepEqual(errors, []);
});
