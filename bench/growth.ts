// Figure 3, growth: ingest-and-deliver throughput of a relay whose one account already stores
// 1,000,000 conversations (bench/stores.ts: written through the store's API with the values the
// relay's delivery gives them, bench/seed.ts) against a relay with an empty store. The stored one
// is the history figure's store of a million when that ran earlier in the run (the figures' loads
// added a few thousand conversations to it); otherwise it is seeded here (about 6 minutes on two
// CPUs). Both run side by side and take turns: each round sends the same number of new
// Chatra webhooks (new visitors, 20 messages each, 100 connections) and counts from the first send
// until the Planfix simulator has received every newMessage.
import autocannon from 'autocannon';
import { chatraAccount, chatraBody, fmt, median, RelayProc, tempDir, waitFor, type FigureResult } from './lib.ts';
import { keepShared, makeStore, MILLION, MILLION_KEY, seedStores, sharedStore, stored, type SeededStore } from './stores.ts';

export const GROWTH = { stored: MILLION, rounds: 3, events: 6000, perVisitor: 20, connections: 100 };

interface Side { name: string; relay: RelayProc; webhookUrl: string; store?: SeededStore }

export async function growth(sim: { origin: string; newMessages(): Promise<number> }): Promise<FigureResult> {
  const notes: string[] = [];
  const make = async (name: string): Promise<Side> => {
    const dir = await tempDir(`growth-${name}`);
    const setup = await RelayProc.start(dir);
    let made: Awaited<ReturnType<typeof chatraAccount>>;
    try {
      made = await chatraAccount(setup, sim.origin);
    } finally {
      await setup.stop();
    }
    const relay = await RelayProc.start(dir);
    return { name, relay, webhookUrl: relay.local(made.webhookUrl) };
  };
  /** The relay on the store of a million (shared with the history figure: stopped, not deleted, at the end). */
  const makeFull = async (): Promise<Side> => {
    let store = sharedStore(MILLION_KEY);
    if (store) {
      notes.push(`the history figure's store of ${fmt(MILLION, 0)} conversations in one account (${fmt(stored(store), 0)} stored by now)`);
    } else {
      store = await makeStore(MILLION_KEY, sim.origin, 1, GROWTH.stored, 0, ['history', 'growth']);
      keepShared(store);
      await seedStores([[{ store }]]);
      notes.push(`${fmt(GROWTH.stored, 0)} conversations stored in one account in ${fmt(store.seedMs / 1000, 1)} s`);
    }
    const relay = await RelayProc.start(store.dir);
    return { name: 'full', relay, webhookUrl: `${relay.url}${store.accounts[0]!.hookPath}`, store };
  };
  const empty = await make('empty');
  let full: Side;
  try {
    full = await makeFull();
  } catch (err) {
    await empty.relay.destroy();
    throw err;
  }
  // New visitors: above every visitor number the seeded stores use (bench/history.ts).
  let nextVisitor = 5_000_000;
  /** One round: `events` new webhooks (new visitors), until all are delivered; events/s. */
  const round = async (side: Side, events: number) => {
    const firstVisitor = nextVisitor;
    nextVisitor += events / GROWTH.perVisitor;
    const visitors = events / GROWTH.perVisitor;
    const before = await sim.newMessages();
    let n = 0;
    const t0 = performance.now();
    const result = await autocannon({
      url: side.webhookUrl, method: 'POST', headers: { 'content-type': 'application/json' },
      connections: GROWTH.connections, amount: events, timeout: 30,
      requests: [{
        method: 'POST',
        setupRequest: (req) => {
          const i = n++;
          return { ...req, body: chatraBody(firstVisitor + (i % visitors), `g-${side.name}-${firstVisitor}-${i}`) };
        },
      }],
    });
    if (result['2xx'] !== events) throw new Error(`growth: ${side.name} answered ${result['2xx']} of ${events} webhooks 200`);
    await waitFor(async () => (await sim.newMessages()) - before >= events, 300_000, `${side.name}: every event delivered`, 10);
    if (side.store) side.store.added += visitors;
    return events / ((performance.now() - t0) / 1000);
  };
  try {
    // Warm-up of both: the stored state loaded (in the background after start), JIT, connections.
    for (const side of [empty, full]) await round(side, 2000);
    const rates: Record<string, number[]> = { empty: [], full: [] };
    for (let r = 1; r <= GROWTH.rounds; r++) {
      for (const side of r % 2 ? [empty, full] : [full, empty]) {
        const rate = await round(side, GROWTH.events);
        rates[side.name]!.push(rate);
      }
      notes.push(`round ${r}: empty store ${fmt(rates.empty!.at(-1)!, 0)} events/s, ${fmt(GROWTH.stored, 0)} stored ${fmt(rates.full!.at(-1)!, 0)} events/s`);
    }
    const ratio = median(rates.full!) / median(rates.empty!);
    return {
      rows: [{
        figure: `3 growth: throughput, ${fmt(GROWTH.stored, 0)} stored / empty`,
        target: 'ratio >= 0.8',
        measured: `${fmt(ratio, 2)} (${fmt(median(rates.full!), 0)} / ${fmt(median(rates.empty!), 0)} events/s)`,
        met: ratio >= 0.8,
      }],
      notes,
    };
  } finally {
    await empty.relay.destroy();
    // The store stays for the history figure when it is still to run (main.ts deletes it after).
    await full.relay.stop();
  }
}
