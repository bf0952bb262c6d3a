// Amplification: for each channel, the body under the 1 MB limit that makes one request become as
// much as it can (thousands of Chatra messages with a 500 KB visit, fields of hundreds of KB,
// thousands of pages), sent again and again with new ids, Planfix away so that everything taken
// stays in the journal. The relay runs with a 512 MB heap, as on a small server. It must stay up,
// and what it keeps (RSS, journal bytes on disk, and after a restart) must stay bounded: before
// the bounds, one such Chatra body became 8,000 journal records each with the whole visit, GBs.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { MAX_REQUEST_JOURNAL_BYTES } from '../../relay/core/bounds.ts';
import { chatraFanOut, chatraOverJournal, ringostatFanOut, verboxFanOut, viberFanOut } from '../helpers/hostile.ts';
import { viberSign } from '../sim/viber.ts';
import { request, type Answer } from './helpers/http.ts';
import { finish, record } from './helpers/results.ts';
import { debug, scale, TIMEOUT } from './helpers/scale.ts';
import { startWorld, type World } from './helpers/world.ts';
import { journalBytes } from '../helpers/journal.ts';

test.after.always(() => finish(import.meta.url));

const MB = 1024 * 1024;
const HEAP_MB = 512;
/** Generous: the bounded relay grows by a few MB per round; the unbounded one died on the first body. */
const RSS_GROWTH_LIMIT_MB = 300;

type Case = { name: string; kind: 'chatra' | 'viber' | 'verbox' | 'ringostat'; body: (tag: string) => string; expect: number };
const CASES: Case[] = [
  { name: 'chatra', kind: 'chatra', body: chatraFanOut, expect: 200 },
  { name: 'chatra-over', kind: 'chatra', body: chatraOverJournal, expect: 413 },
  { name: 'viber', kind: 'viber', body: viberFanOut, expect: 200 },
  { name: 'verbox', kind: 'verbox', body: verboxFanOut, expect: 200 },
  { name: 'ringostat', kind: 'ringostat', body: ringostatFanOut, expect: 200 },
];

async function rssMb(w: World): Promise<number | undefined> {
  const res = await fetch(`${w.relay.url}/metrics`, { signal: AbortSignal.timeout(10_000) }).catch(() => undefined);
  const m = res && /^relay_process_process_resident_memory_bytes (\d+)/m.exec(await res.text());
  return m ? Number(m[1]) / MB : undefined;
}

function send(w: World, c: Case, tag: string): Promise<Answer> {
  const body = c.body(tag);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (c.kind === 'viber') headers['x-viber-content-signature'] = viberSign(body, w.viber.authToken);
  if (c.kind === 'verbox') headers['x-relay-token'] = w.secrets.configured.verboxToken1!;
  return request(`${w.relay.url}${w.account.channels[c.kind]!.path}`, { body, headers, timeoutMs: 60_000 });
}

test('amplification: the largest fan-out under 1 MB, per channel, again and again: the relay stays up, RSS and journal stay bounded', async (t) => {
  t.timeout(TIMEOUT);
  const rounds = scale(3, 25);
  const w = await startWorld(t, { env: { NODE_OPTIONS: `--max-old-space-size=${HEAP_MB}`, LOG_LEVEL: 'info' } });
  // Planfix away: every event taken stays pending, in the journal and in the worker's queues.
  await w.pf.setMode('down');
  const journalBefore = await journalBytes(w.relay.dataDir);
  const rssBefore = (await rssMb(w))!;

  const statuses = new Map<string, number[]>();
  const wrong: string[] = [];
  let accepted = 0;
  let taken = 0;
  let fiveXX = 0;
  let dropped = 0;
  let peakRss = rssBefore;
  for (let r = 0; r < rounds; r++) {
    for (const c of CASES) {
      const a = await send(w, c, `r${r}${c.name}`);
      statuses.set(c.name, [...(statuses.get(c.name) ?? []), a.status]);
      if (a.status === 0) dropped++;
      if (a.status >= 500) fiveXX++;
      if (a.status !== c.expect) wrong.push(`${c.name} round ${r}: ${a.status} ${a.error ?? a.text.slice(0, 120)}`);
      if (a.status === 200) {
        taken++;
        accepted += (JSON.parse(a.text) as { accepted?: number }).accepted ?? 0;
      }
    }
    const rss = await rssMb(w);
    if (rss === undefined) { wrong.push(`round ${r}: /metrics did not answer (the relay died?)`); break; }
    peakRss = Math.max(peakRss, rss);
    debug('round', r, 'rss', rss.toFixed(0), 'journal', ((await journalBytes(w.relay.dataDir) - journalBefore) / MB).toFixed(1), 'MB');
  }
  const rssAfter = await rssMb(w);
  const health = await w.relay.health().catch(() => undefined);
  const journalGrowth = await journalBytes(w.relay.dataDir) - journalBefore;

  // What stays after a restart: the journal is read back, every event taken is pending again.
  await w.relay.kill('SIGKILL');
  await w.relay.restart();
  const restarted = await w.relay.health();
  const rssRestarted = await rssMb(w);

  const requests = rounds * CASES.length;
  const over = statuses.get('chatra-over')!.filter((s) => s === 413).length;
  const lost = accepted - restarted.body.backlog;
  record(import.meta.url, {
    scenario: 'amplification (largest fan-out under 1 MB)',
    load: `${rounds} rounds × 5 bodies (chatra, chatra at every limit, viber, verbox, ringostat), Planfix away, ${HEAP_MB} MB heap`,
    faults: '~6,000 one-character Chatra messages with a 500 KB visit; fields of 20–150 KB; 5,000 Verbox pages',
    inputs: requests,
    lost,
    duplicated: 0,
    fiveXX,
    notes: `RSS ${rssBefore.toFixed(0)} → ${rssAfter?.toFixed(0) ?? 'dead'} MB (peak ${peakRss.toFixed(0)}), ${rssRestarted?.toFixed(0)} MB after a restart; `
      + `journal +${(journalGrowth / MB).toFixed(1)} MB for ${taken} requests taken (${accepted} events), ${(journalGrowth / Math.max(taken, 1) / 1024).toFixed(0)} KB each; `
      + `${over} answered 413, nothing journaled`,
  });

  t.deepEqual(wrong, []);
  t.is(dropped, 0);
  t.is(fiveXX, 0);
  t.is(health?.status, 200, 'the relay is up after the last round');
  t.is(restarted.status, 200);
  t.is(lost, 0, 'every event taken is pending after the restart');
  t.true(journalGrowth <= taken * MAX_REQUEST_JOURNAL_BYTES, `journal grew ${journalGrowth} bytes for ${taken} requests`);
  t.true(peakRss - rssBefore < RSS_GROWTH_LIMIT_MB, `RSS grew ${(peakRss - rssBefore).toFixed(0)} MB`);
  t.true(rssRestarted! - rssBefore < RSS_GROWTH_LIMIT_MB, `RSS after restart ${rssRestarted?.toFixed(0)} MB`);
});
