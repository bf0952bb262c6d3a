import type Router from '@koa/router';
import { nanoid } from 'nanoid';
import { z } from 'zod';
import { adapters } from '../channels/index.ts';
import { asRecord } from '../channels/channel.ts';
import { checkFailed, noCheck } from '../channels/check-texts.ts';
import type { ChannelConfig } from '../core/account.ts';
import { limitsSchema } from '../core/limits.ts';
import { HttpError } from '../errors.ts';
import { connectStep } from './admin-connect.ts';
import { fieldError, parse, unmasked, type AdminContext } from './admin-context.ts';

const channelInput = z.object({
  kind: z.string(),
  name: z.string().min(1).max(200),
  settings: z.record(z.string(), z.unknown()).default({}),
  options: z.record(z.string(), z.unknown()).default({}),
  limits: limitsSchema.optional(),
}).strict();

const channelPatch = channelInput.omit({ kind: true }).partial().strict();

/** Channels of an account: the kinds there are, and each channel's settings, connect step and check. */
export function channelRoutes(router: Router, admin: AdminContext): void {
  const { relay, body, logOf, account, channel, save, channelView, webhookUrl } = admin;

  const connect = connectStep(admin);

  const validChannel = (kind: string, settingsIn: unknown, optionsIn: unknown) => {
    const adapter = adapters[kind];
    if (!adapter) throw fieldError(`kind: unknown channel kind (one of ${Object.keys(adapters).join(', ')})`, { path: 'kind', reason: 'invalid_value', values: Object.keys(adapters) });
    const settings = asRecord(parse(adapter.settings, settingsIn, 'settings'));
    const options = asRecord(parse(adapter.options, optionsIn, 'options'));
    for (const k of adapter.urlFields) {
      const why = typeof settings[k] === 'string' ? relay.policy.refusal(settings[k] as string, 'provider') : undefined;
      if (why) throw fieldError(`settings.${k}: ${why.message}`, { path: `settings.${k}`, reason: 'not_allowed', rule: why.rule });
    }
    return { settings, options };
  };

  // What the admin page builds its channel forms from: each kind's settings and options as JSON
  // Schema, and the channel's own words for them, its warnings and its webhook URLs.
  router.get('/kinds', (ctx) => {
    const schema = (s: z.ZodType) => z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' });
    ctx.body = Object.values(adapters).map((a) => ({
      kind: a.kind, title: a.title, family: a.family, settings: schema(a.settings), options: schema(a.options), limits: schema(limitsSchema),
      secretFields: a.secretFields, canConnect: !!a.onConnect, canCheck: !!a.check, texts: a.texts ?? { fields: {} },
    }));
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
    ctx.body = { ...channelView(relay.accounts.get(a.id) ?? next, c), ...(connected ? { connect: connected } : {}) };
  });

  router.post('/accounts/:id/channels/:channelId/connect', async (ctx) => {
    const a = account(ctx.params.id!);
    const c = channel(a, ctx.params.channelId!);
    const connected = await connect(a, c);
    if (!connected) throw new HttpError(400, `${c.kind} channels have no connect step`);
    ctx.body = connected;
  });

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

  router.post('/accounts/:id/channels/:channelId/check', async (ctx) => {
    const a = account(ctx.params.id!);
    const c = channel(a, ctx.params.channelId!);
    const adapter = adapters[c.kind]!;
    if (!adapter.check) {
      ctx.body = noCheck(adapter.title);
      return;
    }
    try {
      ctx.body = await adapter.check({ account: a, channel: c, policy: relay.policy, timeoutMs: relay.config.httpTimeoutMs, webhookUrl: webhookUrl(c) });
    } catch (err) {
      ctx.body = checkFailed(err);
    }
  });
}
