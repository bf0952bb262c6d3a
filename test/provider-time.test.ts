// Provider timestamps at the edge of what a Date holds (relay/channels/read.ts, time()). Found by
// the fault suite's fuzz: a Verbox `startedAt` of 1e300 was read as a time, and formatting it
// threw RangeError (Invalid time value), answered 500.
import test from 'ava';
import { time } from '../relay/channels/read.ts';
import { verbox } from '../relay/channels/verbox/adapter.ts';
import type { ChannelConfig } from '../relay/core/account.ts';

test('time(): a number or digit string beyond what a Date holds is no time', (t) => {
  t.is(time(1e300), undefined);
  t.is(time(-1e21), undefined);
  t.is(time('99999999999999999999999'), undefined);
  t.is(time(8.64e15), 8.64e15);
  t.is(time(1_700_000_000), 1_700_000_000_000, 'seconds still read as seconds');
  t.is(time('2024-11-14T10:15:02+0200'), Date.parse('2024-11-14T10:15:02+02:00'));
});

test('a Verbox transcript with absurd dates is parsed, the dates left out', (t) => {
  const channel: ChannelConfig = { id: 'ch1', kind: 'verbox', name: 'Verbox', secret: 's', settings: {}, options: { sendAsEmployee: true, closeTaskOnChatEnd: true, operators: [] }, createdAt: '' };
  const raw = Buffer.from(JSON.stringify({ clientId: 'v1', title: 'Chat', description: 'text', startedAt: 1e300, endedAt: '99999999999999999999999' }));
  const { events } = verbox.parse({ raw, contentType: 'application/json', headers: {}, query: {} }, channel);
  t.true(events.length > 0);
  t.false(JSON.stringify(events).includes('Started:'));
});
