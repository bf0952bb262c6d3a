// Moving onto PostgreSQL as an operator does it: a data directory the relay process wrote on
// SQLite (chats, a reply, a call, a dead letter, an event still pending while Planfix is down),
// the relay stopped, `node dist/relay.js move-to-postgres`, and the relay started on the database.
// The pending event is delivered once, the dead letter is listed and retried, a known customer
// stays on their contact and task, and the settings are the same. Table by table:
// move-to-postgres.test.ts.
import { execFile } from 'node:child_process';
import test, { type ExecutionContext } from 'ava';
import { chatraWebhook, ChatraFake } from './sim/chatra.ts';
import { PlanfixSim } from './sim/planfix.ts';
import { RingostatFake } from './sim/ringostat.ts';
import { testDatabase } from './helpers/postgres.ts';
import { FAST_REST, RelayProcess } from './helpers/relay-process.ts';

const PROJECT = '11111';
/** Chatra's client as the chat began: her e-mail given, her phone not yet. */
const OLGA = { phone: '' };

/** The command as operators run it, with only PATH and `env` in its environment. */
function move(args: string[], env: Record<string, string> = {}): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['dist/relay.js', 'move-to-postgres', ...args], { env: { PATH: process.env.PATH ?? '', ...env } }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, output: `${stdout}${stderr}` });
    });
  });
}

/** A URL with a password in it (the test server ignores it), to see that it is never printed. */
function withPassword(url: string): { url: string; password: string } {
  const u = new URL(url);
  if (!u.password) u.password = 'pw-never-printed-7Qx';
  return { url: u.toString(), password: decodeURIComponent(u.password) };
}

/** Planfix, Chatra and Ringostat, and a relay on SQLite with one account holding a channel of each. */
async function world(t: ExecutionContext) {
  const pf = await PlanfixSim.start();
  t.teardown(() => pf.close());
  const chatra = await ChatraFake.start();
  t.teardown(() => chatra.close());
  const rs = await RingostatFake.start({ projectId: PROJECT });
  t.teardown(() => rs.close());
  const relay = await RelayProcess.start(FAST_REST);
  t.teardown(() => relay.stop());
  const account = (await relay.api('POST', '/api/accounts', {
    name: 'Acme', defaultCountry: 'UA',
    planfix: { url: pf.origin, chatToken: 'pf-chat-token', restToken: 'pf-rest-token', telephonyToken: 'pf-tel-token' },
  })).body;
  const chat = (await relay.api('POST', `/api/accounts/${account.id}/channels`, {
    kind: 'chatra', name: 'Site chat',
    settings: { publicKey: 'chatra-pub', secretKey: 'chatra-secret', agentEmail: 'support@acme.test', agentName: 'Acme Support', apiUrl: chatra.apiUrl },
  })).body;
  const calls = (await relay.api('POST', `/api/accounts/${account.id}/channels`, {
    kind: 'ringostat', name: 'Calls', settings: { authKey: rs.authKey, apiUrl: rs.apiUrl, projectId: PROJECT }, options: { callTarget: 'contact' },
  })).body;
  return { pf, chatra, relay, account, chatWebhook: chat.webhookUrl as string, callWebhook: calls.webhookUrl as string };
}

/** An account as the API shows it, without its channels' last reconciliation (the start runs one). */
const withoutRuns = (a: { channels: { recovery?: unknown }[] }) => ({ ...a, channels: a.channels.map(({ recovery: _r, ...c }) => c) });

const texts = (task: { comments: { text: string }[] }) => task.comments.map((c) => c.text.split('\n')[0]!);

