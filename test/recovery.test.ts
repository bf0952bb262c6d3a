// Reconciliation's scheduler (relay/delivery/recovery.ts) on a clock the test moves by hand, over
// the real SQLite store (so "a restart goes on" means a closed and reopened database), with a
// channel whose log is a list the test writes and an inbox that keeps what it is given.
import test, { type ExecutionContext } from 'ava';
import pino from 'pino';
import { z } from 'zod';
import { defineChannel, type LogWindow } from '../relay/channels/channel.ts';
import type { Account, ChannelConfig } from '../relay/core/account.ts';
import type { CallEvent, InboundEvent } from '../relay/core/events.ts';
import { Recovery } from '../relay/delivery/recovery.ts';
import { AnswerTooLargeError, OutboundPolicy } from '../relay/net/outbound.ts';
import { SqliteStore } from '../relay/store/sqlite/store.ts';
import type { Entry } from '../relay/store/store.ts';
import { ManualClock } from './helpers/manual-clock.ts';
import { Stores } from './helpers/store.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2024, 10, 14, 12, 0, 0);
const KEY = 'secret-key-0123456789';

interface Row { id: string; at: number; final: boolean }

const call = (r: Row): CallEvent => ({
  kind: 'call', eventId: `${r.id}:completed`, callId: r.id, moment: 'completed', direction: 'in', customer: { clientId: '380501112233', phone: '380501112233' }, at: r.at, outcome: 'answered',
});

async function world(t: ExecutionContext, o: { pageMs?: number; pauseMs?: number; maxRows?: number; intervalMs?: number; createdAt?: number; settings?: Record<string, unknown> } = {}) {
  const clock = new ManualClock(T0);
  const stores = await Stores.in(t, (dir) => new SqliteStore(dir));
  let store = await stores.open();
  const rows: Row[] = [];
  const requests: { window: LogWindow; at: number }[] = [];
  const failures: Error[] = [];
  const maxRows = o.maxRows ?? 1000;
  const adapter = defineChannel({
    kind: 'logtest', title: 'Log test', family: 'telephony', hosts: [], secretFields: ['key'], urlFields: [],
    settings: z.object({ key: z.string().optional(), off: z.boolean().optional() }), options: z.object({}),
    parse: () => ({ events: [] }),
    recovery: (c) => (c.settings.off ? { off: 'turned_off' } : { pageMs: o.pageMs ?? HOUR, pauseMs: o.pauseMs ?? 1000 }),
    async recover(window) {
      requests.push({ window, at: clock.now() });
      const failure = failures.shift();
      if (failure) throw failure;
      const hits = rows.filter((r) => r.at >= window.from && r.at < window.to).slice(0, maxRows);
      const open = hits.filter((r) => !r.final);
      return {
        events: hits.filter((r) => r.final).map(call),
        ...(open.length ? { unfinished: open.length, unfinishedFrom: Math.min(...open.map((r) => r.at)) } : {}),
        ...(hits.length >= maxRows ? { full: true } : {}),
      };
    },
  });
  const channel: ChannelConfig = { id: 'ch1', kind: 'logtest', name: 'Calls', secret: 's', settings: { key: KEY, ...o.settings }, options: {}, createdAt: new Date(o.createdAt ?? T0 - DAY).toISOString() };
  const account = { id: 'acc1', channels: [channel] } as unknown as Account;
  // The inbox as the relay's: an id taken once; what it took, in order.
  const ids = new Set<string>();
  const journaled: InboundEvent[] = [];
  const inbox = {
    seen: async (c: ChannelConfig, evs: InboundEvent[]) => new Set(evs.filter((e) => ids.has(`${c.id}:${e.eventId}`)).map((e) => e.eventId)),
    inbound: async (_a: Account, c: ChannelConfig, evs: InboundEvent[]) => {
      const fresh = evs.filter((e) => !ids.has(`${c.id}:${e.eventId}`));
      for (const e of fresh) ids.add(`${c.id}:${e.eventId}`);
      journaled.push(...fresh);
      return fresh.map((e) => ({ id: `${c.id}:${e.eventId}` }) as Entry);
    },
  };
  const w = {
    clock, rows, requests, failures, journaled, ids, channel, account, pending: 0,
    get store() { return store; },
    recovery: undefined as unknown as Recovery,
    async start() {
      w.recovery = new Recovery({
        accounts: { list: () => [account], channel: (id) => (id === channel.id ? { account, channel } : undefined) },
        store: store.recovery, inbox, pendingFor: () => w.pending, policy: new OutboundPolicy([]), timeoutMs: 1000,
        log: pino({ level: 'silent' }), clock, adapters: { logtest: adapter },
      }, { intervalMs: o.intervalMs ?? 10 * MIN, retentionMs: 180 * DAY });
      await w.recovery.start();
      await w.idle();
    },
    /** Lets the run in progress finish, its pauses taking their time on the clock. */
    idle: () => clock.until(w.recovery.idle(channel.id)),
    /** The clock moves one interval (the tick starts the run due), and the run finishes. */
    async next(ms = 10 * MIN) {
      clock.advance(ms);
      await w.idle();
    },
    async restart() {
      await w.recovery.stop();
      store = await stores.reopen(store);
      await w.start();
    },
    last: () => w.recovery.status(channel)!.last!,
  };
  t.teardown(() => w.recovery?.stop());
  return w;
}

