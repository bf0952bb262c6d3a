// The phone book mirror's decisions (relay/planfix/phone-book.ts): which pass runs, how far a
// changes pass asks for, which numbers a page gives. The passes themselves: e2e-phone-book.
import test from 'ava';
import { CHANGES_MARGIN_MS, changesFilter, nextPass, pageEntries, planfixTime, type PhoneBookPolicy } from '../relay/planfix/phone-book.ts';

const DAY = 86_400_000;
const policy: PhoneBookPolicy = { enabled: true, changesEveryMs: 15 * 60_000, fullEveryMs: 7 * DAY };

const URL = 'https://acme.planfix.ru';

test('a pass under way is resumed; else a full pass when none completed or the last is a week old; else the changes every interval', (t) => {
  const now = 100 * DAY;
  const under = { kind: 'full' as const, offset: 300, startedAt: now - 60_000, contacts: 300 };
  t.is(nextPass({ pass: under, fullAt: now - DAY, url: URL }, now, policy, URL), under);
  t.deepEqual(nextPass({}, now, policy, URL), { kind: 'full', offset: 0, startedAt: now, contacts: 0 });
  t.deepEqual(nextPass({ fullAt: now - 7 * DAY, syncedAt: now - 60_000, url: URL }, now, policy, URL), { kind: 'full', offset: 0, startedAt: now, contacts: 0 });
  t.is(nextPass({ fullAt: now - DAY, syncedAt: now - 14 * 60_000, url: URL }, now, policy, URL), undefined);
  t.deepEqual(nextPass({ fullAt: now - DAY, syncedAt: now - 15 * 60_000, url: URL }, now, policy, URL), { kind: 'changes', offset: 0, startedAt: now, contacts: 0 });
  t.is(nextPass({ fullAt: now - DAY, syncedAt: now - DAY, changesRefused: true, url: URL }, now, policy, URL), undefined, 'a refused filter waits for the next full pass');
});

test('a lasting failure waits before the same page is asked again; another Planfix is read afresh at once', (t) => {
  const now = 100 * DAY;
  const under = { kind: 'full' as const, offset: 300, startedAt: now - 60_000, contacts: 300 };
  t.is(nextPass({ pass: under, retryAt: now + 1, url: URL }, now, policy, URL), undefined);
  t.is(nextPass({ pass: under, retryAt: now, url: URL }, now, policy, URL), under);
  t.deepEqual(nextPass({ pass: under, fullAt: now - DAY, syncedAt: now - 60_000, url: URL }, now, policy, 'https://other.planfix.ua'), { kind: 'full', offset: 0, startedAt: now, contacts: 0 });
});

test('a changes pass asks for the contacts modified since the last pass began, less a margin, on the account\'s clock', (t) => {
  // 2026-12-03 12:30 UTC is 14:30 in Kyiv.
  const since = Date.UTC(2026, 11, 3, 12, 30);
  t.is(planfixTime(since, 'Europe/Kyiv'), '03-12-2026 14:30');
  t.is(planfixTime(since, 'UTC'), '03-12-2026 12:30');
  t.deepEqual(changesFilter(since, since + 15 * 60_000, 'Europe/Kyiv'), {
    type: 38, operator: 'equal',
    value: { dateType: 'otherRange_withTime', dateFrom: planfixTime(since - CHANGES_MARGIN_MS, 'Europe/Kyiv'), dateTo: '04-12-2026 14:45' },
  });
  t.is(planfixTime(since - CHANGES_MARGIN_MS, 'Europe/Kyiv'), '03-12-2026 12:30');
});

test('a page gives each phone in E.164 with its contact and the spelling Planfix stores; no id, no number, a spelling longer than any number: no entry', (t) => {
  t.deepEqual(pageEntries([
    { id: 12, phones: ['+380 67 123 45 67', '(044) 333-44-55', 'call me'] },
    { id: Number.NaN, phones: ['+380671234568'] },
    { id: 0, phones: ['+380671234569'] },
    { id: 13, phones: [] },
    { id: 14, phones: [`+380 67 123 45 67 ${'x'.repeat(60)}`] },
  ], 'UA'), [
    { e164: '+380671234567', contact: { id: 12, phone: '+380 67 123 45 67' } },
    { e164: '+380443334455', contact: { id: 12, phone: '(044) 333-44-55' } },
  ]);
});
