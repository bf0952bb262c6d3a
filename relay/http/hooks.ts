import type Router from '@koa/router';
import { newRouter } from './router.ts';
import type { Context, Middleware } from 'koa';
import { koaBody } from 'koa-body';
import { boundRequest } from '../core/bounds.ts';
import type { InboundEvent } from '../core/events.ts';
import { toE164 } from '../core/identity.ts';
import getRawBody from 'raw-body';
import { adapters } from '../channels/index.ts';
import type { Relay } from '../context.ts';
import { AuthError, HttpError } from '../errors.ts';
import { eventsJournaled, eventsReceived } from '../metrics.ts';
import type { Entry, NewEntry } from '../store/store.ts';
import { safeEqualFixedLength } from './secure.ts';

export const BODY_LIMIT = 1024 * 1024;

/**
 * koa-body, with its refusals kept the sender's fault: a body it cannot decode (an unknown or
 * broken Content-Encoding, a charset iconv does not know) comes out of co-body without an HTTP
 * status, which would be answered 500. Here every parse failure is a 4xx.
 */
export function parseBody(opts: Parameters<typeof koaBody>[0]): Middleware {
  const parse = koaBody(opts);
  return async (ctx, next) => {
    let parsed = false;
    try {
      await parse(ctx, async () => { parsed = true; });
    } catch (err) {
      const e = err as { status?: number; statusCode?: number; message?: string };
      const status = e.status ?? e.statusCode;
      if (status === 413) throw new HttpError(413, 'body too large (limit 1 MB)');
      if (status === 415) throw new HttpError(415, `unsupported body: ${e.message ?? 'encoding'}`);
      throw new HttpError(400, `malformed body: ${(e.message ?? 'unreadable').slice(0, 200)}`);
    }
    if (parsed) await next();
  };
}

/**
 * Journals entries of one channel (`kind`, the metrics label) and hands them to the worker; a
 * storage failure is a 503 so the sender retries.
 */
export async function journalAndQueue(relay: Relay, kind: string, items: NewEntry[]): Promise<Entry[]> {
  let fresh: Entry[];
  eventsReceived.inc({ kind }, items.length);
  try {
    fresh = await relay.journal.add(items);
  } catch (err) {
    relay.log.error({ err: (err as Error).message }, 'journal write failed');
    throw new HttpError(503, 'storage unavailable, retry later');
  }
  eventsJournaled.inc({ kind }, fresh.length);
  relay.worker.enqueue(fresh);
  return fresh;
}

/**
 * Events of one customer run in order. A call is keyed by the number across the account, so
 * concurrent calls from one new number find the contact the first one created.
 */
export function queueKey(ev: InboundEvent, accountId: string, country: string, channelId: string): string {
  if (ev.kind === 'call') return `${accountId}:tel:${toE164(ev.customer.phone, country) ?? ev.callId}`;
  return `${channelId}:${ev.customer.clientId}`;
}

