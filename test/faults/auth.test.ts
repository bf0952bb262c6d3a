// Auth matrix: every endpoint that takes a credential, tried with none, a wrong one, another
// account's, a wrong Viber signature and a replayed Viber body under another body's signature.
// Every try must be refused with 401/404, answered without a 5xx, and leave the journal as it was.
import { readdirSync, readFileSync } from 'node:fs';
import test from 'ava';
import { viberSign } from '../sim/viber.ts';
import { ADMIN_TOKEN } from '../helpers/relay-process.ts';
import { request } from './helpers/http.ts';
import { finish, record } from './helpers/results.ts';
import { TIMEOUT } from './helpers/scale.ts';
import { startWorld } from './helpers/world.ts';
import { journalEvents } from './helpers/journal.ts';

test.after.always(() => finish(import.meta.url));

const ADMIN = ADMIN_TOKEN;

test('auth matrix: every endpoint refuses missing, wrong and foreign credentials; nothing is journaled', async (t) => {
  t.timeout(TIMEOUT);
  // Every try comes from 127.0.0.1: the slow-down of repeated failures (tested in e2e-auth-failures) would make this take minutes.
  const w = await startWorld(t, { env: { RELAY_AUTH_FREE_FAILURES: '100000' } });
  const other = await w.addAccount();
  const a = w.account;
  const base = w.relay.url;
  const before = await journalEvents(w.relay.dataDir);

  const chatraBody = JSON.stringify({ eventName: 'chatFragment', client: { id: 'intruder' }, messages: [{ id: 'x1', type: 'client', message: 'let me in' }] });
  const viberA = '{"event":"message","timestamp":1700000000000,"message_token":5900000000000000001,"sender":{"id":"u1=="},"message":{"type":"text","text":"a"}}';
  const viberB = '{"event":"message","timestamp":1700000000000,"message_token":5900000000000000002,"sender":{"id":"u1=="},"message":{"type":"text","text":"forged"}}';
  const hook = (kind: 'chatra' | 'viber' | 'verbox' | 'ringostat', acc = a) => `${base}${acc.channels[kind]!.path}`;
  const wrongSecret = (url: string) => url.replace(/\/[^/]+$/, '/wrong-secret-0000000000');
  const json = { 'content-type': 'application/json' };
  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  const verboxBody = JSON.stringify({ clientId: 'v1', text: 'hi' });
  const pfChat = (token?: string) => `cmd=newMessage&messageId=m1&chatId=x&message=hi&userName=I&userLastName=P${token === undefined ? '' : `&token=${encodeURIComponent(token)}`}`;
  const pfTel = (token?: string) => `cmd=makeCall&from=11&to=0671234567${token === undefined ? '' : `&token=${encodeURIComponent(token)}`}`;

  type Try = { name: string; url: string; method?: string; headers?: Record<string, string>; body?: string; expect: number[] };
  const tries: Try[] = [
    // Provider webhooks: the secret path.
    ...(['chatra', 'viber', 'verbox', 'ringostat'] as const).flatMap((k): Try[] => [
      { name: `${k} webhook, wrong secret`, url: wrongSecret(hook(k)), headers: json, body: chatraBody, expect: [404] },
      { name: `${k} webhook GET, wrong secret`, url: wrongSecret(hook(k)), method: 'GET', expect: [404] },
      { name: `${k} webhook, another account's channel id with this secret`, url: `${base}/hooks/${other.channels[k]!.id}/${hook(k).split('/').pop()}`, headers: json, body: chatraBody, expect: [404] },
    ]),
    // Viber: the signature.
    { name: 'viber, no signature', url: hook('viber'), headers: json, body: viberA, expect: [401] },
    { name: 'viber, wrong signature', url: hook('viber'), headers: { ...json, 'x-viber-content-signature': viberSign(viberA, 'not-the-token') }, body: viberA, expect: [401] },
    { name: 'viber, replayed body under another body\'s signature', url: hook('viber'), headers: { ...json, 'x-viber-content-signature': viberSign(viberA, w.viber.authToken) }, body: viberB, expect: [401] },
    { name: 'viber, signed by the other account\'s bot token', url: hook('viber'), headers: { ...json, 'x-viber-content-signature': viberSign(viberA, `${w.viber.authToken}x`) }, body: viberA, expect: [401] },
    // Verbox: the shared token.
    { name: 'verbox, no token', url: hook('verbox'), headers: json, body: verboxBody, expect: [401] },
    { name: 'verbox, wrong token', url: hook('verbox'), headers: { ...json, 'x-relay-token': 'wrong-token-wrong-token' }, body: verboxBody, expect: [401] },
    { name: 'verbox, the other account\'s token', url: hook('verbox'), headers: { ...json, 'x-relay-token': w.secrets.configured.verboxToken2! }, body: verboxBody, expect: [401] },
    // Planfix callbacks: the body's token.
    { name: 'planfix chat, no token', url: `${base}/planfix/${a.id}/chat`, headers: form, body: pfChat(), expect: [401] },
    { name: 'planfix chat, wrong token', url: `${base}/planfix/${a.id}/chat`, headers: form, body: pfChat('wrong'), expect: [401] },
    { name: 'planfix chat, another account\'s token', url: `${base}/planfix/${a.id}/chat`, headers: form, body: pfChat(other.chatCallbackToken), expect: [401] },
    { name: 'planfix chat, the telephony token', url: `${base}/planfix/${a.id}/chat`, headers: form, body: pfChat(a.telephonyCallbackToken), expect: [401] },
    { name: 'planfix chat, unknown account', url: `${base}/planfix/nope/chat`, headers: form, body: pfChat(a.chatCallbackToken), expect: [401] },
    { name: 'planfix telephony, no token', url: `${base}/planfix/${a.id}/telephony`, headers: form, body: pfTel(), expect: [401] },
    { name: 'planfix telephony, wrong token', url: `${base}/planfix/${a.id}/telephony`, headers: form, body: pfTel('wrong'), expect: [401] },
    { name: 'planfix telephony, another account\'s token', url: `${base}/planfix/${a.id}/telephony`, headers: form, body: pfTel(other.telephonyCallbackToken), expect: [401] },
    { name: 'planfix telephony, the chat token', url: `${base}/planfix/${a.id}/telephony`, headers: form, body: pfTel(a.chatCallbackToken), expect: [401] },
    // Widget: the key.
    { name: 'widget data, no key', url: `${base}/widget/${a.id}/tasks/1001`, method: 'GET', expect: [401] },
    { name: 'widget data, wrong key', url: `${base}/widget/${a.id}/tasks/1001`, method: 'GET', headers: { 'x-widget-key': 'wrong' }, expect: [401] },
    { name: 'widget data, another account\'s key', url: `${base}/widget/${a.id}/tasks/1001`, method: 'GET', headers: { 'x-widget-key': other.widgetKey }, expect: [401] },
    // The customer's history: a task's next pages, a Planfix contact's page and its next pages.
    ...['tasks/1001/history/calls', 'tasks/1001/history/conversations', 'contacts/1001', 'contacts/1001/history/calls', 'contacts/1001/history/conversations'].flatMap((path): Try[] => [
      { name: `widget ${path}, no key`, url: `${base}/widget/${a.id}/${path}`, method: 'GET', expect: [401] },
      { name: `widget ${path}, wrong key`, url: `${base}/widget/${a.id}/${path}`, method: 'GET', headers: { 'x-widget-key': 'wrong' }, expect: [401] },
      { name: `widget ${path}, another account's key`, url: `${base}/widget/${a.id}/${path}`, method: 'GET', headers: { 'x-widget-key': other.widgetKey }, expect: [401] },
      { name: `widget ${path}, this account's key on another account's path`, url: `${base}/widget/${other.id}/${path}`, method: 'GET', headers: { 'x-widget-key': a.widgetKey }, expect: [401] },
      { name: `widget ${path}, the key in the query instead of the header`, url: `${base}/widget/${a.id}/${path}?key=${a.widgetKey}`, method: 'GET', expect: [401] },
    ]),
    { name: 'userscript, no key', url: `${base}/widget/${a.id}.user.js`, method: 'GET', expect: [401] },
    { name: 'userscript, another account\'s key', url: `${base}/widget/${a.id}.user.js?key=${other.widgetKey}`, method: 'GET', expect: [401] },
  ];
  // The admin API: every route, without and with a wrong token (and an account's own keys, which are not admin tokens).
  const adminRoutes: [string, string][] = [
    ['GET', '/api/accounts'], ['POST', '/api/accounts'], ['GET', `/api/accounts/${a.id}`], ['PATCH', `/api/accounts/${a.id}`], ['DELETE', `/api/accounts/${a.id}`],
    ['GET', '/api/kinds'], ['POST', `/api/accounts/${a.id}/channels`], ['GET', `/api/accounts/${a.id}/channels/${a.channels.chatra!.id}`],
    ['PATCH', `/api/accounts/${a.id}/channels/${a.channels.chatra!.id}`], ['DELETE', `/api/accounts/${a.id}/channels/${a.channels.chatra!.id}`],
    ['POST', `/api/accounts/${a.id}/channels/${a.channels.viber!.id}/connect`], ['POST', `/api/accounts/${a.id}/channels/${a.channels.chatra!.id}/check`],
    ['POST', `/api/accounts/${a.id}/check`], ['GET', `/api/accounts/${a.id}/activity`], ['GET', `/api/accounts/${a.id}/dead-letters`],
    ['POST', `/api/accounts/${a.id}/dead-letters/x/retry`], ['POST', `/api/accounts/${a.id}/widget/rotate`],
  ];
  for (const [method, path] of adminRoutes) {
    for (const [label, auth] of [['no token', undefined], ['wrong token', 'Bearer wrong'], ['an account\'s widget key', `Bearer ${a.widgetKey}`], ['the token without Bearer', ADMIN]] as const) {
      tries.push({ name: `admin ${method} ${path.replace(a.id, ':id')} ${label}`, url: `${base}${path}`, method, headers: { ...json, ...(auth ? { authorization: auth } : {}) }, body: method === 'GET' || method === 'DELETE' ? undefined : '{}', expect: [401] });
    }
  }

  const wrong: string[] = [];
  let fiveXX = 0;
  for (const x of tries) {
    const r = await request(x.url, { method: x.method ?? 'POST', headers: x.headers, body: x.body });
    if (r.status >= 500 || r.status === 0) fiveXX++;
    if (!x.expect.includes(r.status)) wrong.push(`${x.name}: ${r.status} ${r.text.slice(0, 120)}`);
  }
  const after = await journalEvents(w.relay.dataDir);
  // The world's account and channels must all still be there (no refused DELETE went through).
  const still = await w.relay.api('GET', `/api/accounts/${a.id}`);

  record(import.meta.url, {
    scenario: 'auth matrix', load: 'none (every refused request checked alone)', faults: 'missing / wrong / foreign credentials, forged and replayed Viber signatures',
    inputs: tries.length, lost: 0, duplicated: 0, fiveXX, notes: `${wrong.length} not refused as expected; ${after - before} events journaled`,
  });
  t.deepEqual(wrong, []);
  t.is(fiveXX, 0);
  t.is(after, before, 'nothing was journaled');
  t.is(still.status, 200);
  t.is(still.body.channels.length, 4);
});

