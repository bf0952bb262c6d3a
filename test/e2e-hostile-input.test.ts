// Mistaken or hostile requests against the built relay (issue 12, items 5-7): visitor text reaches
// Planfix's HTML escaped; bodies and keys that used to crash a handler are a 4xx with a reason and
// journal nothing; a dropped connection prints nothing outside the JSON log; outbound targets stay
// on the account's own Planfix.
import net from 'node:net';
import test from 'ava';
import { request, waitUntil } from './faults/helpers/http.ts';
import { startWorld, type World } from './faults/helpers/world.ts';
import { journalEvents } from './helpers/journal.ts';
import { ADMIN_TOKEN, sharedRelays } from './helpers/relay-process.ts';
import { chatraWebhook } from './sim/chatra.ts';
import { viberSign } from './sim/viber.ts';

// One relay for the tests that each look only at an account of their own (on simulators and fakes of
// their own); the tests that count the relay's whole journal or read its whole log have one each.
const shared = sharedRelays((stop) => test.after.always(stop));

const nest = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
const json = { 'content-type': 'application/json' };

async function post(w: World, path: string, body: string, headers: Record<string, string> = json) {
  const a = await request(`${w.relay.url}${path}`, { method: 'POST', headers, body });
  let parsed: { error?: string; reason?: string; accepted?: number } = {};
  try { parsed = JSON.parse(a.text); } catch { /* not JSON: the assertions on it fail */ }
  return { status: a.status, body: parsed };
}

