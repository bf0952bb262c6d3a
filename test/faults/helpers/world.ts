import { randomBytes } from 'node:crypto';
import type { ExecutionContext } from 'ava';
import { RelayProcess } from '../../helpers/relay-process.ts';
import { ChatraFake } from '../../sim/chatra.ts';
import { PlanfixSim, type PlanfixSimOptions } from '../../sim/planfix.ts';
import { RingostatFake } from '../../sim/ringostat.ts';
import { VerboxSource } from '../../sim/verbox.ts';
import { ViberFake } from '../../sim/viber.ts';

/** A secret that cannot appear anywhere by accident, so finding it somewhere means it leaked. */
export const secret = (label: string) => `${label}-${randomBytes(12).toString('hex')}`;

export type ChannelKind = 'chatra' | 'viber' | 'verbox' | 'ringostat';

/**
 * Every secret of the world, by name. `configured` ones an admin gives the relay (they must show
 * only in the 0600 account files); `generated` ones the relay makes and shows the admin on purpose
 * (callback tokens, widget key, webhook URL secrets): they may also appear in admin API answers.
 */
export interface Secrets {
  configured: Record<string, string>;
  generated: Record<string, string>;
}

/**
 * The relay process with its whole output kept across restarts (RelayProcess keeps only the
 * current run's): the secrets scenario searches all of it.
 */
export class Relay {
  private earlier = '';
  constructor(readonly proc: RelayProcess) {}
  get url() { return this.proc.url; }
  get dataDir() { return this.proc.dataDir; }
  get output() { return this.earlier + this.proc.output; }
  api<T = any>(method: string, path: string, body?: unknown, token?: string) { return this.proc.api<T>(method, path, body, token); }
  kill(signal?: NodeJS.Signals) { return this.proc.kill(signal); }
  async restart(): Promise<void> {
    this.earlier += this.proc.output;
    await this.proc.restart();
  }
  stop() { return this.proc.stop(); }
  async health(): Promise<{ status: number; body: { ok: boolean; backlog: number; oldestPendingAgeMs: number; journalWritable?: boolean } }> {
    const res = await fetch(`${this.url}/healthz`, { signal: AbortSignal.timeout(10_000) });
    return { status: res.status, body: await res.json() as never };
  }
}

export interface Account {
  id: string;
  /** What Planfix posts replies with (connect.planfixChat.token). */
  chatCallbackToken: string;
  telephonyCallbackToken: string;
  widgetKey: string;
  channels: Partial<Record<ChannelKind, { id: string; webhookUrl: string; path: string }>>;
  pf: PlanfixSim;
}

export interface World {
  relay: Relay;
  pf: PlanfixSim;
  chatra: ChatraFake;
  viber: ViberFake;
  verbox: VerboxSource;
  rs: RingostatFake;
  account: Account;
  secrets: Secrets;
  /** Adds another account on its own Planfix simulator (same channel kinds). */
  addAccount(kinds?: ChannelKind[], opts?: AccountOptions): Promise<Account>;
}

/** What a Load sends to: the world's relay and account, with its Viber and first Verbox tokens. */
export function loadTarget(w: World): { relay: Relay; account: Account; viberToken: string; verboxToken: string } {
  return { relay: w.relay, account: w.account, viberToken: w.viber.authToken, verboxToken: w.secrets.configured.verboxToken1! };
}

export interface AccountOptions {
  sim?: PlanfixSimOptions;
  /** false: no REST token, so chats cost Chat API requests only (REST is spaced at 1 per second). */
  rest?: boolean;
  /**
   * true: the relay's default admission limits. Otherwise limits far above any load here: the
   * scenarios send at full speed, far past a real site, and measure durability, not admission
   * (the limits have their own tests and the flood scenarios).
   */
  defaultLimits?: boolean;
}

export const EMPLOYEE = { id: '380671112233', ext: '11', email: 'ivan@acme.test', name: 'Ivan Ivanenko' };

/**
 * The relay as a process, the Planfix simulator and every provider fake on loopback, one account
 * with the channels asked for. Every token and key is random, and recorded in `secrets`. `shared`:
 * the file's relay for the environment from sharedRelays(), which other tests' worlds use too,
 * instead of a relay of the world's own; the world's accounts are deleted when the test ends and
 * the relay is left running (its `output` is then every test's).
 */
