// Where the relay may send requests (relay/net/outbound.ts), and the completion status.
import test from 'ava';
import { onOwnPlanfix, type Account } from '../relay/core/account.ts';
import { TerminalError } from '../relay/errors.ts';
import { providerHosts } from '../relay/channels/index.ts';
import { errorText, OutboundPolicy, send } from '../relay/net/outbound.ts';
import { pickCompleteStatus, type TaskStatus } from '../relay/planfix/rest.ts';

// The providers' hosts as the relay starts with them: each channel declares its own.
const none = new OutboundPolicy([], providerHosts());

for (const url of [
  'https://acme.planfix.ru/webchat/api', 'https://acme.planfix.com/rest/task/1', 'https://acme.planfix.ua/webchat/api',
  'https://acme.planfix.by/x', 'https://acme.planfix.kz/x', 'https://planfix.ru/x', 'https://ACME.Planfix.RU/webchat/api',
  'https://acme.planfix.ru:8443/webchat/api',
]) {
  test(`planfix: ${url} is allowed`, (t) => {
    t.is(none.check(url, 'planfix'), undefined);
  });
}

for (const url of [
  'http://acme.planfix.ru/webchat/api', 'ftp://acme.planfix.ru/x', 'https://evilplanfix.ru/x', 'https://acme.planfix.ru.evil.example/x',
  'https://planfix.ru.evil.example/', 'https://acme.planfix.org/x', 'https://127.0.0.1/x', 'https://localhost/x', 'https://app.chatra.io/api/',
]) {
  test(`planfix: ${url} is refused`, (t) => {
    t.is(typeof none.check(url, 'planfix'), 'string');
  });
}

test('planfix http is refused for being http', (t) => {
  t.regex(none.check('http://acme.planfix.ru/webchat/api', 'planfix')!, /https/);
});

for (const url of ['https://app.chatra.io/api/messages/', 'https://chatapi.viber.com/pa/send_message', 'https://api.ringostat.net/callback/outward_call']) {
  test(`provider: ${url} is allowed`, (t) => {
    t.is(none.check(url, 'provider'), undefined);
  });
}

for (const url of [
  'http://app.chatra.io/api/messages/', 'https://evil.chatra.io/api/', 'https://chatra.io/api/', 'https://app.chatra.io.evil.example/',
  'https://acme.planfix.ru/webchat/api', 'https://example.com/',
]) {
  test(`provider: ${url} is refused`, (t) => {
    t.is(typeof none.check(url, 'provider'), 'string');
  });
}

test('RELAY_ALLOW_HOSTS: an entry with a port allows http and https on that port only', (t) => {
  const p = new OutboundPolicy(['127.0.0.1:8081']);
  for (const kind of ['planfix', 'provider'] as const) {
    t.is(p.check('http://127.0.0.1:8081/webchat/api', kind), undefined);
    t.is(p.check('https://127.0.0.1:8081/webchat/api', kind), undefined);
    t.is(typeof p.check('http://127.0.0.1:8082/webchat/api', kind), 'string');
    t.is(typeof p.check('http://127.0.0.1/webchat/api', kind), 'string');
  }
});

test('RELAY_ALLOW_HOSTS: an entry without a port allows every port of that host', (t) => {
  const p = new OutboundPolicy(['localhost', 'sim.internal']);
  t.is(p.check('http://localhost:3000/x', 'planfix'), undefined);
  t.is(p.check('http://localhost/x', 'provider'), undefined);
  t.is(p.check('http://sim.internal:9/x', 'provider'), undefined);
  t.is(typeof p.check('http://localhost.evil.example/x', 'provider'), 'string');
  t.is(typeof p.check('http://127.0.0.1:3000/x', 'provider'), 'string');
});

test('RELAY_ALLOW_HOSTS: still only http(s)', (t) => {
  const p = new OutboundPolicy(['localhost']);
  t.is(typeof p.check('ftp://localhost/x', 'provider'), 'string');
  t.is(typeof p.check('file://localhost/etc/passwd', 'provider'), 'string');
});

test('the allow-list does not widen the built-in hosts to http', (t) => {
  const p = new OutboundPolicy(['127.0.0.1:8081']);
  t.is(typeof p.check('http://acme.planfix.ru/webchat/api', 'planfix'), 'string');
  t.is(typeof p.check('http://app.chatra.io/api/', 'provider'), 'string');
});

test('credentials in the URL are refused', (t) => {
  t.regex(none.check('https://user:pass@acme.planfix.ru/webchat/api', 'planfix')!, /credentials/);
  t.regex(none.check('https://user@app.chatra.io/api/', 'provider')!, /credentials/);
});

// Regression (fixed in 52184db, OutboundPolicy.check): an allow-listed host returned before the
// credentials check, so `http://user:pass@127.0.0.1:8081/` was accepted while the same URL on a
// Planfix or provider host was refused.
test('credentials in the URL are refused for allow-listed hosts too', (t) => {
  const p = new OutboundPolicy(['127.0.0.1:8081']);
  t.regex(p.check('http://user:pass@127.0.0.1:8081/webchat/api', 'planfix') ?? '', /credentials/);
});

// Regression (fixed in 52184db, OutboundPolicy.check): the brackets of an IPv6 literal were
// stripped before the `host:port` form was built, so the natural entry `[::1]:8081` never matched.
test('RELAY_ALLOW_HOSTS: an IPv6 loopback entry with a port', (t) => {
  const p = new OutboundPolicy(['[::1]:8081']);
  t.is(p.check('http://[::1]:8081/webchat/api', 'planfix'), undefined);
});

