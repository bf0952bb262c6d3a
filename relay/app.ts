import Koa from 'koa';
import type { Relay } from './context.ts';
import { HttpError } from './errors.ts';
import { adminRouter } from './http/admin.ts';
import { adminPageRouter } from './http/admin-page.ts';
import { hooksFastPath, hooksRouter } from './http/hooks.ts';
import { opsRouter } from './http/ops.ts';
import { planfixRouter } from './http/planfix.ts';
import { telephonyRouter } from './http/telephony.ts';
import { widgetRouter } from './http/widget.ts';

/** The Koa app with every face of the relay; it does not listen (main, tests and bench do). */
export function buildApp(relay: Relay): Koa {
  const app = new Koa({ proxy: false });
  // Every error of a handler is answered below; what Koa still reports is a connection that broke
  // (a client gone in the middle of its body), which its default handler would print as a stack
  // trace on stderr, outside the JSON log, for anyone who opens and drops connections. No path:
  // a webhook's holds its secret.
  app.on('error', (err: Error & { code?: string }, ctx?: Koa.Context) => {
    relay.log.debug({ err: err.message, code: err.code, method: ctx?.method }, 'client connection failed');
  });
  app.use(async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) ctx.body = { error: 'not found' };
      // The router says 501 to a method it does not know (TRACE, PROPFIND…): the client's choice, not a fault.
      if (ctx.status === 501) {
        ctx.status = 405;
        ctx.body = { error: 'method not allowed' };
      }
    } catch (err) {
      if (err instanceof HttpError) {
        ctx.status = err.status;
        ctx.body = err.body ?? { error: err.message };
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
      relay.log.error({ err: e.message, path: ctx.path.replace(/^(\/hooks\/[^/]+\/)[^/]+/, '$1…') }, 'unhandled error');
      ctx.status = 500;
      ctx.body = { error: 'internal error' };
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
