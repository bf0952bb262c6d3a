// The REST limiter and the worker's delivery slot (relay/planfix/throttle.ts, relay/slot.ts): a
// request that must wait its turn gives the slot back for the wait and takes it again after its
// answer; one sent at once keeps it.
import test from 'ava';
import { Throttle } from '../relay/planfix/throttle.ts';
import { currentSlot, type Slot } from '../relay/slot.ts';

function recorder(name: string, log: string[]): Slot {
  return { park: () => void log.push(`${name} park`), unpark: async () => void log.push(`${name} unpark`) };
}

test('a request that waits parks its slot, and unparks only after its answer, the limiter released', async (t) => {
  const throttle = new Throttle(30);
  const log: string[] = [];
  const send = (name: string) => currentSlot.run(recorder(name, log), () => throttle.run(async () => { log.push(`${name} sent`); }));
  await Promise.all([send('a'), send('b')]);
  t.deepEqual(log, ['b park', 'a sent', 'b sent', 'b unpark'], 'a went at once holding its slot; b waited without one');
  await send('c');
  t.deepEqual(log.slice(4), ['c park', 'c sent', 'c unpark'], 'c came within the interval after b\'s answer: it waited');
});

test('outside a delivery there is no slot to park', async (t) => {
  const throttle = new Throttle(30);
  const results = await Promise.all([throttle.run(async () => 1), throttle.run(async () => 2)]);
  t.deepEqual(results, [1, 2]);
});
