// What one request can become (relay/core/bounds.ts), through the real relay process: a request
// whose events would journal more than the limit is refused whole; a webhook's visit is journaled
// once, and the task still opens with it.
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { MAX_REQUEST_JOURNAL_BYTES } from '../relay/core/bounds.ts';
import { chatraOverJournal } from './helpers/hostile.ts';
import { chatraSetup } from './helpers/chatra-setup.ts';
import { chatraWebhook } from './sim/chatra.ts';
import { journalEvents as journalSize, journalText } from './helpers/journal.ts';


/** The pending events as journaled (a delivered event keeps only its id). */
async function journaledEvents(dir: string): Promise<{ id: string; event: { visit?: unknown } }[]> {
  return (await journalText(dir)).split('\n').filter((l) => l.includes(' {')).map((l) => {
    const cut = l.indexOf(' ');
    return { id: l.slice(0, cut), event: JSON.parse(l.slice(cut + 1)) as { visit?: unknown } };
  });
}

test('a request whose events would journal more than 2 MB is answered 413 with a reason, and nothing is journaled', async (t) => {
  const { relay, channel, pf } = await chatraSetup(t);
  const before = await journalSize(relay.dataDir);
  const body = chatraOverJournal('e2e');
  t.true(body.length < 1024 * 1024, 'the body itself is within the 1 MB limit');
  const res = await relay.post(channel.webhookUrl, body);
  t.is(res.status, 413);
  t.regex(res.body.error, new RegExp(`would journal [\\d.]+ MB; at most ${MAX_REQUEST_JOURNAL_BYTES / 1048576} MB per request`));
  t.is(await journalSize(relay.dataDir), before, 'nothing journaled');
  t.is(pf.commands.length, 0);
  const health = await fetch(`${relay.url}/healthz`);
  t.is(health.status, 200);
  t.like(await health.json(), { ok: true, backlog: 0 });
});

test('a webhook of several messages journals its visit once, on its first new message; the task opens with the visit', async (t) => {
  const { relay, pf, hook } = await chatraSetup(t);
  // Planfix away while the webhooks come: the events stay pending, payload and all, to be read.
  await pf.setMode('down');
  t.is((await hook(chatraWebhook('chatStarted', { messages: [{ id: 'm1', message: 'Hello' }, { id: 'm2', message: 'Anyone there?' }] }))).status, 200);
  // A resend of m2 with two new messages: the visit goes on m3, the first one not journaled before.
  t.is((await hook(chatraWebhook('chatFragment', { messages: [{ id: 'm2', message: 'Anyone there?' }, { id: 'm3', message: 'The kettle' }, { id: 'm4', message: 'Blue' }] }))).status, 200);
  const events = await journaledEvents(relay.dataDir);
  t.deepEqual(events.map((e) => [e.id.split(':').pop(), !!e.event.visit]), [['m1', true], ['m2', false], ['m3', true], ['m4', false]]);
  await pf.setMode('up');

  const task = await pf.waitFor(() => pf.tasks.find((x) => x.comments.length >= 4), 30_000);
  t.is(pf.tasks.length, 1);
  const [first, ...rest] = task.comments.map((c) => c.text);
  t.true(first!.startsWith('Hello'));
  t.regex(first!, /Location: Kyiv, Ukraine/);
  t.regex(first!, /Blue kettle — https:\/\/shop\.example\.com\/p\/42/);
  t.deepEqual(rest, ['Anyone there?', 'The kettle', 'Blue']);
  t.is(task.fields.utm_source, 'google');
});
