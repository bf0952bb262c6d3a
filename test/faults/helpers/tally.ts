import type { ExecutionContext } from 'ava';
import { telephonyEventOf } from '../../../relay/core/call-plan.ts';
import { SqliteStore } from '../../../relay/store/sqlite/store.ts';
import type { Store } from '../../../relay/store/store.ts';
import { pendingOf } from '../../helpers/store.ts';
import type { PlanfixSim } from '../../sim/planfix.ts';
import { sleep } from './http.ts';
import { debug } from './scale.ts';
import { markersIn, type Item, type Load } from './load.ts';
import type { Relay } from './world.ts';

/** What Planfix received, per item id, in arrival order: accepted newMessage commands and telephony events. */
export function received(pfs: PlanfixSim[]): Map<string, number> {
  const counts = new Map<string, number>();
  const add = (id: string) => counts.set(id, (counts.get(id) ?? 0) + 1);
  for (const pf of pfs) {
    for (const c of pf.commands) {
      if (c.cmd === 'newMessage' && c.status === 200) for (const m of markersIn(String(c.params.message ?? ''))) add(m);
    }
    for (const e of pf.telephonyEvents) add(`${e.callid}#${e.event}`);
  }
  return counts;
}

/** When Planfix first got each item (ms). */
export function arrivals(pfs: PlanfixSim[]): Map<string, number> {
  const first = new Map<string, number>();
  const add = (id: string, at: number) => { if (!first.has(id) || first.get(id)! > at) first.set(id, at); };
  for (const pf of pfs) {
    for (const c of pf.commands) {
      if (c.cmd === 'newMessage' && c.status === 200) for (const m of markersIn(String(c.params.message ?? ''))) add(m, c.at);
    }
    for (const e of pf.telephonyEvents) add(`${e.callid}#${e.event}`, e.at);
  }
  return first;
}

/** Item ids in the order Planfix got them (first arrival), per simulator. */
function arrivalOrder(pfs: PlanfixSim[]): string[] {
  const order: string[] = [];
  for (const pf of pfs) {
    const events: { id: string; at: number }[] = [];
    for (const c of pf.commands) {
      if (c.cmd === 'newMessage' && c.status === 200) for (const m of markersIn(String(c.params.message ?? ''))) events.push({ id: m, at: c.at });
    }
    for (const e of pf.telephonyEvents) events.push({ id: `${e.callid}#${e.event}`, at: e.at });
    // Stable sort: within one list the push order is Planfix's own arrival order.
    order.push(...events.sort((a, b) => a.at - b.at).map((e) => e.id));
  }
  return order;
}

export interface Tally {
  acked: number;
  delivered: number;
  lost: string[];
  duplicated: number;
  duplicatedIds: string[];
  /** Conversations whose events reached Planfix out of their acknowledged order. */
  outOfOrder: string[];
}

/**
 * Acknowledged items against what Planfix received: an acked item never received is lost; every
 * extra arrival is a duplicate. Order is checked per conversation on first arrivals.
 */
export function tally(pfs: PlanfixSim[], items: Item[]): Tally {
  const acked = items.filter((i) => i.ackedAt !== undefined);
  const counts = received(pfs);
  const lost = acked.filter((i) => !counts.get(i.id)).map((i) => i.id);
  const mine = new Map(items.map((i) => [i.id, i]));
  let duplicated = 0;
  const duplicatedIds: string[] = [];
  for (const [id, n] of counts) {
    if (n > 1 && mine.has(id)) {
      duplicated += n - 1;
      duplicatedIds.push(id);
    }
  }
  const lastSeq = new Map<string, number>();
  const outOfOrder = new Set<string>();
  const seen = new Set<string>();
  for (const id of arrivalOrder(pfs)) {
    const it = mine.get(id);
    if (!it || seen.has(id)) continue;
    seen.add(id);
    if ((lastSeq.get(it.conv) ?? -1) > it.seq) outOfOrder.add(it.conv);
    lastSeq.set(it.conv, it.seq);
  }
  return { acked: acked.length, delivered: acked.length - lost.length, lost, duplicated, duplicatedIds, outOfOrder: [...outOfOrder] };
}

