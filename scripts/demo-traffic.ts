// What the demo plays once its account is set up: a chat on each channel as the providers would
// send it, an employee's answer from Planfix, and a recorded call; it returns when all of it has
// landed in the simulated Planfix.
import type { ChatraFake } from '../test/sim/chatra.ts';
import type { PlanfixSim } from '../test/sim/planfix.ts';
import type { TaskPage } from '../test/sim/task-page.ts';
import type { ViberFake } from '../test/sim/viber.ts';

export const VERBOX_TOKEN = 'demo-verbox-token-0123';

export interface Played {
  chatra: PlanfixSim['tasks'][number];
  viber: PlanfixSim['tasks'][number];
  verbox: PlanfixSim['tasks'][number];
  call: PlanfixSim['tasks'][number];
}

interface Setup {
  pf: PlanfixSim;
  chatra: ChatraFake;
  viber: ViberFake;
  site: TaskPage;
  /** Where Planfix sends employees' replies, as the admin API shows it. */
  account: { connect: { planfixChat: { url: string; token: string } } };
  webhooks: { chatra: string; verbox: string; ringostat: string };
}

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

export async function playTraffic({ pf, chatra, viber, site, account, webhooks }: Setup): Promise<Played> {
  const now = Date.now();

  // A Chatra visitor from a Google ad, three pages, then a question; an employee answers in Planfix.
  await post(webhooks.chatra, {
    eventName: 'chatStarted',
    client: {
      id: 'demo-visitor-1', name: 'Olena Kovalenko', email: 'olena@example.com', phone: '067 123 45 67', city: 'Kyiv', country: 'Ukraine', ip: '203.0.113.7',
      userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
      referrer: 'https://www.google.com/', chatUrl: 'https://app.chatra.io/chat/demo',
      utm: { source: 'google', medium: 'cpc', campaign: 'kettles-spring' },
      visitedPages: [
        { url: 'https://shop.example.com/?utm_source=google&utm_medium=cpc', title: 'Demo shop', time: new Date(now - 300_000).toISOString() },
        { url: 'https://shop.example.com/kettles', title: 'Kettles', time: new Date(now - 200_000).toISOString() },
        { url: 'https://shop.example.com/kettles/blue-42', title: 'Blue kettle 1.7 l', time: new Date(now - 100_000).toISOString() },
      ],
    },
    messages: [{ id: 'demo-chatra-1', type: 'client', message: 'Hi! Is the blue kettle in stock? Can you deliver to Kyiv tomorrow?' }],
  });

  // A Viber user writes and sends a picture.
  const vUser = { id: 'demo-viber-user==', name: 'Taras', avatar: 'https://example.com/taras.jpg', country: 'UA', language: 'uk', api_version: 10 };
  await viber.emit({ event: 'message', timestamp: now, message_token: 5900000000000000001n, sender: vUser, message: { type: 'text', text: 'Good day! Where is my order #1042?' } });
  await viber.emit({ event: 'message', timestamp: now + 1, message_token: 5900000000000000002n, sender: vUser, message: { type: 'picture', media: 'https://example.com/receipt.jpg', text: 'the receipt' } });

  // A Verbox chat, forwarded with the channel's token.
  await post(webhooks.verbox, {
    event: 'message', messageId: 'demo-verbox-1', clientId: 'vb-demo-1', author: 'client', name: 'Iryna', phone: '+380 50 765 43 21',
    text: 'Do you have a store in Lviv?', browser: 'Firefox 128', city: 'Lviv', page: 'https://shop.example.com/stores?utm_source=facebook',
  }, { 'x-relay-token': VERBOX_TOKEN });

  // A call through Ringostat: rings, is answered, ends with a recording.
  const call = { uniqueid: 'demo-call-1', calldate: new Date(now - 60_000).toISOString(), call_type: 'in', caller: '380631112233', dst: '380443334455', employee_number: '101', utm_source: 'ringostat', utm_medium: 'calltracking' };
  await post(`${webhooks.ringostat}?event=call_start`, call);
  await post(`${webhooks.ringostat}?event=pickup`, { ...call, connected_with: '380671112233' });
  await post(`${webhooks.ringostat}?event=call_end`, { ...call, connected_with: '380671112233', disposition: 'ANSWERED', billsec: 95, has_recording: '1', recording: site.recordingUrl('demo-call-1') });

  const withText = (text: string) => () => pf.tasks.find((t) => t.comments.some((c) => c.text.includes(text)));
  const chatTask = await pf.waitFor(withText('blue kettle'), 20_000);
  await pf.reply({ relayUrl: account.connect.planfixChat.url, token: account.connect.planfixChat.token, taskNumber: chatTask.number, message: 'Yes, it is in stock. We can deliver tomorrow before 18:00.', user: { name: 'Ivan', lastName: 'Petrenko', email: 'ivan@demo.test' } });
  const played: Played = {
    chatra: chatTask,
    viber: await pf.waitFor(withText('order #1042'), 20_000),
    verbox: await pf.waitFor(withText('Lviv'), 20_000),
    call: await pf.waitFor(() => pf.tasks.find((t) => /Call with/.test(t.name)), 30_000),
  };
  await pf.waitFor(() => chatra.messages.length > 0, 10_000);
  return played;
}
