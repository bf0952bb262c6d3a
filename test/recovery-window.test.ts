// Which span of a provider's log reconciliation reads, and in what pieces (relay/delivery/recovery-window.ts).
import test from 'ava';
import { coveredAfter, halves, MAX_HOLD_MS, MAX_LOOKBACK_MS, pagesOf, settleMs, windowFor } from '../relay/delivery/recovery-window.ts';

const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const NOW = Date.UTC(2024, 10, 14, 12, 0, 0);
const RULES = { intervalMs: 10 * MIN, retentionMs: 180 * DAY };

test('the log is read up to a moment ago: two minutes, or half the interval when that is shorter', (t) => {
  t.is(settleMs(10 * MIN), 2 * MIN);
  t.is(settleMs(3000), 1500);
  t.deepEqual(windowFor(NOW - 30 * MIN, 0, NOW, RULES), { from: NOW - 30 * MIN, to: NOW - 2 * MIN });
});

test('a channel never read starts one interval back, but not before it existed', (t) => {
  t.deepEqual(windowFor(undefined, 0, NOW, RULES), { from: NOW - 12 * MIN, to: NOW - 2 * MIN });
  t.deepEqual(windowFor(undefined, NOW - 5 * MIN, NOW, RULES), { from: NOW - 5 * MIN, to: NOW - 2 * MIN });
  const fresh = windowFor(undefined, NOW - 30_000, NOW, RULES);
  t.true(fresh.from >= fresh.to, 'created a moment ago: nothing to read yet');
  t.is(fresh.to, NOW - 2 * MIN);
});

test('after a long outage the window reaches back a week at most, and never past the retention of event ids', (t) => {
  t.deepEqual(windowFor(NOW - 30 * DAY, 0, NOW, RULES), { from: NOW - MAX_LOOKBACK_MS, to: NOW - 2 * MIN });
  t.is(MAX_LOOKBACK_MS, 7 * DAY);
  t.deepEqual(windowFor(NOW - 30 * DAY, 0, NOW, { ...RULES, retentionMs: 2 * DAY }), { from: NOW - 2 * DAY, to: NOW - 2 * MIN });
});

test('pages of at most the page size, oldest first, covering the window without a gap', (t) => {
  t.deepEqual(pagesOf({ from: 0, to: 150 }, 60), [{ from: 0, to: 60 }, { from: 60, to: 120 }, { from: 120, to: 150 }]);
  t.deepEqual(pagesOf({ from: 0, to: 60 }, 60), [{ from: 0, to: 60 }]);
  t.deepEqual(pagesOf({ from: 10, to: 10 }, 60), []);
  t.deepEqual(pagesOf({ from: 20, to: 10 }, 60), []);
});

test('a full page splits in two halves, down to two seconds', (t) => {
  t.deepEqual(halves({ from: 0, to: 10_000 }), [{ from: 0, to: 5000 }, { from: 5000, to: 10_000 }]);
  t.deepEqual(halves({ from: 0, to: 2001 }), [{ from: 0, to: 1000 }, { from: 1000, to: 2001 }]);
  t.is(halves({ from: 0, to: 1999 }), undefined);
});

test('a call still going on holds the next read back to its start, for two hours at most; the mark never goes back', (t) => {
  const page = { from: NOW - 10 * MIN, to: NOW };
  t.is(coveredAfter(page, undefined, page.from), NOW);
  t.is(coveredAfter(page, NOW - 5 * MIN, page.from), NOW - 5 * MIN);
  t.is(coveredAfter(page, NOW + MIN, page.from), NOW, 'one that began after the page counts nothing');
  t.is(coveredAfter({ from: NOW - 4 * 60 * MIN, to: NOW }, NOW - 3 * 60 * MIN, NOW - 4 * 60 * MIN), NOW - MAX_HOLD_MS);
  t.is(coveredAfter(page, NOW - 20 * MIN, NOW - 10 * MIN), NOW - 10 * MIN, 'not before where it was');
});
