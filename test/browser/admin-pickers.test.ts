// Planfix objects picked on the admin page from the account's own lists, in Debian's Chromium
// against the relay process and the Planfix simulator: a task template, a contact template and an
// employee chosen and saved; employee rows offered their Planfix match, written only when the
// admin accepts; and where the REST token cannot list (no scope, no token), a line saying what to
// do, the id typed by hand and saved.
import test, { type ExecutionContext } from 'ava';
import type { Browser, Locator, Page } from 'playwright-core';
import { adminPage, fourChannelAccount, startWorld, type AdminWorld } from '../helpers/admin-world.ts';
import { launchChromium } from '../helpers/browser.ts';
import { sharedRelays } from '../helpers/relay-process.ts';
import type { PlanfixSimOptions } from '../sim/planfix.ts';
import { ALL_SCOPES } from '../sim/rest-scopes.ts';

let browser: Browser;
test.before(async () => { browser = await launchChromium(); });
test.after.always(async () => { await browser?.close(); });
// One relay for the file; each test's world has its own simulator, fakes and account on it.
const relayFor = sharedRelays((stop) => test.after.always(stop));

async function setup(t: ExecutionContext, locale: string, sim: PlanfixSimOptions = {}) {
  const w = await startWorld({}, sim, relayFor);
  t.teardown(() => w.close());
  w.pf.addEmployee({ email: 'ivan@acme.test', name: 'Ivan', lastName: 'Petrov' });
  w.pf.addEmployee({ email: 'olga@acme.test', name: 'Olga', lastName: 'Shevchenko' });
  const account = await fourChannelAccount(w);
  return { w, account, ...await open(t, w, locale, account.id) };
}

async function open(t: ExecutionContext, w: AdminWorld, locale: string, id: string) {
  const r = await adminPage(browser, w, { locale, width: 1280, height: 900, hash: id });
  t.teardown(() => r.context.close());
  await r.page.locator('article.channel').first().waitFor();
  return r;
}

const channelOf = (account: { channels: { id: string; kind: string }[] }, kind: string) => account.channels.find((c) => c.kind === kind)!;
const card = (page: Page, id: string) => page.locator(`article.channel[data-channel="${id}"]`);
const field = (scope: Locator, path: string) => scope.locator(`.field[data-path="${path}"]`);

async function edit(page: Page, id: string): Promise<Locator> {
  await card(page, id).locator('button.edit').click();
  const form = card(page, id).locator('form.edit-channel');
  await form.waitFor();
  return form;
}

/** The field brought into view: its list is read when it is first seen. */
async function shown(f: Locator): Promise<Locator> {
  await f.scrollIntoViewIfNeeded();
  return f;
}

async function addRow(table: Locator, cells: Record<string, string>): Promise<Locator> {
  const n = await table.locator('tbody tr.row').count();
  await table.locator('button.add-row').click();
  // By its place: `last()` would follow the rows added after it.
  const row = table.locator('tbody tr.row').nth(n);
  await row.scrollIntoViewIfNeeded();
  for (const [col, value] of Object.entries(cells)) await row.locator(`.cell[data-col="${col}"] input`).fill(value);
  return row;
}

const api = async (w: AdminWorld, path: string) => (await w.relay.api('GET', `/api/accounts/${path}`)).body;

