import type { Account, ChannelConfig } from '../core/account.ts';
import type { InboundEvent } from '../core/events.ts';
import { toE164 } from '../core/identity.ts';
import { effectiveLimits, type Limits } from '../core/limits.ts';
import { HttpError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { admissionRefused } from '../metrics.ts';
import type { AccountStore } from '../store/accounts.ts';
import type { Store } from '../store/store.ts';
import type { Worker } from '../delivery/worker.ts';
import { queueKey } from '../delivery/inbox.ts';

export type Reason = 'rate' | 'new_conversations' | 'new_contacts' | 'backlog';
type Counts = Record<Reason, number>;

const HOUR = 3_600_000;
/** A flood is logged once a minute per channel with its count, not once per refused request. */
const LOG_EVERY_MS = 60_000;
/** Where the backlog cap sends a provider: the backlog drains at Planfix's pace, not in a second. */
const BACKLOG_RETRY_S = 60;
/** A channel's limits count as biting on the admin page while its last refusal is this recent. */
const BITING_MS = 10 * 60_000;

const zero = (): Counts => ({ rate: 0, new_conversations: 0, new_contacts: 0, backlog: 0 });

/** One channel's admission state: a few numbers and at most one hour's cap of new customers. */
interface Gate {
  channel: ChannelConfig;
  limits: Required<Limits>;
  tokens: number;
  refilledAt: number;
  /** The clock hour the counts belong to. */
  hour: number;
  /** New customers admitted this hour (chat client ids or E.164 numbers): never more than the cap. */
  admitted: Set<string>;
  refused: Counts;
  previous: Counts;
  lastRefusedAt?: number;
  loggedAt: number;
  unlogged: number;
}

/**
 * Per-channel admission control in front of the journal: a token bucket for the request rate, a
 * cap on new customers per clock hour, and the account's backlog. A refused webhook is answered
 * 429 or 503 with Retry-After and nothing of it is journaled; existing conversations are never
 * counted against the new-customer cap. Memory: one gate per channel that got a webhook.
 */
export class Admission {
  private readonly gates = new Map<string, Gate>();
  private hour = 0;

  constructor(private readonly deps: { accounts: AccountStore; store: Store; worker: Worker; log: Logger }) {}

  /**
   * Before the body is parsed (and after the provider's signature was checked, so a forged
   * request cannot spend the channel's rate): the rate and the account's backlog.
   */
  enter(account: Account, channel: ChannelConfig): void {
    const now = Date.now();
    const g = this.gate(channel, now);
    const { ratePerSecond, burst, accountBacklog } = g.limits;
    g.tokens = Math.min(burst, g.tokens + ((now - g.refilledAt) / 1000) * ratePerSecond);
    g.refilledAt = now;
    if (g.tokens < 1) {
      this.refuse(g, account, 'rate', 429, Math.ceil((1 - g.tokens) / ratePerSecond), `more than ${ratePerSecond} webhooks per second (burst ${burst}) on this channel`);
    }
    g.tokens -= 1;
    if (this.deps.worker.pendingFor(account.id) >= accountBacklog) {
      this.refuse(g, account, 'backlog', 503, BACKLOG_RETRY_S, `the account has ${accountBacklog} or more events waiting for Planfix`);
    }
  }

  /**
   * After parsing: customers the relay has not seen on this channel count against the hour's cap
   * (chat customers for chat channels, caller numbers for calls). Known means in the account's
   * state, waiting in the worker's queues, or admitted earlier this hour.
   */
  async admit(account: Account, channel: ChannelConfig, events: InboundEvent[]): Promise<void> {
    if (!events.length) return;
    const g = this.gate(channel, Date.now());
    const state = this.deps.store.state(account.id);
    const worker = this.deps.worker;
    let fresh: Set<string> | undefined;
    let calls = false;
    for (const ev of events) {
      if (worker.has(queueKey(ev, account.id, account.defaultCountry, channel.id))) continue;
      let id: string | undefined;
      if (ev.kind === 'call') {
        calls = true;
        // A call without a number creates no contact and costs no REST lookup.
        id = toE164(ev.customer.phone, account.defaultCountry);
        if (!id || await state.planfixContact(id) || await state.byPhone(id)) continue;
      } else {
        id = ev.customer.clientId;
        if (await state.byClient(`${channel.id}/${id}`)) continue;
      }
      if (!g.admitted.has(id)) (fresh ??= new Set()).add(id);
    }
    if (!fresh) return;
    const cap = calls ? g.limits.newContactsPerHour : g.limits.newConversationsPerHour;
    if (g.admitted.size + fresh.size > cap) {
      const retry = Math.max(1, Math.ceil(((g.hour + 1) * HOUR - Date.now()) / 1000));
      this.refuse(g, account, calls ? 'new_contacts' : 'new_conversations', 429, retry,
        `more than ${cap} new ${calls ? 'caller numbers' : 'conversations'} this hour on this channel`);
    }
    for (const id of fresh) g.admitted.add(id);
  }

  /** What the admin page shows: refusals this clock hour and the previous one, and whether a limit bites now. */
  stats(channel: ChannelConfig): { limits: Required<Limits>; refused: Counts; previousHour: Counts; lastRefusedAt?: string; biting: boolean } {
    const now = Date.now();
    const g = this.gates.get(channel.id);
    if (g) this.roll(g, now);
    return {
      limits: effectiveLimits(channel.limits),
      refused: { ...(g?.refused ?? zero()) },
      previousHour: { ...(g?.previous ?? zero()) },
      ...(g?.lastRefusedAt ? { lastRefusedAt: new Date(g.lastRefusedAt).toISOString() } : {}),
      biting: !!g?.lastRefusedAt && now - g.lastRefusedAt < BITING_MS,
    };
  }

  private gate(channel: ChannelConfig, now: number): Gate {
    const hour = Math.floor(now / HOUR);
    if (hour !== this.hour) {
      this.hour = hour;
      // Once an hour: deleted channels' gates go.
      for (const id of this.gates.keys()) if (!this.deps.accounts.channel(id)) this.gates.delete(id);
    }
    let g = this.gates.get(channel.id);
    if (!g) {
      const limits = effectiveLimits(channel.limits);
      g = { channel, limits, tokens: limits.burst, refilledAt: now, hour, admitted: new Set(), refused: zero(), previous: zero(), loggedAt: 0, unlogged: 0 };
      this.gates.set(channel.id, g);
    }
    // A saved channel is a new object: its limits are read again only then, not per request.
    if (g.channel !== channel) {
      g.channel = channel;
      g.limits = effectiveLimits(channel.limits);
    }
    this.roll(g, now);
    return g;
  }

  private roll(g: Gate, now: number): void {
    const hour = Math.floor(now / HOUR);
    if (g.hour === hour) return;
    g.previous = g.hour === hour - 1 ? g.refused : zero();
    g.refused = zero();
    g.admitted.clear();
    g.hour = hour;
  }

  private refuse(g: Gate, account: Account, reason: Reason, status: 429 | 503, retryAfterS: number, why: string): never {
    const now = Date.now();
    g.refused[reason]++;
    g.lastRefusedAt = now;
    admissionRefused.inc({ kind: g.channel.kind, reason });
    g.unlogged++;
    if (now - g.loggedAt >= LOG_EVERY_MS) {
      this.deps.log.warn({ account: account.id, channel: g.channel.id, kind: g.channel.kind, reason, refused: g.unlogged, retryAfterS }, `webhooks refused by the channel's admission limits: ${why}`);
      g.loggedAt = now;
      g.unlogged = 0;
    }
    throw new HttpError(status, why, { error: why, reason, retryAfter: retryAfterS }, { 'retry-after': String(retryAfterS) });
  }
}
