// The REST limiter on shutdown (relay/planfix/throttle.ts). Found by the fault suite's shutdown
// scenario: with four callers' deliveries queued for Planfix REST at 1 request per second, SIGTERM
// took 24 s to exit, long enough for a supervisor's kill (and its duplicates) to come first.
// On a fake clock: "at once" is "with no time passing", not a bound on a real timer.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import test from 'ava';
import { RetryableError } from '../relay/errors.ts';
import { Throttle } from '../relay/planfix/throttle.ts';
import { fakeTime } from './helpers/fake-time.ts';

/** What became of a promise so far: pending, its value, or its error. */
function watch<T>(p: Promise<T>): { state: 'pending' | 'resolved' | 'rejected'; value?: T; error?: unknown } {
  const w: { state: 'pending' | 'resolved' | 'rejected'; value?: T; error?: unknown } = { state: 'pending' };
  p.then((value) => Object.assign(w, { state: 'resolved', value }), (error: unknown) => Object.assign(w, { state: 'rejected', error }));
  return w;
}

test.serial('stop(): requests queued behind the one in flight fail at once, retryable and unsent; the one in flight finishes', async (t) => {
  const time = fakeTime(t);
  const throttle = new Throttle(1000);
  const sent: string[] = [];
  let finishFirst!: () => void;
  const first = watch(throttle.run(() => { sent.push('a'); return new Promise<string>((r) => { finishFirst = () => r('a done'); }); }));
  const second = watch(throttle.run(async () => { sent.push('b'); return 'b done'; }));
  const third = watch(throttle.run(async () => { sent.push('c'); return 'c done'; }));
  await time.settle();
  const stoppedAt = Date.now();
  throttle.stop();
  finishFirst();
  await time.settle();
  t.like(first, { state: 'resolved', value: 'a done' });
  for (const w of [second, third]) {
    t.is(w.state, 'rejected');
    t.true(w.error instanceof RetryableError);
  }
  t.is(Date.now(), stoppedAt, 'no waiting for the 1 s spacing');
  t.deepEqual(sent, ['a'], 'nothing sent after stop');
});

test.serial('stop(): a request already waiting out the spacing is woken and fails at once, unsent', async (t) => {
  const time = fakeTime(t);
  const throttle = new Throttle(1000);
  const sent: string[] = [];
  await throttle.run(async () => { sent.push('a'); });
  const second = watch(throttle.run(async () => { sent.push('b'); }));
  await time.advance(500);
  t.is(second.state, 'pending', 'waiting for its turn');
  t.is(throttle.waits, 1);
  const stoppedAt = Date.now();
  throttle.stop();
  await time.settle();
  t.is(second.state, 'rejected');
  t.true(second.error instanceof RetryableError);
  t.is(Date.now(), stoppedAt, 'not left to wait out the other 500 ms');
  t.deepEqual(sent, ['a']);
});

// Real timers: what is tested is that nothing keeps a finished wait's timer reachable. The REST
// limiter once kept a wake-up closure (holding its timer) per request that waited, for stop(),
// for the life of the process.
test.serial('requests that waited their turn leave nothing behind (a wake-up per request piled up for the life of the process)', async (t) => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const interval = 37;
  const timers: WeakRef<NodeJS.Timeout>[] = [];
  const realSetTimeout = globalThis.setTimeout;
  const start: (fn: () => void, ms?: number) => NodeJS.Timeout = realSetTimeout;
  // The throttle's waits are the timers of its interval or less; anything else running now is not counted.
  globalThis.setTimeout = ((fn: () => void, ms?: number) => {
    const timer = start(fn, ms);
    if (ms !== undefined && ms > 0 && ms <= interval) timers.push(new WeakRef(timer));
    return timer;
  }) as typeof setTimeout;
  const throttle = new Throttle(interval);
  try {
    for (let i = 0; i < 3; i++) await throttle.run(async () => i);
  } finally {
    globalThis.setTimeout = realSetTimeout;
  }
  t.is(throttle.waits, 2, 'the second and third waited');
  t.is(timers.length, 2, 'one timer per wait');
  // A WeakRef's target lives at least until the end of the job that made or read it.
  await new Promise((r) => setImmediate(r));
  gc();
  t.deepEqual(timers.map((w) => w.deref() === undefined), [true, true], 'no finished wait is still reachable');
});
