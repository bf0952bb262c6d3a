import type { LogWindow } from '../channels/channel.ts';

// Which span of a provider's log a reconciliation reads, and in what pieces: pure, so the rules
// are tested on times the test chooses (test/recovery-window.test.ts).

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** The oldest moment ever read: a relay down longer than this has the rest of its calls only in the provider's log. */
export const MAX_LOOKBACK_MS = 7 * DAY;
/** How long a call still going on holds the next read back to its start; past it the call is left to its webhook. */
export const MAX_HOLD_MS = 2 * 60 * MINUTE;
/** A full answer is asked again in halves down to this span (the log's from and to are whole seconds). */
export const MIN_PAGE_MS = 1000;

export interface WindowRules {
  /** How often the log is read (RELAY_RECONCILE_MINUTES). */
  intervalMs: number;
  /** How long the relay remembers event ids (RELAY_RETENTION_DAYS): older ones would no longer be duplicates. */
  retentionMs: number;
}

/**
 * How far behind now the log is read. A call that just ended may not be in the log yet, and its
 * webhook is likely on its way (then it arrives as a webhook, not as a recovered call); the next
 * run reads it, within one interval.
 */
export function settleMs(intervalMs: number): number {
  return Math.min(2 * MINUTE, intervalMs / 2);
}

/**
 * The span to read now: from where the last run left off (for a channel never read, one interval
 * back, but not before the channel existed) to a moment ago. Empty (`from >= to`) when there is
 * nothing to read yet.
 */
export function windowFor(coveredTo: number | undefined, createdAt: number, now: number, rules: WindowRules): LogWindow {
  const to = now - settleMs(rules.intervalMs);
  const start = coveredTo ?? Math.max(createdAt, to - rules.intervalMs);
  const from = Math.max(start, now - Math.min(MAX_LOOKBACK_MS, rules.retentionMs));
  return { from, to };
}

/** The window as consecutive pages of at most `pageMs`, oldest first. */
export function pagesOf(w: LogWindow, pageMs: number): LogWindow[] {
  const pages: LogWindow[] = [];
  for (let from = w.from; from < w.to; from += pageMs) pages.push({ from, to: Math.min(w.to, from + pageMs) });
  return pages;
}

/** A page whose answer was full, as two halves; undefined when it is already as short as a page gets. */
export function halves(w: LogWindow): [LogWindow, LogWindow] | undefined {
  if (w.to - w.from < 2 * MIN_PAGE_MS) return undefined;
  const mid = w.from + Math.floor((w.to - w.from) / 2);
  return [{ from: w.from, to: mid }, { from: mid, to: w.to }];
}

/**
 * How far the log counts as read once a page is done: its end, held back to the start of the
 * earliest call still going on in this run (so the next run reads it again, finished), but never
 * more than MAX_HOLD_MS behind; and never back from where it was.
 */
export function coveredAfter(page: LogWindow, unfinishedFrom: number | undefined, covered: number): number {
  const end = unfinishedFrom === undefined ? page.to : Math.max(Math.min(page.to, unfinishedFrom), page.to - MAX_HOLD_MS);
  return Math.max(covered, end);
}
