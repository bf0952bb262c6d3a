import { mkdir } from 'node:fs/promises';
import type { Browser } from 'playwright-core';
import { adminPage, fourChannelAccount, startWorld } from '../test/helpers/admin-world.ts';
import { launchChromium } from '../test/helpers/browser.ts';

// The admin page's pictures in docs/screenshots/: an account with a channel of each kind, in each
// language at 1280 px and in Russian at 360 px. Run after a build:
//   npx tsx scripts/build.ts && npx tsx scripts/screenshots.ts

const OUT = 'docs/screenshots';

// The phone book mirror on, as a relay runs it, looking at the accounts every 1.2 s; a few contacts to read.
const world = await startWorld({ RELAY_PHONE_BOOK: 'on', RELAY_PHONE_BOOK_CHANGES_MIN: '0.02' });
for (let i = 0; i < 40; i++) world.pf.addContact({ name: `Client ${i}`, phones: [`+380 67 ${String(2000000 + i).slice(0, 3)} ${String(2000000 + i).slice(3)}`] });
let browser: Browser | undefined;
try {
  const account = await fourChannelAccount(world);
  // Some traffic, so the activity table has rows.
  const chat = account.channels.find((c) => c.kind === 'chatra')!;
  const calls = account.channels.find((c) => c.kind === 'ringostat')!;
  await world.relay.post(chat.webhookUrl, JSON.stringify({ eventName: 'chatFragment', client: { id: 'v1', name: 'Olena' }, messages: [{ id: 'm1', type: 'client', message: 'Is the blue kettle in stock?' }] }));
  await world.relay.post(`${calls.webhookUrl}?event=call_end`, JSON.stringify({ uniqueid: 'c-1', caller: '380501112233', disposition: 'ANSWERED', billsec: 42 }));
  await world.pf.waitFor(() => world.pf.tasks.length >= 1, 20_000);
  await world.pf.waitFor(async () => !!(await world.relay.api('GET', `/api/accounts/${account.id}/phone-book`)).body.syncedAt, 20_000);

  browser = await launchChromium();
  await mkdir(OUT, { recursive: true });
  const shots: [string, string, number][] = [['ru-RU', 'admin-ru.png', 1280], ['uk-UA', 'admin-uk.png', 1280], ['en-US', 'admin-en.png', 1280], ['ru-RU', 'admin-ru-360.png', 360]];
  for (const [locale, file, width] of shots) {
    const { context, page } = await adminPage(browser, world, { locale, width, height: width > 400 ? 900 : 740, hash: account.id });
    await page.locator('#activity tr.delivered').first().waitFor({ timeout: 20_000 });
    await page.screenshot({ path: `${OUT}/${file}`, fullPage: true });
    await context.close();
    console.log(`wrote ${OUT}/${file}`);
  }
} finally {
  await browser?.close();
  await world.close();
}
