// The REST limiter on shutdown (relay/planfix/throttle.ts). Found by the fault suite's shutdown
// scenario: with four callers' deliveries queued for Planfix REST at 1 request per second, SIGTERM
// took 24 s to exit, long enough for a supervisor's kill (and its duplicates) to come first.
import test from 'ava';
import { RetryableError } from '../relay/errors.ts';
import { Throttle } from '../relay/planfix/throttle.ts';

test('stop(): requests waiting for their turn fail at once, retryable and unsent; the one in flight finishes', async (t) => {
  const throttle = new Throttle(1000);
  const sent: string[] = [];
  let finishFirst!: () => void;
  const first = throttle.run(() => { sent.push('a'); return new Promise<string>((r) => { finishFirst = () => r('a done'); }); });
  const second = throttle.run(async () => { sent.push('b'); return 'b done'; });
  const third = throttle.run(async () => { sent.push('c'); return 'c done'; });
  await new Promise((r) => setTimeout(r, 20));
  const started = Date.now();
  throttle.stop();
  finishFirst();
  t.is(await first, 'a done');
  for (const p of [second, third]) {
    const err = await t.throwsAsync(p);
    t.true(err instanceof RetryableError);
  }
  t.true(Date.now() - started < 950, 'no waiting for the 1 s spacing');
  t.deepEqual(sent, ['a'], 'nothing sent after stop');
});

test('requests that waited their turn leave nothing behind (a wake-up per request piled up for the life of the process)', async (t) => {
  const throttle = new Throttle(50);
  for (let i = 0; i < 3; i++) await throttle.run(async () => i);
  t.true(throttle.waits >= 1, 'some requests waited');
  t.is((throttle as unknown as { wake?: unknown }).wake, undefined);
});
