import type { z } from 'zod';
import type { InboundEvent, ReplyEvent } from '../core/events.ts';
import type { Account, ChannelConfig } from '../core/account.ts';
import type { CallOptions } from '../core/call-options.ts';
import type { CheckResult, CheckTexts, CheckWords } from '../core/check.ts';
import type { OutboundPolicy } from '../net/outbound.ts';
import type { FieldText, InLanguages, Warning } from '../core/ui-text.ts';

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

/** A channel as its adapter sees it: its settings and options as its own schemas give them. */
export interface Channel<S = Record<string, unknown>, O = Record<string, unknown>> extends Omit<ChannelConfig, 'settings' | 'options'> {
  settings: S;
  options: O;
}

export interface SendContext<S = Record<string, unknown>, O = Record<string, unknown>> {
  account: Account;
  channel: Channel<S, O>;
  policy: OutboundPolicy;
  timeoutMs: number;
}

/** A span of a provider's log, [from, to) in ms since the epoch. */
export interface LogWindow {
  from: number;
  to: number;
}

/** What one read of a provider's log gave (see ChannelDef.recover). */
export interface LogPage {
  /**
   * The final event of each thing that ended in the window (a call's `completed`), with the very
   * eventId its webhook gets: whichever of the two comes first, the other is a duplicate.
   */
  events: InboundEvent[];
  /** Rows still going on (a call in progress), and when the earliest began: the next read covers it again. */
  unfinished?: number;
  unfinishedFrom?: number;
  /** The answer held as many rows as the provider gives in one: the window may hold more. */
  full?: boolean;
  /** Rows the relay cannot deliver (no id to dedupe by, an id no provider gives). */
  skipped?: number;
  /** Something the admin should fix although the read worked (the log's time zone is not the one asked in). */
  warning?: string;
}

/**
 * Whether and how a channel's log is read: the longest window one request asks for and the pause
 * between two requests (the provider's limits), or why it is not read at all.
 */
export type LogReading = { pageMs: number; pauseMs: number } | { off: 'no_key' | 'turned_off' };

/**
 * What the admin page says about a channel, in each of its languages. Declared by the channel, in
 * its folder: a new channel brings its own words, and the page needs no list of providers.
 */
export interface ChannelTexts<K extends string = string> {
  /** Every settings and options key (a test checks each has all languages); a missing one shows the bare key. */
  fields: Partial<Record<K, FieldText>>;
  /** The wording of each code `warnings` returns; `{name}` is one of its params. */
  warnings?: Record<string, InLanguages>;
  /** Each URL `webhooks` lists: its name and where to paste it at the provider. */
  webhooks?: Record<string, FieldText>;
  /** How the channel gets connected, said on its card (Viber: the relay sets the webhook itself). */
  card?: InLanguages;
  /** The wording of each outcome code of its `check` (`checks` of the channel); `{name}` is one of its params. */
  checks?: Record<string, InLanguages<CheckWords>>;
}

/**
 * One provider, declared with `defineChannel`. An adapter knows its provider and nothing of
 * Planfix. `parse` must give every event a stable `eventId`; `send` returns the provider's ids of
 * the sent messages, and an inbound event carrying that same `eventId` is recognised as the
 * relay's own message coming back.
 *
 * `S` and `O` are what the `settings` and `options` schemas give: a channel's stored settings are
 * parsed with them when they are written (admin API) and when the account file is read, so the
 * adapter's methods get them typed, without casts.
 */
