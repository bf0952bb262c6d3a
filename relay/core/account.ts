import { z } from 'zod';
import { urlUnder } from './url.ts';
import { FIELD_KEYS, type FieldKey } from './field-keys.ts';
import { limitsSchema, type Limits } from './limits.ts';
import { isTimeZone, LANGUAGES, type Language } from './locale.ts';

export { FIELD_KEYS, type FieldKey };

export const planfixSchema = z.object({
  url: z.string().url(),
  chatToken: z.string().min(1),
  chatApiUrl: z.string().url().optional(),
  providerId: z.string().min(1).max(100).refine((s) => !s.includes('~'), 'must not contain "~"').optional(),
  restToken: z.string().min(1).optional(),
  restUrl: z.string().url().optional(),
  telephonyToken: z.string().min(1).optional(),
  telephonyApiUrl: z.string().url().optional(),
  /** REST requests per second; Planfix allows 1. */
  restRps: z.number().positive().max(1).optional(),
  /** Status a finished chat's task is moved to: an id, or a name; default the first inactive "completed"-like status. */
  completeStatus: z.union([z.number().int().positive(), z.string().min(1)]).optional(),
}).strict();

/** Who hears of customers' messages that became dead letters (relay/alerts/); neither set: nobody. */
export const alertsSchema = z.object({
  /** A Planfix employee (user id): each alert is a new task assigned to them, through REST. */
  employeeId: z.number().int().positive().optional(),
  /** Receives each alert as a JSON POST; its host must be allowed (RELAY_ALLOW_HOSTS). */
  url: z.string().url().max(2000).optional(),
}).strict();
export type AlertSettings = z.infer<typeof alertsSchema>;

export const accountInputSchema = z.object({
  name: z.string().min(1).max(200),
  defaultCountry: z.string().regex(/^[A-Za-z]{2}$/, 'must be an ISO 3166 alpha-2 code').transform((s) => s.toUpperCase()).default('RU'),
  planfix: planfixSchema,
  /** Planfix task field names for visitor details (`data_<name>`); an empty string turns one off. */
  taskFields: z.partialRecord(z.enum(FIELD_KEYS), z.string().max(100)).optional(),
  /** What the relay writes into Planfix is in this language; unset: from the Planfix domain (locale.ts). */
  language: z.enum(LANGUAGES, { error: `must be one of ${LANGUAGES.join(', ')}` }).optional(),
  /** Times written into Planfix are in this zone; unset: from the Planfix domain. */
  timeZone: z.string().max(64).refine(isTimeZone, 'must be an IANA time zone, e.g. Europe/Kyiv').optional(),
  alerts: alertsSchema.optional(),
}).strict();

export type PlanfixSettings = z.infer<typeof planfixSchema>;

export interface ChannelConfig {
  id: string;
  kind: string;
  name: string;
  /** The unguessable part of the webhook URL. */
  secret: string;
  settings: Record<string, unknown>;
  options: Record<string, unknown>;
  /** Admission limits set for this channel; unset ones take the defaults. */
  limits?: Limits;
  /** How the adapter's last connect step went (Viber's set_webhook): kept so the admin page shows a refusal until it is fixed. */
  connect?: ConnectOutcome;
  createdAt: string;
}

export interface ConnectOutcome {
  ok: boolean;
  /** The provider's reason, when it refused. */
  error?: string;
  at: string;
}

export interface Account {
  id: string;
  name: string;
  defaultCountry: string;
  planfix: PlanfixSettings;
  taskFields?: Partial<Record<FieldKey, string>>;
  language?: Language;
  timeZone?: string;
  alerts?: AlertSettings;
  /** Keys the relay generated, for Planfix to call the relay with. */
  callback: { chatToken: string; telephonyToken: string };
  widget: { key: string };
  channels: ChannelConfig[];
  createdAt: string;
}

const channelRecordSchema = z.object({
  id: z.string().min(1),
  kind: z.string().min(1),
  name: z.string(),
  secret: z.string().min(1),
  // Each channel's own schemas check these (relay/channels/stored.ts): only the registry knows them.
  settings: z.record(z.string(), z.unknown()),
  options: z.record(z.string(), z.unknown()),
  limits: limitsSchema.optional(),
  connect: z.object({ ok: z.boolean(), error: z.string().max(500).optional(), at: z.string().max(40) }).optional(),
  createdAt: z.string(),
});

/** An account file as the relay writes it, checked when it is read like any record from disk. */
export const storedAccountSchema = z.object({
  ...accountInputSchema.shape,
  id: z.string().min(1),
  callback: z.object({ chatToken: z.string().min(1), telephonyToken: z.string().min(1) }),
  widget: z.object({ key: z.string().min(1) }),
  channels: z.array(channelRecordSchema),
  createdAt: z.string(),
});

export const DEFAULT_PROVIDER_ID = 'planfix-relay';

export function chatApiUrl(a: Account): string {
  return a.planfix.chatApiUrl ?? urlUnder(a.planfix.url, 'webchat/api');
}
export function restUrl(a: Account): string {
  return a.planfix.restUrl ?? urlUnder(a.planfix.url, 'rest');
}
export function telephonyApiUrl(a: Account): string {
  return a.planfix.telephonyApiUrl ?? urlUnder(a.planfix.url, 'tel/api');
}
/**
 * Where the account's Planfix lives (scheme, host, port of planfix.url): the one origin its
 * widget is served to, its telephony endpoint may be on, and its files are fetched from.
 */
export function planfixOrigin(a: Account): string {
  return new URL(a.planfix.url).origin;
}

/**
 * Whether a URL is on the account's own Planfix. The allow-list lets any *.planfix.* host through;
 * what Planfix hands the relay (a telephony endpoint, a file to probe) must be on this one.
 */
export function onOwnPlanfix(a: Account, url: string): boolean {
  try {
    return new URL(url).origin === planfixOrigin(a);
  } catch {
    return false;
  }
}
export function providerId(a: Account): string {
  return a.planfix.providerId ?? DEFAULT_PROVIDER_ID;
}
export function taskFieldName(a: Account, key: FieldKey): string | undefined {
  const name = a.taskFields?.[key] ?? key;
  return name || undefined;
}

/** A secret as answers show it: enough to tell which one is set, never the value. */
export function mask(secret: unknown): string | undefined {
  if (typeof secret !== 'string' || !secret) return undefined;
  return secret.length >= 16 ? `****${secret.slice(-4)}` : '****';
}
export function isMasked(v: unknown): boolean {
  return typeof v === 'string' && /^\*{4}.{0,4}$/.test(v);
}
