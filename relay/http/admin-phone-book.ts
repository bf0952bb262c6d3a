import type Router from '@koa/router';
import { mirrored } from '../planfix/phone-book.ts';
import type { AdminContext } from './admin-context.ts';

/**
 * GET /api/accounts/:id/phone-book: the account's mirror of its Planfix phone book (whether it
 * runs, how many numbers it holds, its last passes and error), for the admin page.
 */
export function phoneBookRoutes(router: Router, admin: AdminContext): void {
  const { relay, account } = admin;

  router.get('/accounts/:id/phone-book', async (ctx) => {
    const a = account(ctx.params.id!);
    const { state, numbers } = await relay.store.state(a.id).phoneBook();
    ctx.set('Cache-Control', 'no-store');
    ctx.body = {
      enabled: relay.config.phoneBook.enabled,
      mirrored: mirrored(a),
      numbers,
      ...(state.fullContacts !== undefined ? { contacts: state.fullContacts } : {}),
      ...(state.fullAt !== undefined ? { fullAt: new Date(state.fullAt).toISOString() } : {}),
      ...(state.syncedAt !== undefined ? { syncedAt: new Date(state.syncedAt).toISOString() } : {}),
      ...(state.pass ? { pass: { kind: state.pass.kind, contacts: state.pass.contacts, startedAt: new Date(state.pass.startedAt).toISOString() } } : {}),
      ...(state.error ? { error: { at: new Date(state.error.at).toISOString(), text: state.error.text } } : {}),
      changesRefused: !!state.changesRefused,
    };
  });
}
