import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { PlanfixSim } from './sim/planfix.ts';
import { ViberFake, viberCallback, viberJson } from './sim/viber.ts';
import { RelayProcess, sharedRelays } from './helpers/relay-process.ts';
import { journalEvents } from './helpers/journal.ts';

const USER = { id: 'a1B2c3D4e5F6g7H8i9J0kA==', name: 'Olena', avatar: 'https://example.invalid/olena.jpg', country: 'UA', language: 'uk', api_version: 10 };
let token = 5916837654388304302n;
const message = (msg: Record<string, unknown>) => ({ event: 'message', timestamp: Date.now(), message_token: token++, sender: USER, message: msg, silent: false });

const shared = sharedRelays((stop) => test.after.always(stop));

/**
 * A Planfix simulator, a Viber fake and an account with a Viber channel of the test's own, on the
 * file's relay (`ownRelay`: a relay of its own, for a test that reads the relay's whole journal).
 */
async function setup(t: import('ava').ExecutionContext, { options = {}, language, ownRelay = false }: { options?: Record<string, unknown>; language?: string; ownRelay?: boolean } = {}) {
  const pf = await PlanfixSim.start();
  t.teardown(() => pf.close());
  const viber = await ViberFake.start({ authToken: 'bot-token-0123456789abcdef' });
  t.teardown(() => viber.close());
  let relay: RelayProcess;
  if (ownRelay) {
    relay = await RelayProcess.start();
    t.teardown(() => relay.stop());
  } else relay = await shared();
  const account = (await relay.api('POST', '/api/accounts', { name: 'Acme', defaultCountry: 'UA', planfix: { url: pf.origin, chatToken: 'pf-chat-token' }, ...(language ? { language } : {}) })).body;
  if (!ownRelay) relay.forgetAtEnd(t, account.id);
  const channel = await relay.api('POST', `/api/accounts/${account.id}/channels`, {
    kind: 'viber', name: 'Acme bot', settings: { authToken: viber.authToken, botName: 'acmebot', apiUrl: viber.apiUrl, welcomeText: 'Hi! Ask us anything.' }, options,
  });
  const reply = (taskNumber: number, text: string) => pf.reply({
    relayUrl: `${relay.url}/planfix/${account.id}/chat`, token: account.connect.planfixChat.token, taskNumber, message: text, user: { name: 'Ivan', lastName: 'Petrov', ico: 'https://example.invalid/ivan.png' },
  });
  return { pf, viber, relay, account, channel, reply };
}

test('Viber: webhook set on creation, a user becomes a contact and a task, content types arrive, replies and receipts flow', async (t) => {
  const { pf, viber, channel, reply } = await setup(t, { options: { sendAsEmployee: true } });
  t.is(channel.status, 201);
  t.is(channel.body.deepLink, 'viber://pa?chatURI=acmebot');
  t.like(channel.body.connect, { ok: true });
  t.is(viber.webhookUrl, channel.body.webhookUrl, 'the relay registered its webhook and answered Viber\'s check');

  const started = await viber.emit({ event: 'conversation_started', timestamp: Date.now(), message_token: token++, type: 'open', user: USER, subscribed: false });
  t.like(started.body as object, { type: 'text', text: 'Hi! Ask us anything.' });
  t.is(pf.commands.length, 0, 'no task before the user writes');

  const first = message({ type: 'text', text: 'Hello, is the shop open today?' });
  t.is((await viber.emit(first)).status, 200);
  t.is((await viber.emit(first)).status, 200, 'a duplicate callback is acknowledged');
  await viber.emit(message({ type: 'picture', media: 'https://cdn.example.invalid/p/photo.jpg', text: 'my receipt' }));
  await viber.emit(message({ type: 'location', location: { lat: 50.4501, lon: 30.5234 } }));
  await viber.emit(message({ type: 'contact', contact: { name: 'Olena', phone_number: '+380 50 111 22 33' } }));

  const task = await pf.waitFor(() => pf.tasks.find((x) => x.comments.length >= 4));
  t.is(pf.tasks.length, 1);
  t.is(pf.contacts.length, 1);
  t.is(pf.contacts[0]!.name, 'Olena');
  t.is(pf.contacts[0]!.ico, USER.avatar);
  t.true(task.comments[0]!.text.startsWith('Hello, is the shop open today?'));
  t.is(task.comments.filter((c) => c.text.startsWith('Hello, is the shop open today?')).length, 1, 'the duplicate was dropped');
  t.deepEqual(task.comments[1]!.attachments.map((a: { url: string }) => a.url), ['https://cdn.example.invalid/p/photo.jpg']);
  t.regex(task.comments[2]!.text, /50\.4501.*30\.5234/);
  t.regex(task.comments[3]!.text, /Olena/);
  // The shared phone is the only way Viber reveals one: it lands on the contact in E.164.
  await pf.waitFor(() => pf.contacts[0]!.phone === '+380501112233');

  const answer = await reply(task.number, 'Yes, until 8 pm.');
  t.is(answer.status, 200);
  const sent = await viber.waitFor(() => viber.sent[0]);
  t.is(sent.receiver, USER.id);
  t.is(sent.text, 'Yes, until 8 pm.');
  t.deepEqual(sent.sender, { name: 'Ivan Petrov', avatar: 'https://example.invalid/ivan.png' });
  await pf.waitFor(() => pf.messageStatuses.find((s) => s.messageId === answer.messageId && s.status === 'sent'));

  const receipt = (event: string) => ({ event, timestamp: Date.now(), message_token: BigInt(sent.message_token), user_id: USER.id });
  await viber.emit(receipt('delivered'));
  await viber.emit(receipt('seen'));
  await pf.waitFor(() => pf.messageStatuses.some((s) => s.messageId === answer.messageId && s.status === 'read'));
  t.deepEqual(pf.messageStatuses.filter((s) => s.messageId === answer.messageId).map((s) => s.status), ['sent', 'read']);
});