test('a task template, a contact template and an employee chosen from Planfix\'s lists are saved; a suggested name is written only when accepted', async (t) => {
  const { w, account, page, errors } = await setup(t, 'en-US');
  const calls = channelOf(account, 'ringostat');
  const form = await edit(page, calls.id);

  const task = await shown(field(form, 'options.taskTemplateId'));
  await task.locator('select.picker').selectOption({ label: 'Звонок клиента (2)' });
  t.is(await task.locator('input').inputValue(), '2', 'the choice is the id the field holds');
  const contact = await shown(field(form, 'options.contactTemplateId'));
  await contact.locator('select.picker').selectOption({ label: 'Клиент (1)' });
  t.deepEqual(await contact.locator('select.picker option').allTextContents(), ['— choose from Planfix —', 'Клиент (1)']);

  // Typing stays possible: an id typed by hand shows its name in the list.
  await task.locator('input').fill('1');
  t.is(await task.locator('select.picker').inputValue(), '1');
  await task.locator('select.picker').selectOption({ label: 'Звонок клиента (2)' });

  // A row whose e-mail is a Planfix employee's: their name is offered, not written.
  const table = await shown(field(form, 'options.employees'));
  const row = await addRow(table, { id: '380671112233', ext: '101', email: 'olga@acme.test' });
  const hint = row.locator('.suggest');
  await t.notThrowsAsync(hint.waitFor());
  t.is(await hint.evaluate((el) => el.firstChild?.textContent), 'In Planfix: Olga Shevchenko, olga@acme.test');
  t.is(await row.locator('.cell[data-col="name"] input').inputValue(), '', 'nothing written before the admin accepts');
  await hint.locator('button', { hasText: 'Fill in' }).click();
  t.is(await row.locator('.cell[data-col="name"] input').inputValue(), 'Olga Shevchenko');
  t.is(await row.locator('.suggest').count(), 0, 'accepted: nothing left to offer');
  // The e-mail column offers the employees' e-mails.
  const list = await row.locator('.cell[data-col="email"] input').getAttribute('list');
  t.truthy(list);
  t.true((await page.locator(`datalist[id="${list}"] option`).evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value))).includes('ivan@acme.test'));

  await form.locator('button[type=submit]').click();
  await card(page, calls.id).locator('form.edit-channel').waitFor({ state: 'hidden' });
  t.like((await api(w, `${account.id}/channels/${calls.id}`)).options, {
    taskTemplateId: 2, contactTemplateId: 1,
    employees: [{ id: '380671112233', ext: '101', email: 'olga@acme.test', name: 'Olga Shevchenko' }],
  });

  // The employee alerts go to, chosen by name in the account's settings.
  const ivan = w.pf.employees.find((e) => e.email === 'ivan@acme.test')!;
  const alert = await shown(field(page.locator('#account-edit'), 'alerts.employeeId'));
  await alert.locator('select.picker').selectOption({ label: `Ivan Petrov (${ivan.id})` });
  await page.locator('#account-edit button[type=submit]').click();
  await w.pf.waitFor(async () => (await api(w, account.id)).alerts?.employeeId === ivan.id);
  t.deepEqual((await api(w, account.id)).alerts, { employeeId: ivan.id });
  t.deepEqual(errors, []);
});

test('Chatra: an agent e-mail that is an employee\'s offers their full name; a suggestion not accepted is not saved', async (t) => {
  const { w, account, page, errors } = await setup(t, 'ru-RU');
  const chat = channelOf(account, 'chatra');
  const form = await edit(page, chat.id);
  const table = await shown(field(form, 'options.employees'));
  const first = await addRow(table, { value: 'ivan@acme.test' });
  await t.notThrowsAsync(first.locator('.suggest', { hasText: 'В ПланФиксе: Ivan Petrov, ivan@acme.test' }).waitFor());
  // A name typed the other way round, with another agent's e-mail: Planfix's spelling is offered.
  const second = await addRow(table, { key: 'shevchenko  olga', value: 'agent-olga@chatra.test' });
  await t.notThrowsAsync(second.locator('.suggest', { hasText: 'Olga Shevchenko' }).waitFor());
  await first.locator('.suggest button', { hasText: 'Подставить' }).click();
  t.is(await first.locator('.cell[data-col="key"] input').inputValue(), 'Ivan Petrov');

  await form.locator('button[type=submit]').click();
  await card(page, chat.id).locator('form.edit-channel').waitFor({ state: 'hidden' });
  t.deepEqual((await api(w, `${account.id}/channels/${chat.id}`)).options.employees, {
    'Ivan Petrov': 'ivan@acme.test', 'shevchenko  olga': 'agent-olga@chatra.test',
  });
  t.deepEqual(errors, []);
});

