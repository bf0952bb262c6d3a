// Outbound allow-list: a Planfix URL or a provider API URL outside the allowed hosts is refused
// when it is saved, and when it is called (here: settings edited on disk behind the relay's back).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { request, waitUntil } from './helpers/http.ts';
import { finish, record } from './helpers/results.ts';
import { TIMEOUT } from './helpers/scale.ts';
import { startWorld } from './helpers/world.ts';

test.after.always(() => finish(import.meta.url));

const OUTSIDE = ['https://evil.example.com', 'http://127.0.0.2:8080', 'https://10.0.0.1', 'https://user:pw@acme.planfix.ru', 'file:///etc/passwd', 'https://acme.planfix.ru.evil.example.com'];

test('allow-list: URLs outside the allowed hosts are refused when saved and when called', async (t) => {
  t.timeout(TIMEOUT);
  const w = await startWorld(t, { kinds: ['chatra', 'viber', 'verbox', 'ringostat'] });
  const a = w.account;
  const rel = w.relay;
  const saved: string[] = [];
  let inputs = 0;
  const tryApi = async (what: string, method: string, path: string, body: unknown) => {
    inputs++;
    const r = await rel.api(method, path, body);
    if (r.status !== 400) saved.push(`${what}: ${r.status} ${JSON.stringify(r.body).slice(0, 150)}`);
    return r;
  };
  for (const url of OUTSIDE) {
    await tryApi(`account planfix.url ${url}`, 'POST', '/api/accounts', { name: 'X', planfix: { url, chatToken: 't' } });
    for (const k of ['chatApiUrl', 'restUrl', 'telephonyApiUrl']) {
      await tryApi(`account planfix.${k} ${url}`, 'PATCH', `/api/accounts/${a.id}`, { planfix: { [k]: `${url}/api` } });
    }
    await tryApi(`chatra apiUrl ${url}`, 'PATCH', `/api/accounts/${a.id}/channels/${a.channels.chatra!.id}`, { settings: { apiUrl: `${url}/api` } });
    await tryApi(`viber apiUrl ${url}`, 'PATCH', `/api/accounts/${a.id}/channels/${a.channels.viber!.id}`, { settings: { apiUrl: `${url}/pa` } });
    await tryApi(`ringostat apiUrl ${url}`, 'PATCH', `/api/accounts/${a.id}/channels/${a.channels.ringostat!.id}`, { settings: { apiUrl: url } });
    await tryApi(`verbox replyUrl ${url}`, 'PATCH', `/api/accounts/${a.id}/channels/${a.channels.verbox!.id}`, { settings: { replyUrl: `${url}/replies` } });
    await tryApi(`new chatra channel ${url}`, 'POST', `/api/accounts/${a.id}/channels`, { kind: 'chatra', name: 'c', settings: { publicKey: 'p', secretKey: 's', apiUrl: `${url}/api` } });
    // Planfix's own telephony setup names a URL too.
    inputs++;
    const setup = await request(`${rel.url}/planfix/${a.id}/telephony`, {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ cmd: 'setup', token: a.telephonyCallbackToken, planfix_token: 'x', planfix_url: `${url}/tel/api` }).toString(),
    });
    if (setup.status !== 400) saved.push(`telephony setup planfix_url ${url}: ${setup.status}`);
  }
  const after = (await rel.api('GET', `/api/accounts/${a.id}`)).body;
  t.false(JSON.stringify(after).includes('evil.example.com'), 'nothing outside was stored');

  // Behind the relay's back: the settings file now points Planfix's Chat API and the Viber API outside.
  await rel.kill('SIGTERM');
  const file = join(rel.dataDir, 'accounts', `${a.id}.json`);
  const data = JSON.parse(readFileSync(file, 'utf8'));
  data.planfix.chatApiUrl = 'https://evil.example.com/webchat/api';
  data.channels.find((c: { kind: string }) => c.kind === 'viber').settings.apiUrl = 'https://evil.example.com/pa';
  writeFileSync(file, JSON.stringify(data), { mode: 0o600 });
  await rel.restart();
  inputs++;
  const posted = await request(`${rel.url}${a.channels.chatra!.path}`, {
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ eventName: 'chatFragment', client: { id: 'al-1' }, messages: [{ id: 'al-m1', type: 'client', message: 'hello' }] }),
  });
  t.is(posted.status, 200);
  const dead = await waitUntil(async () => {
    const list = (await rel.api('GET', `/api/accounts/${a.id}/dead-letters`)).body as { reason: string }[];
    return list.find((d) => /outbound URL refused/.test(d.reason));
  }, 30_000, 'the refused delivery');
  t.regex(dead.reason, /evil\.example\.com is not a Planfix domain/);

  record(import.meta.url, {
    scenario: 'outbound allow-list', load: 'none', faults: `${OUTSIDE.length} outside URLs × 9 places; settings edited on disk`,
    inputs, lost: 0, duplicated: 0, fiveXX: 0, notes: `${saved.length} accepted when they should not have been; a call to an edited URL → dead letter "${dead.reason.slice(0, 60)}…"`,
  });
  t.deepEqual(saved, []);
});