test('Viber: a Ukrainian account gets a location, a sticker and a reasonless delivery failure in Ukrainian', async (t) => {
  const { pf, viber, reply } = await setup(t, { language: 'uk' });
  await viber.emit(message({ type: 'location', location: { lat: 50.4501, lon: 30.5234 } }));
  await viber.emit(message({ type: 'sticker', sticker_id: 40133 }));
  const task = await pf.waitFor(() => pf.tasks.find((x) => x.comments.length >= 2));
  t.true(task.comments[0]!.text.startsWith('📍 Місцезнаходження: 50.4501, 30.5234 https://maps.google.com/?q=50.4501,30.5234'), task.comments[0]!.text);
  t.true(task.comments[1]!.text.startsWith('[Стікер 40133]'), task.comments[1]!.text);

  const answer = await reply(task.number, 'Дякуємо!');
  const sent = await viber.waitFor(() => viber.sent[0]);
  await pf.waitFor(() => pf.messageStatuses.find((s) => s.messageId === answer.messageId && s.status === 'sent'));
  await viber.emit({ event: 'failed', timestamp: Date.now(), message_token: BigInt(sent.message_token), user_id: USER.id });
  const failed = await pf.waitFor(() => pf.messageStatuses.find((s) => s.messageId === answer.messageId && s.status === 'error'));
  t.is(failed.text, 'Канал не зміг доставити повідомлення');
});

test('Viber: a bad or missing signature is refused and nothing is journaled; an unsubscribed user gets a clear error', async (t) => {
  const { pf, viber, relay, channel, reply } = await setup(t, { ownRelay: true });
  const journalSize = () => journalEvents(relay.dataDir);
  const before = await journalSize();
  const body = viberJson(message({ type: 'text', text: 'forged' }));
  t.is((await viberCallback(channel.body.webhookUrl, viber.authToken, body, { badSignature: true })).status, 401);
  t.is((await viberCallback(channel.body.webhookUrl, viber.authToken, body, { signature: null })).status, 401);
  t.is(await journalSize(), before);
  await viber.emit(message({ type: 'text', text: 'genuine' }));
  const task = await pf.waitFor(() => pf.tasks[0]);
  t.false(task.comments.some((c) => c.text.includes('forged')));

  viber.unsubscribe(USER.id);
  const answer = await reply(task.number, 'are you there?');
  const status = await pf.waitFor(() => pf.messageStatuses.find((s) => s.messageId === answer.messageId));
  t.is(status.status, 'error');
  t.regex(status.text ?? '', /not subscribed/);
});

test('Viber: unsubscribed is recorded, so a reply fails at once without calling Viber; writing again subscribes', async (t) => {
  const { pf, viber, relay, account, reply } = await setup(t);
  await viber.emit(message({ type: 'text', text: 'question' }));
  const task = await pf.waitFor(() => pf.tasks[0]);
  await viber.emit({ event: 'unsubscribed', timestamp: Date.now(), user_id: USER.id, message_token: token++ });
  // Inbound events and replies queue separately: wait until the unsubscribe is applied (the
  // account's backlog: other tests' accounts share the relay).
  await pf.waitFor(async () => (await relay.api<{ backlogNow: number }>('GET', `/api/accounts/${account.id}/traffic?range=24h`)).body.backlogNow === 0);
  const calls = viber.requests.length;
  const answer = await reply(task.number, 'still there?');
  const status = await pf.waitFor(() => pf.messageStatuses.find((s) => s.messageId === answer.messageId));
  t.is(status.status, 'error');
  t.regex(status.text ?? '', /unsubscribed/);
  t.is(viber.requests.length, calls, 'Viber was not called');

  await viber.emit(message({ type: 'text', text: 'back again' }));
  await pf.waitFor(() => task.comments.some((c) => c.text.startsWith('back again')));
  const again = await reply(task.number, 'welcome back');
  await pf.waitFor(() => pf.messageStatuses.find((s) => s.messageId === again.messageId && s.status === 'sent'));
  t.is(viber.sent.at(-1)?.text, 'welcome back');
});
