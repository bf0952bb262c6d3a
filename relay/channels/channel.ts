import type { z } from 'zod';
import type { InboundEvent, ReplyEvent } from '../core/events.ts';
import type { Account, ChannelConfig } from '../core/account.ts';
import type { CheckResult } from '../core/check.ts';
import type { OutboundPolicy } from '../net/outbound.ts';

/** A provider's webhook request as the relay received it; the body is untouched bytes. */
export interface InboundRequest {
  raw: Buffer;
  contentType: string;
  headers: Record<string, string | string[] | undefined>;
  query: Record<string, string>;
}

export interface ParseResult {
  events: InboundEvent[];
  /** A body the provider expects in the webhook answer itself (e.g. Viber's welcome message). */
  response?: unknown;
}

export interface SendContext {
  account: Account;
  channel: ChannelConfig;
  policy: OutboundPolicy;
  timeoutMs: number;
}

/**
 * One provider. An adapter knows its provider and nothing of Planfix. `parse` must give every
 * event a stable `eventId`; `send` returns the provider's ids of the sent messages, and an inbound
 * event carrying that same `eventId` is recognised as the relay's own message coming back.
 */
export interface ChannelAdapter {
  kind: string;
  /** Human name of the provider, used in task titles and summaries. */
  title: string;
  settings: z.ZodType<Record<string, unknown>>;
  options: z.ZodType<Record<string, unknown>>;
  /** Settings keys holding secrets: stored 0600, masked in every answer. */
  secretFields: readonly string[];
  /** Settings keys holding provider API URLs: checked against the outbound allow-list. */
  urlFields: readonly string[];
  /** Checks a signature or token beyond the secret URL; throws HttpError(401). */
  verify?(req: InboundRequest, channel: ChannelConfig): void;
  /** Turns the body into events; throws HttpError(400) for a body that is not the provider's shape. */
  parse(req: InboundRequest, channel: ChannelConfig): ParseResult;
  /** Delivers an employee's reply; throws RetryableError or TerminalError. Absent: the channel takes no replies. */
  send?(reply: ReplyEvent, ctx: SendContext): Promise<{ providerMessageIds: string[] }>;
  /** Click-to-call: has the provider ring the employee (its own id for them: number, extension or SIP login), then the customer (international number). */
  makeCall?(call: { employee: string; destination: string }, ctx: SendContext): Promise<void>;
  /** "Test connection": checks the channel's keys with a call that changes nothing at the provider. */
  check?(ctx: SendContext & { webhookUrl: string }): Promise<CheckResult>;
  /** The provider may send webhooks as GET with the data in the query (Ringostat can). */
  acceptsGet?: boolean;
  /** Called after the channel is created or on demand (e.g. Viber set_webhook); the result is shown to the admin. */
  onConnect?(ctx: SendContext & { webhookUrl: string }): Promise<Record<string, unknown>>;
  /** Called when the channel is deleted (e.g. removing the Viber webhook). */
  onDisconnect?(ctx: SendContext): Promise<void>;
  /** What the admin must still fix before the channel fully works (shown with the channel); some depend on the account's Planfix keys. */
  warnings?(channel: ChannelConfig, account: Account): string[];
  /** Extra read-only facts for the admin (e.g. the Viber deep link). */
  describe?(channel: ChannelConfig): Record<string, unknown>;
}
