import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ChatraFake } from '../sim/chatra.ts';
import { PlanfixSim, type PlanfixSimOptions } from '../sim/planfix.ts';
import { RingostatFake } from '../sim/ringostat.ts';
import { VerboxSource } from '../sim/verbox.ts';
import { ViberFake } from '../sim/viber.ts';
import { ADMIN_TOKEN, RelayProcess } from './relay-process.ts';

// The relay process with the Planfix simulator and a fake of every provider, and an account with
// a channel of each kind: what the admin page's browser tests and scripts/screenshots.ts look at.

export interface AdminWorld {
  pf: PlanfixSim;
  chatra: ChatraFake;
  viber: ViberFake;
  verbox: VerboxSource;
  ringostat: RingostatFake;
  relay: RelayProcess;
  close(): Promise<void>;
}

/**
 * `sim`: how the Planfix simulator behaves (e.g. a REST token with fewer scopes). `shared`: the
 * relay for `env` from sharedRelays(), which other tests' worlds use too; close() leaves it running
 * and stops only this world's simulator and fakes.
 */
export async function startWorld(env: Record<string, string> = {}, sim: PlanfixSimOptions = {}, shared?: (env: Record<string, string>) => Promise<RelayProcess>): Promise<AdminWorld> {
  const started = await Promise.allSettled([
    PlanfixSim.start(sim), ChatraFake.start(), ViberFake.start(), VerboxSource.start(), RingostatFake.start(), shared ? shared(env) : RelayProcess.start(env),
  ] as const);
  const own = shared ? started.slice(0, -1) : started;
  const stopAll = () => Promise.all(own.map((r) => r.status === 'fulfilled' ? ('stop' in r.value ? r.value.stop() : r.value.close()) : undefined));
  // A relay that did not start must not leave the fakes listening: they would keep the test worker,
  // and with it the whole run, alive.
  const failed = started.find((r) => r.status === 'rejected');
  if (failed) {
    await stopAll();
    throw failed.reason;
  }
  const [pf, chatra, viber, verbox, ringostat, relay] = started.map((r) => (r as PromiseFulfilledResult<unknown>).value) as [PlanfixSim, ChatraFake, ViberFake, VerboxSource, RingostatFake, RelayProcess];
  return { pf, chatra, viber, verbox, ringostat, relay, close: async () => { await stopAll(); } };
}

/**
 * An account with Chatra, Viber, Verbox and Ringostat channels, set up as a new admin would leave
 * it half done: a REST token but no telephony token, Chatra replying as employees nobody mapped.
 */
export async function fourChannelAccount(w: AdminWorld, name = 'Acme Shop'): Promise<{ id: string; channels: { id: string; kind: string; webhookUrl: string; webhookUrls?: { id: string; url: string }[] }[] }> {
  const api = async (method: string, path: string, body: unknown) => {
    const res = await w.relay.api(method, path, body);
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const account = await api('POST', '/api/accounts', { name, defaultCountry: 'UA', planfix: { url: w.pf.origin, chatToken: 'pf-chat-token', restToken: 'pf-rest-token' } });
  const channel = (body: unknown) => api('POST', `/api/accounts/${account.id}/channels`, body);
  await channel({ kind: 'chatra', name: 'Site chat', settings: { publicKey: 'chatra-pub', secretKey: 'chatra-secret', agentEmail: 'support@acme.test', apiUrl: w.chatra.apiUrl }, options: { sendAsEmployee: true } });
  await channel({ kind: 'viber', name: 'Viber bot', settings: { authToken: w.viber.authToken, botName: 'acmeshop', apiUrl: w.viber.apiUrl } });
  await channel({ kind: 'verbox', name: 'Verbox chat', settings: { replyUrl: w.verbox.replyUrl, replyToken: w.verbox.replyToken, token: 'verbox-token-0123456789' } });
  await channel({ kind: 'ringostat', name: 'Calls', settings: { authKey: w.ringostat.authKey, projectId: '12345', apiUrl: w.ringostat.apiUrl } });
  return api('GET', `/api/accounts/${account.id}`, undefined);
}

/**
 * A browser context in the given language and size, signed in to the admin page at `hash` (an
 * account id, or nothing for the list), with the clipboard allowed so Copy buttons can be read.
 */
export async function adminPage(browser: Browser, w: AdminWorld, opts: { locale: string; width: number; height: number; hash?: string }): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ locale: opts.locale, viewport: { width: opts.width, height: opts.height }, deviceScaleFactor: 1 });
  context.setDefaultTimeout(10_000);
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: w.relay.url });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${w.relay.url}/admin${opts.hash ? `#${opts.hash}` : ''}`);
  await page.fill('#token', ADMIN_TOKEN);
  await page.click('button[type=submit]');
  await page.locator('header').waitFor();
  return { context, page, errors };
}
