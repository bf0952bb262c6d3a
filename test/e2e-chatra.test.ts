import test, { type ExecutionContext } from 'ava';
import { chatraWebhook } from './sim/chatra.ts';
import { chatraSetup as ownRelaySetup } from './helpers/chatra-setup.ts';
import { sharedRelays } from './helpers/relay-process.ts';

// One relay for the file: each test has its own simulators and account on it, so none depends on
// another's order; the test that kills the relay has one of its own.
const shared = sharedRelays((stop) => test.after.always(stop));
const chatraSetup = (t: ExecutionContext, opts: Parameters<typeof ownRelaySetup>[1] = {}) => ownRelaySetup(t, { shared, ...opts });

const texts = (task: { comments: { text: string }[] }) => task.comments.map((c) => c.text);

test('a Chatra chat becomes one task on one contact, and the Planfix reply reaches the visitor', async (t) => {
  const { pf, chatra, hook, reply } = await chatraSetup(t);
  t.is((await hook(chatraWebhook('chatStarted', { messages: [{ id: 'm1', message: 'Hi! Is the blue kettle in stock?' }] }))).status, 200);
  t.is((await hook(chatraWebhook('chatFragment', { messages: [{ id: 'm2', message: 'The 1.7 l one' }] }))).status, 200);
  t.is((await hook(chatraWebhook('chatFragment', { messages: [{ id: 'm3', message: 'Delivery to Kyiv?' }] }))).status, 200);

  const task = await pf.waitFor(() => pf.tasks.find((x) => x.comments.length >= 3));
  t.is(pf.contacts.length, 1);
  t.is(pf.tasks.length, 1);
  const contact = pf.contacts[0]!;
  t.is(contact.name, 'Olga');
  t.is(contact.lastName, 'Petrenko');
  t.is(contact.email, 'olga@example.com');
  t.is(contact.phone, '+380501112233');
  t.deepEqual(task.assigner, { contactNumber: contact.number });
  const [first, second, third] = texts(task);
  t.true(first!.startsWith('Hi! Is the blue kettle in stock?'));
  // The visit summary rides on the first message of the task, as Planfix's native quote does.
  t.regex(first!, /Location: Kyiv, Ukraine/);
  t.regex(first!, /Blue kettle — https:\/\/shop\.example\.com\/p\/42/);
  t.regex(first!, /UTM: utm_source=google, utm_medium=cpc, utm_campaign=spring/);
  t.is(second, 'The 1.7 l one');
  t.is(third, 'Delivery to Kyiv?');
  t.is(task.fields.utm_source, 'google');
  t.is(task.fields.utm_medium, 'cpc');
  t.is(task.fields.utm_campaign, 'spring');
  // New chat → one action on the contact with OS, browser and IP.
  const action = await pf.waitFor(() => pf.contactComments[0]);
  t.is(action.contactNumber, contact.number);
  t.regex(action.description, /OS: Windows 10; Browser: Chrome 120; IP: 203\.0\.113\.7/);

  const answer = await reply(task.number, 'Yes, it is in stock.');
  t.is(answer.status, 200);
  t.truthy((answer.body as { chatId: string }).chatId);
  const sent = await chatra.waitFor(() => chatra.messages[0]);
  t.is(sent.clientId, 'kX3pQ9mWz2YbT7cAf');
  t.is(sent.text, 'Yes, it is in stock.');
  t.is(sent.agentEmail, 'support@acme.test');
  t.is(sent.agentName, 'Acme Support');
  const status = await pf.waitFor(() => pf.messageStatuses.find((s) => s.messageId === answer.messageId));
  t.is(status.status, 'sent');

  // Chatra sends the relay's own reply back in the next webhook: it must not be imported again.
  await hook(chatraWebhook('chatFragment', {
    messages: [{ id: sent.id, type: 'agent', message: sent.text, agentId: 'ag1' }, { id: 'm4', message: 'Great, thanks' }],
    agents: [{ id: 'ag1', name: 'Acme Support', email: 'support@acme.test' }],
  }));
  await pf.waitFor(() => texts(task).includes('Great, thanks'));
  t.is(texts(task).filter((x) => x === 'Yes, it is in stock.').length, 1, 'only the employee comment Planfix itself holds');
});

