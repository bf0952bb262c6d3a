// The admin page's one-line preview of an event (relay/activity.ts).
import test from 'ava';
import { preview } from '../relay/delivery/activity.ts';
import type { MessageEvent } from '../relay/core/events.ts';

const message = (over: Partial<MessageEvent>): MessageEvent => ({ kind: 'message', eventId: 'm1', customer: { clientId: 'v1' }, at: 0, text: '', attachments: [], ...over });

test('a message that is not words previews as its English line, whatever the account\'s language', (t) => {
  t.is(preview(message({ content: { kind: 'contact', name: 'Olena K', phone: '+380501112233' } })), '👤 Contact: Olena K, +380501112233');
  t.is(preview(message({ content: { kind: 'location', lat: 50.4501, lon: 30.5234 } })), '📍 Location: 50.4501, 30.5234 https://ma…');
  t.is(preview(message({ content: { kind: 'missingMedia', media: 'video' } })), '[Video without a link]');
  t.is(preview(message({ text: 'Hello\n  there' })), 'Hello there');
  t.is(preview(message({})), undefined);
});
