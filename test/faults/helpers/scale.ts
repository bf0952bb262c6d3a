// The suite has two sizes: the bounded one runs inside `npm test` on every change; the long one
// (`npm run test:faults`, FAULTS=long) holds the load longer and injects more faults.
import type { ExecutionContext } from 'ava';

export const LONG = process.env.FAULTS === 'long';

/**
 * Latency bounds (how fast an ack, a stop, a delivery beside a slow account) are asserted only when
 * `npm run test:faults` runs the suite (either form): one file at a time, nothing else on the
 * machine. Inside `npm test` the files share two cores with the rest of the suite, so there the
 * figures are measured and reported (the table, the test's log) but a slow moment fails nothing;
 * what must hold whatever the timing (lost, duplicated, order, status codes) is asserted in both.
 */
export const TIMED = process.env.FAULTS !== undefined;

/** A latency bound: asserted under `npm run test:faults`, logged with its outcome inside `npm test`. */
export function latencyBound(t: ExecutionContext, held: boolean, what: string): void {
  if (TIMED) t.true(held, what);
  else t.log(`latency bound (asserted by npm run test:faults): ${what}: ${held ? 'held' : 'NOT held'}`);
}

export function scale<T>(bounded: T, long: T): T {
  return LONG ? long : bounded;
}

/** A per-test timeout in ms for t.timeout(): the long form legitimately runs for minutes. */
export const TIMEOUT = LONG ? 15 * 60_000 : 150_000;

/** Progress lines on stderr with FAULTS_DEBUG=1, for watching a long run. */
export function debug(...args: unknown[]): void {
  if (process.env.FAULTS_DEBUG) console.error(new Date().toISOString().slice(11, 23), ...args);
}
