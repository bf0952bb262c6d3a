/**
 * Keeps a write to be waited for with others. Marked handled at once: it may fail (a commit) before
 * the list is awaited (a call's record is awaited first), and Node reports such a rejection as
 * unhandled; whoever awaits the list still gets it.
 */
export function hold(writes: Promise<unknown>[], ...ps: Promise<unknown>[]): void {
  for (const p of ps) {
    p.catch(() => undefined);
    writes.push(p);
  }
}
