// What the API answers in English, shown in the page's language by its code, in Debian's Chromium
// in Ukrainian against the relay process, the Planfix simulator and every provider's fake:
// "Test connection" with bad Planfix tokens, a channel's check with a bad key, an activity line's
// reason and what a call skipped. The API itself keeps its English.
import test from 'ava';
import type { Browser } from 'playwright-core';
import { adminPage, fourChannelAccount, startWorld } from '../helpers/admin-world.ts';
import { launchChromium } from '../helpers/browser.ts';

let browser: Browser;
test.before(async () => { browser = await launchChromium(); });
test.after.always(async () => { await browser?.close(); });

const idle = (relayUrl: string, wait: <T>(fn: () => Promise<T | false>) => Promise<T>) =>
  wait(async () => ((await (await fetch(`${relayUrl}/healthz`)).json()) as { backlog: number }).backlog === 0);

test('Ukrainian: Test connection with bad tokens, a channel check and the activity, worded from their codes', async (t) => {
  const w = await startWorld();
  t.teardown(() => w.close());
  const account = await fourChannelAccount(w);
  const api = (method: string, path: string, body?: unknown) => w.relay.api(method, `/api/accounts/${account.id}${path}`, body);
  const wait = <T>(fn: () => Promise<T | false>) => w.pf.waitFor(fn);

  // A call while the account has no telephony token: delivered, and the activity says what it skipped.
  const calls = account.channels.find((c) => c.kind === 'ringostat')!;
  const callEnd = calls.webhookUrls!.find((u) => u.id === 'call_end')!.url;
  t.is((await w.relay.post(callEnd, JSON.stringify({ uniqueid: 'c-1', calldate: '2024-11-14T10:15:02+0200', call_type: 'in', caller: '380501112233', dst: '380443334455', disposition: 'ANSWERED', billsec: 12 }))).status, 200);
  await idle(w.relay.url, wait);

  // Then the Planfix tokens go bad, and a Chatra message becomes a dead letter for it.
  await api('PATCH', '', { planfix: { chatToken: 'wrong-token', restToken: 'wrong-rest-token' } });
  const chatra = account.channels.find((c) => c.kind === 'chatra')!;
  await w.relay.post(chatra.webhookUrl, JSON.stringify({ eventName: 'chatFragment', client: { id: 'v1' }, messages: [{ id: 'm1', type: 'client', message: 'Привіт' }] }));
  await wait(async () => ((await api('GET', '/dead-letters')).body as unknown[]).length === 1);
  await api('PATCH', `/channels/${chatra.id}`, { settings: { secretKey: 'wrong-secret' } });

  // The API keeps its English and adds the codes the page words.
  const checked = (await api('POST', '/check?only=chat')).body.chat;
  t.like(checked, { ok: false, code: 'chat_token_refused', message: 'Planfix refused the chat token.' });

  const { context, page, errors } = await adminPage(browser, w, { locale: 'uk-UA', width: 1100, height: 900, hash: account.id });
  t.teardown(() => context.close());
  await page.click('#test-planfix');
  const line = (part: string) => page.locator(`#check li[data-check="${part}"]`);
  await line('telephony').waitFor();
  t.is(await line('chat').innerText(), '✗ API для чатів: ПланФікс не прийняв токен для чатів.\n'
    + 'Що зробити: Скопіюйте токен із ПланФікса (Інтеграції → Чати → «API ПланФикса для чатов») у поле «Токен ПланФікса для чатів» у налаштуваннях акаунта.');
  t.regex(await line('rest').innerText(), /^✗ REST API: ПланФікс не прийняв REST-токен \(.+\)\.\nЩо зробити: Випустіть у ПланФіксі новий REST-токен/);
  const telephony = await line('telephony').innerText();
  t.regex(telephony, /^✗ Телефонія: Токена телефонії поки немає\.\nЩо зробити: Увімкніть у ПланФіксі «API ПланФикса для телефоний» з адресою АТС /);
  t.true(telephony.includes(`/planfix/${account.id}/telephony`), 'the PBX URL is filled in');
  t.notRegex(telephony.replace(/http:\S+/, ''), /[A-Za-z]{4,}/, 'no English words left but the URL');

  const card = page.locator(`article.channel[data-channel="${chatra.id}"]`);
  await card.locator('.actions button', { hasText: 'Перевірити' }).click();
  await t.notThrowsAsync(card.locator('li[data-code="keys_refused"]', { hasText: 'Chatra не прийняла ключі API (401).' }).waitFor());
  t.regex(await card.locator('li[data-code="keys_refused"] .fix').innerText(), /^Що зробити: Скопіюйте публічний і секретний ключі з Chatra/);

  const activity = page.locator('#activity table.activity');
  await t.notThrowsAsync(activity.locator('tr.dead td.reason .plain', { hasText: 'ПланФікс не прийняв токен: перевірте токени в налаштуваннях акаунта' }).waitFor());
  t.regex(await activity.locator('tr.dead td.reason code.raw').first().textContent() ?? '', /401/, 'the relay\'s own words under the details');
  await t.notThrowsAsync(activity.locator('tr.delivered td', { hasText: 'пропущено: телефонія ПланФікса (немає токена телефонії)' }).waitFor());
  t.deepEqual(errors, [], 'no script errors on the page');
});
