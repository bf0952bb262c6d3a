// The upgrade from JSON-lines storage to relay.db, end to end: a data directory written by the
// relay of commit 705c379 (test/fixtures/data-705c379, see its README.md) is started with the
// current relay. What was pending is delivered once, what was delivered stays delivered, and what
// the old relay knew (tasks, widget data, calls, sent replies, dead letters) is still known.
import { appendFile, cp, mkdtemp, readFile, readdir, rename, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test, { type ExecutionContext } from 'ava';
import { RelayProcess } from './helpers/relay-process.ts';
import { ChatraFake, chatraWebhook } from './sim/chatra.ts';
import { PlanfixSim } from './sim/planfix.ts';

const FIXTURE = fileURLToPath(new URL('./fixtures/data-705c379/', import.meta.url));
/** What the old relay wrote in its data directory (the fixture's README and sim snapshot are not part of it). */
const DATA_FILES = ['accounts', 'state', 'journal.jsonl', 'admin-token'];
const REC = 'https://app.ringostat.com/recordings/1731571502.48213.ogg?token=abc';
const IMPORTED = 'imported the data directory of an older relay into relay.db';

/** The old simulator's Chat API log and the tasks it held when the old relay was killed. */
interface OldPlanfix {
  tasks: { number: number; chatId: string; contactNumber?: number }[];
  contacts: { number: number; contactId: string }[];
  reply: { messageId: string; taskNumber: number; chatraMessageId: string };
  chatApi: Record<string, string>[];
}
const old = JSON.parse(await readFile(join(FIXTURE, 'planfix-sim.json'), 'utf8')) as OldPlanfix;
const accountFile = (await readdir(join(FIXTURE, 'accounts')))[0]!;
const ACCOUNT = accountFile.replace(/\.json$/, '');
const channels = (JSON.parse(await readFile(join(FIXTURE, 'accounts', accountFile), 'utf8')) as { channels: { id: string; kind: string }[] }).channels;
const channelId = (kind: string) => channels.find((c) => c.kind === kind)!.id;

type Rec = Record<string, any>;
const jsonl = (text: string) => text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Rec);
const oldJournal = jsonl(await readFile(join(FIXTURE, 'journal.jsonl'), 'utf8'));
const oldState = jsonl(await readFile(join(FIXTURE, 'state', ACCOUNT, 'state.jsonl'), 'utf8'));
/** The old relay's last word on a conversation (its state file is a log: later records win). */
const conversation = (chatId: string) => oldState.filter((r) => r.t === 'c' && r.c.chatId === chatId).at(-1)!.c as { chatId: string; clientId: string; taskNumber?: number; channel: string };
const chatOf = (clientId: string) => oldState.filter((r) => r.t === 'c' && r.c.clientId === clientId).at(-1)!.c.chatId as string;

const OLGA = 'kX3pQ9mWz2YbT7cAf';
const PENDING = {
  olga: 'Olga again: pending while Planfix is down',
  oksana: 'Oksana: new customer while Planfix is down',
  viber: 'Olena on Viber: pending while Planfix is down',
};
const MARIA = 'Maria: sent while REST was down';
const DEAD = 'Hello, written while the token was wrong';

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}

/** A fresh copy of the old data directory. */
async function oldDataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'relay-migration-'));
  for (const f of DATA_FILES) await cp(join(FIXTURE, f), join(dir, f), { recursive: true });
  return dir;
}

/**
 * The account's services moved (the old simulator and fakes are gone): its Planfix and Chatra URLs
 * are pointed at this test's, in the account's lowdb file, as an admin editing it would.
 */
async function pointAccountAt(dataDir: string, pf: PlanfixSim, chatra: ChatraFake): Promise<Rec> {
  const file = join(dataDir, 'accounts', accountFile);
  const a = JSON.parse(await readFile(file, 'utf8')) as Rec;
  a.planfix.url = pf.origin;
  if (a.planfix.restUrl) a.planfix.restUrl = pf.restUrl;
  for (const c of a.channels) if (c.kind === 'chatra') c.settings.apiUrl = chatra.apiUrl;
  await writeFile(file, JSON.stringify(a, null, 2), { mode: 0o600 });
  return a;
}

/**
 * Planfix kept its data across the relay's upgrade. The fresh simulator is given it the way the
 * old one got it: the Chat API requests the old simulator accepted, replayed in order, make the
 * same contacts and chat tasks, with the same numbers and chat bindings.
 */
