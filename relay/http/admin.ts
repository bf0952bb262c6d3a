import type Router from '@koa/router';
import { newRouter } from './router.ts';
import { nanoid } from 'nanoid';
import { z } from 'zod';
import { adapters } from '../channels/index.ts';
import { asRecord } from '../channels/channel.ts';
import { issueText } from '../core/issue.ts';
import type { Relay } from '../context.ts';
import { accountInputSchema, isMasked, type Account, type ChannelConfig } from '../core/account.ts';
import { limitsSchema } from '../core/limits.ts';
import { AuthError, HttpError } from '../errors.ts';
import { BODY_LIMIT, parseBody } from './hooks.ts';
import { adminViews } from './admin-views.ts';
import { safeEqual } from './secure.ts';
import { preview } from '../delivery/activity.ts';
import { checkChat, checkRest, checkTelephony } from '../planfix/checks.ts';

/** The first zod issue as "field.path: message", so the admin sees which field is wrong. */
function parse<T>(schema: z.ZodType<T>, value: unknown, prefix = ''): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new HttpError(400, issueText(r.error, prefix));
  return r.data;
}

/** Drops masked values an admin page may send back unchanged, so they never overwrite the secret. */
function unmasked(o: Record<string, unknown> | undefined): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => !isMasked(v)));
}

const channelInput = z.object({
  kind: z.string(),
  name: z.string().min(1).max(200),
  settings: z.record(z.string(), z.unknown()).default({}),
  options: z.record(z.string(), z.unknown()).default({}),
  limits: limitsSchema.optional(),
}).strict();

const channelPatch = channelInput.omit({ kind: true }).partial().strict();
// null puts language or timeZone back to the Planfix domain's default.
const accountPatch = accountInputSchema.partial().extend({
  planfix: z.record(z.string(), z.unknown()).optional(),
  // Without its default: a PATCH that leaves the country out must not reset it to RU.
  defaultCountry: accountInputSchema.shape.defaultCountry.unwrap().optional(),
  language: accountInputSchema.shape.language.nullable(),
  timeZone: accountInputSchema.shape.timeZone.nullable(),
}).strict();

