import { randomInt } from 'node:crypto';
import { chatraWebhook } from '../../sim/chatra.ts';
import { viberJson, viberSign } from '../../sim/viber.ts';
import { request, sleep, type Answer } from './http.ts';
import type { Account, Relay } from './world.ts';

export type ItemKind = 'chatra' | 'viber' | 'verbox' | 'call';

/**
 * One event a provider hands over. `id` is how it is found in Planfix: a marker inside the
 * message text, or `<callid>#<telephony event>` for a call moment.
 */
export interface Item {
  id: string;
  kind: ItemKind;
  account: string;
  /** The conversation (or call) whose order the relay must keep. */
  conv: string;
  seq: number;
  firstSentAt: number;
  ackedAt?: number;
  attempts: number;
}

export interface LoadSpec {
  chatra?: number;
  viber?: number;
  verbox?: number;
  /** Callers each placing calls one after another (call_start, then call_end). */
  callers?: number;
  /** Pause between two events of one conversation. */
  intervalMs: number;
  /**
   * Pause between two moments of a call. Calls cost Planfix REST requests, which the relay spaces
   * at 1 per second per account: faster calls would only grow a backlog.
   */
  callIntervalMs?: number;
  /** The callers' numbers (else new ones): numbers Planfix already holds cost one REST search, not four requests. */
  phones?: string[];
}

/** The mixed load of the durability scenarios: every channel, a caller, a conversation's events 0.2–0.6 s apart. */
export const MIXED: LoadSpec = { chatra: 4, viber: 4, verbox: 2, callers: 1, intervalMs: 400, callIntervalMs: 2500 };

export interface Target {
  relay: Relay;
  account: Account;
  viberToken: string;
  verboxToken: string;
}

const MARK = /\[\[F:([^\]\s]+)\]\]/g;
export const marker = (id: string) => `[[F:${id}]]`;
export function markersIn(text: string): string[] {
  return [...text.matchAll(MARK)].map((m) => m[1]!);
}

let viberToken = 6_100_000_000_000_000_000n + BigInt(randomInt(1_000_000_000));

/** A phone number of a new customer, unique within the run, in E.164. */
export function newPhone(): string {
  return `+38067${String(randomInt(1_000_000, 9_999_999))}`;
}

