import Koa, { type Context } from 'koa';
import type { Relay } from './context.ts';
import { AuthError, HttpError, StorageError } from './errors.ts';
import { AUTH_FAILURE_LIMITS, AuthFailures } from './http/auth-failures.ts';
import { drainBody } from './http/drain.ts';
import { adminRouter } from './http/admin.ts';
import { adminPageRouter } from './http/admin-page.ts';
import { BODY_LIMIT, hooksFastPath, hooksRouter } from './http/hooks.ts';
import { opsRouter } from './http/ops.ts';
import { planfixRouter } from './http/planfix.ts';
import { telephonyRouter } from './http/telephony.ts';
import { widgetRouter } from './http/widget.ts';

function refuse(ctx: Context, status: number, error: string): void {
  const allow = ctx.response.get('Allow');
  ctx.body = allow ? { error, allow: allow.split(/,\s*/) } : { error };
  ctx.status = status;
}

/** The Koa app with every face of the relay; it does not listen (main, tests and bench do). */
export function buildApp(relay: Relay): Koa {
  // Behind nginx every client is 127.0.0.1 unless the proxy's X-Forwarded-For is trusted.
  // Only the last X-Forwarded-For entry, the one the proxy itself appended, is not the client's to write.
  const app = new Koa({ proxy: relay.config.trustProxy, maxIpsCount: 1 });
  const authFailures = new AuthFailures(relay.log, { ...AUTH_FAILURE_LIMITS, free: relay.config.authFreeFailures });
  // Every error of a handler is answered below; what Koa still reports is a connection that broke
  // (a client gone in the middle of its body), which its default handler would print as a stack
  // trace on stderr, outside the JSON log, for anyone who opens and drops connections. No path:
  // a webhook's holds its secret.
  app.on('error', (err: Error, ctx?: Koa.Context) => {
    relay.log.debug({ err, method: ctx?.method }, 'client connection failed');
  });
  app.use(async (ctx, next) => {
    try {
      await next();
      // A provider takes any 2xx as delivered, so what no route took stays a 4xx. The status is set
      // after the body: Koa turns a body set on its default 404 into a 200.
      // The router says 501 to a method it does not know (TRACE, PROPFIND…): the client's choice, not a fault.
      // An OPTIONS no route answers itself (only the widget API grants CORS) is the router's automatic 200.
      const unhandledOptions = ctx.method === 'OPTIONS' && ctx.status === 200 && ctx.body === '';
      if (ctx.status === 405 || ctx.status === 501 || unhandledOptions) refuse(ctx, 405, 'method not allowed on this path');
      else if (ctx.status === 404 && ctx.body === undefined) refuse(ctx, 404, 'not found: check the URL (it is case-sensitive, without a trailing slash)');
    } catch (err) {
      if (err instanceof AuthError && (await authFailures.failed(ctx.ip, err.face)) === 'refuse') {
        ctx.set('Retry-After', '60');
        ctx.status = 429;
        ctx.body = { error: 'too many failed authentications from this address: retry in a minute' };
        return;
      }
      if (err instanceof HttpError) {
        ctx.status = err.status;
        if (err.headers) ctx.set(err.headers);
        ctx.body = err.body ?? { error: err.message };
        return;
      }
      if (err instanceof StorageError) {
        // Nothing of the request was kept: a provider that gets this retries, an admin tries again.
        relay.log.error({ err }, 'storage write failed');
        ctx.status = 503;
        ctx.set('Retry-After', '5');
        ctx.body = { error: 'storage unavailable, retry later' };
        return;
      }
      const e = err as { status?: number; statusCode?: number; expose?: boolean; message?: string; type?: string };
      const status = e.status ?? e.statusCode;
      if (status && status >= 400 && status < 500) {
        ctx.status = status;
        ctx.body = { error: status === 413 ? 'body too large (limit 1 MB)' : e.expose && e.message ? `malformed body: ${e.message}` : 'bad request' };
        return;
      }
      // A webhook path holds its channel's secret: it never reaches the log.
      relay.log.error({ err, path: ctx.path.replace(/^(\/hooks\/[^/]+\/)[^/]+/, '$1…') }, 'unhandled error');
      ctx.status = 500;
      ctx.body = { error: 'internal error' };
    } finally {
      // A request refused before its body was read (unknown path, wrong secret, a limit) still gets its answer.
      if (ctx.status >= 400) await drainBody(ctx.req, BODY_LIMIT);
    }
  });
  // Provider webhooks first: they are the traffic, and every router before them costs each one a match.
  app.use(hooksFastPath(relay));
  for (const r of [hooksRouter(relay), opsRouter(relay), planfixRouter(relay), telephonyRouter(relay), adminRouter(relay), adminPageRouter(relay), widgetRouter(relay)]) {
    app.use(r.routes());
    app.use(r.allowedMethods());
  }
  return app;
}