test('an agent typing in Chatra itself is posted as an echo by that agent', async (t) => {
  const { pf, hook } = await chatraSetup(t);
  await hook(chatraWebhook('chatStarted', {
    messages: [{ id: 'c1', message: 'Hello?' }, { id: 'a1', type: 'agent', message: 'Hi Olga, how can I help?', agentId: 'ag7' }],
    agents: [{ id: 'ag7', name: 'Maria', email: 'maria@acme.test' }],
  }));
  const task = await pf.waitFor(() => pf.tasks.find((x) => x.comments.length >= 2));
  t.deepEqual(task.comments[1]!.author, { employeeEmail: 'maria@acme.test' });
  t.is(task.comments[1]!.text, 'Hi Olga, how can I help?');
  t.deepEqual(task.comments[0]!.author, { contactNumber: pf.contacts[0]!.number });
});

test('the same webhook delivered three times is one message in Planfix', async (t) => {
  const { pf, hook } = await chatraSetup(t);
  const body = chatraWebhook('chatStarted', { messages: [{ id: 'dup-1', message: 'Only once, please' }] });
  const answers = await Promise.all([hook(body), hook(body), hook(body)]);
  t.deepEqual(answers.map((a) => a.status), [200, 200, 200]);
  t.is(answers.reduce((n, a) => n + a.body.accepted, 0), 1);
  // A later message of the same conversation is delivered after the duplicates would have been.
  await hook(chatraWebhook('chatFragment', { messages: [{ id: 'after', message: 'sentinel' }] }));
  const task = await pf.waitFor(() => pf.tasks.find((x) => texts(x).includes('sentinel')));
  t.is(texts(task).filter((x) => x.startsWith('Only once, please')).length, 1);
  t.is(pf.commands.filter((c) => c.cmd === 'newMessage').length, 2);
});

test('a relay killed right after answering 2xx delivers the message after restart', async (t) => {
  const { pf, relay, hook } = await ownRelaySetup(t);
  // Planfix unreachable: the event can only be on disk when the relay dies.
  await pf.setMode('down');
  const res = await hook(chatraWebhook('chatStarted', { messages: [{ id: 'k1', message: 'Survive the crash' }] }));
  t.is(res.status, 200);
  await relay.kill('SIGKILL');
  await pf.setMode('up');
  await relay.restart();
  const task = await pf.waitFor(() => pf.tasks.find((x) => x.comments.length >= 1), 15_000);
  t.true(texts(task)[0]!.startsWith('Survive the crash'));
  t.is(pf.commands.filter((c) => c.cmd === 'newMessage' && c.status === 200).length, 1);
});

test('Planfix down for a while: everything is delivered after it returns, in order, once', async (t) => {
  const { pf, hook } = await chatraSetup(t);
  await pf.setMode('error503');
  for (const [i, m] of ['one', 'two', 'three', 'four'].entries()) {
    const r = await hook(chatraWebhook(i ? 'chatFragment' : 'chatStarted', { messages: [{ id: `o${i}`, message: m }] }));
    t.is(r.status, 200, 'webhooks are acknowledged while Planfix is down');
  }
  await hook(chatraWebhook('chatStarted', { client: { id: 'other-visitor', email: 'other@example.com', phone: undefined, name: 'Petro' }, messages: [{ id: 'p1', message: 'another chat' }] }));
  await pf.waitFor(() => pf.commands.filter((c) => c.status === 503).length >= 4);
  await pf.setMode('down');
  await pf.waitFor(() => true);
  await pf.setMode('up');
  const task = await pf.waitFor(() => pf.tasks.find((x) => x.comments.length >= 4), 15_000);
  t.deepEqual(texts(task).map((x) => x.split('\n')[0]), ['one', 'two', 'three', 'four']);
  await pf.waitFor(() => pf.tasks.length === 2 && pf.tasks.every((x) => x.comments.length > 0));
  t.is(pf.commands.filter((c) => c.cmd === 'newMessage' && c.status === 200).length, 5);
});

