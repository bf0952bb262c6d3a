// Rotating from the admin page in Debian's Chromium, in Russian, against the relay process, the
// Planfix simulator and every provider's fake: each button asks first in the page's language
// saying what stops working until the new value is pasted (for Viber: nothing), changes nothing
// when the admin says no, and shows the new URL, token or link with its Copy button.
import test from 'ava';
import type { Browser, Locator, Page } from 'playwright-core';
import { adminPage, fourChannelAccount, startWorld } from '../helpers/admin-world.ts';
import { launchChromium } from '../helpers/browser.ts';

let browser: Browser;
test.before(async () => { browser = await launchChromium(); });
test.after.always(async () => { await browser?.close(); });

/** Clicks a rotate button, answers its confirmation, and gives what it asked. */
async function rotate(page: Page, button: Locator, accept: boolean): Promise<string> {
  const asked = new Promise<string>((resolve) => page.once('dialog', (d) => {
    resolve(d.message());
    void (accept ? d.accept() : d.dismiss());
  }));
  await button.click();
  return asked;
}

const chatraSays = (id: string, message: string) => JSON.stringify({ eventName: 'chatFragment', client: { id: 'v1' }, messages: [{ id, type: 'client', message }] });

test('Russian: a channel\'s new webhook URL, Viber registered again by the relay, new Planfix and widget keys', async (t) => {
  const w = await startWorld();
  t.teardown(() => w.close());
  const account = await fourChannelAccount(w);
  const chatra = account.channels.find((c) => c.kind === 'chatra')!;
  const viber = account.channels.find((c) => c.kind === 'viber')!;
  const { context, page, errors } = await adminPage(browser, w, { locale: 'ru-RU', width: 1100, height: 900, hash: account.id });
  t.teardown(() => context.close());
  const card = (id: string) => page.locator(`article.channel[data-channel="${id}"]`);
  const apiChannel = async (id: string) => (await w.relay.api('GET', `/api/accounts/${account.id}/channels/${id}`)).body;

  // Chatra: the admin pastes the URL there, so the question says what stops until then; "no" changes nothing.
  const chatraButton = card(chatra.id).locator('button[data-rotate="channel"]');
  t.is(await chatraButton.textContent(), 'Новый адрес…');
  const asked = await rotate(page, chatraButton, false);
  t.regex(asked, /^Выдать каналу «Site chat» новый адрес вебхука\?/);
  t.regex(asked, /пока вы не вставите новый в настройки вебхуков в Chatra, релей будет отклонять всё, что присылает Chatra/);
  t.regex(asked, /То, что уже пришло, будет доставлено\./);
  t.is((await apiChannel(chatra.id)).webhookUrl, chatra.webhookUrl, 'nothing rotated when the admin says no');

  await rotate(page, chatraButton, true);
  const note = card(chatra.id).locator('p.rotated');
  await t.notThrowsAsync(note.waitFor());
  t.is(await note.textContent(), 'У канала новый адрес вебхука: скопируйте его в настройки вебхуков в Chatra. Старый адрес больше не работает.');
  const fresh = (await apiChannel(chatra.id)).webhookUrl as string;
  t.not(fresh, chatra.webhookUrl);
  t.is(await card(chatra.id).locator('.copy-value').first().textContent(), fresh, 'the card shows the new URL');
  await card(chatra.id).locator('button.copy').first().click();
  t.is(await page.evaluate(() => navigator.clipboard.readText()), fresh, 'its Copy button copies the new URL');
  t.is((await w.relay.post(chatra.webhookUrl, chatraSays('m1', 'old'))).status, 404);
  t.is((await w.relay.post(fresh, chatraSays('m2', 'Добрый день'))).status, 200);
  await w.pf.waitFor(() => w.pf.tasks.find((x) => x.comments.some((c) => c.text.startsWith('Добрый день'))));

  // Ringostat: four URLs share the channel's secret, and all four are new.
  const calls = account.channels.find((c) => c.kind === 'ringostat')!;
  const callsAsked = await rotate(page, card(calls.id).locator('button[data-rotate="channel"]'), true);
  t.regex(callsAsked, /^Выдать каналу «Calls» новые адреса вебхуков\?\n\nВсе нынешние адреса сразу перестанут работать/);
  await t.notThrowsAsync(card(calls.id).locator('p.rotated', { hasText: 'У канала новые адреса вебхуков: скопируйте каждый в настройки вебхуков в Ringostat.' }).waitFor());
  const callUrls = ((await apiChannel(calls.id)).webhookUrls as { url: string }[]).map((u) => u.url);
  t.deepEqual(await card(calls.id).locator('.copy-value').allTextContents(), callUrls);
  t.false(callUrls.some((u) => calls.webhookUrls!.some((old) => old.url === u)), 'none of the four is the old one');

  // Viber: the relay registers the new URL with Viber itself, and the question says nothing breaks.
  const viberAsked = await rotate(page, card(viber.id).locator('button[data-rotate="channel"]'), true);
  t.regex(viberAsked, /Релей сам передаст новый адрес в Viber: вставлять ничего не нужно, и ничего не перестанет работать\./);
  await t.notThrowsAsync(card(viber.id).locator('p.rotated', { hasText: 'У канала новый адрес вебхука, и Viber его принял от релея.' }).waitFor());
  const viberUrl = (await apiChannel(viber.id)).webhookUrl as string;
  t.not(viberUrl, viber.webhookUrl);
  t.is(w.viber.webhookUrl, viberUrl, 'Viber has the new URL');
  t.is(await card(viber.id).locator('.copy-value').first().textContent(), viberUrl);

  // The Planfix chat key: replies are refused until it is pasted into Planfix.
  const chatRow = page.locator('[data-rotatable="planfixChat"]');
  const chatAsked = await rotate(page, chatRow.locator('button.rotate'), true);
  t.regex(chatAsked, /^Выдать новый ключ \(токен\) для чатов ПланФикса\?/);
  t.regex(chatAsked, /ответы сотрудников не дойдут до клиентов/);
  await t.notThrowsAsync(chatRow.locator('p.rotated', { hasText: 'Ключ выше — новый' }).waitFor());
  const connect = (await w.relay.api('GET', `/api/accounts/${account.id}`)).body.connect;
  t.is(await chatRow.locator('.copy-value').textContent(), connect.planfixChat.token);
  await chatRow.locator('button.copy').click();
  t.is(await page.evaluate(() => navigator.clipboard.readText()), connect.planfixChat.token);

  // The widget: every employee installs the script again.
  const widgetRow = page.locator('[data-rotatable="widget"]');
  const before = await widgetRow.locator('.copy-value').textContent();
  t.is(await widgetRow.locator('button.rotate').textContent(), 'Новый ключ…');
  const widgetAsked = await rotate(page, widgetRow.locator('button.rotate'), true);
  t.regex(widgetAsked, /Виджет в задачах перестанет работать у всех сотрудников, пока каждый не установит скрипт заново по новой ссылке\./);
  await t.notThrowsAsync(widgetRow.locator('p.rotated', { hasText: 'Ссылка выше — новая' }).waitFor());
  const widget = (await w.relay.api('GET', `/api/accounts/${account.id}`)).body.widget;
  t.not(widget.userscriptUrl, before);
  t.is(await widgetRow.locator('.copy-value').textContent(), widget.userscriptUrl);
  t.is((await fetch(before!.replace(/^http:\/\/[^/]+/, w.relay.url))).status, 401, 'the old install link is refused');
  t.deepEqual(errors, [], 'no script errors on the page');
});
