import type { Account, ChannelConfig } from '../core/account.ts';
import type { InboundEvent, ReplyEvent } from '../core/events.ts';
import { toE164 } from '../core/identity.ts';
import { eventsJournaled, eventsReceived } from '../metrics.ts';
import type { Entry, Journal, NewEntry } from '../store/store.ts';
import type { TrafficRecorder } from './traffic.ts';
import type { Worker } from './worker.ts';

/**
 * Events of one customer run in order. A call is keyed by the number across the account, so
 * concurrent calls from one new number find the contact the first one created.
 */
export function queueKey(ev: InboundEvent, accountId: string, country: string, channelId: string): string {
  if (ev.kind === 'call') return `${accountId}:tel:${toE164(ev.customer.phone, country) ?? ev.callId}`;
  return `${channelId}:${ev.customer.clientId}`;
}

/**
 * Where an event enters delivery, whichever face it came through: its id and queue key, the
 * journal (resolved once it is on disk; a StorageError otherwise, answered 503 so the sender
 * retries), the metrics, and the worker's queue. Answers the events that were not duplicates.
 */
export class Inbox {
  constructor(private readonly journal: Journal, private readonly worker: Worker, private readonly traffic?: TrafficRecorder) {}

  /** Which of a channel's events were taken before (provider resends). */
  async seen(channel: ChannelConfig, events: InboundEvent[]): Promise<Set<string>> {
    if (!events.length) return new Set();
    const ids = await this.journal.seen(events.map((ev) => `${channel.id}:${ev.eventId}`));
    return new Set(events.filter((ev) => ids.has(`${channel.id}:${ev.eventId}`)).map((ev) => ev.eventId));
  }

  /** A provider's events, from one webhook. */
  inbound(account: Account, channel: ChannelConfig, events: InboundEvent[]): Promise<Entry[]> {
    // When the relay got them, not the provider's own stamp: retries give up, retention and
    // /healthz ages count from here, whatever clock or resend the provider's time comes from.
    const at = Date.now();
    return this.accept(channel.kind, events.map((ev) => ({
      id: `${channel.id}:${ev.eventId}`, account: account.id, channel: channel.id,
      key: queueKey(ev, account.id, account.defaultCountry, channel.id), at, event: ev,
    })));
  }

  /**
   * An employee's answer from Planfix, queued behind the customer's own events on that channel.
   * Planfix may resend a reply it got no answer for; its messageId makes that a duplicate.
   */
  reply(account: Account, channel: ChannelConfig, reply: ReplyEvent): Promise<Entry[]> {
    return this.accept(channel.kind, [{
      id: `${account.id}:${reply.eventId}`, account: account.id, channel: channel.id, key: `${channel.id}:${reply.clientId}`, at: reply.at, event: reply,
    }]);
  }

  private async accept(kind: string, items: NewEntry[]): Promise<Entry[]> {
    eventsReceived.inc({ kind }, items.length);
    // The worker takes the new entries at once, so that their delivery's first writes (the
    // binding, the conversation, the plan) share the webhook's commit; it makes no Planfix call
    // for them before that commit, and drops them if it fails (the sender is answered 503).
    let added: Promise<Entry[]> | undefined;
    let early: Entry[] | undefined;
    // SQLite tells them before add() returns; an engine across the network, later.
    added = this.journal.add(items, (taken) => (added ? this.worker.enqueue(taken, added) : (early = taken)));
    if (early) this.worker.enqueue(early, added);
    const fresh = await added;
    eventsJournaled.inc({ kind }, fresh.length);
    // One webhook's events are all of one channel.
    if (fresh[0]) this.traffic?.received(fresh[0].account, fresh[0].channel, fresh.length);
    return fresh;
  }
}