test('the visit action on the contact reaches Planfix with the visitor\'s OS, browser and IP escaped', async (t) => {
  const w = await startWorld(t, { kinds: ['chatra'], shared });
  const hostile = { os: '<img src=x onerror=alert(1)>', browser: 'Chrome" onmouseover="alert(2)', ip: '203.0.113.7&<b>' };
  const answer = await post(w, w.account.channels.chatra!.path, JSON.stringify(chatraWebhook('chatStarted', { client: hostile, messages: [{ message: 'Hello' }] })));
  t.is(answer.status, 200);
  const action = await w.pf.waitFor(() => w.pf.contactComments[0]);
  t.notRegex(action.description, /[<>"]/, 'no markup from the visitor');
  t.true(action.description.includes('OS: &#60;img src=x onerror=alert(1)&#62;'), action.description);
  t.true(action.description.includes('Browser: Chrome&#34; onmouseover=&#34;alert(2)'), action.description);
  t.true(action.description.includes('IP: 203.0.113.7&#38;&#60;b&#62;'), action.description);
});

test('bodies nested thousands deep are 400 with a reason in every adapter, nothing is journaled, the relay keeps running', async (t) => {
  const w = await startWorld(t);
  const ch = w.account.channels;
  const before = await journalEvents(w.relay.dataDir);
  const deep = nest(100_000);
  // Each where the old code stringified or walked the value: a Chatra message without an id is
  // hashed, a Ringostat call without an id is hashed whole.
  const chatra = `{"eventName":"chatFragment","client":{"id":"c1"},"messages":[{"message":"hi","x":${deep}}]}`;
  const ringostat = `{"caller":"380501112233","event":"call_start","x":${deep}}`;
  const verbox = `{"event":"message","clientId":"v1","text":"hi","x":${deep}}`;
  const viber = `{"event":"message","message_token":1,"sender":{"id":"u1"},"message":{"type":"text","text":"hi"},"x":${deep}}`;
  const answers = [
    await post(w, ch.chatra!.path, chatra),
    await post(w, ch.ringostat!.path, ringostat),
    await post(w, ch.verbox!.path, verbox, { ...json, 'x-relay-token': w.secrets.configured.verboxToken1! }),
    await post(w, ch.viber!.path, viber, { ...json, 'x-viber-content-signature': viberSign(viber, w.viber.authToken) }),
  ];
  t.deepEqual(answers.map((a) => a.status), [400, 400, 400, 400]);
  for (const a of answers) t.regex(a.body.error ?? '', /nests deeper than \d+ levels/);
  t.is(await journalEvents(w.relay.dataDir), before);
  t.is((await w.relay.health()).status, 200);
  t.notRegex(w.relay.output, /unhandled error/);
});

test('a Verbox file URL with a malformed percent-escape is delivered, its name kept as written', async (t) => {
  const w = await startWorld(t, { kinds: ['verbox'], shared });
  const url = 'https://files.example.com/doc/Invoice%E0%A4%A.pdf';
  const body = JSON.stringify({ event: 'message', clientId: 'v1', messageId: 'm1', text: 'see file', files: [{ url }] });
  const a = await post(w, w.account.channels.verbox!.path, body, { ...json, 'x-relay-token': w.secrets.configured.verboxToken1! });
  t.is(a.status, 200);
  t.is(a.body.accepted, 1);
  const cmd = await w.pf.waitFor(() => w.pf.commands.find((c) => c.cmd === 'newMessage'));
  t.true(JSON.stringify(cmd).includes('Invoice%E0%A4%A.pdf'), JSON.stringify(cmd));
  t.notRegex(w.relay.output, /unhandled error/);
});

test('admin API: a key every object inherits is no check part and no channel kind (400, not 500 or 200)', async (t) => {
  const w = await startWorld(t, { kinds: [], shared });
  const id = w.account.id;
  for (const only of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
    const a = await w.relay.api('POST', `/api/accounts/${id}/check?only=${only}`);
    t.is(a.status, 400, only);
    t.regex(a.body.error, /^only: one of chat, rest, telephony/, only);
  }
  for (const kind of ['__proto__', 'constructor', 'toString']) {
    const a = await w.relay.api('POST', `/api/accounts/${id}/channels`, { kind, name: 'x' });
    t.is(a.status, 400, kind);
    t.regex(a.body.error, /^kind: unknown channel kind/, kind);
  }
  t.is((await w.relay.api('GET', `/api/accounts/${id}`)).body.channels.length, 0);
  t.notRegex(w.relay.output, /unhandled error/);
});

test('a POST dropped in the middle of its body prints nothing outside the JSON log, on every body reader', async (t) => {
  const w = await startWorld(t, { kinds: ['chatra'] });
  // The Planfix callbacks read the body before the token; a webhook after its secret; the admin API after its token.
  const posts = [
    { path: `/planfix/${w.account.id}/chat`, headers: '' },
    { path: `/planfix/${w.account.id}/telephony`, headers: '' },
    { path: w.account.channels.chatra!.path, headers: '' },
    { path: '/api/accounts', headers: `Authorization: Bearer ${ADMIN_TOKEN}\r\n` },
  ];
  for (const { path, headers } of posts) {
    // The headers promise 1000 bytes; a few come, then the connection is dropped.
    await new Promise<void>((resolve, reject) => {
      const s = net.connect(Number(new URL(w.relay.url).port), '127.0.0.1', () => {
        s.write(`POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${headers}Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"cmd":"pi`, () => {
          s.destroy();
          resolve();
        });
      });
      s.on('error', reject);
    });
  }
  // Each broken connection is noted once: one JSON line now (at debug level, which the world runs
  // at), a stack trace on stderr before.
  const stray = () => w.relay.output.split('\n').filter((l) => l.trim() && !l.startsWith('{') && !l.startsWith('planfix-relay ready'));
  const noted = () => (w.relay.output.match(/"client connection failed"/g)?.length ?? 0) + stray().filter((l) => /^\s*Error: /.test(l)).length;
  await waitUntil(() => noted() >= posts.length || undefined, 30_000, 'the broken connections to be noted');
  t.deepEqual(stray(), []);
  t.is((await w.relay.health()).status, 200);
});

test('Telephony setup: planfix_url only on the account\'s own Planfix, not another tenant or another port', async (t) => {
  const w = await startWorld(t, { kinds: [], shared });
  const a = w.account;
  const setup = (planfixUrl: string) => post(w, `/planfix/${a.id}/telephony`, new URLSearchParams({
    cmd: 'setup', token: a.telephonyCallbackToken, planfix_token: 'new-pf-token', planfix_url: planfixUrl,
  }).toString(), { 'content-type': 'application/x-www-form-urlencoded' });
  const simPort = Number(new URL(a.pf.origin).port);
  for (const other of ['https://other-tenant.planfix.ru/tel/api', `http://127.0.0.1:${simPort + 1}/tel/api`, 'https://acme.planfix.com/tel/api']) {
    const r = await setup(other);
    t.is(r.status, 400, other);
    t.regex(r.body.reason ?? '', /^planfix_url: must be on this account's Planfix/, other);
  }
  const untouched = await w.relay.api('GET', `/api/accounts/${a.id}`);
  t.is(untouched.body.planfix.telephonyApiUrl, undefined);
  t.is(untouched.body.planfix.telephonyToken, '****' + w.secrets.configured.planfixTelToken1!.slice(-4));

  const own = await setup(`${a.pf.origin}/tel/api`);
  t.is(own.status, 200);
  t.is((await w.relay.api('GET', `/api/accounts/${a.id}`)).body.planfix.telephonyApiUrl, `${a.pf.origin}/tel/api`);
});
