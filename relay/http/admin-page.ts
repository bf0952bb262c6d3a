import type Router from '@koa/router';
import type { RouterContext } from '@koa/router';
import { readAsset } from './assets.ts';
import { newRouter } from './router.ts';
import type { Relay } from '../context.ts';
import { HttpError } from '../errors.ts';

// The admin page: a static shell and its bundle (built by scripts/build.ts next to dist/relay.js).
// It talks only to the admin API, with the token the admin types in.

const asset = (name: string) => readAsset(name)?.text;

const SHELL = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>planfix-relay admin</title>
<link rel="stylesheet" href="/admin.css">
</head>
<body>
<div id="app"><p style="padding:20px">…</p></div>
<script src="/admin.js" defer></script>
</body>
</html>
`;

export function adminPageRouter(relay: Relay): Router {
  const router = newRouter();
  const js = asset('admin.js');
  const css = asset('admin.css') ?? '';
  if (!js) relay.log.warn('dist/admin.js not found: /admin answers 503 until the page is built (npm run build)');

  const secure = (ctx: RouterContext) => {
    // The page holds the admin token: no framing, no foreign scripts, nothing cached.
    ctx.set('Content-Security-Policy', "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'");
    ctx.set('X-Frame-Options', 'DENY');
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Referrer-Policy', 'no-referrer');
    ctx.set('Cache-Control', 'no-store');
  };

  // Typed by hand, so the one extra slash gets a way to the page rather than a 404.
  router.get('/admin/', (ctx) => {
    ctx.status = 301;
    ctx.redirect('/admin');
  });
  router.get('/admin', (ctx) => {
    if (!js) throw new HttpError(503, 'the admin page is not built (npm run build)');
    secure(ctx);
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = SHELL;
  });
  router.get('/admin.js', (ctx) => {
    if (!js) throw new HttpError(503, 'the admin page is not built (npm run build)');
    secure(ctx);
    ctx.type = 'application/javascript; charset=utf-8';
    ctx.body = js;
  });
  router.get('/admin.css', (ctx) => {
    secure(ctx);
    ctx.type = 'text/css; charset=utf-8';
    ctx.body = css;
  });
  return router;
}
