// relay/delivery/slots.ts: the account's delivery slots. A key that finds them held waits and is
// woken in its turn; a parked delivery gives its slot to the next key and, once answered, takes one
// back ahead of keys not started yet.
import test from 'ava';
import { Slots } from '../relay/delivery/slots.ts';

function slots(perAccount: number, global = 64) {
  const woken: string[] = [];
  let pumps = 0;
  const s = new Slots({ global, perAccount }, (key) => void woken.push(key), () => void pumps++);
  return { s, woken, pumps: () => pumps };
}

test('a key finding its account\'s slots held waits, and the longest waiting is woken when one frees', (t) => {
  const { s, woken } = slots(1);
  const a = s.take('acc1', 'a');
  t.truthy(a);
  t.is(s.take('acc1', 'b'), undefined);
  t.is(s.take('acc1', 'c'), undefined);
  t.truthy(s.take('acc2', 'x'), 'another account has its own slots');
  a!.release();
  t.deepEqual(woken, ['b'], 'one slot, one key woken; c keeps waiting');
});

test('the global slots bound every account together', (t) => {
  const { s } = slots(8, 2);
  const a = s.take('acc1', 'a');
  s.take('acc2', 'b');
  t.true(s.full);
  a!.release();
  t.false(s.full);
});

test('a parked delivery holds no slot: the waiting key is woken, and the resuming one comes before keys not started', async (t) => {
  const { s, woken, pumps } = slots(1);
  const a = s.take('acc1', 'a')!;
  t.is(s.take('acc1', 'b'), undefined);
  a.park();
  a.park();
  t.deepEqual(woken, ['b'], 'parking twice frees once');
  await Promise.resolve();
  t.is(pumps(), 1, 'the worker is asked to start the next key, after the current turn');
  const b = s.take('acc1', 'b')!;
  t.truthy(b, 'b runs in the slot a gave back');
  a.unpark();
  let resumed = false;
  const back = a.unpark().then(() => { resumed = true; });
  await Promise.resolve();
  t.false(resumed, 'a waits: b holds the account\'s one slot');
  t.is(s.take('acc1', 'c'), undefined);
  b.release();
  await back;
  t.true(resumed, 'a resumes in b\'s slot');
  t.deepEqual(woken, ['b'], 'c, not started, is not woken: a took the slot');
  a.release();
  t.deepEqual(woken, ['b', 'c']);
});

test('a delivery that ends while parked gives back no slot it does not hold', (t) => {
  const { s, woken } = slots(1);
  const a = s.take('acc1', 'a')!;
  a.park();
  const b = s.take('acc1', 'b')!;
  a.release();
  t.is(s.take('acc1', 'c'), undefined, 'b still holds the one slot');
  b.release();
  t.deepEqual(woken, ['c']);
});