export interface ChannelDef<S extends Record<string, unknown>, O extends Record<string, unknown>> {
  kind: string;
  /** Human name of the provider, used in task titles, summaries, the widget and the admin page. */
  title: string;
  /** Chats (messages both ways) or telephony (calls): how the widget and the admin page group it. */
  family: 'chat' | 'telephony';
  /** The provider's API hosts: the outbound policy lets the relay call them without RELAY_ALLOW_HOSTS. */
  hosts: readonly string[];
  settings: z.ZodType<S>;
  options: z.ZodType<O>;
  /** Settings keys holding secrets: stored 0600, masked in every answer, censored in logs. */
  secretFields: readonly (keyof S & string)[];
  /** Settings keys holding provider API URLs: checked against the outbound policy. */
  urlFields: readonly (keyof S & string)[];
  /** Checks a signature or token beyond the secret URL; throws an AuthError (401). */
  verify?(req: InboundRequest, channel: Channel<S, O>): void;
  /** Turns the body into events; throws HttpError(400) for a body that is not the provider's shape. */
  parse(req: InboundRequest, channel: Channel<S, O>): ParseResult;
  /**
   * An async step before the event is delivered, for what parse cannot do without a call to the
   * provider (a file id that becomes a URL). Runs at every attempt, on the journaled event, before
   * its plan is fixed and before each resumed op: it must change nothing at the provider.
   */
  prepare?(event: InboundEvent, ctx: SendContext<S, O>): Promise<InboundEvent>;
  /** Delivers an employee's reply; throws RetryableError or TerminalError. Absent: the channel takes no replies. */
  send?(reply: ReplyEvent, ctx: SendContext<S, O>): Promise<{ providerMessageIds: string[] }>;
  /** Click-to-call: has the provider ring the employee (its own id for them: number, extension or SIP login), then the customer (international number). */
  makeCall?(call: { employee: string; destination: string }, ctx: SendContext<S, O>): Promise<void>;
  /** Telephony: how its calls land in Planfix (employees, targets, fields), from its options. */
  callOptions?(channel: Channel<S, O>): CallOptions;
  /** "Test connection": checks the channel's keys with a call that changes nothing at the provider. */
  check?(ctx: SendContext<S, O> & { webhookUrl: string }): Promise<CheckResult>;
  /** Every outcome `check` can answer, by code, in English (make each with checkResult); `texts.checks` words them for the page. */
  checks?: CheckTexts;
  /**
   * Reconciliation, for a provider that keeps a log of what it sent webhooks about (Ringostat's
   * call log): how this channel's log is read, from its settings. With `recover`, the relay reads
   * the log on start and every RELAY_RECONCILE_MINUTES (relay/delivery/recovery.ts) and journals
   * what it never got, as if its final webhook had come.
   */
  recovery?(channel: Channel<S, O>): LogReading;
  /** Reads the log for one window (one request); throws as `send` does (RetryableError, TerminalError). */
  recover?(window: LogWindow, ctx: SendContext<S, O>): Promise<LogPage>;
  /** The provider may send webhooks as GET with the data in the query (Ringostat can). */
  acceptsGet?: boolean;
  /** Called after the channel is created or on demand (e.g. Viber set_webhook); the result is shown to the admin. */
  onConnect?(ctx: SendContext<S, O> & { webhookUrl: string }): Promise<Record<string, unknown>>;
  /** Called when the channel is deleted (e.g. removing the Viber webhook). */
  onDisconnect?(ctx: SendContext<S, O>): Promise<void>;
  /** The admin page's labels, help, warning and webhook texts for this channel. */
  texts?: ChannelTexts<(keyof S | keyof O) & string>;
  /**
   * What the admin must still fix before the channel fully works (shown with the channel), as
   * codes worded by `texts.warnings`; the relay adds the checks every channel of a family shares.
   */
  warnings?(channel: Channel<S, O>, account: Account): Warning[];
  /**
   * The URLs to paste at the provider when it is given more than one (Ringostat: one per call
   * moment): the webhook URL with these query parameters, named by `texts.webhooks[id]`.
   */
  webhooks?(channel: Channel<S, O>): { id: string; query: Record<string, string> }[];
  /** Extra read-only facts for the admin (e.g. the Viber deep link). */
  describe?(channel: Channel<S, O>): Record<string, unknown>;
}

/**
 * What the rest of the relay holds: any channel, its settings seen as plain records. Methods are
 * declared as methods, so a `ChannelDef<S, O>` is one of these without a cast; what makes that
 * sound is that every stored channel's settings went through its own schemas (see above).
 */
export type ChannelAdapter = Omit<ChannelDef<Record<string, unknown>, Record<string, unknown>>, 'settings' | 'options'> & {
  // A schema is invariant in what it gives; seen from outside, it gives some object.
  settings: z.ZodType<object>;
  options: z.ZodType<object>;
};

/**
 * Declares a channel: its methods see `channel.settings` and `channel.options` as its schemas type
 * them. The declaration keeps its own shape (the methods it has are not optional to its tests) and
 * is a ChannelAdapter wherever the registry holds it.
 */
export function defineChannel<S extends Record<string, unknown>, O extends Record<string, unknown>, D extends ChannelDef<S, O>>(def: D & ChannelDef<S, O>): D & ChannelAdapter {
  return def;
}

/** What a channel's schema gave (always an object), as the plain record a ChannelConfig stores. */
export function asRecord(parsed: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(parsed));
}