async function rebuildPlanfix(t: ExecutionContext, pf: PlanfixSim): Promise<void> {
  for (const params of old.chatApi) {
    const res = await fetch(pf.chatApiUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(params) });
    if (res.status !== 200) throw new Error(`replaying ${params.cmd}: ${res.status} ${await res.text()}`);
  }
  t.deepEqual(pf.tasks.map((x) => [x.number, x.chatId]), old.tasks.map((x) => [x.number, x.chatId]), 'the rebuilt Planfix has the old task numbers');
  t.deepEqual(pf.contacts.map((c) => [c.number, c.contactId]), old.contacts.map((c) => [c.number, c.contactId]));
}

/** The one JSON log line with this message. */
function logLine(output: string, msg: string): Rec | undefined {
  return output.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Rec).find((r) => r.msg === msg);
}

const backlogOf = async (relay: RelayProcess) => ((await (await fetch(`${relay.url}/healthz`)).json()) as { backlog: number }).backlog;

test('a data directory of the relay at 705c379: imported once, pending events delivered once, what the old relay knew still known', async (t) => {
  const pf = await PlanfixSim.start();
  const chatra = await ChatraFake.start();
  const dataDir = await oldDataDir();
  let relay: RelayProcess | undefined;
  t.teardown(async () => { await relay?.stop(); await pf.close(); await chatra.close(); });

  await rebuildPlanfix(t, pf);
  const account = await pointAccountAt(dataDir, pf, chatra);
  const since = pf.commands.length;
  const sent = () => pf.commands.slice(since).filter((c) => c.cmd === 'newMessage');
  const sentWith = (text: string) => sent().filter((c) => String(c.params.message).startsWith(text));
  const task = (n: number) => pf.tasks.find((x) => x.number === n)!;
  const commentsWith = (n: number, text: string) => task(n).comments.filter((c) => c.text.startsWith(text)).length;

  relay = await RelayProcess.start({}, dataDir);

  // The import, as the log tells it: ten events, four still pending and one dead letter.
  const imported = logLine(await relay.waitForOutput((o) => o.includes(IMPORTED)), IMPORTED);
  t.like(imported, { events: oldJournal.filter((r) => r.t === 'e').length, pending: 4, dead: 1, accounts: 1, skipped: 0 });
  t.false(await exists(join(dataDir, 'journal.jsonl')));
  t.true(await exists(join(dataDir, 'journal.jsonl.before-sqlite')));
  t.false(await exists(join(dataDir, 'state')));
  t.is(await readFile(join(dataDir, 'state.before-sqlite', ACCOUNT, 'state.jsonl'), 'utf8'), await readFile(join(FIXTURE, 'state', ACCOUNT, 'state.jsonl'), 'utf8'), 'the old state is kept as it was');
  t.true(await exists(join(dataDir, 'relay.db')));

  // Pending events: each reaches Planfix once, the old conversations' in their own tasks.
  const olgaChat = chatOf(OLGA);
  const olgaTask = conversation(olgaChat).taskNumber!;
  t.is(olgaTask, old.reply.taskNumber);
  await pf.waitFor(() => commentsWith(olgaTask, PENDING.olga) === 1, 20_000);
  const viberTask = old.tasks.find((x) => conversation(x.chatId).channel === channelId('viber'))!.number;
  await pf.waitFor(() => commentsWith(viberTask, PENDING.viber) === 1, 20_000);
  const oksanaTask = await pf.waitFor(() => pf.tasks.find((x) => x.comments.some((c) => c.text.startsWith(PENDING.oksana))), 20_000);
  t.false(old.tasks.some((x) => x.number === oksanaTask.number), 'a new customer gets a new task');
  t.is(oksanaTask.name, 'Site chat: Oksana Melnyk');
  // Maria's message reached Planfix before the upgrade; only her visit comment was left to do.
  const maria = pf.contacts.find((c) => c.name === 'Maria')!;
  await pf.waitFor(() => pf.contactComments.some((c) => c.contactNumber === maria.number), 20_000);
  await pf.waitFor(async () => (await backlogOf(relay!)) === 0, 20_000);
  for (const text of Object.values(PENDING)) t.is(sentWith(text).length, 1, `${text}: sent once`);
  t.true(sent().every((c) => c.status === 200));
  t.is(sentWith(MARIA).length, 0, 'the step done before the upgrade is not done again');
  t.is(commentsWith(old.tasks.find((x) => x.chatId === chatOf('mR5tY7uI9oP1aS3dF'))!.number, MARIA), 1);
  t.is(pf.contactComments.filter((c) => c.contactNumber === maria.number).length, 1);
  t.is(sent().length, 3, 'nothing else was sent again');

  // The widget: an old task shows its chat's visit data and the call attached to it.
  const widget = async (n: number) => {
    const res = await fetch(`${relay!.url}/widget/${ACCOUNT}/tasks/${n}`, { headers: { 'x-widget-key': account.widget.key } });
    t.is(res.status, 200, `widget data of task ${n}`);
    return res.json() as Promise<Rec>;
  };
  const olgaView = await widget(olgaTask);
  t.like(olgaView.chat, {
    channel: { kind: 'chatra', name: 'Site chat' },
    customer: { name: 'Olga Petrenko', phone: '+380501112233', email: 'olga@example.com' },
    visitor: { city: 'Kyiv', country: 'Ukraine', browser: 'Chrome 120' },
    utm: { utm_source: 'google', utm_medium: 'cpc', utm_campaign: 'spring' },
    referrer: 'https://www.google.com/',
  });
  t.true(olgaView.chat.pages.some((p: Rec) => p.url === 'https://shop.example.com/p/42' && p.title === 'Blue kettle'));
  t.is(olgaView.calls.length, 1);
  t.like(olgaView.calls[0], { direction: 'in', status: 'answered', durationSec: 80, phone: '+380501112233', employee: 'Ivan Ivanenko', recordingUrl: REC, utm: { utm_source: 'google', utm_medium: 'cpc' } });
  const petroView = await widget(old.tasks.find((x) => x.chatId === chatOf('pB4nR8sXy3ZcV6dEg'))!.number);
  t.like(petroView.chat, { customer: { name: 'Petro Shevchenko' }, utm: { utm_source: 'facebook', utm_medium: 'social', utm_campaign: 'summer' } });

  // An employee's reply in an old task reaches the visitor the old relay knew.
  const answer = await pf.reply({ relayUrl: `${relay.url}/planfix/${ACCOUNT}/chat`, token: account.callback.chatToken, taskNumber: olgaTask, message: 'Your kettle ships today.' });
  t.is(answer.status, 200);
  t.is((answer.body as { chatId: string }).chatId, olgaChat);
  const out = await chatra.waitFor(() => chatra.messages.find((m) => m.text === 'Your kettle ships today.'));
  t.is(out.clientId, OLGA);
  t.is((await pf.waitFor(() => pf.messageStatuses.find((s) => s.messageId === answer.messageId))).status, 'sent');

  // Olga writes again without her phone or e-mail: her Chatra id alone finds her contact (the
  // imported identity index), so the message joins her task. Chatra repeats the reply the old
  // relay sent: its id was imported as seen, so it is not posted back as an agent's echo.
  const shown = (await relay.api('GET', `/api/accounts/${ACCOUNT}`)).body as { channels: { id: string; webhookUrl: string }[] };
  const chatraHookUrl = shown.channels.find((c) => c.id === channelId('chatra'))!.webhookUrl;
  const hook = (body: unknown) => relay!.post(chatraHookUrl, JSON.stringify(body));
  const again = await hook(chatraWebhook('chatFragment', {
    client: { id: OLGA, name: undefined, phone: undefined, email: undefined, utm: undefined, visitedPages: undefined },
    messages: [{ id: old.reply.chatraMessageId, type: 'agent', message: 'Yes, the 1.7 l kettle is in stock.', agentId: 'ag1' }, { id: 'new-a4', message: 'Great, ordering now' }],
    agents: [{ id: 'ag1', name: 'Acme Support', email: 'support@acme.test' }],
  }));
  t.like(again, { status: 200, body: { accepted: 1 } });
  await pf.waitFor(() => commentsWith(olgaTask, 'Great, ordering now') === 1, 20_000);
  t.is(sentWith('Yes, the 1.7 l kettle').length, 0);
  // A resend of a message the old relay delivered is still a duplicate.
  const resend = await hook(chatraWebhook('chatStarted', { messages: [{ id: 'old-a1', message: 'Hi! Is the blue kettle in stock?' }] }));
  t.like(resend, { status: 200, body: { accepted: 0 } });

  // The old dead letter is listed, and retrying it now delivers it.
  const dead = await relay.api('GET', `/api/accounts/${ACCOUNT}/dead-letters`);
  t.is(dead.body.length, 1);
  t.like(dead.body[0], { kind: 'message', preview: DEAD });
  t.regex(dead.body[0].reason, /answered 401/);
  t.is((await relay.api('POST', dead.body[0].retryUrl)).status, 202);
  const tarasTask = await pf.waitFor(() => pf.tasks.find((x) => x.comments.some((c) => c.text.startsWith(DEAD))), 20_000);
  t.is(tarasTask.name, 'Site chat: Taras Bondar');
  await pf.waitFor(async () => (await backlogOf(relay!)) === 0, 20_000);
  t.deepEqual((await relay.api('GET', `/api/accounts/${ACCOUNT}/dead-letters`)).body, []);

  // Restarted: nothing is imported again, nothing is sent again, and the old data is still there.
  const before = pf.commands.length;
  await relay.kill('SIGTERM');
  await relay.restart();
  const started = logLine(await relay.waitForOutput((o) => o.includes('relay started')), 'relay started');
  t.is(started?.backlog, 0);
  t.false(relay.output.includes(IMPORTED));
  t.false(await exists(join(dataDir, 'journal.jsonl')));
  t.false(await exists(join(dataDir, 'state')));
  t.like((await widget(olgaTask)).chat, { utm: { utm_source: 'google' } });
  await new Promise((r) => setTimeout(r, 500));
  t.is(pf.commands.length, before, 'no Planfix request after the restart');
  for (const text of Object.values(PENDING)) t.is(sentWith(text).length, 1);

  // The old journal moved back by hand: the database knows it was imported, so it is moved aside
  // again, not imported twice (which would make delivered events pending again).
  await relay.kill('SIGTERM');
  await rename(join(dataDir, 'journal.jsonl.before-sqlite'), join(dataDir, 'journal.jsonl'));
  await relay.restart();
  await relay.waitForOutput((o) => o.includes('the old data files were imported before; moved them aside'));
  t.false(relay.output.includes(IMPORTED));
  t.false(await exists(join(dataDir, 'journal.jsonl')));
  t.is(await backlogOf(relay), 0);
  await new Promise((r) => setTimeout(r, 500));
  t.is(pf.commands.length, before, 'nothing was sent again');
});

