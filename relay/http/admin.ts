import type Router from '@koa/router';
import type { Relay } from '../context.ts';
import { AuthError } from '../errors.ts';
import { accountRoutes } from './admin-accounts.ts';
import { channelRoutes } from './admin-channels.ts';
import { adminContext } from './admin-context.ts';
import { deliveryRoutes } from './admin-deliveries.ts';
import { rotateRoutes } from './admin-rotate.ts';
import { planfixRoutes } from './admin-planfix.ts';
import { phoneBookRoutes } from './admin-phone-book.ts';
import { newRouter } from './router.ts';
import { trafficRoutes } from './admin-traffic.ts';
import { safeEqual } from './secure.ts';

/** The admin API under /api: every route behind the admin token. */
export function adminRouter(relay: Relay): Router {
  const router = newRouter({ prefix: '/api' });

  router.use(async (ctx, next) => {
    const auth = ctx.get('authorization');
    const token = auth.startsWith('Bearer ') ? auth.slice(7).trim() : '';
    if (!token || !safeEqual(token, relay.adminToken)) throw new AuthError('admin', 401, 'missing or wrong admin token (Authorization: Bearer <RELAY_ADMIN_TOKEN>)');
    await next();
  });

  const admin = adminContext(relay);
  accountRoutes(router, admin);
  channelRoutes(router, admin);
  deliveryRoutes(router, admin);
  trafficRoutes(router, admin);
  rotateRoutes(router, admin);
  phoneBookRoutes(router, admin);
  planfixRoutes(router, admin);
  return router;
}
