// Rotating what the relay generated and the admin pasted elsewhere, over HTTP against the relay
// process, the Planfix simulator and the Viber fake: a channel's webhook secret (the old URL is
// refused, what it took before is still delivered), Viber's webhook registered again by the relay,
// and the Planfix callback tokens.
import test from 'ava';
import { sharedRelays } from './helpers/relay-process.ts';
import { PlanfixSim } from './sim/planfix.ts';
import { ViberFake, viberCallback, viberJson } from './sim/viber.ts';

// One relay for the file: each test has a Planfix simulator and an account of its own on it.
const shared = sharedRelays((stop) => test.after.always(stop));

async function world(t: import('ava').ExecutionContext) {
  const pf = await PlanfixSim.start();
  t.teardown(() => pf.close());
  const relay = await shared();
  const account = (await relay.api('POST', '/api/accounts', { name: 'Acme', defaultCountry: 'UA', planfix: { url: pf.origin, chatToken: 'pf-chat-token' } })).body;
  relay.forgetAtEnd(t, account.id);
  return { pf, relay, account };
}

const firstLines = (task: { comments: { text: string }[] }) => task.comments.map((c) => c.text.split('\n')[0]);

test('a channel\'s new webhook URL: the old one is 404, what it took before is delivered, the new one takes events', async (t) => {
  const { pf, relay, account } = await world(t);
  const created = (await relay.api('POST', `/api/accounts/${account.id}/channels`, { kind: 'chatra', name: 'Site chat', settings: { publicKey: 'p', secretKey: 's' } })).body;
  const say = (url: string, id: string, message: string) =>
    relay.post(url, JSON.stringify({ eventName: 'chatFragment', client: { id: 'v1' }, messages: [{ id, type: 'client', message }] }));

  // Planfix answers 503: the first message is journaled and waits there while the URL changes.
  await pf.setMode('error503');
  t.is((await say(created.webhookUrl, 'm1', 'Before the rotation')).status, 200);
  const rotated = await relay.api('POST', `/api/accounts/${account.id}/channels/${created.id}/rotate`);
  t.is(rotated.status, 200);
  const fresh = rotated.body.webhookUrl as string;
  t.not(fresh, created.webhookUrl);
  t.is(new URL(fresh).pathname.split('/')[2], created.id, 'the channel keeps its id');
  t.is(pf.tasks.length, 0, 'nothing reached Planfix yet');

  const old = await say(created.webhookUrl, 'm2', 'To the old URL');
  t.is(old.status, 404);
  const oldPath = new URL(created.webhookUrl).pathname;
  t.is((await fetch(`${relay.url}${oldPath}?x=1`)).status, 404, 'a GET on the old URL is no channel either');
  t.is((await say(fresh, 'm3', 'After the rotation')).status, 200);
  t.is((await say(fresh, 'm1', 'Before the rotation')).body.duplicates, 1, 'a resend to the new URL of what the old one took is a duplicate');
  t.is((await relay.api('GET', `/api/accounts/${account.id}/channels/${created.id}`)).body.webhookUrl, fresh);
  t.is((await relay.api('GET', `/api/accounts/${account.id}`)).body.channels[0].webhookUrl, fresh);

  await pf.setMode('up');
  const task = await pf.waitFor(() => pf.tasks.find((x) => x.comments.length >= 2));
  t.deepEqual(firstLines(task), ['Before the rotation', 'After the rotation']);

  t.is((await relay.api('POST', `/api/accounts/${account.id}/channels/nope/rotate`)).status, 404);
  t.is((await relay.api('POST', `/api/accounts/nope/channels/${created.id}/rotate`)).status, 404);
  t.is((await relay.api('POST', `/api/accounts/${account.id}/channels/${created.id}/rotate`, undefined, 'not-the-admin-token')).status, 401);
  t.is((await relay.api('GET', `/api/accounts/${account.id}/channels/${created.id}`)).body.webhookUrl, fresh, 'a refused rotation changed nothing');
  // This channel's line: the other tests rotate on the same relay.
  await relay.waitForOutput((o) => o.split('\n').some((l) => l.includes('channel webhook secret rotated') && l.includes(created.id)));
  t.false(relay.output.includes(fresh.split('/').pop()!), 'the new secret is not logged');
});

