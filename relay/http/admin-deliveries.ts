import type Router from '@koa/router';
import { preview } from '../delivery/activity.ts';
import { HttpError } from '../errors.ts';
import type { AdminContext } from './admin-context.ts';

/** How an account's deliveries went: its activity, and its dead letters to retry or let go. */
export function deliveryRoutes(router: Router, admin: AdminContext): void {
  const { relay, logOf, account } = admin;

  router.get('/accounts/:id/dead-letters', async (ctx) => {
    const a = account(ctx.params.id!);
    ctx.body = (await relay.store.journal.deadLetters(a.id)).map((e) => ({
      eventId: e.id,
      channel: e.channel,
      kind: e.event.kind,
      at: new Date(e.at).toISOString(),
      failedAt: new Date(e.dead!.at).toISOString(),
      reason: e.dead!.reason,
      // Letters from before codes were kept have none: the page shows their raw reason alone.
      reasonCode: e.dead!.code ?? 'other',
      preview: preview(e.event),
      retryUrl: `/api/accounts/${a.id}/dead-letters/${encodeURIComponent(e.id)}/retry`,
      dismissUrl: `/api/accounts/${a.id}/dead-letters/${encodeURIComponent(e.id)}`,
    }));
  });

  router.get('/accounts/:id/activity', async (ctx) => {
    ctx.body = await relay.store.activity.list(account(ctx.params.id!).id);
  });

  // Every dead letter of the account back in line, each conversation's in their original order.
  router.post('/accounts/:id/dead-letters/retry', async (ctx) => {
    const a = account(ctx.params.id!);
    const { requeued, more } = await relay.worker.deadLetters.retryAll(a.id);
    logOf(a).info({ requeued, more }, 'dead letters retried');
    ctx.status = 202;
    ctx.body = { ok: true, requeued, more };
  });

  router.post('/accounts/:id/dead-letters/:eventId/retry', async (ctx) => {
    const a = account(ctx.params.id!);
    if (!(await relay.worker.deadLetters.retry(a.id, ctx.params.eventId!))) throw new HttpError(404, 'dead letter not found');
    ctx.status = 202;
    ctx.body = { ok: true, eventId: ctx.params.eventId };
  });

  // Lets a dead letter go for good: it is not delivered, and a provider's resend of it stays a duplicate.
  router.delete('/accounts/:id/dead-letters/:eventId', async (ctx) => {
    const a = account(ctx.params.id!);
    if (!(await relay.worker.deadLetters.dismiss(a.id, ctx.params.eventId!))) throw new HttpError(404, 'dead letter not found');
    logOf(a).info({ event: ctx.params.eventId }, 'dead letter dismissed');
    ctx.status = 204;
  });
}
