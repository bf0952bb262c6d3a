// Retry storm: every provider webhook arrives three times, the copies delayed and shuffled (a
// provider retrying after a timeout, a proxy replaying, Ringostat's manual resend). Planfix must
// get each event exactly once.
import test from 'ava';
import { finish, record } from './helpers/results.ts';
import { request, sleep, type Answer } from './helpers/http.ts';
import { eventRequest, newPhone, type Item, type ItemKind } from './helpers/load.ts';
import { scale, TIMEOUT } from './helpers/scale.ts';
import { drained } from './helpers/tally.ts';
import { loadTarget, startWorld } from './helpers/world.ts';

test.after.always(() => finish(import.meta.url));

const COPIES = 3;

test('retry storm: each webhook three times, delayed and out of order: no duplicates', async (t) => {
  t.timeout(TIMEOUT);
  const w = await startWorld(t);
  const target = loadTarget(w);
  const perKind = scale(30, 150);
  const items: Item[] = [];
  const sends: { item: Item; req: ReturnType<typeof eventRequest>; at: number }[] = [];
  const window = scale(4000, 20_000);
  const kinds: ItemKind[] = ['chatra', 'viber', 'verbox'];
  for (const kind of kinds) {
    for (let n = 0; n < perKind; n++) {
      // A handful of conversations, several messages each, so copies interleave within one conversation too.
      const conv = `storm-${kind}-${n % 5}${kind === 'viber' ? '==' : ''}`;
      const item: Item = { id: `${conv}.${n}`, kind, account: w.account.id, conv, seq: n, firstSentAt: 0, attempts: 0 };
      items.push(item);
      // One body per event: a retry is the same bytes (Viber signs them; its token is inside).
      const req = eventRequest(target, item);
      const first = Math.random() * window;
      for (let c = 0; c < COPIES; c++) sends.push({ item, req, at: first + (c ? Math.random() * 2500 : 0) });
    }
  }
  // One caller: a new number costs several REST requests (spaced 1 per second), a known one one.
  const phone = newPhone();
  for (let n = 0; n < scale(4, 20); n++) {
    // Ringostat sends a call's start before its end; their copies may come in any order after that.
    // (An end that came first would rightly make the relay drop the start's pop-up: nothing would close it.)
    const callStart = Math.random() * window;
    for (const [seq, event] of ['INCOMING', 'COMPLETED'].entries()) {
      const item: Item = { id: `storm-call-${n}#${event}`, kind: 'call', account: w.account.id, conv: `storm-call-${n}`, seq, firstSentAt: 0, attempts: 0 };
      items.push(item);
      const req = eventRequest(target, item, { phone });
      const first = seq === 0 ? callStart : callStart + 500 + Math.random() * 2500;
      for (let c = 0; c < COPIES; c++) sends.push({ item, req, at: first + (c ? Math.random() * 2500 : 0) });
    }
  }
  sends.sort((a, b) => a.at - b.at);

  const answers: Answer[] = [];
  let accepted = 0;
  const start = Date.now();
  await Promise.all(sends.map(async (s) => {
    await sleep(s.at);
    // Retried like a provider until a 2xx; each answer counts as an input.
    for (;;) {
      const a = await request(`${w.relay.url}${s.req.path}`, { body: s.req.body, headers: s.req.headers });
      answers.push(a);
      if (a.status >= 200 && a.status < 300) {
        s.item.ackedAt ??= Date.now();
        s.item.attempts++;
        const body = JSON.parse(a.text || '{}') as { accepted?: number };
        accepted += body.accepted ?? 0;
        return;
      }
      if (a.status && a.status < 500) throw new Error(`${s.item.id}: ${a.status} ${a.text}`);
      await sleep(100);
    }
  }));
  const heldS = Math.round((Date.now() - start) / 1000);
  const result = await drained(w.relay, [w.pf], items, 60_000);

  const row = {
    scenario: 'retry storm (×3, delayed, shuffled)',
    load: `${items.length} events (chatra, viber, verbox, ringostat) × ${COPIES} over ${heldS} s`,
    faults: `${sends.length - items.length} repeated deliveries, up to 2.5 s late, out of order`,
    inputs: answers.length,
    lost: result.lost.length,
    duplicated: result.duplicated,
    fiveXX: answers.filter((a) => a.status >= 500).length,
    notes: `${accepted} journaled of ${items.length} events; the rest answered as duplicates`,
  };
  record(import.meta.url, row);
  t.log(row);
  t.is(result.acked, items.length);
  t.deepEqual(result.lost, []);
  t.is(result.duplicated, 0, `duplicated: ${result.duplicatedIds.slice(0, 5).join(', ')}`);
  t.is(accepted, items.length, 'each event journaled once, the copies answered as duplicates');
  t.is(row.fiveXX, 0);
});
