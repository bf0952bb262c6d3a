// What the admin API answers, as the page reads it.
import type { ChannelTexts } from '../relay/channels/channel.ts';
import type { Warning } from '../relay/core/ui-text.ts';
import type { JsonSchema } from './forms.ts';

export interface Kind {
  kind: string; title: string; family: 'chat' | 'telephony'; settings: JsonSchema; options: JsonSchema; limits: JsonSchema;
  secretFields: string[]; canConnect: boolean; canCheck: boolean; texts: ChannelTexts;
}
export type Refusals = Record<'rate' | 'new_conversations' | 'new_contacts' | 'backlog', number>;
export interface Admission { refused: Refusals; previousHour: Refusals; lastRefusedAt?: string; biting: boolean }
export interface Channel {
  id: string; kind: string; name: string; settings: Record<string, unknown>; options: Record<string, unknown>; limits: Record<string, unknown>;
  admission: Admission; webhookUrl: string; webhookUrls?: { id: string; url: string }[];
  warnings: string[]; warningCodes: Warning[]; deepLink?: string; connect?: { ok: boolean; error?: string; at: string };
  recovery?: Recovery;
}
/** A channel's reconciliation with its provider's log (relay/delivery/recovery.ts RecoveryView). */
export interface Recovery {
  on: boolean; off?: 'no_key' | 'turned_off' | 'relay_off'; everyMinutes: number; running: boolean;
  last?: { at: string; from?: string; to?: string; requests: number; found: number; recovered: number; unfinished: number; skipped: number; error?: string; warning?: string };
}
export interface Account {
  id: string; name: string; defaultCountry: string; planfix: Record<string, unknown>; channels: Channel[];
  language?: string; timeZone?: string; alerts?: { employeeId?: number; url?: string }; taskFields?: Record<string, string>;
  locale: { language: string; timeZone: string; chosen: { language: boolean; timeZone: boolean } };
  connect: { planfixChat: { url: string; token: string; providerId: string }; planfixTelephony: { url: string; token: string } };
  widget: { key: string; userscriptUrl: string };
  warnings: string[]; warningCodes: Warning[];
}
export interface Check { ok: boolean; code?: string; params?: Record<string, string>; message: string; fix?: string; details?: { scopes?: Record<string, string> } }
