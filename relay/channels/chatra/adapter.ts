import { z } from 'zod';
import { checkResult, type CheckTexts } from '../../core/check.ts';
import { urlUnder } from '../../core/url.ts';
import { UTM_KEYS, type Attachment, type CustomerEvent, type EndEvent, type InboundEvent, type MessageEvent, type Visit } from '../../core/events.ts';
import { looksLikeUserAgent, parseUserAgent } from '../../core/user-agent.ts';
import { HttpError, TerminalError } from '../../errors.ts';
import { errorText, providerError, send } from '../../net/outbound.ts';
import { defineChannel } from '../channel.ts';
import { readSiteData, type SiteData } from '../site-data.ts';
import { chatraTexts } from './texts.ts';
import { bodyHash, httpUrl, isObj, parseJsonBody, readPages, readUtm, str, time, type Obj } from '../read.ts';

/** Marks the relay's own messages, so Chatra webhooks that carry them back are not imported. */
export const RECEIVED_FROM = 'planfix-relay';
const CHATRA_API_URL = 'https://app.chatra.io/api';
const EVENTS = new Set(['chatStarted', 'chatFragment', 'chatTranscript']);

const settings = z.object({
  publicKey: z.string().min(1),
  secretKey: z.string().min(1),
  agentEmail: z.string().email().optional(),
  agentName: z.string().min(1).max(100).optional(),
  agentId: z.string().min(1).optional(),
  apiUrl: z.string().url().optional(),
}).strict();

const options = z.object({
  sendAsEmployee: z.boolean().default(false),
  closeTaskOnChatEnd: z.boolean().default(true),
  /** Planfix employee full name → Chatra agent e-mail: Planfix's reply names the employee but gives no e-mail. */
  employees: z.record(z.string(), z.string().email()).optional(),
}).strict();

function readVisit(client: Obj, site: SiteData): Visit {
  const loc = isObj(client.location) ? client.location : isObj(client.geo) ? client.geo : {};
  const named = isObj(client.browser)
    ? [str(client.browser, 'name'), str(client.browser, 'version')].filter(Boolean).join(' ') || undefined
    : str(client, 'browser', 'browserName');
  // A raw User-Agent (under its own key, or given as the "browser") fills what is not named.
  const ua = parseUserAgent(str(client, 'userAgent', 'ua', 'user_agent') ?? (looksLikeUserAgent(named) ? named : undefined));
  const browser = (looksLikeUserAgent(named) ? undefined : named) ?? ua.browser;
  const pages = readPages(client.visitedPages ?? client.pages ?? client.latestVisitPages ?? client.pagesVisited);
  const landing = str(client, 'chatStartPage', 'landing', 'landingPage', 'startPage') ?? pages?.[0]?.url;
  return {
    city: str(client, 'city') ?? str(loc, 'city', 'cityName'),
    country: str(client, 'country', 'countryName') ?? str(loc, 'country', 'countryName'),
    ip: str(client, 'ip', 'IP', 'ipAddress', 'clientIp') ?? str(loc, 'ip'),
    browser,
    os: (isObj(client.os) ? str(client.os, 'name') : str(client, 'os', 'OS', 'platform')) ?? ua.os,
    device: str(client, 'device', 'deviceType') ?? ua.device,
    referrer: str(client, 'referrer', 'referer', 'source', 'trafficSource', 'refferrer'),
    landing,
    // Flat keys on the client only in their utm_* form: a bare "source" there is the referrer.
    utm: readUtm(client.utm, pickUtm(client), site.utm, landing, ...(pages ?? []).map((p) => p.url)),
    pages,
    dashboardUrl: str(client, 'chatUrl', 'dashboardUrl', 'chatLink'),
    ...(site.shown ? { siteData: site.shown } : {}),
  };
}

function pickUtm(client: Obj): Obj | undefined {
  let out: Obj | undefined;
  for (const k of UTM_KEYS) if (client[k] !== undefined) (out ??= {})[k] = client[k];
  return out;
}

function readAttachments(m: Obj): Attachment[] {
  const list = [m.files, m.attachments, m.file ? [m.file] : undefined].find(Array.isArray) as unknown[] | undefined;
  return (list ?? []).flatMap((f) => {
    const url = httpUrl(str(f, 'url', 'link', 'href'));
    return url ? [{ name: str(f, 'name', 'fileName', 'filename') ?? url.split('/').pop() ?? 'file', url }] : [];
  });
}

/** What "Test connection" can answer, in English; texts.ts words each for the admin page. */
const CHECKS = {
  keys_ok: { ok: true, message: 'Chatra accepted the API keys.' },
  keys_refused: {
    ok: false, message: 'Chatra refused the API keys ({status}).',
    fix: 'Copy the public and secret keys from Chatra (Settings → Integrations → API) and check that the plan includes the API.',
  },
} satisfies CheckTexts;

