import Router from '@koa/router';

/**
 * Every face's router. Paths are case-sensitive and a trailing slash is another path, as nginx's
 * location rules in docs/OPERATIONS.md are: a route that also answered `/API/…` or `/metrics/`
 * would be reached around the proxy's IP restriction for `/api` and `/metrics`.
 */
export function newRouter(opts: { prefix?: string } = {}): Router {
  return new Router({ ...opts, sensitive: true, strict: true });
}
