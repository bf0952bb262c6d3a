// Pictures of the widget for the docs, taken by hand (not by the test suite) after a build:
//   npx tsx scripts/build.ts && npx tsx scripts/widget-screenshots.ts
// A real relay fed by a Chatra chat and a Ringostat call through the simulators, the fake Planfix
// task page in Debian's Chromium with the userscript installed, light and dark.
import { mkdir } from 'node:fs/promises';
import { contextWithUserscript, launchChromium } from '../test/helpers/browser.ts';
import { RelayProcess } from '../test/helpers/relay-process.ts';
import { ChatraFake, chatraWebhook } from '../test/sim/chatra.ts';
import { PlanfixSim } from '../test/sim/planfix.ts';
import { RingostatFake } from '../test/sim/ringostat.ts';
import { TaskPage } from '../test/sim/task-page.ts';

const OUT = 'docs/screenshots';
const HOST = 'planfix-relay-widget';

const [site, pf, chatra, ringostat, relay, browser] = await Promise.all([
  TaskPage.start(), PlanfixSim.start(), ChatraFake.start(), RingostatFake.start(), RelayProcess.start(), launchChromium(),
]);
try {
  const account = (await relay.api('POST', '/api/accounts', {
    name: 'Acme', defaultCountry: 'UA',
    planfix: { url: site.origin, chatApiUrl: pf.chatApiUrl, restUrl: pf.restUrl, telephonyApiUrl: `${pf.origin}/tel/api`, chatToken: 'pf-chat-token', restToken: 'pf-rest-token', telephonyToken: 'pf-tel-token' },
  })).body;
  const chat = (await relay.api('POST', `/api/accounts/${account.id}/channels`, {
    kind: 'chatra', name: 'Site chat', settings: { publicKey: 'p', secretKey: 's', agentEmail: 'support@acme.test', apiUrl: chatra.apiUrl },
  })).body;
  const calls = (await relay.api('POST', `/api/accounts/${account.id}/channels`, {
    kind: 'ringostat', name: 'Calls', settings: { authKey: ringostat.authKey, apiUrl: ringostat.apiUrl },
    options: { employees: [{ id: '380671112233', ext: '11', email: 'ivan@acme.test', name: 'Ivan Petrov' }] },
  })).body;
  pf.addEmployee({ email: 'ivan@acme.test', name: 'Ivan', lastName: 'Petrov', ext: '11' });

  const now = Date.now();
  const pages = ['Blue kettle', 'Kettles', 'Delivery', 'Checkout'].map((title, i) => ({ url: `https://shop.example.com/${i}`, title, time: now - (4 - i) * 90_000 }));
  // chatUrl is a key Chatra sends that the fake's type does not name.
  const client = { visitedPages: pages, chatUrl: 'https://app.chatra.io/chat/kX3pQ9mWz2YbT7cAf' };
  const posted = await relay.post(chat.webhookUrl, JSON.stringify(chatraWebhook('chatStarted', { client, messages: [{ id: 'm1', message: 'Is the blue kettle in stock?' }] })));
  if (posted.status !== 200) throw new Error(`the Chatra webhook: ${JSON.stringify(posted.body)}`);
  const data = async (task: number) => (await fetch(`${relay.url}/widget/${account.id}/tasks/${task}`, { headers: { 'x-widget-key': account.widget.key } })).json().catch(() => undefined);
  const task = await pf.waitFor(async () => {
    for (const t of pf.tasks) if ((await data(t.number))?.chat) return t.number;
    return undefined;
  }, 20_000);
  // The same customer calls back: the call lands on the chat's task.
  await relay.post(`${calls.webhookUrl}?event=call_end`, JSON.stringify({
    uniqueid: 'shot-1', calldate: new Date(now - 30 * 60_000).toISOString(), call_type: 'in', caller: '380501112233', dst: '380443334455',
    connected_with: '380671112233', disposition: 'ANSWERED', billsec: 95, has_recording: '1', recording: site.recordingUrl('shot-1'),
    call_card: 'https://app.ringostat.com/project/callcards/card/shot-1/',
  }));
  await pf.waitFor(async () => (await data(task))?.calls?.length > 0, 20_000).catch(() => console.warn('the call did not reach the task; pictures without it'));

  const userscript = await (await fetch(account.widget.userscriptUrl)).text();
  await mkdir(OUT, { recursive: true });
  const shots = [
    { file: 'widget-light.png', url: site.url(task, { lang: 'en' }), width: 1100 },
    { file: 'widget-dark.png', url: site.url(task, { lang: 'uk', theme: 'dark' }), width: 1100 },
    { file: 'widget-narrow-dark.png', url: site.url(task, { lang: 'ru', theme: 'dark', anchor: false }), width: 360 },
  ];
  for (const s of shots) {
    const context = await contextWithUserscript(browser, userscript, { viewport: { width: s.width, height: 760 } });
    const page = await context.newPage();
    await page.goto(s.url);
    await page.waitForSelector(`${HOST}[data-state="data"]`);
    await page.screenshot({ path: `${OUT}/${s.file}`, fullPage: true });
    await context.close();
    console.log(`${OUT}/${s.file}`);
  }
} finally {
  await browser.close();
  await relay.stop();
  await Promise.all([pf.close(), chatra.close(), ringostat.close(), site.close()]);
}
