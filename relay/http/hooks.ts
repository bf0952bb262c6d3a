import type Router from '@koa/router';
import { newRouter } from './router.ts';
import type { Context, Middleware } from 'koa';
import { koaBody } from 'koa-body';
import { boundRequest } from '../core/bounds.ts';
import getRawBody from 'raw-body';
import { adapters } from '../channels/index.ts';
import type { Relay } from '../context.ts';
import { AuthError, HttpError } from '../errors.ts';
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

/** What both ways to a webhook share: the channel check, the body, parse, journal, answer. */
function hookHandlers(relay: Relay) {
  const channelFor = (channelId: string, secret: string) => {
    const found = relay.accounts.channel(channelId);
    // Unknown channel and wrong secret get the same answer, so ids cannot be probed.
    if (!found || !safeEqualFixedLength(found.channel.secret, secret)) throw new AuthError('webhook', 404, 'unknown channel');
    return found;
  };

  /**
   * Runs the rest of a webhook on a known channel and counts it refused for the admin page's
   * charts when it is not answered 2xx (a signature, a body, an admission limit, the disk): none
   * of it was journaled. An unknown channel or secret is not counted: it names no channel.
   */
  const refusals = async <T>(found: ReturnType<typeof channelFor>, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (err) {
      relay.traffic.refused(found.account.id, found.channel.id);
      throw err;
    }
  };

  const accept = (ctx: Context, raw: Buffer, found: ReturnType<typeof channelFor>) => refusals(found, () => take(ctx, raw, found));

  const take = async (ctx: Context, raw: Buffer, { account, channel }: ReturnType<typeof channelFor>) => {
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
    const seen = await relay.inbox.seen(channel, parsed);
    const events = boundRequest(parsed, (eventId) => seen.has(eventId));
    await relay.admission.admit(account, channel, events);
    const fresh = await relay.inbox.inbound(account, channel, events);
    relay.log.debug({ account: account.id, channel: channel.id, events: events.length, fresh: fresh.length }, 'webhook accepted');
    ctx.status = 200;
    ctx.body = response ?? { ok: true, accepted: fresh.length, duplicates: events.length - fresh.length };
  };

  const post = async (ctx: Context, channelId: string, secret: string) => {
    // The secret is checked (once, in constant time) before the body is read; after reading it
    // the channel must still be there with the same secret (not deleted or rotated meanwhile).
    const checked = channelFor(channelId, secret);
    const raw = await refusals(checked, () => getRawBody(ctx.req, { limit: BODY_LIMIT, length: ctx.get('content-length') || undefined }));
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