test('RELAY_ALLOW_HOSTS: IPv6 entries', (t) => {
  const withPort = new OutboundPolicy(['[::1]:8081']);
  t.is(typeof withPort.check('http://[::1]:8082/x', 'planfix'), 'string', 'another port');
  t.is(typeof withPort.check('http://[::2]:8081/x', 'planfix'), 'string', 'another address');
  for (const entry of ['[::1]', '::1']) {
    const p = new OutboundPolicy([entry]);
    t.is(p.check('http://[::1]:9/x', 'provider'), undefined, entry);
    t.is(p.check('http://[::1]/x', 'provider'), undefined, entry);
    t.is(typeof p.check('http://[::2]/x', 'provider'), 'string', entry);
  }
});

for (const raw of ['', 'not a url', '/webchat/api', 'acme.planfix.ru/webchat/api', '//acme.planfix.ru/x', 'https://']) {
  test(`a non-URL is refused: ${JSON.stringify(raw)}`, (t) => {
    t.is(typeof none.check(raw, 'planfix'), 'string');
    t.is(typeof new OutboundPolicy(['localhost']).check(raw, 'provider'), 'string');
  });
}

test('send() refuses a URL the policy refuses, without any request', async (t) => {
  const err = await t.throwsAsync(send(none, 'planfix', 'http://127.0.0.1:1/never', { method: 'POST', timeoutMs: 1000 }));
  t.true(err instanceof TerminalError);
  t.regex(err!.message, /refused/);
});

// onOwnPlanfix: what Planfix hands the relay (a telephony endpoint, a file to probe) must be on the
// account's own Planfix, not just on any host the allow-list lets through.

test('onOwnPlanfix: the scheme, host and port of the account\'s planfix.url, and nothing else', (t) => {
  const acc = (url: string) => ({ id: 'a', planfix: { url, chatToken: 't' } }) as Account;
  const acme = acc('https://acme.planfix.ru');
  for (const url of ['https://acme.planfix.ru/tel/api', 'https://ACME.planfix.ru:443/file/1', 'https://acme.planfix.ru']) t.true(onOwnPlanfix(acme, url), url);
  for (const url of [
    'https://other.planfix.ru/tel/api', 'https://acme.planfix.com/tel/api', 'http://acme.planfix.ru/tel/api', 'https://acme.planfix.ru:8443/tel/api',
    'https://acme.planfix.ru.evil.example/tel/api', 'https://user@evil.example/', 'not a url', '',
  ]) t.false(onOwnPlanfix(acme, url), url);
  // The simulator on loopback: its port is part of "own".
  const sim = acc('http://127.0.0.1:4100/');
  t.true(onOwnPlanfix(sim, 'http://127.0.0.1:4100/tel/api'));
  t.false(onOwnPlanfix(sim, 'http://127.0.0.1:4101/tel/api'));
  t.false(onOwnPlanfix(sim, 'http://localhost:4100/tel/api'));
});

// pickCompleteStatus: the status a finished chat's task moves to (docs/reference/planfix-api.md §3.7, statuses).

const STATUSES: TaskStatus[] = [
  { id: 1, name: 'Новая', isActive: true },
  { id: 2, name: 'В работе', isActive: true },
  { id: 9, name: 'Выполняется', isActive: true },
  { id: 5, name: 'Отклоненная', isActive: false },
  { id: 3, name: 'Завершенная', isActive: false },
  { id: 6, name: 'Отмененная', isActive: false },
];

test('pickCompleteStatus: by default an inactive "completed"-like status, not the first inactive one', (t) => {
  t.is(pickCompleteStatus(STATUSES, undefined)?.id, 3);
  t.is(pickCompleteStatus([{ id: 1, name: 'Open', isActive: true }, { id: 7, name: 'Rejected', isActive: false }, { id: 8, name: 'Completed', isActive: false }], undefined)?.id, 8);
  t.is(pickCompleteStatus([{ id: 1, name: 'Open', isActive: true }, { id: 4, name: 'Done', isActive: false }], undefined)?.id, 4);
});

test('pickCompleteStatus: an active status is never the default, however it is named', (t) => {
  t.is(pickCompleteStatus([{ id: 9, name: 'Выполняется', isActive: true }, { id: 10, name: 'Completing', isActive: true }], undefined), undefined);
});

test('pickCompleteStatus: no completed-like name → the first inactive status; none inactive → undefined', (t) => {
  t.is(pickCompleteStatus([{ id: 1, name: 'Новая', isActive: true }, { id: 5, name: 'Отклоненная', isActive: false }, { id: 6, name: 'Архив', isActive: false }], undefined)?.id, 5);
  t.is(pickCompleteStatus([{ id: 1, name: 'Новая', isActive: true }], undefined), undefined);
  t.is(pickCompleteStatus([], undefined), undefined);
});

test('pickCompleteStatus: a configured id or name (any case) wins; an unknown one gives undefined', (t) => {
  t.is(pickCompleteStatus(STATUSES, 6)?.id, 6);
  t.is(pickCompleteStatus(STATUSES, 2)?.id, 2, 'the configured status is used even if active');
  t.is(pickCompleteStatus(STATUSES, 99), undefined);
  t.is(pickCompleteStatus(STATUSES, 'отмененная')?.id, 6);
  t.is(pickCompleteStatus(STATUSES, 'ЗАВЕРШЕННАЯ')?.id, 3);
  t.is(pickCompleteStatus(STATUSES, 'Closed'), undefined, 'a configured name is not replaced by a guess');
});

test('a provider\'s error words are bounded whichever field they come in', (t) => {
  t.is(errorText({ error: 'x'.repeat(5000) }, ''), 'x'.repeat(300));
  t.is(errorText(undefined, 'y'.repeat(5000)), 'y'.repeat(200));
  t.is(errorText({ message: 'short' }, 'body'), 'short');
});