test('the same visitor on a second device with the same e-mail is the same contact and thread', async (t) => {
  const { pf, chatra, hook, reply } = await chatraSetup(t);
  const visitor = { email: 'olga@example.com', phone: undefined, name: 'Olga' };
  await hook(chatraWebhook('chatStarted', { client: { id: 'device-pc', ...visitor }, messages: [{ id: 'd1', message: 'from my PC' }] }));
  await pf.waitFor(() => pf.tasks[0]?.comments.length === 1);
  await hook(chatraWebhook('chatStarted', { client: { id: 'device-phone', displayedName: 'Lucky Panda', ...visitor, email: 'Olga@Example.com' }, messages: [{ id: 'd2', message: 'now from my phone' }] }));
  const task = await pf.waitFor(() => pf.tasks.find((x) => x.comments.length >= 2));
  t.is(pf.contacts.length, 1);
  t.is(pf.tasks.length, 1);
  t.true(texts(task)[1]!.startsWith('now from my phone'));
  // The answer goes to the device the visitor wrote from last.
  await reply(task.number, 'Got both');
  t.is((await chatra.waitFor(() => chatra.messages[0])).clientId, 'device-phone');
});

test('a visitor who introduces themselves mid-chat updates the Planfix contact', async (t) => {
  const { pf, hook } = await chatraSetup(t);
  const anon = { id: 'anon-1', name: undefined, email: undefined, phone: undefined, displayedName: 'Pumpkin Ninja' };
  await hook(chatraWebhook('chatStarted', { client: anon, messages: [{ id: 'i1', message: 'hello' }] }));
  await pf.waitFor(() => pf.contacts[0]);
  t.is(pf.contacts[0]!.name, 'Pumpkin Ninja');
  await hook(chatraWebhook('chatFragment', { client: { ...anon, name: 'Olga Petrenko', phone: '067 123 45 67' }, messages: [{ id: 'i2', message: 'I am Olga' }] }));
  await pf.waitFor(() => pf.tasks[0]?.comments.length === 2);
  const c = pf.contacts[0]!;
  t.is(pf.contacts.length, 1);
  t.is(c.name, 'Olga');
  t.is(c.lastName, 'Petrenko');
  t.is(c.phone, '+380671234567', 'UA default country turns the local number into E.164');
  t.true(c.updates >= 1);
  // A later unparseable number neither replaces the known one nor reaches Planfix, and the
  // contact is not pushed again without its phone.
  const updatesBefore = pf.commands.filter((x) => x.cmd === 'updateContact').length;
  await hook(chatraWebhook('chatFragment', { client: { ...anon, name: 'Olga Petrenko', phone: 'ask my manager' }, messages: [{ id: 'i3', message: 'bye' }] }));
  await pf.waitFor(() => pf.tasks[0]?.comments.length === 3);
  t.is(pf.contacts[0]!.phone, '+380671234567');
  t.false(pf.commands.some((x) => x.params.contactPhone === 'ask my manager'));
  t.is(pf.commands.filter((x) => x.cmd === 'updateContact').length, updatesBefore);
});

test('chatTranscript completes the task, deduplicates its messages, and the next chat opens a new task', async (t) => {
  const { pf, hook } = await chatraSetup(t);
  await hook(chatraWebhook('chatStarted', { messages: [{ id: 't1', message: 'first' }] }));
  await hook(chatraWebhook('chatTranscript', { messages: [{ id: 't1', message: 'first' }, { id: 't2', message: 'second' }] }));
  const task = await pf.waitFor(() => pf.tasks.find((x) => x.statusId === 3));
  t.deepEqual(texts(task).map((x) => x.split('\n')[0]), ['first', 'second']);
  await hook(chatraWebhook('chatStarted', { messages: [{ id: 't3', message: 'back again' }] }));
  const next = await pf.waitFor(() => pf.tasks.find((x) => x.number !== task.number));
  t.is(next.createdFrom, task.number);
  t.true(texts(next)[0]!.startsWith('back again'));
});

