// The suite has two sizes: the bounded one runs inside `npm test` on every change; the long one
// (`npm run test:faults`, FAULTS=long) holds the load longer and injects more faults.
export const LONG = process.env.FAULTS === 'long';

export function scale<T>(bounded: T, long: T): T {
  return LONG ? long : bounded;
}

/** A per-test timeout in ms for t.timeout(): the long form legitimately runs for minutes. */
export const TIMEOUT = LONG ? 15 * 60_000 : 150_000;

/** Progress lines on stderr with FAULTS_DEBUG=1, for watching a long run. */
export function debug(...args: unknown[]): void {
  if (process.env.FAULTS_DEBUG) console.error(new Date().toISOString().slice(11, 23), ...args);
}
