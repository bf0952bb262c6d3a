import type Router from '@koa/router';
import { z } from 'zod';
import { localeOf } from '../core/locale.ts';
import { RANGES, rangeWindow, series, type TrafficRange } from '../core/traffic.ts';
import type { AdminContext } from './admin-context.ts';
import { parse } from './admin-context.ts';

const query = z.object({
  range: z.enum(Object.keys(RANGES) as [TrafficRange, ...TrafficRange[]], { message: 'one of 24h, 7d' }),
  channel: z.string().min(1).max(100).optional(),
}).strict();

/**
 * GET /api/accounts/:id/traffic?range=24h|7d[&channel=<id>]: the account's traffic (or one
 * channel's) in hourly (24 h) or 6-hourly (7 d, from 00, 06, 12 and 18 h in the account's time
 * zone) buckets, with the backlog waiting now.
 */
export function trafficRoutes(router: Router, admin: AdminContext): void {
  const { relay, account, channel } = admin;

  router.get('/accounts/:id/traffic', async (ctx) => {
    const a = account(ctx.params.id!);
    // A repeated key comes as an array: a string is wanted, and zod says which key is wrong.
    const q = parse(query, { ...ctx.query });
    const c = q.channel === undefined ? undefined : channel(a, q.channel);
    // What was counted since the last flush is in the answer too.
    await relay.traffic.flush();
    const now = Date.now();
    const { timeZone } = localeOf(a);
    const { from, to } = rangeWindow(q.range, now, timeZone);
    const hours = await relay.store.traffic.hours(a.id, from, to, c?.id);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { ...series(q.range, now, hours, timeZone), ...(c ? { channel: c.id } : {}), backlogNow: relay.traffic.waiting(a.id, c?.id) };
  });
}
