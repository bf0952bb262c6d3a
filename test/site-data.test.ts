// A website's own data about its visitor (Chatra `client.info`, setIntegrationData):
// relay/channels/site-data.ts and how the Chatra adapter uses it.
import test from 'ava';
import fc from 'fast-check';
import { chatra } from '../relay/channels/chatra/adapter.ts';
import { readSiteData, SITE_DATA_LIMITS } from '../relay/channels/site-data.ts';
import type { ChannelConfig } from '../relay/core/account.ts';
import type { MessageEvent } from '../relay/core/events.ts';
import { visitSummary } from '../relay/core/summary.ts';

const channel: ChannelConfig = {
  id: 'ch1', kind: 'chatra', name: 'Shop chat', secret: 's', settings: { publicKey: 'pk', secretKey: 'sk' }, options: {}, createdAt: '2024-01-01T00:00:00Z',
};

function parse(client: Record<string, unknown>): MessageEvent {
  const body = { eventName: 'chatStarted', client: { id: 'v1', displayedName: 'Pumpkin Ninja', ...client }, messages: [{ id: 'm1', type: 'client', message: 'hi' }], agents: [] };
  const ev = chatra.parse({ raw: Buffer.from(JSON.stringify(body)), contentType: 'application/json', headers: {}, query: {} }, channel).events[0];
  if (ev?.kind !== 'message') throw new Error('no message');
  return ev;
}

test('info fills the name, e-mail and phone the visitor did not give; UTM of any spelling goes to the visit', (t) => {
  const m = parse({ info: { Name: 'Olga Petrenko', EMAIL: 'Olga@Example.com', 'Phone Number': '+380 50 111-22-33', UTM_SOURCE: 'google', 'utm-medium': 'cpc', utmCampaign: 'spring', orderId: 'A-1001' } });
  t.like(m.customer, { name: 'Olga Petrenko', email: 'olga@example.com', phone: '+380 50 111-22-33', displayName: 'Pumpkin Ninja' });
  t.deepEqual(m.visit?.utm, { utm_source: 'google', utm_medium: 'cpc', utm_campaign: 'spring' });
  t.deepEqual(m.visit?.siteData, { orderId: 'A-1001' });
});

test('what the visitor gave wins; a different value from the site is shown, an equal one is not', (t) => {
  const m = parse({ name: 'Olga', email: 'olga@example.com', info: { email: 'OLGA@example.com', phone: '050 999 88 77', name: 'Olga P.', userId: 42 } });
  t.like(m.customer, { name: 'Olga', email: 'olga@example.com' });
  t.is(m.customer.phone, '050 999 88 77', 'no phone given: the site\'s fills it');
  t.deepEqual(m.visit?.siteData, { name: 'Olga P.', userId: '42' });
});

test('an e-mail or phone that does not look like one is not used, but shown', (t) => {
  const m = parse({ email: undefined, info: { email: 'not an e-mail', phone: 'call me maybe' } });
  t.is(m.customer.email, undefined);
  t.is(m.customer.phone, undefined);
  t.deepEqual(m.visit?.siteData, { email: 'not an e-mail', phone: 'call me maybe' });
});

test('utm in an object and first/last names; basicInfo and integrationData are read too', (t) => {
  const m = parse({ info: { utm: { source: 'newsletter', Medium: 'email' } }, integrationData: { first_name: 'Taras', LastName: 'Shevchuk', plan: 'gold' }, basicInfo: { email: 'taras@example.com' } });
  t.deepEqual(m.visit?.utm, { utm_source: 'newsletter', utm_medium: 'email' });
  t.like(m.customer, { name: 'Taras Shevchuk', email: 'taras@example.com' });
  t.deepEqual(m.visit?.siteData, { plan: 'gold' });
});

test('nested values are flattened, lists joined, deeper ones elided; everything is bounded', (t) => {
  const long = 'x'.repeat(5000);
  const deep: Record<string, unknown> = {};
  let cur = deep;
  for (let i = 0; i < 5000; i++) cur = (cur.next = {}) as Record<string, unknown>;
  const many = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`key${i}`, i]));
  const site = readSiteData({
    info: {
      order: { id: 'A-1', total: 120.5, items: ['kettle', 'cup'], customer: { address: { city: 'Kyiv' } } },
      [long]: long, 'multi\nline': 'a\u2028b\r\nc', deep, empty: '', nothing: null, flag: true, __proto__x: 1,
    },
    integrationData: many,
  }, {});
  const shown = site.shown!;
  t.is(shown['order.id'], 'A-1');
  t.is(shown['order.total'], '120.5');
  t.is(shown['order.items'], 'kettle, cup');
  t.is(shown['order.customer.address'], '{…}');
  t.is(shown['multi line'], 'a b c', 'no line breaks to fake summary lines with');
  t.is(shown['deep.next.next'], '{…}', 'a deep object is cut, not walked');
  t.is(shown.flag, 'true');
  t.false('empty' in shown);
  t.false('nothing' in shown);
  const keys = Object.keys(shown);
  t.true(keys.length <= SITE_DATA_LIMITS.keys);
  t.true(keys.every((k) => k.length <= SITE_DATA_LIMITS.keyLength));
  t.true(Object.values(shown).every((v) => v.length <= SITE_DATA_LIMITS.valueLength));
  t.is(Object.getPrototypeOf(shown), Object.prototype);
});

test('a hostile __proto__ key changes no prototype', (t) => {
  const m = parse({ info: JSON.parse('{"__proto__": {"polluted": "yes"}, "a": "1"}') });
  t.deepEqual(m.visit?.siteData, { a: '1' });
  t.is(({} as Record<string, unknown>).polluted, undefined);
});

test('the first message of a task lists the site data', (t) => {
  const m = parse({ info: { orderId: 'A-1001', cart: { items: 3 } } });
  t.regex(visitSummary(m.visit, 'Chatra', { language: 'en', timeZone: 'UTC' }), /\nSite data:\n {2}• orderId: A-1001\n {2}• cart\.items: 3/);
});

test('any JSON in info stays within the bounds and never throws', (t) => {
  fc.assert(fc.property(fc.dictionary(fc.string(), fc.jsonValue()), fc.option(fc.jsonValue()), (info, integrationData) => {
    const site = readSiteData({ info, integrationData }, {});
    const shown = Object.entries(site.shown ?? {});
    return shown.length <= SITE_DATA_LIMITS.keys
      && shown.every(([k, v]) => k.length > 0 && k.length <= SITE_DATA_LIMITS.keyLength && v.length <= SITE_DATA_LIMITS.valueLength && !/[\n\r\u2028\u2029]/.test(k + v));
  }), { numRuns: 300 });
  t.pass();
});