export async function startWorld(t: ExecutionContext, opts: {
  kinds?: ChannelKind[];
  env?: Record<string, string>;
  dataDir?: string;
  shared?: (env: Record<string, string>) => Promise<RelayProcess>;
} & AccountOptions = {}): Promise<World> {
  if (opts.shared && opts.dataDir) throw new Error('a shared relay has the data directory sharedRelays() gave it');
  const secrets: Secrets = { configured: {}, generated: {} };
  const conf = secrets.configured;
  const gen = secrets.generated;
  const fakes = {
    chatra: await ChatraFake.start({ publicKey: (conf.chatraPublicKey = secret('chatra-pub')), secretKey: (conf.chatraSecretKey = secret('chatra-sec')) }),
    viber: await ViberFake.start({ authToken: (conf.viberAuthToken = secret('viber-token')) }),
    verbox: await VerboxSource.start({ replyToken: (conf.verboxReplyToken = secret('verbox-reply')) }),
    rs: await RingostatFake.start({ authKey: (conf.ringostatAuthKey = secret('ringostat-key')) }),
  };
  const sims: PlanfixSim[] = [];
  const env = { LOG_LEVEL: 'debug', ...opts.env };
  const relay = new Relay(opts.shared ? await opts.shared(env) : await RelayProcess.start(env, opts.dataDir));
  const accountIds: string[] = [];
  t.teardown(async () => {
    // On a shared relay, before the simulators close: the accounts' work ends with them.
    if (opts.shared) for (const id of accountIds) await relay.api('DELETE', `/api/accounts/${id}`).catch(() => undefined);
    else await relay.stop().catch(() => undefined);
    for (const s of sims) await s.close();
    await Promise.all([fakes.chatra.close(), fakes.viber.close(), fakes.verbox.close(), fakes.rs.close()]);
  });

  const kinds = opts.kinds ?? ['chatra', 'viber', 'verbox', 'ringostat'];
  let n = 0;
  const addAccount = async (ks: ChannelKind[] = kinds, o: AccountOptions = opts): Promise<Account> => {
    n++;
    const tokens = {
      chatToken: (conf[`planfixChatToken${n}`] = secret('pf-chat')),
      restToken: (conf[`planfixRestToken${n}`] = secret('pf-rest')),
      telToken: (conf[`planfixTelToken${n}`] = secret('pf-tel')),
    };
    const pf = await PlanfixSim.start({ ...tokens, ...o.sim });
    sims.push(pf);
    pf.addEmployee({ email: EMPLOYEE.email, name: 'Ivan', lastName: 'Ivanenko', ext: EMPLOYEE.ext });
    const created = await relay.api('POST', '/api/accounts', {
      name: `Account ${n}`,
      defaultCountry: 'UA',
      planfix: { url: pf.origin, chatToken: tokens.chatToken, ...(o.rest === false ? {} : { restToken: tokens.restToken }), telephonyToken: tokens.telToken },
    });
    if (created.status !== 201) throw new Error(`account: ${created.status} ${JSON.stringify(created.body)}`);
    const a = created.body;
    accountIds.push(a.id);
    gen[`callbackChatToken${n}`] = a.connect.planfixChat.token;
    gen[`callbackTelToken${n}`] = a.connect.planfixTelephony.token;
    gen[`widgetKey${n}`] = a.widget.key;
    const account: Account = {
      id: a.id, chatCallbackToken: a.connect.planfixChat.token, telephonyCallbackToken: a.connect.planfixTelephony.token,
      widgetKey: a.widget.key, channels: {}, pf,
    };
    for (const kind of ks) {
      const body = { ...channelBody(kind, fakes, conf, n), ...(o.defaultLimits ? {} : { limits: NO_LIMITS }) };
      const c = await relay.api('POST', `/api/accounts/${a.id}/channels`, body);
      if (c.status !== 201) throw new Error(`${kind} channel: ${c.status} ${JSON.stringify(c.body)}`);
      if (kind === 'viber' && !(c.body.connect as { ok?: boolean } | undefined)?.ok) throw new Error(`viber connect: ${JSON.stringify(c.body.connect)}`);
      account.channels[kind] = { id: c.body.id, webhookUrl: c.body.webhookUrl, path: new URL(c.body.webhookUrl).pathname };
      gen[`webhookSecret${n}${kind}`] = c.body.webhookUrl.split('/').pop();
    }
    return account;
  };

  const account = await addAccount();
  return { relay, ...fakes, pf: account.pf, account, secrets, addAccount };
}

const NO_LIMITS = { ratePerSecond: 10_000, burst: 100_000, newConversationsPerHour: 100_000, newContactsPerHour: 100_000 };

function channelBody(kind: ChannelKind, fakes: { chatra: ChatraFake; viber: ViberFake; verbox: VerboxSource; rs: RingostatFake }, secrets: Record<string, string>, n: number) {
  switch (kind) {
    case 'chatra':
      return {
        kind, name: 'Site chat',
        settings: { publicKey: secrets.chatraPublicKey, secretKey: secrets.chatraSecretKey, agentEmail: 'support@acme.test', agentName: 'Acme', apiUrl: fakes.chatra.apiUrl },
        options: { closeTaskOnChatEnd: false },
      };
    case 'viber':
      return { kind, name: 'Bot', settings: { authToken: fakes.viber.authToken, botName: 'acmebot', apiUrl: fakes.viber.apiUrl } };
    case 'verbox':
      return {
        kind, name: 'Verbox',
        settings: { token: (secrets[`verboxToken${n}`] = secret('verbox-token')), replyUrl: fakes.verbox.replyUrl, replyToken: fakes.verbox.replyToken, defaultOperator: 'robot' },
      };
    case 'ringostat':
      return {
        kind, name: 'Calls',
        settings: { authKey: fakes.rs.authKey, apiUrl: fakes.rs.apiUrl, projectId: '11111' },
        // The comment on the contact costs one REST call per call: the 1 rps REST limit stays out of the way.
        options: { employees: [EMPLOYEE], defaultExt: EMPLOYEE.ext, callTarget: 'contact', createContacts: true },
      };
  }
}