test('old files beside a database that was never imported into are refused, not merged', async (t) => {
  const dataDir = await oldDataDir();
  const journal = await readFile(join(dataDir, 'journal.jsonl'));
  await rename(join(dataDir, 'journal.jsonl'), join(dataDir, 'journal.jsonl.away'));
  await rename(join(dataDir, 'state'), join(dataDir, 'state.away'));
  // A new relay starts on the directory and takes an event of its own.
  const relay = await RelayProcess.start({}, dataDir);
  t.teardown(() => relay.stop());
  const account = await relay.api('GET', `/api/accounts/${ACCOUNT}`);
  const chatraChannel = (account.body.channels as { kind: string; webhookUrl: string }[]).find((c) => c.kind === 'chatra')!;
  t.is((await relay.post(chatraChannel.webhookUrl, JSON.stringify({ eventName: 'chatFragment', client: { id: 'v1' }, messages: [{ id: 'm1', type: 'client', message: 'hi' }] }))).status, 200);
  await relay.kill('SIGTERM');
  // Then someone copies an old journal in: importing it would mix two histories.
  await writeFile(join(dataDir, 'journal.jsonl'), journal);
  const refused = await t.throwsAsync(relay.restart());
  t.regex(refused!.message, /journal\.jsonl is in the data directory, but relay\.db already holds data: move the old files away/);
});

