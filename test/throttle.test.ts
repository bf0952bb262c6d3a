// The REST throttle (relay/planfix/throttle.ts): one REST request per interval per account, none while
// the daily quota is spent; RestApi keeps one per account, spaced by its restRps. Time is the subject:
// the tests run on a fake clock (helpers/fake-time.ts) and assert exact times. The real spacing
// against Planfix is measured by the bench (`npm run bench -- limiter`).
import test from 'ava';
import type { Account } from '../relay/core/account.ts';
import { RetryableError } from '../relay/errors.ts';
import { OutboundPolicy } from '../relay/net/outbound.ts';
import { RestApi } from '../relay/planfix/rest.ts';
import { Throttle } from '../relay/planfix/throttle.ts';
import { fakeTime } from './helpers/fake-time.ts';

const none = new OutboundPolicy([]);

test.serial('Throttle: requests run one at a time, in order, each an interval after the previous answer', async (t) => {
  const time = fakeTime(t);
  const t0 = Date.now();
  const interval = 60;
  const th = new Throttle(interval);
  const spans: { i: number; start: number; end: number }[] = [];
  // Answers take different times (0: at once): the spacing counts from each answer, not from each start.
  const all = Promise.all([30, 0, 10, 0].map((work, i) => th.run(async () => {
    const start = Date.now() - t0;
    if (work) await new Promise((r) => setTimeout(r, work));
    spans.push({ i, start, end: Date.now() - t0 });
  })));
  await time.advance(300);
  await all;
  t.deepEqual(spans, [
    { i: 0, start: 0, end: 30 },
    { i: 1, start: 90, end: 90 },
    { i: 2, start: 150, end: 160 },
    { i: 3, start: 220, end: 220 },
  ]);
  t.is(th.waits, 3);
});

test.serial('Throttle: a failed request still spaces the next one and does not block the queue', async (t) => {
  const time = fakeTime(t);
  const interval = 300;
  const th = new Throttle(interval);
  let failedAt = 0;
  await t.throwsAsync(th.run(() => { failedAt = Date.now(); return Promise.reject(new Error('boom')); }));
  let startedAt = 0;
  const next = th.run(async () => { startedAt = Date.now(); return 'next'; });
  await time.advance(interval - 1);
  t.is(startedAt, 0, 'not before the interval is over');
  await time.advance(1);
  t.is(await next, 'next');
  t.is(startedAt - failedAt, interval);
  t.is(th.waits, 1);
});

test.serial('Throttle: a lone request after a quiet period does not wait', async (t) => {
  const time = fakeTime(t);
  const th = new Throttle(10_000);
  await th.run(async () => undefined);
  await time.advance(10_000);
  const sentAt = Date.now();
  t.is(await th.run(async () => Date.now()), sentAt);
  t.is(th.waits, 0);
});

test.serial('Throttle: paused for the quota, take() fails at once as retryable with the remaining time', async (t) => {
  const time = fakeTime(t);
  const th = new Throttle(10);
  th.pause(60_000);
  await time.advance(15_000);
  let ran = false;
  const err = await t.throwsAsync(th.run(async () => { ran = true; }));
  t.false(ran);
  t.true(err instanceof RetryableError);
  t.is((err as RetryableError).retryAfterMs, 45_000);
  t.is(th.waits, 0);
});

test.serial('RestApi: one throttle per account, spaced by its restRps', async (t) => {
  const time = fakeTime(t);
  const rest = new RestApi(none, 1000);
  const acc = (id: string, restRps?: number) => ({ id, planfix: { url: 'https://acme.planfix.ru', chatToken: 't', restRps } }) as Account;
  const a = rest.throttle(acc('a'));
  t.is(rest.throttle(acc('a')), a);
  t.not(rest.throttle(acc('b')), a);
  // The second request of each waits 1000 / restRps ms after the first one's answer; the first goes at once.
  for (const [id, restRps, spacing] of [['default', undefined, 1000], ['one', 1, 1000], ['half', 0.5, 2000]] as const) {
    const th = rest.throttle(acc(id, restRps));
    const firstAt = await th.run(async () => Date.now());
    const second = th.run(async () => Date.now());
    await time.advance(spacing);
    t.is(await second - firstAt, spacing, id);
    t.is(th.waits, 1, id);
  }
});
