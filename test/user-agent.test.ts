import test from 'ava';
import { chatra } from '../relay/channels/chatra/adapter.ts';
import type { ChannelConfig } from '../relay/core/account.ts';
import { looksLikeUserAgent, parseUserAgent } from '../relay/core/user-agent.ts';

const WINDOWS_CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';
const IPHONE_SAFARI = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1';
const ANDROID_CHROME = 'Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.144 Mobile Safari/537.36';

test('user-agent strings become browser, OS and device', (t) => {
  t.deepEqual(parseUserAgent(WINDOWS_CHROME), { browser: 'Chrome 120', os: 'Windows 10', device: 'Desktop' });
  t.deepEqual(parseUserAgent(IPHONE_SAFARI), { browser: 'Safari 17', os: 'iOS 17.2', device: 'Mobile, Apple iPhone' });
  t.deepEqual(parseUserAgent(ANDROID_CHROME), { browser: 'Chrome 120', os: 'Android 14', device: 'Mobile' });
});

test('junk, empty and oversized user agents give nothing rather than throwing', (t) => {
  t.deepEqual(parseUserAgent(''), {});
  t.deepEqual(parseUserAgent(undefined), {});
  t.deepEqual(parseUserAgent('garbage'), {});
  t.deepEqual(parseUserAgent(`Mozilla/5.0 ${'x'.repeat(5000)}`), {});
});

test('a browser name is told apart from a whole user-agent header', (t) => {
  t.true(looksLikeUserAgent(WINDOWS_CHROME));
  t.false(looksLikeUserAgent('Chrome 120'));
  t.false(looksLikeUserAgent(undefined));
});

const channel: ChannelConfig = { id: 'ch1', kind: 'chatra', name: 'Site', secret: 's', settings: {}, options: {}, createdAt: '' };
const visitOf = (client: Record<string, unknown>) => {
  const raw = Buffer.from(JSON.stringify({ eventName: 'chatStarted', client: { id: 'c1', ...client }, messages: [{ id: 'm1', message: 'hi' }] }));
  const event = chatra.parse({ raw, contentType: 'application/json', headers: {}, query: {} }, channel).events[0]!;
  return 'visit' in event ? event.visit ?? {} : {};
};

test('Chatra: a raw userAgent fills browser, OS and device; named values win', (t) => {
  const v = visitOf({ userAgent: IPHONE_SAFARI });
  t.like(v, { browser: 'Safari 17', os: 'iOS 17.2', device: 'Mobile, Apple iPhone' });
  t.like(visitOf({ ua: WINDOWS_CHROME, browser: 'Edge 119', device: 'PC' }), { browser: 'Edge 119', os: 'Windows 10', device: 'PC' });
  // A whole header passed as the browser is parsed, not shown as it is.
  t.like(visitOf({ browser: ANDROID_CHROME }), { browser: 'Chrome 120', os: 'Android 14' });
});
