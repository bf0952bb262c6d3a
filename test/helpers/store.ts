import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import type { MessageEvent, Visit } from '../../relay/core/events.ts';
import type { Op } from '../../relay/core/plan.ts';
import type { Contact, Conversation, WidgetMeta } from '../../relay/store/records.ts';
import type { AccountState, Entry, NewEntry, Store } from '../../relay/store/store.ts';

// What the store tests share: a data directory per test, stores opened on it and closed at the
// end, and events and records to put in them.

/** A fresh directory, removed when the test ends. */
export async function tmpDir(t: ExecutionContext): Promise<string> {
  const dir = await mkdtemp(join(os.tmpdir(), 'relay-store-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * Stores opened on one directory. Every store still open is closed when the test ends, before the
 * directory goes (one teardown, so the order does not depend on AVA's).
 */
export class Stores<S extends Store = Store> {
  private readonly live = new Set<S>();

  private constructor(readonly dir: string, private readonly opener: (dir: string) => S | Promise<S>) {}

  static async in<S extends Store>(t: ExecutionContext, open: (dir: string) => S | Promise<S>): Promise<Stores<S>> {
    const dir = await mkdtemp(join(os.tmpdir(), 'relay-store-'));
    const stores = new Stores(dir, open);
    t.teardown(async () => {
      for (const s of stores.live) await s.close();
      await rm(dir, { recursive: true, force: true });
    });
    return stores;
  }

  async open(): Promise<S> {
    const s = await this.opener(this.dir);
    this.live.add(s);
    return s;
  }

  async close(s: S): Promise<void> {
    this.live.delete(s);
    await s.close();
  }

  /** Closes the store and opens the directory again, as a restart of the relay does. */
  async reopen(s: S): Promise<S> {
    await this.close(s);
    return this.open();
  }
}

export const P1 = '+79051234567';
export const P2 = '+380671234567';
export const P3 = '+14155550123';

export function message(eventId: string, text = `text of ${eventId}`, visit?: Visit): MessageEvent {
  return { kind: 'message', eventId, customer: { clientId: 'v1', name: 'Olga' }, at: 1_700_000_000_000, text, attachments: [], ...(visit ? { visit } : {}) };
}

/** An event of channel ch1 (id `ch1:<eventId>`), account acc1 unless told otherwise. */
export function item(eventId: string, over: Partial<NewEntry> & { text?: string } = {}): NewEntry {
  const { text, ...rest } = over;
  return { id: `ch1:${eventId}`, account: 'acc1', channel: 'ch1', key: 'ch1:v1', at: Date.now(), event: message(eventId, text), ...rest };
}

export const PLAN: Op[] = [
  { do: 'newMessage', params: { chatId: 'ch1:k', message: 'hi' }, contactKey: 'k', fingerprint: '[]' },
  { do: 'learnTask', chatId: 'ch1:k' },
];

export function meta(over: Partial<WidgetMeta> = {}): WidgetMeta {
  return { channel: { id: 'ch1', kind: 'chatra', name: 'Shop chat' }, customer: { name: 'Olga' }, visitor: { city: 'Kyiv' }, pages: [], utm: { utm_source: 'google' }, ...over };
}

export function conversation(chatId: string, contactKey: string, over: Partial<Conversation> = {}): Conversation {
  return { chatId, channel: chatId.split(':')[0]!, contactKey, clientId: 'v1', fresh: true, updatedAt: 1_700_000_000_000, meta: meta(), ...over };
}

/** The conversation as conversationsOf lists it: without its widget metadata. */
export function routing(c: Conversation): Conversation {
  const { meta: _meta, ...rest } = c;
  return rest;
}

/**
 * Date.now() under the test's control, for retention and health, which go by the relay's clock.
 * Only for serial tests: AVA runs those before the concurrent ones, so no other test sees it.
 */
export function clock(t: ExecutionContext, start = Date.now()): { now: number; set(ms: number): void } {
  const real = Date.now;
  const c = { now: start, set(ms: number) { c.now = ms; } };
  Date.now = () => c.now;
  t.teardown(() => { Date.now = real; });
  return c;
}

/** bind() as a caller that waits for the binding to be on disk: the contact, once it is. */
export async function bindNow(s: AccountState, ...args: Parameters<AccountState['bind']>): Promise<Contact> {
  const { contact, written } = await s.bind(...args);
  await written;
  return contact;
}

/**
 * The store's pending entries by id, in seq order, whatever the engine: SQLite holds them in memory,
 * PostgreSQL (several processes) answers them from the database.
 */
export async function pendingOf(store: Store): Promise<Map<string, Entry>> {
  const j = store.journal;
  if (j.pending) return new Map([...j.pending.values()].sort((a, b) => a.seq - b.seq).map((e) => [e.id, e]));
  const { keys } = await j.claims!.poll(Number.MAX_SAFE_INTEGER, []);
  return new Map((await j.claims!.entriesOf(keys)).map((e) => [e.id, e]));
}