test('a data directory the relay wrote on SQLite, moved: the relay on PostgreSQL carries on where it stopped', async (t) => {
  const { pf, chatra, relay, account, chatWebhook, callWebhook } = await world(t);
  const dataDir = relay.dataDir;
  let live = relay;
  const hook = (body: unknown) => live.post(chatWebhook, JSON.stringify(body));
  const ringostat = (body: unknown) => live.post(`${callWebhook}?event=call_end`, JSON.stringify(body));
  const api = (method: string, path: string, body?: unknown) => live.api(method, `/api/accounts/${account.id}${path}`, body);
  const idle = () => pf.waitFor(async () => ((await (await fetch(`${live.url}/healthz`)).json()) as { backlog: number }).backlog === 0, 30_000);

  // On SQLite: Olga's chat (her e-mail known, not her phone) and an employee's answer, a call from a new number.
  t.is((await hook(chatraWebhook('chatStarted', { client: OLGA, messages: [{ id: 'm1', message: 'Is the blue kettle in stock?' }] }))).status, 200);
  const task = await pf.waitFor(() => pf.tasks.find((x) => x.source === 'chat'));
  const answer = await pf.reply({ relayUrl: `${live.url}/planfix/${account.id}/chat`, token: account.connect.planfixChat.token, taskNumber: task.number, message: 'Yes, it is.', user: { name: 'Ivan', lastName: 'Petrov' } });
  t.is(answer.status, 200);
  const sent = await chatra.waitFor(() => chatra.messages[0]);
  t.is((await ringostat({ uniqueid: 'call-1', calldate: '2024-11-14T10:15:02+0200', call_type: 'in', caller: '380509998877', dst: '380443334455', disposition: 'NO ANSWER', billsec: 0 })).status, 200);
  await idle();
  const contacts = pf.contacts.length;
  t.is(contacts, 2, "Olga's contact and the caller's");

  // A dead letter: Planfix refuses the chat token while Ivan writes.
  t.is((await api('PATCH', '', { planfix: { chatToken: 'wrong' } })).status, 200);
  await hook(chatraWebhook('chatStarted', { client: { id: 'client-ivan', name: 'Ivan', email: 'ivan@example.com', phone: '+380671112244' }, messages: [{ id: 'i1', message: 'Written while the token was wrong' }] }));
  const deadLetters = async () => (await api('GET', '/dead-letters')).body as { eventId: string; reasonCode: string; retryUrl: string }[];
  const dead = await pf.waitFor(async () => (await deadLetters()).at(0));
  t.is(dead.reasonCode, 'planfix-token');
  t.is((await api('PATCH', '', { planfix: { chatToken: 'pf-chat-token' } })).status, 200);
  // Pending: Planfix is down when Olga writes again.
  await pf.setMode('down');
  t.is((await hook(chatraWebhook('chatFragment', { client: OLGA, messages: [{ id: 'm2', message: 'Pending while Planfix is down' }] }))).status, 200);
  const settings = (await api('GET', '')).body;
  t.is(((await (await fetch(`${live.url}/healthz`)).json()) as { backlog: number }).backlog, 1);
  t.is(await relay.kill('SIGTERM'), 0, 'stopped as the move asks');

  const { url, password } = withPassword(await testDatabase(t));
  const moved = await move(['--data', dataDir, '--to', url]);
  t.is(moved.code, 0, moved.output);
  t.regex(moved.output, /^Committed to PostgreSQL at 127\.0\.0\.1:\d+\/relay_test_\w+: accounts 1, pending events 1, dead letters 1; \d+ rows in \d+ tables\.$/m);
  t.regex(moved.output, /^ {2}conversations: 2 rows$/m, "Olga's and Ivan's");
  t.notRegex(moved.output, /Warning/, 'a relay stopped with SIGTERM leaves no WAL');
  t.false(moved.output.includes(password), 'the password is never printed');
  // Again: the database holds data now. Given through the environment, as the service's file would.
  const again = await move([], { RELAY_DATA_DIR: dataDir, RELAY_DATABASE_URL: url });
  t.is(again.code, 1);
  t.regex(again.output, /Not moved: the database already holds data \(rows in accounts, .*\)/);
  t.false(again.output.includes(password));

  // On PostgreSQL, Planfix back.
  await pf.setMode('up');
  // On the same address, as the service would be: the URLs it shows are the ones it showed.
  live = await RelayProcess.start({ ...FAST_REST, RELAY_DATABASE_URL: url, PORT: String(relay.port) }, dataDir);
  t.teardown(() => live.stop());
  t.regex(live.output, /data in PostgreSQL at/);
  await pf.waitFor(() => texts(task).includes('Pending while Planfix is down'), 15_000);
  t.deepEqual(withoutRuns((await api('GET', '')).body), withoutRuns(settings), 'the settings, as they were');
  t.deepEqual(await deadLetters(), [dead], 'the dead letter, with its reason and times');

  // Olga writes from another browser, giving her phone too: the moved index knows her e-mail, so
  // her contact and task (without it, her phone would make her a new customer, with a new task).
  await hook(chatraWebhook('chatFragment', { client: { id: 'olga-second-browser' }, messages: [{ id: 'm3', message: 'From my phone now' }] }));
  await pf.waitFor(() => texts(task).includes('From my phone now'), 15_000);
  // Chatra sends the relay's own earlier reply back: still known as ours, not imported as Olga's.
  await hook(chatraWebhook('chatFragment', { client: OLGA, messages: [{ id: sent.id, type: 'agent', message: sent.text, agentId: 'ag1' }, { id: 'm4', message: 'Thanks' }], agents: [{ id: 'ag1', name: 'Acme Support', email: 'support@acme.test' }] }));
  await pf.waitFor(() => texts(task).includes('Thanks'), 15_000);
  // The caller again: on the contact of the first call, no second one.
  await ringostat({ uniqueid: 'call-2', calldate: '2024-11-15T10:15:02+0200', call_type: 'in', caller: '380509998877', dst: '380443334455', disposition: 'NO ANSWER', billsec: 0 });
  // The dead letter, retried: delivered once.
  t.is((await live.api('POST', dead.retryUrl)).status, 202);
  await idle();
  await pf.waitFor(() => pf.tasks.some((x) => x.source === 'chat' && texts(x).includes('Written while the token was wrong')));

  t.is(pf.contacts.length, contacts + 1, 'Ivan is new; Olga and the caller are the contacts they were');
  t.is(pf.tasks.filter((x) => x.source === 'chat').length, 2, "Olga's task and Ivan's");
  t.deepEqual(texts(task), ['Is the blue kettle in stock?', 'Yes, it is.', 'Pending while Planfix is down', 'From my phone now', 'Thanks']);
  const newMessages = (text: string) => pf.commands.filter((c) => c.cmd === 'newMessage' && c.status === 200 && String(c.params.message ?? '').startsWith(text)).length;
  t.is(newMessages('Pending while Planfix is down'), 1, 'delivered once');
  t.is(newMessages('Written while the token was wrong'), 1);
  t.is(newMessages('Yes, it is.'), 0, 'the echo of our reply was not sent to Planfix');
  t.is(pf.contactComments.filter((c) => /missed/i.test(c.description)).length, 2, 'both calls on the caller');
  t.deepEqual(await deadLetters(), []);
});

test('the command says how to use it when the database is not given', async (t) => {
  const r = await move(['--data', '/nonexistent']);
  t.is(r.code, 2);
  t.regex(r.output, /no database: give --to postgres:\/\/… or set RELAY_DATABASE_URL\nusage: node dist\/relay\.js move-to-postgres/);
  const bad = await move(['--to', 'mysql://x']);
  t.is(bad.code, 2);
  t.regex(bad.output, /--to \(or RELAY_DATABASE_URL\): must be a postgres:\/\/ URL/);
});