test('a torn last line in the old journal is skipped, and the rest is imported', async (t) => {
  // Planfix answers 503 for now: the pending events stay pending (and no old port is dialled).
  const pf = await PlanfixSim.start();
  await pf.setMode('error503');
  const chatra = await ChatraFake.start();
  const dataDir = await oldDataDir();
  await pointAccountAt(dataDir, pf, chatra);
  // A crash in the middle of an append: half a record, no newline.
  const torn = '{"t":"e","id":"torn-1","seq":99,"account":"' + ACCOUNT + '","channel":"x","key":"x","at":1,"event":{"kind":"mess';
  await appendFile(join(dataDir, 'journal.jsonl'), torn);
  const relay = await RelayProcess.start({}, dataDir);
  t.teardown(async () => { await relay.stop(); await pf.close(); await chatra.close(); });
  const output = await relay.waitForOutput((o) => o.includes('they were skipped'));
  t.like(logLine(output, IMPORTED), { events: oldJournal.filter((r) => r.t === 'e').length, pending: 4, dead: 1, skipped: 1 });
  t.like(logLine(output, 'the old files had torn or corrupt lines; they were skipped (the originals are kept)'), { level: 40, skipped: 1 });
  t.true((await readFile(join(dataDir, 'journal.jsonl.before-sqlite'), 'utf8')).endsWith(torn), 'the original is kept as it was');
  t.is((await fetch(`${relay.url}/healthz`)).status, 200);
  t.is(await backlogOf(relay), 4, 'the four pending events wait for Planfix; the dead letter waits for the admin');
  t.is((await relay.api('GET', `/api/accounts/${ACCOUNT}/dead-letters`)).body.length, 1);
});