/** What both ways to a webhook share: the channel check, the body, parse, journal, answer. */
function hookHandlers(relay: Relay) {
  const channelFor = (channelId: string, secret: string) => {
    const found = relay.accounts.channel(channelId);
    // Unknown channel and wrong secret get the same answer, so ids cannot be probed.
    if (!found || !safeEqualFixedLength(found.channel.secret, secret)) throw new AuthError('webhook', 404, 'unknown channel');
    return found;
  };

  const accept = async (ctx: Context, raw: Buffer, { account, channel }: ReturnType<typeof channelFor>) => {
    const adapter = adapters[channel.kind];
    if (!adapter) throw new AuthError('webhook', 404, 'unknown channel');
    const req = {
      raw,
      contentType: ctx.get('content-type'),
      headers: ctx.headers,
      query: ctx.querystring ? Object.fromEntries(Object.entries(ctx.query).map(([k, v]) => [k, Array.isArray(v) ? v[0] ?? '' : v ?? ''])) : {},
    };
    adapter.verify?.(req, channel);
    relay.admission.enter(account, channel);
    const { events: parsed, response } = adapter.parse(req, channel);
    const seen = parsed.length ? await relay.journal.seen(parsed.map((ev) => `${channel.id}:${ev.eventId}`)) : new Set<string>();
    const events = boundRequest(parsed, (eventId) => seen.has(`${channel.id}:${eventId}`));
    await relay.admission.admit(account, channel, events);
    const fresh = await journalAndQueue(relay, channel.kind, events.map((ev) => ({
      id: `${channel.id}:${ev.eventId}`,
      account: account.id,
      channel: channel.id,
      key: queueKey(ev, account.id, account.defaultCountry, channel.id),
      // When the relay got it, not the provider's own stamp: retries give up, dedupe forgets and
      // /healthz ages count from here, whatever clock or resend the provider's time comes from.
      at: Date.now(),
      event: ev,
    })));
    relay.log.debug({ account: account.id, channel: channel.id, events: events.length, fresh: fresh.length }, 'webhook accepted');
    ctx.status = 200;
    ctx.body = response ?? { ok: true, accepted: fresh.length, duplicates: events.length - fresh.length };
  };

  const post = async (ctx: Context, channelId: string, secret: string) => {
    // The secret is checked (once, in constant time) before the body is read; after reading it
    // the channel must still be there with the same secret (not deleted or rotated meanwhile).
    const checked = channelFor(channelId, secret);
    const raw = await getRawBody(ctx.req, { limit: BODY_LIMIT, length: ctx.get('content-length') || undefined });
    const found = relay.accounts.channel(checked.channel.id);
    if (!found || found.channel.secret !== checked.channel.secret) throw new AuthError('webhook', 404, 'unknown channel');
    await accept(ctx, raw, found);
  };

  return { channelFor, accept, post };
}

const FAST_PATH = /^\/hooks\/([\w-]+)\/([\w-]+)$/;

/**
 * POST /hooks/<channel id>/<secret> taken before the routers: every webhook passes here, and the
 * routers' matching was a few percent of the relay's CPU under load. Channel ids and secrets are
 * nanoids (letters, digits, "_" and "-"); any other path goes on to the router, which decodes.
 */
export function hooksFastPath(relay: Relay): Middleware {
  const { post } = hookHandlers(relay);
  return async (ctx, next) => {
    const m = ctx.method === 'POST' ? FAST_PATH.exec(ctx.path) : null;
    if (!m) return next();
    await post(ctx, m[1]!, m[2]!);
  };
}

/** Provider webhooks: POST /hooks/<channel id>/<secret>. */
export function hooksRouter(relay: Relay): Router {
  const router = newRouter();
  const { channelFor, accept, post } = hookHandlers(relay);

  // A GET with a query is a webhook where the provider sends them so (Ringostat). Any other GET is
  // a probe or somebody opening the URL in a browser: it delivered nothing, so it is not a 2xx (a
  // provider set to GET by mistake would count its events delivered), but it says what is wrong.
  router.get('/hooks/:channelId/:secret', async (ctx) => {
    const found = channelFor(ctx.params.channelId!, ctx.params.secret!);
    const { channel } = found;
    const adapter = adapters[channel.kind];
    if (adapter?.acceptsGet && Object.keys(ctx.query).length) return accept(ctx, Buffer.alloc(0), found);
    throw new HttpError(405, 'method not allowed', {
      error: 'method not allowed',
      hint: `this is the webhook URL of a ${adapter?.title ?? channel.kind} channel: the provider sends ${adapter?.acceptsGet ? 'POST, or GET with the call data in the query' : 'POST'} to it`,
    }, { Allow: adapter?.acceptsGet ? 'GET, POST' : 'POST' });
  });

  router.post('/hooks/:channelId/:secret', (ctx) => post(ctx, ctx.params.channelId!, ctx.params.secret!));

  return router;
}
