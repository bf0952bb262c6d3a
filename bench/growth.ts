// Figure 3, growth: ingest-and-deliver throughput of a relay whose one account already stores
// 100,000 conversations (made by the relay's own delivery code, bench/seed.ts) against a relay with
// an empty store. Both run side by side and take turns: each round sends the same number of new
// Chatra webhooks (new visitors, 20 messages each, 100 connections) and counts from the first send
// until the Planfix simulator has received every newMessage.
import autocannon from 'autocannon';
import { chatraAccount, chatraBody, fmt, median, RelayProc, tempDir, waitFor, type FigureResult } from './lib.ts';
import { seedConversations } from './seed.ts';

export const GROWTH = { stored: 100_000, rounds: 3, events: 6000, perVisitor: 20, connections: 100 };

interface Side { name: string; relay: RelayProc; webhookUrl: string }

export async function growth(sim: { origin: string; newMessages(): Promise<number> }): Promise<FigureResult> {
  const notes: string[] = [];
  const make = async (name: string, stored: number): Promise<Side> => {
    const dir = await tempDir(`growth-${name}`);
    const setup = await RelayProc.start(dir);
    let made: Awaited<ReturnType<typeof chatraAccount>>;
    try {
      made = await chatraAccount(setup, sim.origin);
    } finally {
      await setup.stop();
    }
    if (stored) {
      const t = performance.now();
      await seedConversations(dir, [made.accountId], stored);
      notes.push(`${stored} conversations stored in one account in ${fmt((performance.now() - t) / 1000, 1)} s`);
    }
    const relay = await RelayProc.start(dir);
    return { name, relay, webhookUrl: relay.local(made.webhookUrl) };
  };
  const empty = await make('empty', 0);
  const full = await make('full', GROWTH.stored);
  let nextVisitor = 1_000_000;
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
      notes.push(`round ${r}: empty store ${fmt(rates.empty!.at(-1)!, 0)} events/s, 100,000 stored ${fmt(rates.full!.at(-1)!, 0)} events/s`);
    }
    const ratio = median(rates.full!) / median(rates.empty!);
    return {
      rows: [{
        figure: '3 growth: throughput, 100,000 stored / empty',
        target: 'ratio >= 0.8',
        measured: `${fmt(ratio, 2)} (${fmt(median(rates.full!), 0)} / ${fmt(median(rates.empty!), 0)} events/s)`,
        met: ratio >= 0.8,
      }],
      notes,
    };
  } finally {
    await empty.relay.destroy();
    await full.relay.destroy();
  }
}
