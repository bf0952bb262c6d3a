// Issue 13 item 11 end to end: an account's language and time zone through the admin API, and
// what reaches the Planfix simulator in them. The simulator's 127.0.0.1 address has no domain
// zone, so the account sets ru + Europe/Moscow itself (the domain defaults are in locale.test.ts).
import test from 'ava';
import { PlanfixSim } from './sim/planfix.ts';
import { FAST_REST, RelayProcess } from './helpers/relay-process.ts';

test('language and timeZone: shown with their effective values, settable, bad values refused naming the field', async (t) => {
  const pf = await PlanfixSim.start();
  t.teardown(() => pf.close());
  const relay = await RelayProcess.start();
  t.teardown(() => relay.stop());
  const planfix = { url: pf.origin, chatToken: 'pf-chat-token' };

  const badZone = await relay.api('POST', '/api/accounts', { name: 'Acme', planfix, timeZone: 'Europe/Atlantis' });
  t.is(badZone.status, 400);
  t.regex(badZone.body.error, /^timeZone: must be an IANA time zone/);
  const badLanguage = await relay.api('POST', '/api/accounts', { name: 'Acme', planfix, language: 'de' });
  t.is(badLanguage.status, 400);
  t.regex(badLanguage.body.error, /^language: must be one of ru, uk, en, pl/);
  t.deepEqual((await relay.api('GET', '/api/accounts')).body, [], 'nothing stored from bad input');

  const created = await relay.api('POST', '/api/accounts', { name: 'Acme', planfix });
  t.is(created.status, 201);
  t.deepEqual(created.body.locale, { language: 'en', timeZone: 'UTC', chosen: { language: false, timeZone: false } }, 'no .ru/.ua domain: en + UTC');
  const id = created.body.id as string;

  const set = await relay.api('PATCH', `/api/accounts/${id}`, { language: 'ru', timeZone: 'Europe/Moscow' });
  t.is(set.status, 200);
  t.like(set.body, { language: 'ru', timeZone: 'Europe/Moscow', locale: { language: 'ru', timeZone: 'Europe/Moscow', chosen: { language: true, timeZone: true } } });

  const bad = await relay.api('PATCH', `/api/accounts/${id}`, { timeZone: 'UTC+3' });
  t.is(bad.status, 400);
  t.regex(bad.body.error, /^timeZone: /);
  t.like((await relay.api('GET', `/api/accounts/${id}`)).body, { timeZone: 'Europe/Moscow' }, 'the refused value changed nothing');

  // An unrelated change keeps the choice; null puts one setting back to the domain's default.
  t.like((await relay.api('PATCH', `/api/accounts/${id}`, { name: 'Acme Ltd' })).body, { language: 'ru', timeZone: 'Europe/Moscow' });
  const reset = await relay.api('PATCH', `/api/accounts/${id}`, { timeZone: null });
  t.is(reset.status, 200);
  t.is(reset.body.timeZone, undefined);
  t.deepEqual(reset.body.locale, { language: 'ru', timeZone: 'UTC', chosen: { language: true, timeZone: false } });
});

test('a Russian account: the call comment, the new contact, the late recording and the chat summary arrive in Russian with Moscow time', async (t) => {
  const pf = await PlanfixSim.start();
  t.teardown(() => pf.close());
  // The texts are the subject, not the REST pace: a call from a new number costs five requests.
  const relay = await RelayProcess.start(FAST_REST);
  t.teardown(() => relay.stop());
  const account = (await relay.api('POST', '/api/accounts', {
    name: 'Acme', defaultCountry: 'RU', language: 'ru', timeZone: 'Europe/Moscow',
    planfix: { url: pf.origin, chatToken: 'pf-chat-token', restToken: 'pf-rest-token' },
  })).body;
  const calls = (await relay.api('POST', `/api/accounts/${account.id}/channels`, {
    kind: 'ringostat', name: 'Звонки', settings: {}, options: { callTarget: 'contact' },
  })).body;
  const chat = (await relay.api('POST', `/api/accounts/${account.id}/channels`, { kind: 'verbox', name: 'Сайт', settings: {}, options: {} })).body;
  const idle = () => pf.waitFor(async () => ((await (await fetch(`${relay.url}/healthz`)).json()) as { backlog: number }).backlog === 0, 30_000);

  // 10:15 in Kyiv (UTC+2) is 11:15 in Moscow.
  const call = { uniqueid: 'ru-1', calldate: '2024-11-14T10:15:02+0200', call_type: 'in', caller: '79051234567', dst: '74951112233' };
  t.is((await relay.post(`${calls.webhookUrl}?event=call_end`, JSON.stringify({ ...call, disposition: 'ANSWERED', billsec: 65 }))).status, 200);
  await idle();
  t.is(pf.contacts.length, 1);
  t.is(pf.contacts[0]!.name, 'Клиент +79051234567', 'the default contact name in the account\'s language, {phone} filled');
  const comment = pf.contactComments[0]!.description;
  t.true(comment.startsWith('📞 Входящий звонок, отвечен, 1:05<br>Номер: +79051234567'), comment);
  await relay.post(`${calls.webhookUrl}?event=record`, JSON.stringify({ uniqueid: 'ru-1', caller: '79051234567', recording: 'https://app.ringostat.com/recordings/ru-1.ogg' }));
  await idle();
  const late = pf.contactComments[1]?.description ?? '';
  t.true(late.startsWith('🎧 Запись звонка от 14.11.2024 11:15 (Europe/Moscow): <a href="https://app.ringostat.com/recordings/ru-1.ogg"'), late);

  // A Verbox transcript: its dates and the visit summary, in Russian and Moscow time.
  const transcript = {
    event: 'message', chatId: 'vb-1', clientId: 'vb-v1', description: 'Клиент: Здравствуйте!',
    startedAt: '2024-11-14T08:15:02Z', city: 'Москва', browser: 'Chrome 120',
  };
  t.is((await relay.post(chat.webhookUrl, JSON.stringify(transcript))).status, 200);
  const task = await pf.waitFor(() => pf.tasks.find((x) => x.comments[0]?.text.startsWith('Клиент: Здравствуйте!')));
  t.is(task.comments[0]!.text, [
    'Клиент: Здравствуйте!', '', 'Начат: 14.11.2024 11:15 (Europe/Moscow)', '',
    '— Посетитель Verbox —', 'Местоположение: Москва', 'Браузер: Chrome 120',
  ].join('\n'));
  t.is(task.name, 'Сайт: Посетитель', 'a nameless visitor is named in the account\'s language');
});
