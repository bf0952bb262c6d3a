import test from 'ava';
import { plural, word } from '../relay/core/ui-text.ts';

test('plural takes the Russian and Ukrainian forms from the language rules, teens included', (t) => {
  const ru = ['канал', 'канала', 'каналов'] as const;
  t.deepEqual([1, 2, 5, 11, 12, 21, 22, 25, 111, 0].map((n) => plural('ru', n, ru)),
    ['канал', 'канала', 'каналов', 'каналов', 'каналов', 'канал', 'канала', 'каналов', 'каналов', 'каналов']);
  t.is(plural('uk', 3, ['канал', 'канали', 'каналів']), 'канали');
  t.is(plural('uk', 14, ['канал', 'канали', 'каналів']), 'каналів');
  t.is(plural('en', 1, ['message', 'messages', 'messages']), 'message');
  t.is(plural('en', 7, ['message', 'messages', 'messages']), 'messages');
});

test('word fills named placeholders and leaves unknown ones as written', (t) => {
  t.is(word('{n} of {total}, {missing}', { n: '2', total: '5' }), '2 of 5, {missing}');
});