export const chatra = defineChannel({
  kind: 'chatra',
  title: 'Chatra',
  family: 'chat',
  hosts: ['app.chatra.io'],
  settings,
  options,
  // The public key is half of the API credential (Chatra.Simple public:secret), not the widget id.
  secretFields: ['publicKey', 'secretKey'],
  urlFields: ['apiUrl'],
  texts: chatraTexts,

  warnings(channel) {
    const { settings: s, options: o } = channel;
    return [
      ...(s.agentEmail || s.agentId ? [] : [{ code: 'agent_missing' }]),
      // Without a mapping every reply falls back to the channel's agent (see send).
      ...(o.sendAsEmployee && !Object.keys(o.employees ?? {}).length ? [{ code: 'employees_missing' }] : []),
    ];
  },

  async check({ channel, policy, timeoutMs }) {
    const s = channel.settings;
    // A visitor id no one has: "not found" means the keys were accepted.
    const res = await send(policy, 'provider', urlUnder(s.apiUrl ?? CHATRA_API_URL, 'clients/relay-check/'), {
      method: 'GET', headers: { authorization: `Chatra.Simple ${s.publicKey}:${s.secretKey}` }, timeoutMs,
    });
    // A 5xx or 429 never gets here: send() throws it as retryable, answered as the provider unreachable.
    if (res.status === 401 || res.status === 403) return checkResult(CHECKS, 'keys_refused', { status: String(res.status) });
    return checkResult(CHECKS, 'keys_ok');
  },
  checks: CHECKS,

  parse(req, channel) {
    const body = parseJsonBody(req.raw);
    const eventName = str(body, 'eventName', 'event');
    if (!eventName) throw new HttpError(400, 'not a Chatra webhook: eventName is missing');
    if (!EVENTS.has(eventName)) return { events: [] };
    const client = body.client;
    if (!isObj(client)) throw new HttpError(400, 'not a Chatra webhook: client is missing');
    const clientId = str(client, 'id', 'clientId', 'chatraClientId');
    if (!clientId) throw new HttpError(400, 'not a Chatra webhook: client.id is missing');
    if (body.messages !== undefined && !Array.isArray(body.messages)) throw new HttpError(400, 'messages must be an array');
    const agents = Array.isArray(body.agents) ? body.agents.filter(isObj) : [];

    const given = { name: str(client, 'name', 'basicInfo.name'), email: str(client, 'email', 'basicInfo.email'), phone: str(client, 'phone', 'basicInfo.phone') };
    // The site's own data fills what the visitor did not give.
    const site = readSiteData(client, given);
    const customer = {
      clientId,
      name: given.name ?? site.name,
      displayName: str(client, 'displayedName', 'displayName'),
      email: given.email ?? site.email,
      phone: given.phone ?? site.phone,
    };
    const visit = readVisit(client, site);
    const newVisit = eventName === 'chatStarted';
    const now = Date.now();
    const events: InboundEvent[] = [];
    for (const m of (body.messages as unknown[] | undefined ?? []).filter(isObj)) {
      const type = str(m, 'type') ?? 'client';
      if (type !== 'client' && type !== 'agent') continue;
      if (type === 'agent' && str(m, 'receivedFrom') === RECEIVED_FROM) continue;
      const agent = agents.find((a) => str(a, 'id') === str(m, 'agentId'));
      const ev: MessageEvent = {
        kind: 'message',
        eventId: str(m, 'id', '_id') ?? `h${bodyHash(Buffer.from(JSON.stringify(m)))}`,
        customer,
        visit,
        at: time(m.createdAt ?? m.ts ?? m.timestamp) ?? now,
        text: str(m, 'message', 'text') ?? '',
        attachments: readAttachments(m),
        ...(type === 'agent' ? { echo: { email: str(agent, 'email'), name: str(agent, 'name') } } : {}),
      };
      if (!ev.text && !ev.attachments.length) continue;
      if (newVisit && !events.length) ev.newVisit = true;
      events.push(ev);
    }
    if (newVisit && !events.length) {
      events.push({ kind: 'customer', eventId: `visit-${bodyHash(req.raw)}`, customer, visit, at: now, newVisit: true } satisfies CustomerEvent);
    }
    // The chat ended; whether its task is completed is the planner's decision (closeTaskOnChatEnd).
    if (eventName === 'chatTranscript') {
      events.push({ kind: 'end', eventId: `end-${bodyHash(req.raw)}`, customer, visit, at: now } satisfies EndEvent);
    }
    return { events };
  },

  async send(reply, { channel, policy, timeoutMs }) {
    const s = channel.settings;
    const o = channel.options;
    const fullName = [reply.user.name, reply.user.lastName].filter(Boolean).join(' ');
    // Own keys only: an employee named "constructor" must not read what every object inherits.
    const employeeEmail = o.sendAsEmployee && o.employees && Object.hasOwn(o.employees, fullName) ? o.employees[fullName] : undefined;
    const agent = employeeEmail
      ? { agentEmail: employeeEmail, agentName: fullName }
      : s.agentId ? { agentId: s.agentId }
      : s.agentEmail ? { agentEmail: s.agentEmail, agentName: s.agentName ?? 'Planfix' }
      : undefined;
    if (!agent) throw new TerminalError('Chatra channel has neither agentEmail nor agentId: set one in the channel settings', 'not-configured');
    const files = reply.attachments.map((a) => `📎 ${a.name}: ${a.url}`);
    const text = [reply.text, ...files].filter(Boolean).join('\n');
    const ids: string[] = [];
    // Chatra takes at most 5000 characters per message; a longer answer goes as several.
    for (let i = 0; i < Math.max(text.length, 1); i += 5000) {
      const res = await send(policy, 'provider', urlUnder(s.apiUrl ?? CHATRA_API_URL, 'messages/'), {
        method: 'POST',
        headers: { authorization: `Chatra.Simple ${s.publicKey}:${s.secretKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ clientId: reply.clientId, text: text.slice(i, i + 5000), ...agent, receivedFrom: RECEIVED_FROM }),
        timeoutMs,
      });
      if (res.status < 200 || res.status >= 300) {
        throw providerError('Chatra', res.status, errorText(res.json, res.text), {
          refused: 'refused the API keys', check: 'check the public and secret keys and that the Chatra plan includes the API',
        });
      }
      const id = str(res.json, 'id', '_id');
      if (id) ids.push(id);
    }
    return { providerMessageIds: ids };
  },
});