const ids = (events: InboundEvent[]) => events.map((e) => (e as CallEvent).callId);

test('on start it reads one interval back to two minutes ago, then each interval from where it left off; a restart goes on from the stored mark', async (t) => {
  const w = await world(t);
  w.rows.push({ id: 'r1', at: T0 - 5 * MIN, final: true }, { id: 'r2', at: T0 - MIN, final: true }, { id: 'old', at: T0 - 13 * MIN, final: true });
  await w.start();
  t.deepEqual(w.requests, [{ window: { from: T0 - 12 * MIN, to: T0 - 2 * MIN }, at: T0 }]);
  t.deepEqual(ids(w.journaled), ['r1'], 'what is older than the first window is left alone');
  t.true(w.journaled.every((e) => e.recovered === true));
  t.like(w.last(), { at: new Date(T0).toISOString(), from: new Date(T0 - 12 * MIN).toISOString(), to: new Date(T0 - 2 * MIN).toISOString(), requests: 1, found: 1, recovered: 1, unfinished: 0, skipped: 0 });

  await w.next();
  t.deepEqual(w.requests[1], { window: { from: T0 - 2 * MIN, to: T0 + 8 * MIN }, at: T0 + 10 * MIN });
  t.deepEqual(ids(w.journaled), ['r1', 'r2']);

  w.rows.push({ id: 'r3', at: T0 + 9 * MIN, final: true });
  w.clock.advance(5 * MIN);
  await w.restart();
  t.deepEqual(w.requests[2], { window: { from: T0 + 8 * MIN, to: T0 + 13 * MIN }, at: T0 + 15 * MIN }, 'the restart runs at once, from where the last run ended');
  t.deepEqual(ids(w.journaled), ['r1', 'r2', 'r3']);
  t.is((await w.store.recovery.get('ch1'))?.coveredTo, T0 + 13 * MIN);
});

test('what the relay already has (its webhook came) is found but not journaled again', async (t) => {
  const w = await world(t);
  w.rows.push({ id: 'hooked', at: T0 - 6 * MIN, final: true }, { id: 'missed', at: T0 - 5 * MIN, final: true });
  w.ids.add('ch1:hooked:completed');
  await w.start();
  t.deepEqual(ids(w.journaled), ['missed']);
  t.like(w.last(), { found: 2, recovered: 1 });
});

test('after a long outage: pages of the page size, a pause apart on the clock, the mark stored after each; a full answer is asked again in halves', async (t) => {
  const w = await world(t, { pageMs: HOUR, pauseMs: 1000, maxRows: 3 });
  await w.store.recovery.put({ channel: 'ch1', account: 'acc1', coveredTo: T0 - 3 * HOUR });
  for (let m = 0; m < 170; m += 20) w.rows.push({ id: `r${m}`, at: T0 - 3 * HOUR + m * MIN + 1, final: true });
  await w.start();
  const windows = w.requests.map((r) => [(r.window.from - T0) / MIN, (r.window.to - T0) / MIN]);
  t.deepEqual(windows, [
    [-180, -120], [-180, -150], [-150, -120],
    [-120, -60], [-120, -90], [-90, -60],
    [-60, -2], [-60, -31], [-31, -2],
  ], 'each full hour (3 rows) read again in halves');
  t.deepEqual(w.requests.map((r) => r.at - T0), [0, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000], 'one request a second');
  t.deepEqual(ids(w.journaled), w.rows.filter((r) => r.at < T0 - 2 * MIN).map((r) => r.id), 'each once, oldest first');
  t.like(w.last(), { requests: 9, found: 9, recovered: 9, from: new Date(T0 - 3 * HOUR).toISOString(), to: new Date(T0 - 2 * MIN).toISOString() });
  t.is((await w.store.recovery.get('ch1'))?.coveredTo, T0 - 2 * MIN);
});

