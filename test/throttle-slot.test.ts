// The REST limiter and the worker's delivery slot (relay/planfix/throttle.ts, relay/slot.ts): a
// request that must wait its turn gives the slot back for the wait and takes it again after its
// answer; one sent at once keeps it. On a fake clock: whether c comes within the interval after b's
// answer is the test's choice, not the machine's.
import test from 'ava';
import { Throttle } from '../relay/planfix/throttle.ts';
import { currentSlot, type Slot } from '../relay/slot.ts';
import { fakeTime } from './helpers/fake-time.ts';

function recorder(name: string, log: string[]): Slot {
  return { park: () => void log.push(`${name} park`), unpark: async () => void log.push(`${name} unpark`) };
}

test.serial('a request that waits parks its slot, and unparks only after its answer, the limiter released', async (t) => {
  const time = fakeTime(t);
  const throttle = new Throttle(30);
  const log: string[] = [];
  const send = (name: string) => currentSlot.run(recorder(name, log), () => throttle.run(async () => { log.push(`${name} sent`); }));
  const ab = Promise.all([send('a'), send('b')]);
  await time.advance(30);
  await ab;
  t.deepEqual(log, ['b park', 'a sent', 'b sent', 'b unpark'], 'a went at once holding its slot; b waited without one');
  await time.advance(29);
  const c = send('c');
  await time.advance(1);
  await c;
  t.deepEqual(log.slice(4), ['c park', 'c sent', 'c unpark'], 'c came within the interval after b\'s answer: it waited');
  await time.advance(30);
  await send('d');
  t.deepEqual(log.slice(7), ['d sent'], 'd came after the interval: sent at once, its slot kept');
});

test.serial('outside a delivery there is no slot to park', async (t) => {
  const time = fakeTime(t);
  const throttle = new Throttle(30);
  const both = Promise.all([throttle.run(async () => 1), throttle.run(async () => 2)]);
  await time.advance(30);
  t.deepEqual(await both, [1, 2]);
  t.is(throttle.waits, 1);
});