test('a REST token without user_readonly: the employee fields say what to do in the page\'s language, and an id typed by hand is saved', async (t) => {
  const { w, account, page, errors } = await setup(t, 'ru-RU', { restScopes: ALL_SCOPES.filter((s) => s !== 'user_readonly') });
  const alert = await shown(field(page.locator('#account-edit'), 'alerts.employeeId'));
  await t.notThrowsAsync(alert.locator('.picker-note', {
    hasText: 'У REST-токена нет права user_readonly: добавьте его в ПланФиксе или введите ID вручную.',
  }).waitFor());
  t.is(await alert.locator('select.picker').count(), 0);
  await alert.locator('input').fill('2');
  // A save draws the account's page anew: the channel's Edit below is clicked on the new one (a
  // click on the old page, just before it goes, opened nothing).
  await page.locator('#account-edit').evaluate((el) => { el.dataset.before = 'save'; });
  await page.locator('#account-edit button[type=submit]').click();
  await w.pf.waitFor(async () => (await api(w, account.id)).alerts?.employeeId === 2);
  await page.locator('#account-edit:not([data-before])').waitFor();

  // One line for the whole table; the templates, which the token may read, are still listed.
  const calls = channelOf(account, 'ringostat');
  const form = await edit(page, calls.id);
  const table = await shown(field(form, 'options.employees'));
  await addRow(table, { id: '101', email: 'olga@acme.test' });
  await t.notThrowsAsync(table.locator('.picker-note', { hasText: 'нет права user_readonly' }).waitFor());
  t.is(await table.locator('.picker-note').count(), 1);
  t.is(await table.locator('.suggest').count(), 0);
  await t.notThrowsAsync((await shown(field(form, 'options.taskTemplateId'))).locator('select.picker option', { hasText: 'Звонок клиента (2)' }).waitFor({ state: 'attached' }));
  t.deepEqual(errors, []);
});

test('an account without a REST token: the pickers say to set one, or to type', async (t) => {
  const w = await startWorld({}, {}, relayFor);
  t.teardown(() => w.close());
  const created = await w.relay.api('POST', '/api/accounts', { name: 'No REST', planfix: { url: w.pf.origin, chatToken: 'pf-chat-token' } });
  const { page, errors } = await adminPage(browser, w, { locale: 'uk-UA', width: 1280, height: 900, hash: created.body.id });
  t.teardown(() => page.context().close());
  const alert = await shown(field(page.locator('#account-edit'), 'alerts.employeeId'));
  await t.notThrowsAsync(alert.locator('.picker-note', { hasText: 'Акаунт не має REST-токена ПланФікса' }).waitFor());
  t.regex(await alert.locator('.picker-note').textContent() ?? '', /або введіть ID вручну\.$/);
  t.deepEqual(w.pf.restCalls, [], 'Planfix was not asked');
  t.deepEqual(errors, []);
});

test('the task fields of visitor details: names offered from Planfix\'s task fields, one turned off stays off', async (t) => {
  const w = await startWorld({}, {}, relayFor);
  t.teardown(() => w.close());
  const account = await fourChannelAccount(w);
  t.is((await w.relay.api('PATCH', `/api/accounts/${account.id}`, { taskFields: { city: '', utm_source: 'Источник' } })).status, 200, 'some keys only');
  const { page, errors } = await open(t, w, 'en-US', account.id);
  const form = page.locator('#account-edit');
  await form.locator('details.advanced summary').first().click();
  const table = await shown(field(form, 'taskFields'));
  t.is(await table.locator('tr[data-key="utm_source"] input').inputValue(), 'Источник');
  t.is(await table.locator('tr[data-key="city"] th').textContent(), 'City');
  t.is(await table.locator('tr[data-key="city"] input').getAttribute('placeholder'), 'not written');
  t.is(await table.locator('tr[data-key="ip"] input').getAttribute('placeholder'), 'ip', 'the default name is shown, not filled in');
  const medium = table.locator('tr[data-key="utm_medium"] input');
  await t.notThrowsAsync(page.waitForFunction((el) => !!el?.getAttribute('list'), await medium.elementHandle()));
  const names = await page.locator(`datalist[id="${await medium.getAttribute('list')}"] option`).evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
  t.deepEqual(names, ['utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content']);
  await medium.fill('utm_medium');
  await form.locator('button[type=submit]').click();
  await w.pf.waitFor(async () => (await api(w, account.id)).taskFields?.utm_medium === 'utm_medium');
  t.deepEqual((await api(w, account.id)).taskFields, { city: '', utm_source: 'Источник', utm_medium: 'utm_medium' });
  t.deepEqual(errors, []);
});