test('the Planfix callback tokens: a new one each, the old one refused as Planfix\'s wrong token', async (t) => {
  const { pf, relay, account } = await world(t);
  const channel = (await relay.api('POST', `/api/accounts/${account.id}/channels`, { kind: 'chatra', name: 'Site chat', settings: { publicKey: 'p', secretKey: 's' } })).body;
  await relay.post(channel.webhookUrl, JSON.stringify({ eventName: 'chatFragment', client: { id: 'v1' }, messages: [{ id: 'm1', type: 'client', message: 'Hello' }] }));
  const task = await pf.waitFor(() => pf.tasks[0]);
  const chatUrl = `${relay.url}/planfix/${account.id}/chat`;
  const oldChat = account.connect.planfixChat.token as string;

  const chat = await relay.api('POST', `/api/accounts/${account.id}/connect/planfixChat/rotate`);
  t.is(chat.status, 200);
  t.like(chat.body, { url: account.connect.planfixChat.url, providerId: 'planfix-relay' });
  t.not(chat.body.token, oldChat);
  t.is((await pf.reply({ relayUrl: chatUrl, token: oldChat, taskNumber: task.number, message: 'with the old token' })).status, 401);
  t.is((await pf.reply({ relayUrl: chatUrl, token: chat.body.token, taskNumber: task.number, message: 'with the new token' })).status, 200);
  const after = (await relay.api('GET', `/api/accounts/${account.id}`)).body;
  t.is(after.connect.planfixChat.token, chat.body.token);
  t.is(after.connect.planfixTelephony.token, account.connect.planfixTelephony.token, 'the other token is untouched');

  const telUrl = `${relay.url}/planfix/${account.id}/telephony`;
  const tel = await relay.api('POST', `/api/accounts/${account.id}/connect/planfixTelephony/rotate`);
  t.is(tel.status, 200);
  t.not(tel.body.token, account.connect.planfixTelephony.token);
  t.is((await pf.telephonySetup({ relayUrl: telUrl, token: account.connect.planfixTelephony.token })).status, 401);
  t.is((await pf.telephonySetup({ relayUrl: telUrl, token: tel.body.token })).status, 200);
  t.is((await relay.api('GET', `/api/accounts/${account.id}`)).body.connect.planfixChat.token, chat.body.token);

  t.is((await relay.api('POST', `/api/accounts/${account.id}/connect/widget/rotate`)).status, 404, 'no such token');
  t.is((await relay.api('POST', `/api/accounts/nope/connect/planfixChat/rotate`)).status, 404);
});

const USER = { id: 'a1B2c3D4e5F6g7H8i9J0kA==', name: 'Olena', country: 'UA', language: 'uk', api_version: 10 };
let messageToken = 5916837654388304302n;
const message = (text: string) => ({ event: 'message', timestamp: Date.now(), message_token: messageToken++, sender: USER, message: { type: 'text', text }, silent: false });

test('Viber: the relay registers the new URL with Viber itself; when Viber refuses it, the old URL stays and keeps working', async (t) => {
  const { pf, relay, account } = await world(t);
  const viber = await ViberFake.start({ authToken: 'bot-token-0123456789abcdef' });
  t.teardown(() => viber.close());
  const created = (await relay.api('POST', `/api/accounts/${account.id}/channels`, { kind: 'viber', name: 'Bot', settings: { authToken: viber.authToken, botName: 'acmebot', apiUrl: viber.apiUrl } })).body;
  t.is(viber.webhookUrl, created.webhookUrl);

  const rotated = await relay.api('POST', `/api/accounts/${account.id}/channels/${created.id}/rotate`);
  t.is(rotated.status, 200);
  const fresh = rotated.body.webhookUrl as string;
  t.not(fresh, created.webhookUrl);
  t.like(rotated.body.connect, { ok: true });
  t.like(viber.webhooks.at(-1), { url: fresh, status: 0, callbackStatus: 200 });
  t.is(viber.webhookUrl, fresh);

  const signed = (url: string, text: string) => viberCallback(url, viber.authToken, viberJson(message(text)));
  t.is((await signed(created.webhookUrl, 'to the old URL')).status, 404);
  t.is((await viber.emit(message('to the new URL'))).status, 200);
  const task = await pf.waitFor(() => pf.tasks[0]);
  t.deepEqual(firstLines(task), ['to the new URL']);

  // Viber refuses the next URL and goes on calling the one it has: the old secret stays, so
  // nothing Viber sends meanwhile is lost, and the answer says why.
  viber.refuseWebhooks();
  const refused = await relay.api('POST', `/api/accounts/${account.id}/channels/${created.id}/rotate`);
  t.is(refused.status, 502);
  t.regex(refused.body.error, /Viber did not accept the new URL \(.*Invalid certificate.*\): the old URL stays and keeps working/);
  t.is(viber.webhookUrl, fresh, 'Viber kept the URL it had');
  const after = (await relay.api('GET', `/api/accounts/${account.id}/channels/${created.id}`)).body;
  t.is(after.webhookUrl, fresh, 'the relay kept it too');
  t.like(after.connect, { ok: true });
  viber.refuseWebhooks(null);
  t.is((await viber.emit(message('after a refused rotation'))).status, 200);
  await pf.waitFor(() => task.comments.length >= 2);
  t.deepEqual(firstLines(task), ['to the new URL', 'after a refused rotation']);
});