export function adminRouter(relay: Relay): Router {
  const router = newRouter({ prefix: '/api' });
  const body = parseBody({ json: true, urlencoded: false, text: false, multipart: false, jsonLimit: BODY_LIMIT, jsonStrict: true });

  router.use(async (ctx, next) => {
    const auth = ctx.get('authorization');
    const token = auth.startsWith('Bearer ') ? auth.slice(7).trim() : '';
    if (!token || !safeEqual(token, relay.adminToken)) throw new AuthError('admin', 401, 'missing or wrong admin token (Authorization: Bearer <RELAY_ADMIN_TOKEN>)');
    await next();
  });

  const url = () => relay.publicUrl();
  /** The log of an account, or of one of its channels: every line about them names them the same way. */
  const logOf = (a: Account, c?: ChannelConfig) => relay.log.child(c ? { account: a.id, channel: c.id } : { account: a.id });

  const checkPlanfixUrls = (a: Account) => {
    for (const k of ['url', 'chatApiUrl', 'restUrl', 'telephonyApiUrl'] as const) {
      const v = a.planfix[k];
      const why = v && relay.policy.check(v, 'planfix');
      if (why) throw new HttpError(400, `planfix.${k}: ${why}`);
    }
  };

  /** Runs the adapter's connect step (e.g. Viber set_webhook); its outcome is shown, never fatal to saving. */
  const connect = async (a: Account, c: ChannelConfig) => {
    const adapter = adapters[c.kind]!;
    if (!adapter.onConnect) return undefined;
    try {
      return { ok: true, ...(await adapter.onConnect({ account: a, channel: c, policy: relay.policy, timeoutMs: relay.config.httpTimeoutMs, webhookUrl: webhookUrl(c) })) };
    } catch (err) {
      logOf(a, c).warn({ err }, 'channel connect step failed');
      return { ok: false, error: (err as Error).message };
    }
  };

  const { accountView, channelView, webhookUrl, widgetView } = adminViews(relay);

  const account = (id: string) => {
    const a = relay.accounts.get(id);
    if (!a) throw new HttpError(404, 'account not found');
    return a;
  };

  const save = async (a: Account) => {
    try {
      await relay.accounts.save(a);
    } catch (err) {
      logOf(a).error({ err }, 'saving account failed');
      throw new HttpError(503, 'storage unavailable, retry later');
    }
  };

  const validChannel = (kind: string, settingsIn: unknown, optionsIn: unknown) => {
    const adapter = adapters[kind];
    if (!adapter) throw new HttpError(400, `kind: unknown channel kind (one of ${Object.keys(adapters).join(', ')})`);
    const settings = asRecord(parse(adapter.settings, settingsIn, 'settings'));
    const options = asRecord(parse(adapter.options, optionsIn, 'options'));
    for (const k of adapter.urlFields) {
      const why = typeof settings[k] === 'string' ? relay.policy.check(settings[k] as string, 'provider') : undefined;
      if (why) throw new HttpError(400, `settings.${k}: ${why}`);
    }
    return { settings, options };
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

  // What the admin page builds its channel forms from: each kind's settings and options as JSON Schema.
  router.get('/kinds', (ctx) => {
    const schema = (s: z.ZodType) => z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' });
    ctx.body = Object.values(adapters).map((a) => ({
      kind: a.kind, title: a.title, family: a.family, settings: schema(a.settings), options: schema(a.options), limits: schema(limitsSchema),
      secretFields: a.secretFields, canConnect: !!a.onConnect, canCheck: !!a.check,
    }));
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
    });
    // Spelled out: an unset value must replace the stored one, not leave it in place.
    const next: Account = { ...a, ...merged, language: merged.language, timeZone: merged.timeZone };
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

  router.post('/accounts/:id/channels', body, async (ctx) => {
    const a = account(ctx.params.id!);
    const input = parse(channelInput, ctx.request.body);
    const { settings, options } = validChannel(input.kind, input.settings, input.options);
    const c: ChannelConfig = {
      id: nanoid(10), kind: input.kind, name: input.name, secret: nanoid(32), settings, options, ...(input.limits ? { limits: input.limits } : {}), createdAt: new Date().toISOString(),
    };
    const next = { ...a, channels: [...a.channels, c] };
    await save(next);
    logOf(a, c).info({ kind: c.kind }, 'channel created');
    const connected = await connect(next, c);
    ctx.status = 201;
    ctx.body = { ...channelView(next, c), ...(connected ? { connect: connected } : {}) };
  });

  router.post('/accounts/:id/channels/:channelId/connect', async (ctx) => {
    const a = account(ctx.params.id!);
    const c = channel(a, ctx.params.channelId!);
    const connected = await connect(a, c);
    if (!connected) throw new HttpError(400, `${c.kind} channels have no connect step`);
    ctx.body = connected;
  });

  const channel = (a: Account, id: string) => {
    const c = a.channels.find((x) => x.id === id);
    if (!c) throw new HttpError(404, 'channel not found');
    return c;
  };

  router.get('/accounts/:id/channels/:channelId', (ctx) => {
    const a = account(ctx.params.id!);
    ctx.body = channelView(a, channel(a, ctx.params.channelId!));
  });

  router.patch('/accounts/:id/channels/:channelId', body, async (ctx) => {
    const a = account(ctx.params.id!);
    const c = channel(a, ctx.params.channelId!);
    const patch = parse(channelPatch, ctx.request.body);
    const { settings, options } = validChannel(c.kind, { ...c.settings, ...unmasked(patch.settings) }, { ...c.options, ...patch.options });
    // Limits given are the channel's whole set (an empty object restores every default), as the page's form sends them.
    const next: ChannelConfig = { ...c, name: patch.name ?? c.name, settings, options, ...(patch.limits ? { limits: patch.limits } : {}) };
    await save({ ...a, channels: a.channels.map((x) => (x.id === c.id ? next : x)) });
    ctx.body = channelView(a, next);
  });

  router.delete('/accounts/:id/channels/:channelId', async (ctx) => {
    const a = account(ctx.params.id!);
    const c = channel(a, ctx.params.channelId!);
    await save({ ...a, channels: a.channels.filter((x) => x.id !== c.id) });
    try {
      await adapters[c.kind]!.onDisconnect?.({ account: a, channel: c, policy: relay.policy, timeoutMs: relay.config.httpTimeoutMs });
    } catch (err) {
      logOf(a, c).warn({ err }, 'channel disconnect step failed');
    }
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

  router.get('/accounts/:id/dead-letters', async (ctx) => {
    const a = account(ctx.params.id!);
    ctx.body = (await relay.store.journal.deadLetters(a.id)).map((e) => ({
        eventId: e.id,
        channel: e.channel,
        kind: e.event.kind,
        at: new Date(e.at).toISOString(),
        failedAt: new Date(e.dead!.at).toISOString(),
        reason: e.dead!.reason,
        preview: preview(e.event),
        retryUrl: `/api/accounts/${a.id}/dead-letters/${encodeURIComponent(e.id)}/retry`,
        dismissUrl: `/api/accounts/${a.id}/dead-letters/${encodeURIComponent(e.id)}`,
      }));
  });

  router.get('/accounts/:id/activity', async (ctx) => {
    ctx.body = await relay.store.activity.list(account(ctx.params.id!).id);
  });

  // Test connection: each part answers on its own, so one broken key does not hide the others;
  // ?only=chat (or rest, telephony) re-tests one part (the REST scopes take a second each).
  router.post('/accounts/:id/check', async (ctx) => {
    const a = account(ctx.params.id!);
    const parts = {
      chat: () => checkChat(relay.chat, a),
      rest: () => checkRest(relay.rest, a),
      telephony: () => checkTelephony(relay.telephony, a, { url: `${url()}/planfix/${a.id}/telephony`, token: a.callback.telephonyToken }),
    };
    const only = String(ctx.query.only ?? '');
    // Own keys only: "constructor" or "__proto__" is in every object, and is no part.
    if (only && !Object.hasOwn(parts, only)) throw new HttpError(400, 'only: one of chat, rest, telephony');
    const chosen = (only ? [only] : Object.keys(parts)) as (keyof typeof parts)[];
    const results = await Promise.all(chosen.map((k) => parts[k]()));
    ctx.body = Object.fromEntries(chosen.map((k, i) => [k, results[i]]));
  });

  router.post('/accounts/:id/channels/:channelId/check', async (ctx) => {
    const a = account(ctx.params.id!);
    const c = channel(a, ctx.params.channelId!);
    const adapter = adapters[c.kind]!;
    if (!adapter.check) {
      ctx.body = { ok: true, message: `${adapter.title} has no API the relay can check; send a test message through it.` };
      return;
    }
    try {
      ctx.body = await adapter.check({ account: a, channel: c, policy: relay.policy, timeoutMs: relay.config.httpTimeoutMs, webhookUrl: webhookUrl(c) });
    } catch (err) {
      ctx.body = { ok: false, message: (err as Error).message, fix: 'Check the channel\'s API URL and that this server can reach the provider.' };
    }
  });

  router.post('/accounts/:id/dead-letters/:eventId/retry', async (ctx) => {
    const a = account(ctx.params.id!);
    if (!(await relay.worker.retryDead(a.id, ctx.params.eventId!))) throw new HttpError(404, 'dead letter not found');
    ctx.status = 202;
    ctx.body = { ok: true, eventId: ctx.params.eventId };
  });

  // Lets a dead letter go for good: it is not delivered, and a provider's resend of it stays a duplicate.
  router.delete('/accounts/:id/dead-letters/:eventId', async (ctx) => {
    const a = account(ctx.params.id!);
    if (!(await relay.worker.dismissDead(a.id, ctx.params.eventId!))) throw new HttpError(404, 'dead letter not found');
    logOf(a).info({ event: ctx.params.eventId }, 'dead letter dismissed');
    ctx.status = 204;
  });

  return router;
}
