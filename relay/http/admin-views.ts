import { adapters } from '../channels/index.ts';
import type { Relay } from '../context.ts';
import { mask, type Account, type ChannelConfig } from '../core/account.ts';
import { localeOf } from '../core/locale.ts';
import { accountWarnings, familyWarnings, SETUP_WARNINGS } from '../core/setup-warnings.ts';
import { word, type InLanguages, type Warning } from '../core/ui-text.ts';
import { userscriptUrl } from './widget.ts';

/**
 * Accounts and channels as the admin API answers them: secrets masked, the URLs and tokens to
 * paste into Planfix and the providers, what each channel still needs.
 */
export function adminViews(relay: Relay) {
  const url = () => relay.publicUrl();
  const channelView = (a: Account, c: ChannelConfig) => {
    const adapter = adapters[c.kind]!;
    const settings = { ...c.settings };
    for (const k of adapter.secretFields) if (settings[k] !== undefined) settings[k] = mask(settings[k]);
    const hooks = adapter.webhooks?.(c).map((w) => ({ id: w.id, url: `${webhookUrl(c)}?${new URLSearchParams(w.query)}` }));
    return {
      id: c.id, kind: c.kind, name: c.name, settings, options: c.options, limits: c.limits ?? {}, admission: relay.admission.stats(c),
      webhookUrl: webhookUrl(c), ...(hooks ? { webhookUrls: hooks } : {}),
      ...warningsView([...familyWarnings(adapter.family, c, a), ...adapter.warnings?.(c, a) ?? []], { ...SETUP_WARNINGS, ...adapter.texts?.warnings }),
      ...adapter.describe?.(c), ...(c.connect ? { connect: c.connect } : {}), ...recoveryView(c), createdAt: c.createdAt,
    };
  };
  const recoveryView = (c: ChannelConfig) => {
    const r = relay.recovery.status(c);
    return r ? { recovery: r } : {};
  };
  const webhookUrl = (c: ChannelConfig) => `${url()}/hooks/${c.id}/${c.secret}`;

  const widgetView = (a: Account) => ({ key: a.widget.key, userscriptUrl: userscriptUrl(url(), a) });

  /** What to paste into Planfix's Chat API and telephony settings: the relay's URLs and its callback tokens. */
  const connectView = (a: Account) => ({
    planfixChat: { url: `${url()}/planfix/${a.id}/chat`, token: a.callback.chatToken, providerId: a.planfix.providerId ?? 'planfix-relay' },
    planfixTelephony: { url: `${url()}/planfix/${a.id}/telephony`, token: a.callback.telephonyToken },
  });

  const accountView = (a: Account) => ({
    id: a.id,
    name: a.name,
    defaultCountry: a.defaultCountry,
    planfix: { ...a.planfix, chatToken: mask(a.planfix.chatToken), restToken: mask(a.planfix.restToken), telephonyToken: mask(a.planfix.telephonyToken) },
    taskFields: a.taskFields,
    language: a.language,
    timeZone: a.timeZone,
    alerts: a.alerts ?? {},
    // What Planfix texts are actually written in, and whether the admin chose it or the domain decided.
    locale: { ...localeOf(a), chosen: { language: !!a.language, timeZone: !!a.timeZone } },
    channels: a.channels.map((c) => channelView(a, c)),
    connect: connectView(a),
    widget: widgetView(a),
    ...warningsView(accountWarnings(url()), SETUP_WARNINGS),
    createdAt: a.createdAt,
  });

  return { accountView, channelView, connectView, webhookUrl, widgetView };
}

/**
 * Warnings as the page reads them (codes and parameters, worded in the admin's language) and as
 * an API reader does: `warnings`, the English texts, as before codes existed.
 */
function warningsView(list: Warning[], texts: Record<string, InLanguages>) {
  return {
    warnings: list.map((w) => word(texts[w.code]?.en ?? w.code, w.params)),
    warningCodes: list.map((w) => ({ code: w.code, params: w.params ?? {} })),
  };
}