test('closeTaskOnChatEnd off leaves the task open', async (t) => {
  const { pf, hook } = await chatraSetup(t, { channelOptions: { closeTaskOnChatEnd: false } });
  await hook(chatraWebhook('chatTranscript', { messages: [{ id: 'n1', message: 'bye' }] }));
  await hook(chatraWebhook('chatFragment', { messages: [{ id: 'n2', message: 'sentinel' }] }));
  const task = await pf.waitFor(() => pf.tasks.find((x) => x.comments.length === 2));
  t.not(task.statusId, 3);
  t.false(pf.restCalls.some((c) => c.method === 'POST' && /^\/rest\/task\/\d+$/.test(c.path)));
});

test('Chatra refusing a reply turns into messageStatus error with its reason', async (t) => {
  const { pf, chatra, hook, reply } = await chatraSetup(t);
  await hook(chatraWebhook('chatStarted', { messages: [{ id: 'r1', message: 'hi' }] }));
  const task = await pf.waitFor(() => pf.tasks[0]);
  await pf.waitFor(() => pf.commands.some((c) => c.cmd === 'getTask'));
  chatra.failNext(1, 400, { error: 'Client not found' });
  const answer = await reply(task.number, 'hello?');
  const status = await pf.waitFor(() => pf.messageStatuses.find((s) => s.messageId === answer.messageId));
  t.is(status.status, 'error');
  t.regex(status.text ?? '', /Client not found/);
});

test('a first message from Planfix by phone opens the conversation the customer has', async (t) => {
  const { pf, relay, account, channel, chatra, hook } = await chatraSetup(t);
  await hook(chatraWebhook('chatStarted', { messages: [{ id: 'f1', message: 'hi' }] }));
  await pf.waitFor(() => pf.commands.some((c) => c.cmd === 'getTask' && c.status === 200));
  const url = `${relay.url}/planfix/${account.id}/chat`;
  const token = account.connect.planfixChat.token;
  const ok = await pf.firstMessage({ relayUrl: url, token, contactPhone: '380501112233', message: 'Your order is ready' });
  t.is(ok.status, 200);
  t.deepEqual(ok.body, { chatId: `${channel.id}:+380501112233`, contactId: '+380501112233' });
  t.is((await chatra.waitFor(() => chatra.messages[0])).text, 'Your order is ready');
  const unknown = await pf.firstMessage({ relayUrl: url, token, contactPhone: '+380931234567', message: 'hello' });
  t.is(unknown.status, 400);
  t.is((unknown.body as { error: string }).error, 'Invalid parameters');
});

test('a reply written in HTML reaches the visitor as plain text with its lines and links', async (t) => {
  const { pf, chatra, hook, reply } = await chatraSetup(t);
  await hook(chatraWebhook('chatStarted', { messages: [{ id: 'h1', message: 'Is it in stock?' }] }));
  const task = await pf.waitFor(() => pf.tasks[0]);
  await pf.waitFor(() => pf.commands.some((c) => c.cmd === 'getTask' && c.status === 200));
  await reply(task.number, '<p>Yes&nbsp;&mdash; 2&nbsp;left.</p><div>See <a href="https://shop.example.com/p/42?a=1&amp;b=2">the kettle</a></div><script>alert(1)</script>');
  const sent = await chatra.waitFor(() => chatra.messages[0]);
  t.is(sent.text, 'Yes — 2 left.\n\nSee the kettle (https://shop.example.com/p/42?a=1&b=2)');
});

