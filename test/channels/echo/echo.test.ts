// A channel added the way README's "Adding a channel" says, and nothing else: its folder and its
// registration. The whole path runs for real: a webhook to the relay process, the task and the
// message in the Planfix simulator (with the file the channel's prepare step turned into a link),
// the employee's answer back through the channel's API.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { PlanfixSim } from '../../sim/planfix.ts';
import { RelayProcess } from '../../helpers/relay-process.ts';
import { EchoFake } from './fake.ts';
import { bundleForNode } from '../../../scripts/node-bundle.ts';

const TOKEN = 'echo-token-secret-1234';

async function relayWithEcho(): Promise<string> {
  // Inside the project, so that the bundle's packages resolve from its node_modules.
  await mkdir('.tmp', { recursive: true });
  const dir = await mkdtemp(join('.tmp', 'relay-echo-build-'));
  const outfile = join(dir, 'relay.js');
  // As scripts/build.ts builds dist/relay.js, from the entry that registers the channel first.
  await bundleForNode('test/channels/echo/relay.ts', outfile);
  return outfile;
}

test('a channel in its own folder, registered through the registry: webhook → Planfix → reply', async (t) => {
  const script = await relayWithEcho();
  t.teardown(() => rm(join(script, '..'), { recursive: true, force: true }));
  const pf = await PlanfixSim.start();
  t.teardown(() => pf.close());
  const echo = await EchoFake.start(TOKEN);
  t.teardown(() => echo.close());
  const relay = await RelayProcess.start({}, undefined, script);
  t.teardown(() => relay.stop());

  // The admin API knows the kind from its declaration, and checks its settings with its schema.
  const kinds = (await relay.api('GET', '/api/kinds')).body as { kind: string; title: string; family: string; secretFields: string[] }[];
  t.like(kinds.find((k) => k.kind === 'echo'), { title: 'Echo', family: 'chat', secretFields: ['token'] });
  const account = (await relay.api('POST', '/api/accounts', { name: 'Acme', planfix: { url: pf.origin, chatToken: 'pf-chat-token', restToken: 'pf-rest-token' } })).body;
  const refused = await relay.api('POST', `/api/accounts/${account.id}/channels`, { kind: 'echo', name: 'Echo', settings: { apiUrl: echo.apiUrl, token: 'short' } });
  t.is(refused.status, 400);
  t.regex(JSON.stringify(refused.body), /settings\.token/);
  const channel = await relay.api('POST', `/api/accounts/${account.id}/channels`, {
    kind: 'echo', name: 'Echo', settings: { apiUrl: echo.apiUrl, token: TOKEN }, options: { signature: 'Acme' },
  });
  t.is(channel.status, 201, JSON.stringify(channel.body));
  t.is(channel.body.settings.token, `****${TOKEN.slice(-4)}`, 'its secret field is masked');

  echo.files.set('f-1', 'https://files.echo.example/f-1/price-list.pdf');
  const hook = await relay.post(channel.body.webhookUrl, JSON.stringify({ id: 'e-1', from: { id: 'u-7', name: 'Olga', phone: '+380501112233' }, text: 'Is this price list current?', fileId: 'f-1' }));
  t.is(hook.status, 200);
  t.is(hook.body.accepted, 1);

  const task = await pf.waitFor(() => pf.tasks.find((x) => x.comments.length >= 1));
  t.true(task.comments[0]!.text.startsWith('Is this price list current?'));
  t.deepEqual(task.comments[0]!.attachments.map((a) => a.url), ['https://files.echo.example/f-1/price-list.pdf'], 'prepare turned the file id into its link');
  t.is(pf.contacts[0]!.phone, '+380501112233');

  const answer = await pf.reply({
    relayUrl: `${relay.url}/planfix/${account.id}/chat`, token: account.connect.planfixChat.token, taskNumber: task.number, message: 'Yes, it is.', user: { name: 'Ivan', lastName: 'Petrov' },
  });
  t.is(answer.status, 200);
  const sent = await pf.waitFor(() => echo.sent[0]);
  t.deepEqual({ to: sent.to, text: sent.text }, { to: 'u-7', text: 'Yes, it is.\n— Acme' });
  t.is(echo.refused, 0);
  await pf.waitFor(() => pf.messageStatuses.find((s) => s.messageId === answer.messageId && s.status === 'sent'));
  t.notRegex(relay.output, new RegExp(TOKEN), 'the channel\'s secret never reaches the log');
});
