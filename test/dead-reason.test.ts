// A dead letter's reason code is read from the error's type, status and Planfix code, never its words.
import test from 'ava';
import { RetryableError, TerminalError } from '../relay/errors.ts';
import { deadReason } from '../relay/delivery/dead-reason.ts';
import { providerError } from '../relay/net/outbound.ts';
import { ChatApiError } from '../relay/planfix/chat-error.ts';
import { RestError } from '../relay/planfix/rest-error.ts';
import { TelephonyApiError } from '../relay/planfix/telephony.ts';
import { viberError } from '../relay/channels/viber/api.ts';

test('Planfix errors by status and code', (t) => {
  t.is(deadReason(new ChatApiError('newMessage', 401, 'Invalid token'), false), 'planfix-token');
  t.is(deadReason(new ChatApiError('newMessage', 403, ''), false), 'planfix-token');
  t.is(deadReason(new ChatApiError('getTask', 404, 'task not found', true), false), 'not-found');
  t.is(deadReason(new ChatApiError('newMessage', 400, 'Invalid parameters'), false), 'planfix-refused');
  t.is(deadReason(new RestError('/task/', 1, 'Access denied, unknown token', 401), false), 'planfix-token');
  t.is(deadReason(new RestError('/task/', 5, 'scope', 403), false), 'planfix-token');
  t.is(deadReason(new RestError('/task/10', 1000, 'Task not found by id 10', 400), false), 'not-found');
  t.is(deadReason(new RestError('/contact/', 2000, 'whatever the words', 400), false), 'not-found');
  t.is(deadReason(new RestError('/task/', 41, 'Invalid parameter', 400), false), 'planfix-refused');
  t.is(deadReason(new RestError('/task/', undefined, 'HTTP 401', 401), false), 'planfix-token');
  t.is(deadReason(new TelephonyApiError('event', 401, 'bad token'), false), 'planfix-token');
  t.is(deadReason(new TelephonyApiError('event', 400, 'bad'), false), 'planfix-refused');
});

test('providers, settings and the rest by the kind the thrower gave', (t) => {
  t.is(deadReason(providerError('Chatra', 401, 'no', { refused: 'refused the keys', check: 'check them' }), false), 'provider-refused');
  t.is(deadReason(viberError(5, 'notSubscribed'), false), 'provider-refused');
  t.is(deadReason(new TerminalError('no Planfix REST token configured', 'not-configured'), false), 'not-configured');
  t.is(deadReason(new TerminalError('Planfix does not know contact', 'not-found'), false), 'not-found');
  // Words that look like a token refusal do not make one: only types and codes count.
  t.is(deadReason(new TerminalError('401 Invalid token'), false), 'other');
  t.is(deadReason(new Error('boom'), false), 'other');
  t.is(deadReason(new RetryableError('Planfix answered 503'), true), 'gave-up');
  t.is(deadReason(new ChatApiError('newMessage', 401, 'Invalid token'), true), 'gave-up');
});