test('task fields go with the opening message and then only when changed; a task Planfix opens on its own gets them again', async (t) => {
  const { pf, relay, account, hook } = await chatraSetup(t);
  const dataOf = (messageStart: string) => {
    const c = pf.commands.find((x) => x.cmd === 'newMessage' && String(x.params.message).startsWith(messageStart));
    return c && Object.fromEntries(Object.entries(c.params).filter(([k]) => k.startsWith('data_')));
  };
  const learned = () => pf.commands.filter((c) => c.cmd === 'getTask' && c.status === 200).length;
  // Each message's delivery ends by asking Planfix for the chat's task: waiting for that answer
  // keeps the employee's moves below from racing the relay's reading of the task.
  const say = async (id: string, text: string, client: Record<string, unknown> = {}) => {
    const before = learned();
    await hook(chatraWebhook(id === 'f1' ? 'chatStarted' : 'chatFragment', { client, messages: [{ id, message: text }] }));
    const task = await pf.waitFor(() => pf.tasks.find((x) => x.comments.some((c) => c.text.startsWith(text))));
    await pf.waitFor(() => learned() > before);
    return task;
  };
  const first = await say('f1', 'opening');
  t.like(dataOf('opening'), { data_utm_source: 'google', data_utm_medium: 'cpc', data_utm_campaign: 'spring' });

  // An employee corrects a field in the task; the next messages of the same visit leave it alone.
  first.fields.utm_source = 'partner-site';
  await say('f2', 'second');
  t.deepEqual(dataOf('second'), {});
  t.is(first.fields.utm_source, 'partner-site');

  // A changed value goes, alone.
  await say('f3', 'third', { utm: { source: 'google', medium: 'cpc', campaign: 'autumn' } });
  t.deepEqual(dataOf('third'), { data_utm_campaign: 'autumn' });
  t.is(first.fields.utm_source, 'partner-site');
  t.is(first.fields.utm_campaign, 'autumn');

  // The employee completes the task in Planfix; the visitor writes again and Planfix opens a new one.
  pf.setTaskStatus(first.number, 3);
  const second = await say('f4', 'after close', { utm: { source: 'google', medium: 'cpc', campaign: 'autumn' } });
  t.not(second.number, first.number);
  t.is(second.createdFrom, first.number);
  // The relay learns the new task (the widget shows it) and the next message fills its fields.
  const widget = () => fetch(`${relay.url}/widget/${account.id}/tasks/${second.number}`, { headers: { 'x-widget-key': account.widget.key } });
  await pf.waitFor(async () => (await widget()).status === 200);
  await say('f5', 'next', { utm: { source: 'google', medium: 'cpc', campaign: 'autumn' } });
  t.like(dataOf('next'), { data_utm_source: 'google', data_utm_medium: 'cpc', data_utm_campaign: 'autumn' });
  t.like(second.fields, { utm_source: 'google', utm_medium: 'cpc', utm_campaign: 'autumn' });
});

test('the site\'s own data (client.info) fills the contact, the UTM fields, the first message and the widget', async (t) => {
  const { pf, relay, account, hook } = await chatraSetup(t);
  const client = {
    id: 'shop-user-77', name: undefined, email: undefined, phone: undefined, utm: undefined,
    info: { Name: 'Taras Shevchuk', Email: 'Taras@Example.com', phone: '067 123 45 67', UTM_SOURCE: 'newsletter', utm_campaign: 'may', orderId: 'A-1001', cart: { items: 3, total: 120.5 } },
  };
  await hook(chatraWebhook('chatStarted', { client, messages: [{ id: 's1', message: 'Where is my order?' }] }));
  const task = await pf.waitFor(() => pf.tasks.find((x) => x.comments.length >= 1));
  const contact = pf.contacts[0]!;
  t.like(contact, { name: 'Taras', lastName: 'Shevchuk', email: 'taras@example.com', phone: '+380671234567' });
  t.like(task.fields, { utm_source: 'newsletter', utm_campaign: 'may' });
  const first = task.comments[0]!.text;
  t.regex(first, /\nSite data:\n {2}• orderId: A-1001\n {2}• cart\.items: 3\n {2}• cart\.total: 120\.5/);
  t.notRegex(first, /Site data:[\s\S]*(Email|Taras)/, 'what became the contact is not repeated');

  const answer = await pf.waitFor(async () => {
    const res = await fetch(`${relay.url}/widget/${account.id}/tasks/${task.number}`, { headers: { 'x-widget-key': account.widget.key } });
    return res.status === 200 ? res.json() : undefined;
  });
  t.deepEqual(answer.chat.siteData, { orderId: 'A-1001', 'cart.items': '3', 'cart.total': '120.5' });
  t.like(answer.chat.customer, { name: 'Taras Shevchuk', email: 'taras@example.com', phone: '+380671234567' });
});
