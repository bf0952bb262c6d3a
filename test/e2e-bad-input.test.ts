import { stat, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { chatraWebhook } from './sim/chatra.ts';
import { chatraSetup } from './helpers/chatra-setup.ts';
import { journalEvents as journalSize } from './helpers/journal.ts';
import { sharedRelays } from './helpers/relay-process.ts';

// One relay for the tests that each work in an account of their own (on simulators of their own);
// the test that counts the relay's whole journal and the one that stops the relay have one each.
const shared = sharedRelays((stop) => test.after.always(stop));
const sharedSetup = (t: ExecutionContext) => chatraSetup(t, { shared });

test('every bad input is refused with a reason, nothing is journaled, and the relay keeps running', async (t) => {
  const { relay, channel, account, pf } = await chatraSetup(t);
  const before = await journalSize(relay.dataDir);
  const hookUrl = new URL(channel.webhookUrl);
  const [, , channelId, secret] = hookUrl.pathname.split('/');

  const malformed = await relay.post(channel.webhookUrl, '{"eventName": "chatStarted", ');
  t.is(malformed.status, 400);
  t.regex(malformed.body.error, /not valid JSON/);

  const notChatra = await relay.post(channel.webhookUrl, JSON.stringify({ hello: 'world' }));
  t.is(notChatra.status, 400);
  t.regex(notChatra.body.error, /eventName/);

  const noClient = await relay.post(channel.webhookUrl, JSON.stringify({ eventName: 'chatStarted', messages: [] }));
  t.is(noClient.status, 400);
  t.regex(noClient.body.error, /client/);

  const unknownChannel = await relay.post(`${relay.url}/hooks/nochannel1/${secret}`, JSON.stringify(chatraWebhook('chatStarted', { messages: [{ message: 'x' }] })));
  const wrongSecret = await relay.post(`${relay.url}/hooks/${channelId}/wrong-secret-000000000000000000`, JSON.stringify(chatraWebhook('chatStarted', { messages: [{ message: 'x' }] })));
  t.is(unknownChannel.status, 404);
  t.is(wrongSecret.status, 404);
  t.deepEqual(unknownChannel.body, wrongSecret.body, 'the same answer for both, so channel ids cannot be probed');

  const huge = await relay.post(channel.webhookUrl, JSON.stringify({ eventName: 'chatStarted', pad: 'x'.repeat(1024 * 1024 + 10) }));
  t.is(huge.status, 413);
  t.regex(huge.body.error, /too large/);

  const planfixUrl = `${relay.url}/planfix/${account.id}/chat`;
  const form = (o: Record<string, string>) => new URLSearchParams(o).toString();
  const wrongToken = await relay.post(planfixUrl, form({ cmd: 'newMessage', token: 'nope', chatId: 'x', message: 'hi', messageId: '1' }), 'application/x-www-form-urlencoded');
  t.is(wrongToken.status, 401);
  t.deepEqual(wrongToken.body, { error: 'Invalid token' });
  const otherAccount = await relay.post(`${relay.url}/planfix/nosuchaccount/chat`, form({ cmd: 'newMessage', token: account.connect.planfixChat.token, chatId: 'x', message: 'hi', messageId: '1' }), 'application/x-www-form-urlencoded');
  t.is(otherAccount.status, 401);
  const noMessageId = await relay.post(planfixUrl, form({ cmd: 'newMessage', token: account.connect.planfixChat.token, chatId: 'x', message: 'hi' }), 'application/x-www-form-urlencoded');
  t.is(noMessageId.status, 400);
  t.is(noMessageId.body.error, 'Invalid parameters');
  const unknownChat = await relay.post(planfixUrl, form({ cmd: 'newMessage', token: account.connect.planfixChat.token, chatId: 'nope', message: 'hi', messageId: '2' }), 'application/x-www-form-urlencoded');
  t.is(unknownChat.status, 400);
  t.regex(unknownChat.body.reason, /unknown chatId/);
  const hugeForm = await relay.post(planfixUrl, `token=x&message=${'y'.repeat(1024 * 1024 + 10)}`, 'application/x-www-form-urlencoded');
  t.is(hugeForm.status, 413);

  t.is(await journalSize(relay.dataDir), before, 'nothing journaled from rejected requests');
  t.is(pf.commands.length, 0);
  const health = await fetch(`${relay.url}/healthz`);
  t.is(health.status, 200);
  t.like(await health.json(), { ok: true, backlog: 0 });
});

test('admin API: auth, validation naming the field, masked secrets, files 0600, 404s', async (t) => {
  const { relay, account, channel } = await sharedSetup(t);
  t.is((await relay.api('GET', '/api/accounts', undefined, 'wrong-token')).status, 401);
  t.is((await fetch(`${relay.url}/api/accounts`)).status, 401);

  const badJson = await relay.api('POST', '/api/accounts', '{"name":');
  t.is(badJson.status, 400);

  const foreign = await relay.api('POST', '/api/accounts', { name: 'X', planfix: { url: 'https://evil.example.com', chatToken: 't' } });
  t.is(foreign.status, 400);
  t.regex(foreign.body.error, /^planfix\.url: /);
  const plainHttp = await relay.api('POST', '/api/accounts', { name: 'X', planfix: { url: 'http://acme.planfix.ru', chatToken: 't' } });
  t.is(plainHttp.status, 400);
  t.regex(plainHttp.body.error, /^planfix\.url: must be an https URL/);
  const missing = await relay.api('POST', '/api/accounts', { name: 'X', planfix: { url: 'https://acme.planfix.ru' } });
  t.is(missing.status, 400);
  t.regex(missing.body.error, /^planfix\.chatToken: /);
  const country = await relay.api('POST', '/api/accounts', { name: 'X', defaultCountry: 'Russia', planfix: { url: 'https://acme.planfix.ru', chatToken: 't' } });
  t.regex(country.body.error, /^defaultCountry: /);
  const tilde = await relay.api('POST', '/api/accounts', { name: 'X', planfix: { url: 'https://acme.planfix.ru', chatToken: 't', providerId: 'a~b' } });
  t.regex(tilde.body.error, /^planfix\.providerId: /);
  const extra = await relay.api('POST', '/api/accounts', { name: 'X', planfix: { url: 'https://acme.planfix.ru', chatToken: 't' }, colour: 'red' });
  t.regex(extra.body.error, /^colour: unknown field/);

  const badKind = await relay.api('POST', `/api/accounts/${account.id}/channels`, { kind: 'icq', name: 'x' });
  t.regex(badKind.body.error, /^kind: /);
  const badSettings = await relay.api('POST', `/api/accounts/${account.id}/channels`, { kind: 'chatra', name: 'x', settings: { publicKey: 'p' } });
  t.is(badSettings.status, 400);
  t.regex(badSettings.body.error, /^settings\.secretKey: /);
  const badApi = await relay.api('POST', `/api/accounts/${account.id}/channels`, { kind: 'chatra', name: 'x', settings: { publicKey: 'p', secretKey: 's', apiUrl: 'https://evil.example.com/api' } });
  t.regex(badApi.body.error, /^settings\.apiUrl: /);

  const got = await relay.api('GET', `/api/accounts/${account.id}`);
  t.is(got.status, 200);
  t.is(got.body.planfix.chatToken, '****');
  t.is(got.body.planfix.restToken, '****');
  t.is(got.body.channels[0].settings.secretKey, '****');
  t.is(got.body.channels[0].webhookUrl, channel.webhookUrl);
  t.false(JSON.stringify((await relay.api('GET', '/api/accounts')).body).includes('chatra-secret'));

  // A masked value sent back unchanged (as an edit form does) keeps the stored secret.
  const patched = await relay.api('PATCH', `/api/accounts/${account.id}/channels/${channel.id}`, { name: 'Renamed', settings: { secretKey: '****' } });
  t.is(patched.status, 200);
  const file = join(relay.dataDir, 'accounts', `${account.id}.json`);
  const stored = JSON.parse(await readFile(file, 'utf8'));
  t.is(stored.channels[0].settings.secretKey, 'chatra-secret');
  t.is(stored.channels[0].name, 'Renamed');
  t.is((await stat(file)).mode & 0o777, 0o600);

  t.is((await relay.api('GET', '/api/accounts/nope')).status, 404);
  t.is((await relay.api('GET', `/api/accounts/${account.id}/channels/nope`)).status, 404);
  t.is((await relay.api('POST', `/api/accounts/${account.id}/dead-letters/nope/retry`)).status, 404);
  t.is((await relay.api('DELETE', `/api/accounts/${account.id}/channels/${channel.id}`)).status, 204);
  t.is((await relay.post(channel.webhookUrl, JSON.stringify(chatraWebhook('chatStarted', { messages: [{ message: 'x' }] })))).status, 404, 'a deleted channel\'s URL is dead');
});

test('a terminal Planfix refusal becomes a dead letter that the admin API lists and retries', async (t) => {
  const { relay, account, pf, hook } = await sharedSetup(t);
  // A wrong Planfix token is a 401 from Planfix: not worth retrying until the admin fixes it.
  t.is((await relay.api('PATCH', `/api/accounts/${account.id}`, { planfix: { chatToken: 'wrong' } })).status, 200);
  await hook(chatraWebhook('chatStarted', { messages: [{ id: 'dl1', message: 'lost?' }] }));
  const dead = await pf.waitFor(async () => (await relay.api('GET', `/api/accounts/${account.id}/dead-letters`)).body[0]);
  t.regex(dead.reason, /401.*Invalid token/);
  t.is(dead.preview, 'lost?');
  t.is((await relay.api('PATCH', `/api/accounts/${account.id}`, { planfix: { chatToken: 'pf-chat-token' } })).status, 200);
  t.is((await relay.api('POST', dead.retryUrl)).status, 202);
  const task = await pf.waitFor(() => pf.tasks[0]);
  t.true(task.comments[0]!.text.startsWith('lost?'));
  t.deepEqual((await relay.api('GET', `/api/accounts/${account.id}/dead-letters`)).body, []);
});

test('a dead letter dismissed is gone for good: not delivered, not listed, and its resend is a duplicate', async (t) => {
  const { relay, account, pf, hook } = await sharedSetup(t);
  t.is((await relay.api('PATCH', `/api/accounts/${account.id}`, { planfix: { chatToken: 'wrong' } })).status, 200);
  const webhook = chatraWebhook('chatStarted', { messages: [{ id: 'dl2', message: 'let it go' }] });
  await hook(webhook);
  const dead = await pf.waitFor(async () => (await relay.api('GET', `/api/accounts/${account.id}/dead-letters`)).body[0]);
  t.is((await relay.api('DELETE', `/api/accounts/${account.id}/dead-letters/nope`)).status, 404);
  t.is((await relay.api('DELETE', dead.dismissUrl)).status, 204);
  t.deepEqual((await relay.api('GET', `/api/accounts/${account.id}/dead-letters`)).body, []);
  t.is((await relay.api('POST', dead.retryUrl)).status, 404, 'a dismissed letter cannot be retried');
  t.is((await relay.api('PATCH', `/api/accounts/${account.id}`, { planfix: { chatToken: 'pf-chat-token' } })).status, 200);
  const resend = await hook(webhook);
  t.like(resend.body, { accepted: 0, duplicates: 1 });
  t.is(pf.tasks.length, 0, 'nothing reached Planfix');
});

test('SIGTERM finishes in-flight work and exits 0', async (t) => {
  const { relay, pf, hook } = await chatraSetup(t);
  pf.setDelay(300);
  await hook(chatraWebhook('chatStarted', { messages: [{ id: 's1', message: 'in flight' }] }));
  await pf.waitFor(() => pf.commands.length > 0);
  t.is(await relay.kill('SIGTERM'), 0);
  t.regex(relay.output, /stopped/);
});