test('a refusal or a network error is the run\'s error, without the key; the mark stays and the next run reads the same span', async (t) => {
  const w = await world(t);
  w.rows.push({ id: 'r1', at: T0 - 5 * MIN, final: true });
  w.failures.push(new Error(`Ringostat refused the Auth-key ${KEY} (401)`));
  await w.start();
  t.deepEqual(w.journaled, []);
  const last = w.last();
  t.like(last, { requests: 1, found: 0, recovered: 0 });
  t.is(last.error, 'Ringostat refused the Auth-key **** (401)');
  t.false(JSON.stringify(await w.store.recovery.all()).includes(KEY), 'the key is not stored');
  await w.next();
  t.deepEqual(w.requests[1]!.window, { from: T0 - 12 * MIN, to: T0 + 8 * MIN }, 'from where the failed run began');
  t.deepEqual(ids(w.journaled), ['r1']);
  t.is(w.last().error, undefined);
});

test('an answer too large to read is asked again in halves, as a full one is', async (t) => {
  const w = await world(t);
  w.rows.push({ id: 'r1', at: T0 - 11 * MIN, final: true }, { id: 'r2', at: T0 - 4 * MIN, final: true });
  w.failures.push(new AnswerTooLargeError('api.ringostat.net answered more than 16 MB'));
  await w.start();
  const windows = w.requests.map((r) => [(r.window.from - T0) / MIN, (r.window.to - T0) / MIN]);
  t.deepEqual(windows, [[-12, -2], [-12, -7], [-7, -2]]);
  t.deepEqual(ids(w.journaled), ['r1', 'r2']);
  t.like(w.last(), { requests: 3, found: 2, recovered: 2, error: undefined });
});

test('a call still going on is left for the next run, which reads again from its start', async (t) => {
  const w = await world(t);
  const ringing: Row = { id: 'long', at: T0 - 6 * MIN, final: false };
  w.rows.push(ringing, { id: 'short', at: T0 - 4 * MIN, final: true });
  await w.start();
  t.deepEqual(ids(w.journaled), ['short']);
  t.like(w.last(), { found: 1, recovered: 1, unfinished: 1 });
  t.is((await w.store.recovery.get('ch1'))?.coveredTo, T0 - 6 * MIN);
  ringing.final = true;
  await w.next();
  t.deepEqual(w.requests[1]!.window, { from: T0 - 6 * MIN, to: T0 + 8 * MIN });
  t.deepEqual(ids(w.journaled), ['short', 'long']);
  t.like(w.last(), { found: 2, recovered: 1, unfinished: 0 });
});

test('with the account\'s backlog at its cap nothing more is journaled, and the span waits for the next run', async (t) => {
  const w = await world(t);
  w.rows.push({ id: 'r1', at: T0 - 5 * MIN, final: true });
  w.pending = 50_000;
  await w.start();
  t.deepEqual(w.journaled, []);
  t.regex(w.last().error ?? '', /50000 or more events waiting for Planfix/);
  w.pending = 0;
  await w.next();
  t.deepEqual(w.requests[1]!.window.from, T0 - 12 * MIN);
  t.deepEqual(ids(w.journaled), ['r1']);
});

test('a channel turned off, or the relay with reconciliation off, reads nothing and says why', async (t) => {
  const off = await world(t, { settings: { off: true } });
  off.rows.push({ id: 'r1', at: T0 - 5 * MIN, final: true });
  await off.start();
  await off.next();
  t.deepEqual(off.requests, []);
  t.deepEqual(off.recovery.status(off.channel), { on: false, off: 'turned_off', everyMinutes: 10, running: false });

  const relayOff = await world(t, { intervalMs: 0 });
  await relayOff.start();
  t.is(relayOff.clock.pending, 0, 'no timer at all');
  t.deepEqual(relayOff.requests, []);
  t.like(relayOff.recovery.status(relayOff.channel), { on: false, off: 'relay_off' });
});

test('a channel created a moment ago has nothing to read yet; its first window begins when it was created', async (t) => {
  const w = await world(t, { createdAt: T0 - 30_000 });
  await w.start();
  t.deepEqual(w.requests, []);
  t.like(w.last(), { requests: 0, found: 0 });
  t.is(w.last().from, undefined);
  w.rows.push({ id: 'r1', at: T0 - 10_000, final: true });
  await w.next();
  t.deepEqual(w.requests[0]!.window, { from: T0 - 30_000, to: T0 + 8 * MIN });
  t.deepEqual(ids(w.journaled), ['r1']);
});