test('every credential comparison goes through a constant-time compare', (t) => {
  // Read from the code, so a new `===` on a secret shows up here: the files that check a
  // credential use safeEqual (hash + timingSafeEqual) or timingSafeEqual, and no production file
  // compares a token with ===.
  const checkers = ['relay/http/hooks.ts', 'relay/http/callback.ts', 'relay/http/admin.ts', 'relay/http/widget.ts', 'relay/channels/verbox/adapter.ts', 'relay/channels/viber/adapter.ts'];
  for (const f of checkers) t.regex(readFileSync(f, 'utf8'), /safeEqual|timingSafeEqual/, `${f} uses a constant-time compare`);
  // Two stored values compared (a channel still having the secret just checked) reveal nothing.
  const credential = /\w*(token|secret|signature|widgetKey|authKey)\s*[!=]==|[!=]==\s*[\w.]*(token|secret|signature|widgetKey|authKey)\b/i;
  const files = readdirSync('relay', { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts')).map((f) => `relay/${f}`);
  t.true(files.length > 20 && files.includes('relay/http/planfix.ts'), 'the production files are found');
  for (const f of files) {
    // Presence and type checks (=== undefined, typeof secret === 'string') say nothing of the value.
    const plain = readFileSync(f, 'utf8').split('\n').map((l) => l.replace(/\s*[!=]==\s*(undefined|null)\b|typeof [\w.]+ [!=]== '\w+'/g, ''))
      .filter((l) => credential.test(l) && !/\.channel\.secret [!=]== \w+\.channel\.secret/.test(l));
    t.deepEqual(plain, [], `${f} compares no credential with === or !==`);
  }
});
