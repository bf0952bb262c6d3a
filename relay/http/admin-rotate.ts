import type Router from '@koa/router';
import { nanoid } from 'nanoid';
import { adapters } from '../channels/index.ts';
import type { Account, ChannelConfig } from '../core/account.ts';
import { HttpError } from '../errors.ts';
import { connectStep } from './admin-connect.ts';
import type { AdminContext } from './admin-context.ts';

// New secrets for the URLs and tokens the relay generated and the admin pasted elsewhere (a
// leaked URL, a person who left): the old one is refused from the moment the new one is saved.
// The widget key's rotation is with the account's routes.

/** Rotations of a channel's webhook secret and of the account's Planfix callback tokens. */
export function rotateRoutes(router: Router, admin: AdminContext): void {
  const { relay, logOf, account, channel, save, channelView, connectView } = admin;
  const connect = connectStep(admin);

  // The old URL answers 404 at once, as an unknown channel does. What it already took is journaled
  // under the channel's id, not its secret, and is delivered; a provider's resend of it to the new
  // URL is a duplicate. A request still sending its body when the secret changes is refused
  // (hooks.ts checks the secret again after reading it): never a 2xx for what was not taken.
  // Where the relay registers the URL itself (Viber), it registers the new one at once (saved
  // first: Viber calls the URL while it registers it). When the provider refuses it, it goes on
  // calling the old URL, so the old secret comes back: a rotation never leaves a channel whose
  // provider sends where nothing answers.
  router.post('/accounts/:id/channels/:channelId/rotate', async (ctx) => {
    const a = account(ctx.params.id!);
    const c = channel(a, ctx.params.channelId!);
    const next: ChannelConfig = { ...c, secret: nanoid(32) };
    const saved: Account = { ...a, channels: a.channels.map((x) => (x.id === c.id ? next : x)) };
    await save(saved);
    const result = await connect(saved, next);
    if (result && !result.ok) {
      const now = relay.accounts.get(a.id);
      if (now) await save({ ...now, channels: now.channels.map((x) => (x.id === c.id ? { ...x, secret: c.secret, ...(c.connect ? { connect: c.connect } : {}) } : x)) });
      logOf(a, c).warn('the provider refused the new webhook URL: the old one stays');
      throw new HttpError(502, `${adapters[c.kind]?.title ?? c.kind} did not accept the new URL (${result.error}): the old URL stays and keeps working`);
    }
    logOf(a, c).info('channel webhook secret rotated');
    const now = relay.accounts.get(a.id) ?? saved;
    ctx.body = channelView(now, now.channels.find((x) => x.id === c.id) ?? next);
  });

  // Planfix sends these tokens with its callbacks: until the admin pastes the new one into Planfix,
  // its calls are refused (401) like any wrong token's.
  const token = (part: 'planfixChat' | 'planfixTelephony', field: keyof Account['callback']) => {
    router.post(`/accounts/:id/connect/${part}/rotate`, async (ctx) => {
      const a = account(ctx.params.id!);
      const next: Account = { ...a, callback: { ...a.callback, [field]: nanoid(32) } };
      await save(next);
      logOf(a).info({ part }, 'Planfix callback token rotated');
      ctx.body = connectView(next)[part];
    });
  };
  token('planfixChat', 'chatToken');
  token('planfixTelephony', 'telephonyToken');
}
