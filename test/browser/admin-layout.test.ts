// The admin page's layout in Debian's Chromium: from a 360 px phone to a 1280 px desktop nothing is
// wider than the screen (the page never scrolls sideways), every Copy button is wholly on screen,
// the activity table scrolls inside its card, and on a desktop labels sit beside their fields.
import test from 'ava';
import type { Browser, Page } from 'playwright-core';
import { adminPage, fourChannelAccount, startWorld } from '../helpers/admin-world.ts';
import { launchChromium } from '../helpers/browser.ts';
import { sharedRelays } from '../helpers/relay-process.ts';

let browser: Browser;
test.before(async () => { browser = await launchChromium(); });
test.after.always(async () => { await browser?.close(); });
// One relay for the file; each test's world has its own simulator, fakes and account on it.
const relayFor = sharedRelays((stop) => test.after.always(stop));

/** What sticks out: the page's scroll width beyond the window, and Copy buttons not wholly inside it. */
async function overflow(page: Page) {
  return page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth,
    copyButtons: document.querySelectorAll('button.copy').length,
    copyOutside: [...document.querySelectorAll('button.copy')].map((b) => b.getBoundingClientRect())
      .filter((r) => r.left < 0 || r.right > innerWidth || r.width === 0).length,
  }));
}

for (const [width, height] of [[360, 740], [1280, 900]] as const) {
  test(`at ${width}×${height} the accounts list and an account with all four channels fit the screen, Copy buttons included`, async (t) => {
    const w = await startWorld({}, {}, relayFor);
    t.teardown(() => w.close());
    const account = await fourChannelAccount(w, 'Интернет-магазин «Чайники и кофеварки» — Киев, Харьков, Львов');
    // Traffic for the activity table, whose columns are wider than a phone.
    const chat = account.channels.find((c) => c.kind === 'chatra')!;
    await w.relay.post(chat.webhookUrl, JSON.stringify({ eventName: 'chatFragment', client: { id: 'v1', name: 'Olena' }, messages: [{ id: 'm1', type: 'client', message: 'Is the blue 1.7 l kettle with the long name https://shop.example.com/kettles/blue-1-7-litre in stock?' }] }));
    await w.pf.waitFor(() => w.pf.tasks[0]);

    const { context, page, errors } = await adminPage(browser, w, { locale: 'uk-UA', width, height });
    t.teardown(() => context.close());
    await page.locator('ul.accounts').waitFor();
    const list = await overflow(page);
    t.true(list.scrollWidth <= list.innerWidth, `accounts list: ${JSON.stringify(list)}`);

    // The other size's account is listed too: this test's is opened.
    await page.locator(`ul.accounts a[href="#${account.id}"]`).click();
    await page.locator('#activity tr.delivered').waitFor({ timeout: 15_000 });
    // Every form open, so its fields are measured too.
    for (const edit of await page.locator('article.channel button.edit').all()) await edit.click();
    for (const d of await page.locator('details.advanced').all()) await d.evaluate((el) => { (el as HTMLDetailsElement).open = true; });
    const shown = await overflow(page);
    t.true(shown.scrollWidth <= shown.innerWidth, `account page: ${JSON.stringify(shown)}`);
    // Connect Planfix 6, Chatra 1, Viber 2 (with its deep link), Verbox 1, Ringostat 4.
    t.is(shown.copyButtons, 14);
    t.is(shown.copyOutside, 0, 'every Copy button is wholly on screen');

    const table = await page.locator('#activity .table-scroll').evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth, right: el.getBoundingClientRect().right }));
    t.true(table.right <= width, 'the table\'s box ends inside the screen');
    if (width < 600) t.true(table.scroll > table.client, 'on a phone the table scrolls inside its card');

    // A desktop puts labels beside their fields; a phone above them.
    const label = await page.locator('#account-edit .field[data-path="planfix.url"] label').boundingBox();
    const input = await page.locator('#account-edit .field[data-path="planfix.url"] input').boundingBox();
    if (width >= 1000) t.true(label!.x + label!.width <= input!.x && Math.abs(label!.y - input!.y) < 20, 'label beside its input');
    else t.true(label!.y + label!.height <= input!.y + 1, 'label above its input');
    t.deepEqual(errors, []);
  });
}
