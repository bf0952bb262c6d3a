// Race: a new customer writes 20 first messages at once through three channels — Chatra (with
// e-mail and phone), Verbox (the phone in another spelling) and Viber (sharing the contact). The
// relay binds all of them to one customer, so Planfix creates exactly one contact.
import test, { type ExecutionContext } from 'ava';
import { finish, record } from './helpers/results.ts';
import { request, type Answer } from './helpers/http.ts';
import { eventRequest, newPhone, type Item, type ItemKind } from './helpers/load.ts';
import { scale, TIMEOUT } from './helpers/scale.ts';
import { drained } from './helpers/tally.ts';
import { startPair } from './helpers/pair.ts';
import { loadTarget, startWorld, type World } from './helpers/world.ts';

test.after.always(() => finish(import.meta.url));

/** "+380671234567" as a Ukrainian site mask writes it: "067 123 45 67". */
const national = (e164: string) => `0${e164.slice(4, 6)} ${e164.slice(6, 9)} ${e164.slice(9, 11)} ${e164.slice(11)}`;

test('race: 20 simultaneous first messages of one new customer on three channels make one Planfix contact', async (t) => {
  t.timeout(TIMEOUT);
  await race(t, await startWorld(t, { kinds: ['chatra', 'verbox', 'viber'] }), 'race (20 first messages, 3 channels)');
});

test('race over two relays: the 20 first messages spread over two relays on one PostgreSQL make one Planfix contact', async (t) => {
  t.timeout(TIMEOUT);
  const pair = await startPair(t, { kinds: ['chatra', 'verbox', 'viber'] });
  await race(t, { ...pair, relay: pair.front }, 'race over 2 relays (PostgreSQL, round-robin)');
});

async function race(t: ExecutionContext, w: World, scenario: string): Promise<void> {
  const target = loadTarget(w);
  const rounds = scale(3, 20);
  const answers: Answer[] = [];
  const items: Item[] = [];
  const perRound: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const phone = newPhone();
    const email = `race-${r}-${Date.now()}@example.com`;
    const before = w.pf.contacts.length;
    const spread: [ItemKind, number, { phone?: string; email?: string }][] = [
      ['chatra', 7, { phone, email }],
      ['verbox', 7, { phone: national(phone) }],
      ['viber', 6, { phone: phone.replace(/^(\+380)(\d\d)(\d{3})(\d\d)(\d\d)$/, '$1 $2 $3 $4 $5') }],
    ];
    const reqs = spread.flatMap(([kind, n, extra]) => Array.from({ length: n }, (_, seq) => {
      const conv = `race-${r}-${kind}${kind === 'viber' ? '==' : ''}`;
      const item: Item = { id: `${conv}.${seq}`, kind, account: w.account.id, conv, seq, firstSentAt: Date.now(), attempts: 1 };
      items.push(item);
      return { item, req: eventRequest(target, item, extra) };
    }));
    // All twenty at once: none waits for another's answer.
    const got = await Promise.all(reqs.map(async ({ item, req }) => {
      const a = await request(`${w.relay.url}${req.path}`, { body: req.body, headers: req.headers });
      if (a.status === 200) item.ackedAt = Date.now();
      return a;
    }));
    answers.push(...got);
    await drained(w.relay, [w.pf], items, 30_000);
    perRound.push(w.pf.contacts.length - before);
  }
  const result = await drained(w.relay, [w.pf], items, 30_000);

  const row = {
    scenario,
    load: `${rounds} new customers × 20 simultaneous first messages (7 Chatra, 7 Verbox, 6 Viber)`,
    faults: 'one customer on three channels at once; phone in three spellings',
    inputs: answers.length,
    lost: result.lost.length,
    duplicated: result.duplicated,
    fiveXX: answers.filter((a) => a.status >= 500).length,
    notes: `Planfix contacts created per customer: ${perRound.join(', ')}`,
  };
  record(import.meta.url, row);
  t.log(row);
  t.deepEqual(answers.map((a) => a.status).filter((s) => s !== 200), []);
  t.deepEqual(perRound, perRound.map(() => 1), 'one Planfix contact per customer');
  t.deepEqual(result.lost, []);
  t.is(result.duplicated, 0);
  // Every conversation of a customer points at that one contact.
  for (let r = 0; r < rounds; r++) {
    const tasks = w.pf.tasks.filter((x) => x.comments.some((c) => c.text.includes(`race-${r}-`)));
    t.is(new Set(tasks.map((x) => x.counterparty?.contactNumber ?? ("contactNumber" in x.assigner ? x.assigner.contactNumber : undefined))).size, 1, `round ${r}: all tasks on one contact`);
  }
}

// Finding 4 in docs/faults-findings.md (relay/calls.ts, callContact): a call and a chat message from
// the same new number at the same moment make two Planfix contacts. The chat goes through the Chat
// API (contact created by newMessage under the relay's contact key), the call through REST (search
// by phone, else create); when the call's search runs before the chat's newMessage has landed, it
// creates a second contact. (A call first and a chat later makes two as well: the Chat API cannot be
// told to use an existing contact — a limitation of Planfix's API, not of this race.) Proposed: when
// the identity index already holds the number for a chat customer, callContact asks the Chat API
// (getContact with that contact key) and, while Planfix does not know it yet, retries instead of
// creating. Fixed so in calls.ts (chatContact).
test('race: a call and a chat from the same new number at once make one Planfix contact', async (t) => {
  t.timeout(TIMEOUT);
  const w = await startWorld(t, { kinds: ['chatra', 'ringostat'] });
  // Planfix takes the chat's newMessage a moment after the call's REST search, every round, not by luck.
  w.pf.holdBefore(/^\/webchat\/api/, 1000);
  const target = { relay: w.relay, account: w.account, viberToken: w.viber.authToken, verboxToken: '' };
  const perRound: number[] = [];
  for (let r = 0; r < 3; r++) {
    const phone = newPhone();
    const before = w.pf.contacts.length;
    const chat = eventRequest(target, { id: `rc-${r}.0`, kind: 'chatra', conv: `rc-${r}`, seq: 0 }, { phone, email: `rc-${r}@example.com` });
    const call = eventRequest(target, { id: `rc-call-${r}#COMPLETED`, kind: 'call', conv: `rc-call-${r}`, seq: 1 }, { phone });
    await Promise.all([chat, call].map((q) => request(`${w.relay.url}${q.path}`, { body: q.body, headers: q.headers })));
    await drained(w.relay, [w.pf], [], 30_000);
    perRound.push(w.pf.contacts.length - before);
  }
  t.log(`contacts per customer: ${perRound.join(', ')}`);
  t.deepEqual(perRound, [1, 1, 1]);
});
