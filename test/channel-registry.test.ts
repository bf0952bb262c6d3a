// What the channels declare reaches the parts of the relay that must know it without a list of
// their own: log redaction, the outbound policy, the widget's titles.
import test from 'ava';
import { adapters, providerHosts, register, secretFields } from '../relay/channels/index.ts';
import { pino } from 'pino';
import { loggerOptions } from '../relay/log.ts';
import { OutboundPolicy } from '../relay/net/outbound.ts';

test('every secret settings field a channel declares is censored in the log', (t) => {
  const lines: string[] = [];
  const log = pino(loggerOptions('info', secretFields()), { write: (s: string) => void lines.push(s) });
  for (const a of Object.values(adapters)) {
    for (const k of a.secretFields) log.info({ settings: { [k]: `SECRET-${a.kind}-${k}` } }, 'settings');
  }
  // Verbox's replyToken was missing from the hand-written list this replaces.
  t.true(secretFields().includes('replyToken'));
  t.true(lines.length >= 5);
  const all = lines.join('');
  t.notRegex(all, /SECRET-/);
  t.regex(all, /\[redacted\]/);
});

test('the outbound policy lets the relay call each provider\'s declared API hosts over https, and nothing else', (t) => {
  const policy = new OutboundPolicy([], providerHosts());
  for (const a of Object.values(adapters)) {
    for (const host of a.hosts) t.is(policy.check(`https://${host}/x`, 'provider'), undefined, host);
  }
  t.true(providerHosts().includes('app.chatra.io'));
  t.is(typeof policy.check('https://evil.example/x', 'provider'), 'string');
  t.is(typeof new OutboundPolicy([]).check('https://app.chatra.io/api/', 'provider'), 'string', 'no hosts declared, none allowed');
});

test('a kind is registered once', (t) => {
  t.throws(() => register(adapters.chatra!), { message: /registered twice/ });
});
