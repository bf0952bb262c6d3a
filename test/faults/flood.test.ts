// Flood through one leaked URL: thousands of distinct Chatra clients at full speed through one
// channel of account A, with the default admission limits, while account B has a steady chat load
// of its own. A's Planfix gets no more tasks than the channel's hourly cap of new conversations;
// B loses nothing and gets no refusal; the process stays up. Latencies and memory are reported.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import test from 'ava';
import { chatraWebhook } from '../sim/chatra.ts';
import { finish, record } from './helpers/results.ts';
import { percentile, sleep } from './helpers/http.ts';
import { Load } from './helpers/load.ts';
import { debug, scale, TIMEOUT } from './helpers/scale.ts';
import { arrivals, drained } from './helpers/tally.ts';
import { startWorld, type Relay } from './helpers/world.ts';
import { DEFAULT_LIMITS } from '../../relay/core/limits.ts';

test.after.always(() => finish(import.meta.url));

const HOUR = 3_600_000;
const run = promisify(execFile);

async function rssMb(relay: Relay): Promise<number> {
  const text = await (await fetch(`${relay.url}/metrics`)).text();
  const m = /^relay_process_process_resident_memory_bytes (\d+(?:\.\d+)?(?:e\+\d+)?)$/m.exec(text);
  return m ? Math.round(Number(m[1]) / 1024 / 1024) : 0;
}

async function waitIdle(relay: Relay, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await relay.health().catch(() => undefined))?.body.backlog === 0) return;
    await sleep(200);
  }
}

/**
 * Posts `count` copies of `body` to `url`, `parallel` at a time, each with its client and message
 * ids (`-0` in the body) made unique, from a child node process; answers its tally of statuses.
 */
async function sendFlood(url: string, body: string, count: number, parallel: number): Promise<{ statuses: Record<string, number>; reasons: Record<string, number>; retryAfterMissing: number }> {
  if (new URL(url).hostname !== '127.0.0.1') throw new Error('faults: only 127.0.0.1 targets');
  const script = `
    const [url, body, count, parallel] = [process.env.URL, process.env.BODY, Number(process.env.COUNT), Number(process.env.PARALLEL)];
    const out = { statuses: {}, reasons: {}, retryAfterMissing: 0 };
    let next = 0;
    await Promise.all(Array.from({ length: parallel }, async () => {
      while (next < count) {
        const i = next++;
        const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body.replaceAll('-0"', '-' + i + '"').replace('bot@', 'bot' + i + '@') }).catch(() => undefined);
        const s = res ? res.status : 0;
        out.statuses[s] = (out.statuses[s] || 0) + 1;
        if (res && s !== 200) {
          const reason = (await res.json().catch(() => ({}))).reason || '?';
          out.reasons[reason] = (out.reasons[reason] || 0) + 1;
          if (!res.headers.get('retry-after')) out.retryAfterMissing++;
        } else if (res) await res.arrayBuffer();
      }
    }));
    process.stdout.write(JSON.stringify(out));`;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...process.env, URL: url, BODY: body, COUNT: String(count), PARALLEL: String(parallel) }, maxBuffer: 1 << 20, timeout: TIMEOUT,
  });
  return JSON.parse(stdout) as never;
}

