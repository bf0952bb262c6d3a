// Verbox end to end over loopback: the relay process, the Planfix simulator and a Verbox source
// that posts in a customer-renamed field map and receives replies at replyUrl.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { PlanfixSim } from './sim/planfix.ts';
import { VerboxSource } from './sim/verbox.ts';
import { RelayProcess } from './helpers/relay-process.ts';
import { journalEvents } from './helpers/journal.ts';

const TOKEN = 'verbox-shared-token-0123456789';
const FIELD_MAP = {
  event: 'type', messageId: 'msg.id', text: 'msg.body', author: 'msg.from', operatorId: 'msg.operator',
  clientId: 'visitor.uid', name: 'visitor.fio', phone: 'visitor.tel', email: 'visitor.mail', browser: 'visitor.ua',
  page: 'visitor.url', status: 'msg.state',
};

async function setup(t: import('ava').ExecutionContext) {
  const pf = await PlanfixSim.start();
  t.teardown(() => pf.close());
  const source = await VerboxSource.start();
  t.teardown(() => source.close());
  const relay = await RelayProcess.start();
  t.teardown(() => relay.stop());
  const account = (await relay.api('POST', '/api/accounts', { name: 'Acme', defaultCountry: 'RU', planfix: { url: pf.origin, chatToken: 'pf-chat-token' } })).body;
  const channel = await relay.api('POST', `/api/accounts/${account.id}/channels`, {
    kind: 'verbox', name: 'Verbox chat',
    settings: { token: TOKEN, tokenHeader: 'X-Site-Key', replyUrl: source.replyUrl, replyToken: source.replyToken, fieldMap: FIELD_MAP, defaultOperator: 'robot' },
    options: { operators: [{ operator: '17', employee: 'anna@acme.test', name: 'Anna Smirnova' }] },
  });
  const emit = (body: Record<string, unknown>, token: string | null = TOKEN) => source.emit(channel.body.webhookUrl, body, { token: token ?? undefined, header: 'x-site-key' });
  const reply = (taskNumber: number, text: string, user = { name: 'Anna', lastName: 'Smirnova' }) => pf.reply({
    relayUrl: `${relay.url}/planfix/${account.id}/chat`, token: account.connect.planfixChat.token, taskNumber, message: text, user,
  });
  return { pf, source, relay, account, channel, emit, reply };
}

const visitor = { uid: 'vb-1001', fio: 'Olga Ivanova', tel: '8 (905) 123-45-67', mail: 'olga@example.com', ua: 'Chrome 120 / Windows 10', url: 'https://shop.example.com/?utm_source=yandex&utm_medium=cpc' };

test('Verbox with a renamed field map: a chat becomes a contact and a task, echoes and replies flow both ways', async (t) => {
  const { pf, source, channel, emit, reply } = await setup(t);
  t.is(channel.status, 201, JSON.stringify(channel.body));
  // Set up but for the account's REST token, which completing the task when the chat ends needs.
  t.deepEqual(channel.body.warningCodes, [{ code: 'rest_token_missing_close', params: {} }]);
  t.is(channel.body.fieldMap.clientId, 'visitor.uid', 'the admin sees the effective map');
  t.is(channel.body.settings.token, '****6789', 'secrets are masked');

  const first = { type: 'message', msg: { id: 'in-1', body: 'Do you deliver to Kazan?', from: 'client' }, visitor };
  t.is((await emit(first)).status, 200);
  t.like((await emit(first)).body as object, { accepted: 0, duplicates: 1 });
  const task = await pf.waitFor(() => pf.tasks[0]);
  t.is(pf.contacts.length, 1);
  t.like(pf.contacts[0], { name: 'Olga', lastName: 'Ivanova', email: 'olga@example.com', phone: '+79051234567' });
  t.true(task.comments[0]!.text.startsWith('Do you deliver to Kazan?'));
  t.is(task.fields.utm_source, 'yandex');

  // An operator answering inside Verbox: an echo in Planfix from the mapped employee.
  await emit({ type: 'message', msg: { id: 'in-2', body: 'Yes, in two days.', from: 'operator', operator: '17' }, visitor });
  await pf.waitFor(() => task.comments.length >= 2);
  t.deepEqual(task.comments[1]!.author, { employeeEmail: 'anna@acme.test' });

  const answer = await reply(task.number, 'The courier will call you.');
  t.is(answer.status, 200);
  const sent = await source.waitFor(() => source.replies[0]);
  t.like(sent.body, { clientId: 'vb-1001', text: 'The courier will call you.', operator: '17', employee: { name: 'Anna Smirnova', email: 'anna@acme.test' } });
  t.is(sent.authorization, `Bearer ${source.replyToken}`);
  await pf.waitFor(() => pf.messageStatuses.find((s) => s.messageId === answer.messageId && s.status === 'sent'));

  // Verbox forwards the relay's own reply back as an operator message: it is not imported twice.
  await emit({ type: 'message', msg: { id: sent.messageId, body: 'The courier will call you.', from: 'operator', operator: '17' }, visitor });
  await emit({ type: 'status', msg: { id: sent.messageId, state: 'read' }, visitor });
  await pf.waitFor(() => pf.messageStatuses.some((s) => s.messageId === answer.messageId && s.status === 'read'));
  t.is(task.comments.filter((c) => c.text.startsWith('The courier will call you.')).length, 1);

  // A reply from an employee with no operator of their own goes as the default operator.
  await reply(task.number, 'Anything else?', { name: 'Ivan', lastName: 'Petrov' });
  const second = await source.waitFor(() => source.replies[1]);
  t.is(second.body.operator, 'robot');
});

test('Verbox: a wrong or missing token is refused and nothing is journaled; a refused reply is a clear messageStatus error', async (t) => {
  const { pf, source, relay, emit, reply } = await setup(t);
  const journalSize = () => journalEvents(relay.dataDir);
  const before = await journalSize();
  const forged = { type: 'message', msg: { id: 'f-1', body: 'forged', from: 'client' }, visitor };
  t.is((await emit(forged, 'wrong-token-wrong-token')).status, 401);
  t.is((await emit(forged, null)).status, 401);
  const bad = await emit({ type: 'message', msg: { body: 'no visitor' } });
  t.is(bad.status, 400);
  t.regex(JSON.stringify(bad.body), /visitor\.uid/);
  t.is(await journalSize(), before);

  await emit({ type: 'message', msg: { id: 'ok-1', body: 'genuine', from: 'client' }, visitor });
  const task = await pf.waitFor(() => pf.tasks[0]);
  t.false(task.comments.some((c) => c.text.includes('forged')));

  source.failNext(403);
  const answer = await reply(task.number, 'hello?');
  const status = await pf.waitFor(() => pf.messageStatuses.find((s) => s.messageId === answer.messageId));
  t.is(status.status, 'error');
  t.regex(status.text ?? '', /replyUrl refused the relay \(403/);
});
