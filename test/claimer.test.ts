// The worker's side of several relays on one database (relay/delivery/claimer.ts), against a
// Claims whose answers the test holds back, to put a finish or a lost session between a claim and
// its read. The real Claims is tested in postgres-claims.test.ts, the two together in
// faults/failover.test.ts.
import test, { type ExecutionContext } from 'ava';
import { Claimer } from '../relay/delivery/claimer.ts';
import { createLogger } from '../relay/log.ts';
import type { Claims, ClaimsEvents, Entry } from '../relay/store/store.ts';
import { item } from './helpers/store.ts';

const entry = (id: string, seq: number): Entry => ({ ...item(id, { key: 'K' }), seq, step: 0 });
const tick = () => new Promise((r) => setTimeout(r, 10));

/** A Claims that grants every claim, and whose reads wait for `read()`. */
function heldClaims() {
  const handlers: { [K in keyof ClaimsEvents]?: ClaimsEvents[K][] } = {};
  const released: string[] = [];
  let answer: ((entries: Entry[]) => void) | undefined;
  const claims: Claims & { epoch: number } = {
    epoch: 0,
    on: (event, fn) => { ((handlers[event] ??= []) as unknown[]).push(fn); },
    claim: async (keys) => ({ keys, epoch: claims.epoch }),
    entriesOf: () => new Promise<Entry[]>((r) => { answer = r; }),
    release: async (key) => { released.push(key); return false; },
    poll: async () => ({ keys: ['K'], waiting: [] }),
    lead: async () => false,
    notify: async () => undefined,
  };
  return {
    claims, released,
    read: (entries: Entry[]) => answer!(entries),
    lose: () => { claims.epoch++; for (const fn of handlers.lost ?? []) fn('the test ended the session'); },
  };
}

function worker() {
  const queued = new Map<string, Entry[]>();
  return {
    queued,
    host: {
      put: (entries: Entry[]) => { for (const e of entries) queued.set(e.key, [...queued.get(e.key) ?? [], e]); },
      has: (key: string) => (queued.get(key)?.length ?? 0) > 0,
      drop: () => queued.clear(),
    },
  };
}

const log = createLogger('silent');

/** A claimer started on a held-back Claims: its first poll's claim of K is waiting for its read. */
async function started(t: ExecutionContext) {
  const f = heldClaims();
  const w = worker();
  const c = new Claimer(f.claims, w.host, log, 60_000);
  t.teardown(() => c.stop());
  c.start();
  await tick();
  return { f, w, c };
}

test('a key claimed whose only event finished while it was read is given back, not kept with nothing queued', async (t) => {
  const { f, w, c } = await started(t);
  // The event, still running from before a lost session, finishes now: its key was not held then.
  c.finished('ch1:e1');
  f.read([entry('e1', 1)]);
  await tick();
  t.false(w.host.has('K'), 'nothing is queued again');
  t.false(c.owns('K'));
  t.deepEqual(f.released, ['K'], 'the lock goes back, so another process can take the key');
});

test('a claim whose session was lost while it was read is void: nothing is queued, the key is not held', async (t) => {
  const { f, w, c } = await started(t);
  f.lose();
  f.read([entry('e2', 2)]);
  await tick();
  t.false(c.owns('K'), 'another process may hold it now');
  t.false(w.host.has('K'));
});

test('a key claimed with its events is held and they are queued in seq order', async (t) => {
  const { f, w, c } = await started(t);
  f.read([entry('e1', 1), entry('e2', 2)]);
  await tick();
  t.true(c.owns('K'));
  t.deepEqual(w.queued.get('K')!.map((e) => e.seq), [1, 2]);
  t.deepEqual(f.released, []);
});