test('flood through one leaked URL: the new-conversation cap holds, another account is untouched', async (t) => {
  t.timeout(TIMEOUT);
  const clients = scale(2000, 20_000);
  const parallel = 64;
  // Chat API only, both accounts: REST at 1 request per second would make the drain the test.
  const w = await startWorld(t, { kinds: ['chatra'], rest: false });
  const b = await w.addAccount(['chatra'], { rest: false });
  const steady = new Load({ relay: w.relay, account: b, viberToken: '', verboxToken: '' }, { chatra: 4, intervalMs: 200 }, 'steady').start();
  t.teardown(() => steady.stop(0));
  await sleep(scale(2000, 5000));
  const rssBefore = await rssMb(w.relay);

  // The flood: each request a new client, as fast as `parallel` connections take them. Sent from
  // a process of its own, so that B's sender and the flood's do not share one event loop.
  const sample = chatraWebhook('chatStarted', { client: { id: 'flood-0', name: 'Bot', email: 'bot@flood.test', phone: undefined }, messages: [{ id: 'flood-m-0', message: 'buy now' }] });
  const floodStart = Date.now();
  const flood = await sendFlood(`${w.relay.url}${w.account.channels.chatra!.path}`, JSON.stringify(sample), clients, parallel);
  const floodEnd = Date.now();
  const statuses = new Map(Object.entries(flood.statuses).map(([k, v]) => [Number(k), v]));
  const reasons = new Map(Object.entries(flood.reasons));
  const retryAfterMissing = flood.retryAfterMissing;
  debug('flood sent in', floodEnd - floodStart, 'ms', [...statuses]);
  // A flood across the end of a clock hour meets two hours' caps.
  const hours = Math.floor(floodEnd / HOUR) - Math.floor(floodStart / HOUR) + 1;

  await sleep(scale(2000, 5000));
  await steady.stop();
  const result = await drained(w.relay, [b.pf], steady.items, 60_000);
  await waitIdle(w.relay, 120_000);
  const rssAfter = await rssMb(w.relay);
  const health = await w.relay.health();

  // Account B during the flood: its webhooks' answer times and its deliveries' latency.
  const between = (from: number, to: number) => steady.items.filter((i) => i.ackedAt !== undefined && i.firstSentAt >= from && i.firstSentAt < to);
  const during = between(floodStart, floodEnd);
  const before = between(0, floodStart);
  const ackMs = (items: typeof during) => items.map((i) => i.ackedAt! - i.firstSentAt);
  const firstAt = arrivals([b.pf]);
  const latency = (items: typeof during) => items.filter((i) => firstAt.has(i.id)).map((i) => firstAt.get(i.id)! - i.ackedAt!);
  const p = (v: number[]) => `${percentile(v, 50)}/${percentile(v, 99)}`;
  const bRefused = steady.answers.filter((a) => a.status === 429 || a.status === 503).length;
  const cap = DEFAULT_LIMITS.newConversationsPerHour;
  const aTasks = w.pf.tasks.length;
  const aContacts = w.pf.contacts.length;
  const fiveXX = [...statuses].filter(([s]) => s >= 500).reduce((n, [, c]) => n + c, 0);

  const row = {
    scenario: 'flood through one leaked URL',
    load: `account B: chatra 4 conversations (${steady.acked().length} acked); default limits`,
    faults: `${clients} new Chatra clients at full speed (${parallel} at a time) through account A's one channel, in ${((floodEnd - floodStart) / 1000).toFixed(1)} s`,
    inputs: clients + steady.requests,
    lost: result.lost.length,
    duplicated: result.duplicated,
    fiveXX: fiveXX + steady.fiveXX,
    notes: `A answered ${[...statuses].sort().map(([s, n]) => `${s}: ${n}`).join(', ')} (refused by ${[...reasons].map(([r, n]) => `${r} ${n}`).join(', ')}); `
      + `A's Planfix got ${aTasks} tasks and ${aContacts} contacts (cap ${cap}/hour); B webhook ack p50/p99 ${p(ackMs(before))} ms before, ${p(ackMs(during))} ms during the flood`
      + `, delivery p50/p99 ${p(latency(before))} ms before, ${p(latency(during))} ms during; B refused ${bRefused}; `
      + `relay RSS ${rssBefore} MB before, ${rssAfter} MB after`,
  };
  record(import.meta.url, row);
  t.log(row);

  t.true(aTasks <= cap * hours, `A's tasks ${aTasks} stay within the cap ${cap} per hour`);
  t.true((statuses.get(429) ?? 0) > 0, 'the flood was refused');
  t.is(retryAfterMissing, 0, 'every refusal says when to retry');
  t.is(fiveXX, 0);
  t.deepEqual(result.lost, [], 'B loses nothing');
  t.is(result.duplicated, 0);
  t.deepEqual(steady.refused, []);
  t.is(bRefused, 0, 'B is never refused');
  t.true(during.length > 0, 'B kept sending during the flood');
  t.is(health.status, 200, 'the process is alive and healthy');
});