/**
 * Waits until every acknowledged item reached Planfix and the relay's backlog is empty, or the
 * backlog has stayed empty for a while with items still missing (lost: nothing more will come),
 * or the time is up.
 */
export async function drained(relay: Relay, pfs: PlanfixSim[], items: Item[], timeoutMs: number): Promise<Tally> {
  const deadline = Date.now() + timeoutMs;
  let said = 0;
  let idleSince: number | undefined;
  for (;;) {
    const t = tally(pfs, items);
    const h = await relay.health().catch(() => undefined);
    if (!t.lost.length && h?.body.backlog === 0) return t;
    idleSince = h?.body.backlog === 0 ? idleSince ?? Date.now() : undefined;
    if (idleSince !== undefined && Date.now() - idleSince > 3000) return t;
    if (Date.now() > deadline) return t;
    if (Date.now() - said > 2000) {
      said = Date.now();
      debug('draining: not yet in Planfix', t.lost.length, t.lost.slice(0, 3), 'health', h?.status, JSON.stringify(h?.body));
    }
    await sleep(100);
  }
}

/**
 * The operations a killed relay had carried out in Planfix without journaling their step: read
 * from the journal it left (as the next start will), each one Planfix already shows. These, and
 * only these, may arrive twice after the restart.
 *
 * An event with no plan on disk may still have had its first op sent: the plan record is synced
 * while that op runs (relay/delivery/deliver.ts). Its first op is then the one a plan would start with:
 * a chat message's newMessage, or a call's first telephony event when no REST lookup comes first
 * (one that does would have journaled the plan with its step before any telephony event).
 */
export async function inFlightAtKill(at: string | (() => Promise<Store>), pfs: PlanfixSim[]): Promise<string[]> {
  const counts = received(pfs);
  // A data directory (SQLite), or the database several relays share.
  const store = typeof at === 'string' ? new SqliteStore(at) : await at();
  const ids: string[] = [];
  try {
    for (const e of (await pendingOf(store)).values()) {
      if (e.dead) continue;
      const ev = e.event;
      const op = e.plan?.[e.step];
      const id = op?.do === 'newMessage' ? markersIn(String(op.params.message ?? ''))[0]
        : op?.do === 'telephony' && ev.kind === 'call' ? `${ev.callId}#${op.params.event}`
        : !e.plan && ev.kind === 'call' && telephonyEventOf(ev) ? `${ev.callId}#${telephonyEventOf(ev)}`
        : !e.plan && ev.kind === 'message' ? markersIn(ev.text)[0] : undefined;
      if (id && counts.get(id)) ids.push(id);
    }
  } finally {
    await store.close();
  }
  return ids;
}

/**
 * What must hold after SIGKILLs under load (crash, failover): nothing acknowledged lost; every
 * duplicate one of the operations in flight at a kill; each conversation's order kept.
 */
export function survivedKills(t: ExecutionContext, load: Pick<Load, 'refused'>, result: Tally, inFlight: string[], kills: number): void {
  t.deepEqual(load.refused, [], 'the load sends only valid requests');
  t.true(result.acked > kills * 5, `a real load was held (${result.acked} acked)`);
  t.deepEqual(result.lost, [], 'every acknowledged event reached Planfix');
  t.true(result.duplicated <= inFlight.length, `duplicates ${result.duplicated} ≤ operations in flight at the kills ${inFlight.length}`);
  for (const id of result.duplicatedIds) t.true(inFlight.includes(id), `${id} was duplicated without being in flight at a kill`);
  t.deepEqual(result.outOfOrder, [], 'per-conversation order kept across restarts');
}
