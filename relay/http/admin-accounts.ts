import type Router from '@koa/router';
import { nanoid } from 'nanoid';
import { z } from 'zod';
import { accountInputSchema, type Account } from '../core/account.ts';
import { HttpError } from '../errors.ts';
import { checkChat, checkRest, checkTelephony } from '../planfix/checks.ts';
import { fieldError, parse, unmasked, type AdminContext } from './admin-context.ts';

// null puts language or timeZone back to the Planfix domain's default.
const accountPatch = accountInputSchema.partial().extend({
  planfix: z.record(z.string(), z.unknown()).optional(),
  // Without its default: a PATCH that leaves the country out must not reset it to RU.
  defaultCountry: accountInputSchema.shape.defaultCountry.unwrap().optional(),
  language: accountInputSchema.shape.language.nullable(),
  timeZone: accountInputSchema.shape.timeZone.nullable(),
  // Replaces the alert settings whole; null or {} turns alerts off.
  alerts: accountInputSchema.shape.alerts.nullable(),
}).strict();

/** Accounts: their Planfix settings, their widget key, and the test of their Planfix connection. */
export function accountRoutes(router: Router, admin: AdminContext): void {
  const { relay, body, logOf, account, save, accountView, widgetView } = admin;

  const checkPlanfixUrls = (a: Account) => {
    for (const k of ['url', 'chatApiUrl', 'restUrl', 'telephonyApiUrl'] as const) {
      const v = a.planfix[k];
      const why = v && relay.policy.refusal(v, 'planfix');
      if (why) throw fieldError(`planfix.${k}: ${why.message}`, { path: `planfix.${k}`, reason: 'not_allowed', rule: why.rule });
    }
    const why = a.alerts?.url && relay.policy.refusal(a.alerts.url, 'alert');
    if (why) throw fieldError(`alerts.url: ${why.message}`, { path: 'alerts.url', reason: 'not_allowed', rule: why.rule });
  };

  router.post('/accounts', body, async (ctx) => {
    const input = parse(accountInputSchema, ctx.request.body);
    const a: Account = {
      id: nanoid(12),
      ...input,
      callback: { chatToken: nanoid(32), telephonyToken: nanoid(32) },
      widget: { key: nanoid(32) },
      channels: [],
      createdAt: new Date().toISOString(),
    };
    checkPlanfixUrls(a);
    await save(a);
    logOf(a).info('account created');
    ctx.status = 201;
    ctx.body = accountView(a);
  });

  router.get('/accounts', (ctx) => {
    ctx.body = relay.accounts.list().map(accountView);
  });

  router.get('/accounts/:id', (ctx) => {
    ctx.body = accountView(account(ctx.params.id!));
  });

  router.patch('/accounts/:id', body, async (ctx) => {
    const a = account(ctx.params.id!);
    const patch = parse(accountPatch, ctx.request.body);
    const merged = parse(accountInputSchema, {
      name: patch.name ?? a.name,
      defaultCountry: patch.defaultCountry ?? a.defaultCountry,
      planfix: { ...a.planfix, ...unmasked(patch.planfix) },
      taskFields: patch.taskFields ?? a.taskFields,
      language: patch.language === null ? undefined : patch.language ?? a.language,
      timeZone: patch.timeZone === null ? undefined : patch.timeZone ?? a.timeZone,
      alerts: patch.alerts === null ? undefined : patch.alerts ?? a.alerts,
    });
    // Spelled out: an unset value must replace the stored one, not leave it in place.
    const next: Account = { ...a, ...merged, language: merged.language, timeZone: merged.timeZone, alerts: merged.alerts };
    checkPlanfixUrls(next);
    await save(next);
    ctx.body = accountView(next);
  });

  router.delete('/accounts/:id', async (ctx) => {
    const a = account(ctx.params.id!);
    await relay.accounts.remove(a.id);
    await relay.store.forget(a.id);
    logOf(a).info('account deleted');
    ctx.status = 204;
  });

  // A new widget key: the installed userscripts get 401 until they are installed again from the new link.
  router.post('/accounts/:id/widget/rotate', async (ctx) => {
    const a = account(ctx.params.id!);
    const next: Account = { ...a, widget: { ...a.widget, key: nanoid(32) } };
    await save(next);
    logOf(a).info('widget key rotated');
    ctx.body = widgetView(next);
  });

  // Test connection: each part answers on its own, so one broken key does not hide the others;
  // ?only=chat (or rest, telephony) re-tests one part (the REST scopes take a second each).
  router.post('/accounts/:id/check', async (ctx) => {
    const a = account(ctx.params.id!);
    const parts = {
      chat: () => checkChat(relay.chat, a),
      rest: () => checkRest(relay.rest, a),
      telephony: () => checkTelephony(relay.telephony, a, { url: `${relay.publicUrl()}/planfix/${a.id}/telephony`, token: a.callback.telephonyToken }),
    };
    const only = String(ctx.query.only ?? '');
    // Own keys only: "constructor" or "__proto__" is in every object, and is no part.
    if (only && !Object.hasOwn(parts, only)) throw new HttpError(400, 'only: one of chat, rest, telephony');
    const chosen = (only ? [only] : Object.keys(parts)) as (keyof typeof parts)[];
    const results = await Promise.all(chosen.map((k) => parts[k]()));
    ctx.body = Object.fromEntries(chosen.map((k, i) => [k, results[i]]));
  });
}
