// Secrets: after a run that exercises every path where a key is used (webhooks of every kind,
// replies sent with the providers' keys, REST and Telephony calls, a failed delivery, the
// test-connection checks, click-to-call), every secret an admin configured is searched for in the
// logs, the journal, the state, /metrics and every admin API answer. It may be only in the
// account settings files, which must be 0600 in a 0700 directory.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { Load } from './helpers/load.ts';
import { request, sleep, waitUntil } from './helpers/http.ts';
import { finish, record } from './helpers/results.ts';
import { TIMEOUT } from './helpers/scale.ts';
import { startWorld } from './helpers/world.ts';

test.after.always(() => finish(import.meta.url));

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));
}

test('secrets: configured keys appear only in the 0600 account files', async (t) => {
  t.timeout(TIMEOUT);
  const w = await startWorld(t);
  const a = w.account;
  const rel = w.relay;
  const load = new Load({ relay: rel, account: a, viberToken: w.viber.authToken, verboxToken: w.secrets.configured.verboxToken1! },
    { chatra: 2, viber: 2, verbox: 2, callers: 1, intervalMs: 150, callIntervalMs: 800 }, 'secrets').start();
  await sleep(2500);
  await load.stop();
  await waitUntil(async () => (await rel.health()).body.backlog === 0, 60_000, 'backlog drained');

  // Replies through every chat channel: the providers' keys are used to send.
  const answers: string[] = [];
  for (const task of a.pf.tasks.slice(0, 6)) {
    await a.pf.reply({ relayUrl: `${rel.url}/planfix/${a.id}/chat`, token: a.chatCallbackToken, taskNumber: task.number, message: 'a reply', user: { name: 'Ivan', lastName: 'P' } });
  }
  // Click-to-call uses the Ringostat key; a refused one puts Ringostat's answer in the logs.
  await a.pf.makeCall({ from: '11', to: '0671234567', relayUrl: `${rel.url}/planfix/${a.id}/telephony`, token: a.telephonyCallbackToken });
  w.rs.failNext(1, 401);
  await a.pf.makeCall({ from: '11', to: '0671234567', relayUrl: `${rel.url}/planfix/${a.id}/telephony`, token: a.telephonyCallbackToken });
  // A delivery that fails for good: its reason is in the journal and the dead-letter list.
  await rel.api('PATCH', `/api/accounts/${a.id}`, { planfix: { chatToken: 'now-wrong-token' } });
  await request(`${rel.url}${a.channels.chatra!.path}`, { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ eventName: 'chatFragment', client: { id: 'dead-1' }, messages: [{ id: 'dead-m', type: 'client', message: 'x' }] }) });
  await waitUntil(async () => (await rel.api('GET', `/api/accounts/${a.id}/dead-letters`)).body.length > 0, 30_000, 'a dead letter');
  await rel.api('PATCH', `/api/accounts/${a.id}`, { planfix: { chatToken: w.secrets.configured.planfixChatToken1 } });
  await waitUntil(async () => (await rel.health()).body.backlog === 0, 60_000, 'replies delivered');

  // Every admin API answer an admin (or the admin page) can get.
  for (const path of ['/api/accounts', `/api/accounts/${a.id}`, '/api/kinds', `/api/accounts/${a.id}/activity`, `/api/accounts/${a.id}/dead-letters`,
    ...Object.values(a.channels).map((c) => `/api/accounts/${a.id}/channels/${c!.id}`)]) {
    answers.push(JSON.stringify((await rel.api('GET', path)).body));
  }
  for (const c of Object.values(a.channels)) answers.push(JSON.stringify((await rel.api('POST', `/api/accounts/${a.id}/channels/${c!.id}/check`)).body));
  answers.push(JSON.stringify((await rel.api('POST', `/api/accounts/${a.id}/check?only=chat`)).body));
  answers.push(JSON.stringify((await rel.api('POST', `/api/accounts/${a.id}/check?only=telephony`)).body));
  answers.push(await (await fetch(`${rel.url}/metrics`)).text());
  answers.push(await (await fetch(`${rel.url}/healthz`)).text());

  const dataFiles = filesUnder(rel.dataDir);
  const places: [string, string][] = [
    ['logs', rel.output],
    ['admin API and metrics answers', answers.join('\n')],
    ...dataFiles.filter((f) => !f.includes(`${join(rel.dataDir, 'accounts')}/`)).map((f): [string, string] => [f.slice(rel.dataDir.length + 1), readFileSync(f, 'utf8')]),
  ];
  const leaks: string[] = [];
  for (const [name, value] of Object.entries(w.secrets.configured)) {
    for (const [where, text] of places) if (text.includes(value)) leaks.push(`${name} in ${where}`);
  }
  const accountFiles = dataFiles.filter((f) => f.startsWith(join(rel.dataDir, 'accounts')));
  const kept = Object.values(w.secrets.configured).filter((v) => accountFiles.some((f) => readFileSync(f, 'utf8').includes(v)));
  const modes = accountFiles.map((f) => [f, (statSync(f).mode & 0o777).toString(8)]);

  record(import.meta.url, {
    scenario: 'secrets', load: `chatra 2, viber 2, verbox 2 + 1 caller for 2.5 s; replies, click-to-call, a dead letter, every check`,
    faults: 'a refused click-to-call, a wrong Planfix token', inputs: Object.keys(w.secrets.configured).length * places.length,
    lost: 0, duplicated: 0, fiveXX: load.fiveXX, notes: `${Object.keys(w.secrets.configured).length} secrets × ${places.length} places searched; ${leaks.length} found outside the account files`,
  });
  t.true(rel.output.length > 1000, 'the logs were captured (debug level)');
  t.true(a.pf.tasks.length >= 4, 'the load reached Planfix');
  t.deepEqual(leaks, []);
  t.is(kept.length, Object.keys(w.secrets.configured).length, 'every configured secret is in the account files (the search can find them)');
  for (const [f, mode] of modes) t.is(mode, '600', `${f} is 0600`);
  t.is((statSync(join(rel.dataDir, 'accounts')).mode & 0o777).toString(8), '700');
});
