// The widget metadata's merge rules (relay/store/records.ts): the relay's, whatever engine keeps
// the result. Moved here from the JSON-lines state tests.
import test from 'ava';
import type { Page, Visit } from '../relay/core/events.ts';
import { mergeMeta, visitOf, type WidgetMeta } from '../relay/store/records.ts';

const P2 = '+380671234567';

function emptyMeta(): WidgetMeta {
  return { channel: { id: 'ch1', kind: 'chatra', name: 'Shop chat' }, customer: {}, visitor: {}, pages: [], utm: {} };
}

test('mergeMeta: details replace, empty values never erase, UTM is never emptied', (t) => {
  const first = mergeMeta(emptyMeta(), {
    city: 'Kyiv', browser: 'Chrome 120', referrer: 'https://www.google.com/', landing: 'https://shop.example.com/?utm_source=google',
    utm: { utm_source: 'google', utm_medium: 'cpc' },
  }, { name: 'Olga', email: undefined });
  t.deepEqual(first.utm, { utm_source: 'google', utm_medium: 'cpc' });
  t.is(first.visitor.city, 'Kyiv');
  t.is(first.customer.name, 'Olga');

  // A later visit without UTM, with an empty UTM value, and a new city and browser.
  const second = mergeMeta(first, { city: 'Lviv', browser: '', utm: { utm_source: '', utm_campaign: 'spring' } }, { name: '', phone: P2 });
  t.deepEqual(second.utm, { utm_source: 'google', utm_medium: 'cpc', utm_campaign: 'spring' });
  t.is(second.visitor.city, 'Lviv');
  t.is(second.visitor.browser, 'Chrome 120');
  t.is(second.referrer, 'https://www.google.com/');
  t.deepEqual(second.customer, { name: 'Olga', phone: P2 });

  const third = mergeMeta(second, undefined, {});
  t.deepEqual(third.utm, second.utm);
  const fourth = mergeMeta(second, { utm: { utm_source: 'yandex' } }, {});
  t.is(fourth.utm.utm_source, 'yandex', 'a new non-empty value replaces the old one');
  // The input is not changed.
  t.deepEqual(first.utm, { utm_source: 'google', utm_medium: 'cpc' });
});

test('visitOf gives back the visit mergeMeta stored, the site data too', (t) => {
  // A message that opens a task without carrying the visit (core/bounds.ts puts it on one event of
  // a webhook) gets its summary from here: what is left out here is missing from that task.
  const visit: Visit = {
    city: 'Kyiv', country: 'Ukraine', ip: '203.0.113.7', browser: 'Chrome 120', os: 'Windows 10', device: 'PC',
    referrer: 'https://www.google.com/', landing: 'https://shop.example.com/', dashboardUrl: 'https://app.chatra.io/chat/1', context: 'promo',
    utm: { utm_source: 'google' }, pages: [{ url: 'https://shop.example.com/', title: 'Home' }], siteData: { orderId: '1042' },
  };
  t.deepEqual(visitOf(mergeMeta(emptyMeta(), visit, {})), visit);
});

test('mergeMeta: pages accumulate without duplicates', (t) => {
  const pages: Page[] = [{ url: 'https://shop.example.com/', at: 1000 }, { url: 'https://shop.example.com/p/42', title: 'Kettle', at: 2000 }];
  const a = mergeMeta(emptyMeta(), { pages }, {});
  t.deepEqual(a.pages, pages);
  // Every webhook of the chat repeats the same list: nothing is added twice.
  const b = mergeMeta(a, { pages }, {});
  t.deepEqual(b.pages, pages);
  // The same URL at another time is another visit to it.
  const c = mergeMeta(b, { pages: [...pages, { url: 'https://shop.example.com/', at: 3000 }] }, {});
  t.deepEqual(c.pages.map((p) => p.at), [1000, 2000, 3000]);
});

test('mergeMeta: pages are capped at the latest 100', (t) => {
  let meta = emptyMeta();
  for (let batch = 0; batch < 3; batch++) {
    const pages = Array.from({ length: 60 }, (_, i) => ({ url: `https://shop.example.com/p/${batch * 60 + i}`, at: batch * 60 + i }));
    meta = mergeMeta(meta, { pages }, {});
  }
  t.is(meta.pages.length, 100);
  t.is(meta.pages[0]!.url, 'https://shop.example.com/p/80');
  t.is(meta.pages[99]!.url, 'https://shop.example.com/p/179');
});

test('site data: the latest values win, keys the site stopped sending stay, the total is capped', (t) => {
  let meta = mergeMeta(emptyMeta(), { siteData: { orderId: 'A-1', plan: 'gold' } }, {});
  meta = mergeMeta(meta, { siteData: { orderId: 'A-2' } }, {});
  t.deepEqual(meta.siteData, { plan: 'gold', orderId: 'A-2' });
  meta = mergeMeta(meta, { siteData: Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`k${i}`, String(i)])) }, {});
  t.is(Object.keys(meta.siteData!).length, 20);
  t.is(meta.siteData!.k29, '29');
  t.is(meta.siteData!.plan, undefined, 'the oldest go first');
  t.is(mergeMeta(meta, {}, {}).siteData, meta.siteData);
});
