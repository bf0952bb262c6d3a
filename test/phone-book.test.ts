// The phone book mirror's decisions (relay/planfix/phone-book.ts): which pass runs, how far a
// changes pass reaches back, which numbers a page gives. The passes themselves: e2e-phone-book.
import test from 'ava';
import { changedDays, nextPass, pageEntries, type PhoneBookPolicy } from '../relay/planfix/phone-book.ts';

const DAY = 86_400_000;
const policy: PhoneBookPolicy = { enabled: true, changesEveryMs: 15 * 60_000, fullEveryMs: 7 * DAY };

test('a pass under way is resumed; else a full pass when none completed or the last is a week old; else the changes every interval', (t) => {
  const now = 100 * DAY;
  const under = { kind: 'full' as const, offset: 300, startedAt: now - 60_000, contacts: 300 };
  t.is(nextPass({ pass: under, fullAt: now - DAY }, now, policy), under);
  t.deepEqual(nextPass({}, now, policy), { kind: 'full', offset: 0, startedAt: now, contacts: 0 });
  t.deepEqual(nextPass({ fullAt: now - 7 * DAY, syncedAt: now - 60_000 }, now, policy), { kind: 'full', offset: 0, startedAt: now, contacts: 0 });
  t.is(nextPass({ fullAt: now - DAY, syncedAt: now - 14 * 60_000 }, now, policy), undefined);
  t.deepEqual(nextPass({ fullAt: now - DAY, syncedAt: now - 15 * 60_000 }, now, policy), { kind: 'changes', offset: 0, startedAt: now, contacts: 0 });
  t.is(nextPass({ fullAt: now - DAY, syncedAt: now - DAY, changesRefused: true }, now, policy), undefined, 'a refused filter waits for the next full pass');
});

test('a changes pass reaches back over the time since the last pass began, and a day more', (t) => {
  t.is(changedDays(0, 15 * 60_000), 2);
  t.is(changedDays(0, DAY), 2);
  t.is(changedDays(0, DAY + 1), 3);
  t.is(changedDays(0, 10 * DAY), 11);
});

test('a page gives each phone in E.164 with its contact and the spelling Planfix stores; no id, no number, no entry', (t) => {
  t.deepEqual(pageEntries([
    { id: 12, phones: ['+380 67 123 45 67', '(044) 333-44-55', 'call me'] },
    { id: Number.NaN, phones: ['+380671234568'] },
    { id: 0, phones: ['+380671234569'] },
    { id: 13, phones: [] },
  ], 'UA'), [
    { e164: '+380671234567', contact: { id: 12, phone: '+380 67 123 45 67' } },
    { e164: '+380443334455', contact: { id: 12, phone: '(044) 333-44-55' } },
  ]);
});
