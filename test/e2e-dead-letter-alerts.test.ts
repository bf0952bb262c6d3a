// Dead letters end to end: the relay as a real process, the Planfix simulator and a loopback
// receiver for the alert URL. A burst of refusals is one alert each way naming the count; "retry
// all" after the fix delivers every letter once, each conversation's in their order.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import test from 'ava';
import { chatraWebhook } from './sim/chatra.ts';
import { chatraSetup } from './helpers/chatra-setup.ts';

async function receiver(t: { teardown(fn: () => void): void }) {
  const got: { path: string; type: string; body: any }[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      got.push({ path: req.url ?? '', type: String(req.headers['content-type']), body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => server.close());
  return { got, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/relay-alerts` };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('three dead letters in a burst: one alert task in Planfix and one POST naming 3; retry all delivers each once, in order', async (t) => {
  const { relay, account, pf, hook } = await chatraSetup(t, { env: { RELAY_ALERT_GATHER_MS: '1500' } });
  const alertUrl = await receiver(t);
  const employee = pf.employees.find((e) => e.name === 'Default')!;
  const api = (method: string, path: string, body?: unknown) => relay.api(method, `/api/accounts/${account.id}${path}`, body);

  const refused = await api('PATCH', '', { alerts: { url: 'https://alerts.example.com/hook' } });
  t.is(refused.status, 400, 'a host outside RELAY_ALLOW_HOSTS is refused');
  t.regex(JSON.stringify(refused.body), /alerts\.url.*RELAY_ALLOW_HOSTS/);
  const set = await api('PATCH', '', { alerts: { employeeId: employee.id, url: alertUrl.url } });
  t.is(set.status, 200);
  t.deepEqual(set.body.alerts, { employeeId: employee.id, url: alertUrl.url });

  // Planfix refuses the chat token: every message is refused for good.
  t.is((await api('PATCH', '', { planfix: { chatToken: 'wrong' } })).status, 200);
  const olga = { id: 'client-olga', name: 'Olga' };
  const ivan = { id: 'client-ivan', name: 'Ivan', email: 'ivan@example.com', phone: '+380501112244' };
  await hook(chatraWebhook('chatStarted', { client: olga, messages: [{ id: 'o1', message: 'first of Olga' }] }));
  await hook(chatraWebhook('chatFragment', { client: ivan, messages: [{ id: 'i1', message: 'only of Ivan' }] }));
  await hook(chatraWebhook('chatFragment', { client: olga, messages: [{ id: 'o2', message: 'second of Olga' }] }));
  const dead = await pf.waitFor(async () => {
    const list = (await api('GET', '/dead-letters')).body as any[];
    return list.length === 3 ? list : undefined;
  });
  t.deepEqual(dead.map((d) => d.reasonCode), ['planfix-token', 'planfix-token', 'planfix-token']);
  t.regex(dead[0].reason, /401/);

  const restTasks = () => pf.tasks.filter((x) => x.source === 'rest');
  await pf.waitFor(() => alertUrl.got.length >= 1 && restTasks().length >= 1);
  // Time for a second alert to arrive if the limiter let one through (the gathering is 1.5 s).
  await sleep(2500);
  t.is(alertUrl.got.length, 1, 'one POST, not three');
  t.is(restTasks().length, 1, 'one alert task, not three');
  const [post] = alertUrl.got;
  t.is(post!.path, '/relay-alerts');
  t.regex(post!.type, /application\/json/);
  t.like(post!.body, { event: 'dead_letters', count: 3, account: { id: account.id, name: 'Acme' } });
  const task = restTasks()[0]!;
  t.deepEqual(task.assignees.users, [employee.email]);
  t.regex(task.name, /\b3\b/);
  t.regex(task.description, /\/admin/);

  // The admin fixes the token and retries them all.
  t.is((await api('PATCH', '', { planfix: { chatToken: 'pf-chat-token' } })).status, 200);
  const retried = await api('POST', '/dead-letters/retry');
  t.is(retried.status, 202);
  t.is(retried.body.requeued, 3);
  t.is(retried.body.more, false, 'all fit in one call');
  const chatTasks = () => pf.tasks.filter((x) => x.source === 'chat');
  const texts = () => chatTasks().flatMap((x) => x.comments.map((c) => c.text.split('\n')[0]));
  await pf.waitFor(() => texts().length >= 3);
  t.deepEqual((await api('GET', '/dead-letters')).body, []);
  await sleep(500); // room for a duplicate to show
  const all = texts();
  for (const m of ['first of Olga', 'second of Olga', 'only of Ivan']) t.is(all.filter((x) => x?.startsWith(m)).length, 1, `${m} delivered once`);
  const olgas = all.filter((x) => x?.includes('of Olga'));
  t.deepEqual(olgas.map((x) => x!.split(' ')[0]), ['first', 'second'], 'Olga\'s in the order she wrote them');
  t.is((await api('POST', '/dead-letters/retry')).body.requeued, 0, 'nothing left');
  t.is(alertUrl.got.length, 1, 'no alert about the retried ones');
  t.false(relay.output.includes('wrong"') || relay.output.includes(alertUrl.url), 'neither the token nor the alert URL is logged');
});