/** The body a provider sends for one event, with the headers it signs or authenticates it with. */
export function eventRequest(t: Target, item: Pick<Item, 'kind' | 'conv' | 'seq' | 'id'>, extra: { phone?: string; email?: string; moment?: string } = {}): { path: string; body: string; headers: Record<string, string> } {
  const ch = t.account.channels;
  const text = `message ${item.seq} ${marker(item.id)}`;
  switch (item.kind) {
    case 'chatra':
      return {
        path: ch.chatra!.path,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(chatraWebhook(item.seq === 0 ? 'chatStarted' : 'chatFragment', {
          client: { id: item.conv, name: `Visitor ${item.conv}`, email: extra.email ?? `${item.conv.toLowerCase()}@load.test`, phone: extra.phone },
          messages: [{ id: `m-${item.id}`, message: text }],
        })),
      };
    case 'viber': {
      const body = viberJson({
        event: 'message', timestamp: Date.now(), message_token: viberToken++,
        sender: { id: item.conv, name: `Viber ${item.seq}` },
        message: extra.phone ? { type: 'contact', text, contact: { name: text, phone_number: extra.phone } } : { type: 'text', text },
      });
      return { path: ch.viber!.path, body, headers: { 'content-type': 'application/json', 'x-viber-content-signature': viberSign(body, t.viberToken) } };
    }
    case 'verbox':
      return {
        path: ch.verbox!.path,
        headers: { 'content-type': 'application/json', 'x-relay-token': t.verboxToken },
        body: JSON.stringify({ event: 'message', messageId: `m-${item.id}`, clientId: item.conv, name: `Client ${item.conv}`, text, ...(extra.phone ? { phone: extra.phone } : {}), ...(extra.email ? { email: extra.email } : {}) }),
      };
    case 'call': {
      const moment = extra.moment ?? (item.seq === 0 ? 'call_start' : 'call_end');
      const body = {
        uniqueid: item.conv, calldate: new Date().toISOString(), call_type: 'in', caller: extra.phone ?? '', dst: '380443334455',
        ...(moment === 'call_end' ? { disposition: 'ANSWERED', billsec: 30, connected_with: '380671112233' } : {}),
      };
      return { path: `${ch.ringostat!.path}?event=${moment}`, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
    }
  }
}

/**
 * A steady mixed load, sent the way providers send: each conversation posts its next event once
 * the previous one was acknowledged, and retries (connection refused, 5xx) until it gets a 2xx.
 * Only acknowledged events count: those the relay promised to deliver.
 */
export class Load {
  readonly items: Item[] = [];
  readonly answers: Answer[] = [];
  /** Answers that were neither 2xx nor a reason to retry: the load never sends a bad request. */
  readonly refused: { id: string; status: number; text: string }[] = [];
  /**
   * Events whose request got no answer (reset, hang-up) although the relay had taken it: the retry
   * was answered as a duplicate. Under SIGKILL that is expected; on a clean stop it must not happen.
   */
  readonly takenUnanswered: string[] = [];
  inFlight = 0;
  private stopping = false;
  /** Pauses before a next event, ended by stop(): no event follows them then. */
  private readonly pausing = new Set<() => void>();
  private hardStop = false;
  private loops: Promise<void>[] = [];
  private readonly run = randomInt(100_000, 999_999).toString(36);

  constructor(private readonly target: Target, private readonly spec: LoadSpec, private readonly tag: string) {}

  get requests(): number {
    return this.answers.length;
  }
  get fiveXX(): number {
    return this.answers.filter((a) => a.status >= 500).length;
  }
  acked(): Item[] {
    return this.items.filter((i) => i.ackedAt !== undefined);
  }

  start(): this {
    const s = this.spec;
    const conv = (k: string, i: number) => `${this.tag}-${this.run}-${k}${i}`;
    for (let i = 0; i < (s.chatra ?? 0); i++) this.loops.push(this.chat('chatra', conv('c', i)));
    for (let i = 0; i < (s.viber ?? 0); i++) this.loops.push(this.chat('viber', `${conv('v', i)}==`));
    for (let i = 0; i < (s.verbox ?? 0); i++) this.loops.push(this.chat('verbox', conv('b', i)));
    for (let i = 0; i < (s.callers ?? 0); i++) this.loops.push(this.calls(conv('p', i), s.phones?.[i]));
    return this;
  }

  /** Sends no new events; events already begun keep being retried until acknowledged or `graceMs` passes. */
  async stop(graceMs = 60_000): Promise<void> {
    this.stopping = true;
    for (const end of this.pausing) end();
    const timer = setTimeout(() => { this.hardStop = true; }, graceMs);
    await Promise.all(this.loops);
    clearTimeout(timer);
  }

  /** The wait before a conversation's next event, cut short by stop(): no event would follow it. */
  private pause(): Promise<void> {
    // Jitter keeps the conversations from marching in lockstep.
    return this.untilStopped(this.spec.intervalMs * (0.5 + Math.random()));
  }

  private untilStopped(ms: number): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const end = () => {
        clearTimeout(timer);
        this.pausing.delete(end);
        resolve();
      };
      const timer = setTimeout(end, ms);
      this.pausing.add(end);
    });
  }

  private async chat(kind: Exclude<ItemKind, 'call'>, conv: string): Promise<void> {
    await sleep(Math.random() * this.spec.intervalMs);
    for (let seq = 0; !this.stopping; seq++) {
      await this.deliver({ id: `${conv}.${seq}`, kind, account: this.target.account.id, conv, seq, firstSentAt: Date.now(), attempts: 0 });
      await this.pause();
    }
  }

  private async calls(caller: string, known?: string): Promise<void> {
    const phone = known ?? newPhone();
    const pauseMs = () => (this.spec.callIntervalMs ?? 2000) * (0.5 + Math.random());
    await sleep(Math.random() * this.spec.intervalMs);
    for (let n = 0; !this.stopping; n++) {
      const callId = `${caller}-${n}`;
      await this.deliver({ id: `${callId}#INCOMING`, kind: 'call', account: this.target.account.id, conv: callId, seq: 0, firstSentAt: Date.now(), attempts: 0 }, { phone });
      // The call lasts its time even when the load is stopping, and is always ended: Ringostat would.
      await sleep(pauseMs());
      await this.deliver({ id: `${callId}#COMPLETED`, kind: 'call', account: this.target.account.id, conv: callId, seq: 1, firstSentAt: Date.now(), attempts: 0 }, { phone });
      await this.untilStopped(pauseMs());
    }
  }

  private async deliver(item: Item, extra: { phone?: string } = {}): Promise<void> {
    this.items.push(item);
    const { path, body, headers } = eventRequest(this.target, item, extra);
    let lostAnswer = false;
    while (!this.hardStop) {
      item.attempts++;
      this.inFlight++;
      const a = await request(`${this.target.relay.url}${path}`, { body, headers, timeoutMs: 10_000 });
      this.inFlight--;
      this.answers.push(a);
      if (a.status >= 200 && a.status < 300) {
        item.ackedAt = Date.now();
        if (lostAnswer && /"accepted":0\b/.test(a.text)) this.takenUnanswered.push(item.id);
        return;
      }
      // Refused connects were never taken; anything else may have been.
      if (a.status === 0 && a.error !== 'ECONNREFUSED') lostAnswer = true;
      if (a.status !== 0 && a.status < 500 && a.status !== 429 && a.status !== 408) {
        this.refused.push({ id: item.id, status: a.status, text: a.text.slice(0, 200) });
        return;
      }
      await sleep(100 + Math.random() * 200);
    }
  }
}
