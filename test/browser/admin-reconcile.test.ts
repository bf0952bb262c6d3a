// Reconciliation on the admin page, in Debian's Chromium against the relay process: the Ringostat
// card says when the call log was last read, for which span, what it found and recovered, or why
// it failed, in Russian, Ukrainian and English; the activity marks the recovered call.
import test from 'ava';
import type { Browser, Page } from 'playwright-core';
import { adminPage, startWorld } from '../helpers/admin-world.ts';
import { launchChromium } from '../helpers/browser.ts';

let browser: Browser;
test.before(async () => { browser = await launchChromium(); });
test.after.always(async () => { await browser?.close(); });

interface Last { at: string; from?: string; to?: string; found: number; recovered: number; error?: string }

test('the Ringostat card shows the last reconciliation in the page\'s language, and its error once the key is refused; the activity marks the recovered call', async (t) => {
  const w = await startWorld({ RELAY_RECONCILE_MINUTES: '0.05' });
  t.teardown(() => w.close());
  const api = async (method: string, path: string, body?: unknown) => (await w.relay.api(method, path, body)).body;
  const account = await api('POST', '/api/accounts', { name: 'Acme', defaultCountry: 'UA', timeZone: 'Europe/Kyiv', planfix: { url: w.pf.origin, chatToken: 'pf-chat-token', telephonyToken: 'pf-tel-token' } });
  const channel = await api('POST', `/api/accounts/${account.id}/channels`, { kind: 'ringostat', name: 'Calls', settings: { authKey: w.ringostat.authKey, projectId: '12345', apiUrl: w.ringostat.apiUrl } });
  w.ringostat.logCall({ uniqueid: 'c-1', at: Date.now(), caller: '380501112233' });
  const last = async () => (await api('GET', `/api/accounts/${account.id}/channels/${channel.id}`)).recovery.last as Last | undefined;
  await w.pf.waitFor(async () => (await last())?.recovered === 1, 20_000);

  const { page, errors } = await adminPage(browser, w, { locale: 'ru-RU', width: 1280, height: 900, hash: account.id });
  const line = page.locator(`article.channel[data-channel="${channel.id}"] p.recovery`);
  /** The card's line as drawn, with the run it is about: the page read again until no run ended meanwhile. */
  const drawn = async (p: Page): Promise<{ text: string; run: Last }> => {
    for (;;) {
      const before = await last();
      await p.reload();
      const text = (await line.textContent()) ?? '';
      if (before && (await last())?.at === before.at) return { text, run: before };
    }
  };
  const ru = await drawn(page);
  t.regex(ru.text, /^Последняя сверка с журналом Ringostat: .+, период с .+ по .+: найдено \d+, восстановлено \d+\. Сверка каждые 3 с\.$/);
  t.true(ru.text.includes(`найдено ${ru.run.found}, восстановлено ${ru.run.recovered}.`), ru.text);
  const row = page.locator('table.activity tr.recovered');
  await row.first().waitFor();
  t.is(await row.count(), 1);
  t.regex((await row.first().textContent()) ?? '', /доставлено · восстановлено из журнала/);

  /** The line once the page is redrawn in another language (it starts with these words). */
  const lineIn = async (start: string) => {
    await line.filter({ hasText: start }).waitFor();
    return (await line.textContent()) ?? '';
  };
  await page.selectOption('#language', 'uk');
  t.regex(await lineIn('Остання звірка'), /^Остання звірка з журналом Ringostat: .+, період з .+ до .+: знайдено \d+, відновлено \d+\. Звірка кожні 3 с\.$/);
  t.regex((await row.first().textContent()) ?? '', /відновлено з журналу/);
  await page.selectOption('#language', 'en');
  t.regex(await lineIn('Last reconciliation'), /^Last reconciliation with the Ringostat log: .+, for .+ to .+: found \d+, recovered \d+\. It runs every 3 s\.$/);
  t.regex((await row.first().textContent()) ?? '', /recovered from the log/);

  await api('PATCH', `/api/accounts/${account.id}/channels/${channel.id}`, { settings: { authKey: 'a-wrong-key-0123456789' } });
  await w.pf.waitFor(async () => (await last())?.error, 20_000);
  await page.selectOption('#language', 'ru');
  await page.reload();
  t.true(await line.evaluate((el) => el.classList.contains('warning')));
  t.regex(await lineIn('Сверка с журналом'), /^Сверка с журналом Ringostat .+ не удалась: Ringostat refused the Auth-key \(401.*\. Следующая сверка прочитает этот период снова\.$/);
  t.false(((await line.textContent()) ?? '').includes('a-wrong-key-0123456789'));

  await api('PATCH', `/api/accounts/${account.id}/channels/${channel.id}`, { settings: { reconcile: false } });
  await page.reload();
  t.is(await lineIn('выключена'), 'Сверка с журналом Ringostat выключена в настройках канала.');
  t.deepEqual(errors, []);
});
