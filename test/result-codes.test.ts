// The admin page words by code what the API answers in English: every "Test connection" outcome
// (the relay's and each channel's), every reason an activity line is retried or dead, every part
// a call skipped. The codes are read from where the relay declares them, so a code added there
// without words for the page fails here; and the codes come from error types, not their words.
import test from 'ava';
import { adapters } from '../relay/channels/index.ts';
import { CHANNEL_CHECKS } from '../relay/channels/check-texts.ts';
import { CALL_SKIPS } from '../relay/core/call-plan.ts';
import type { CheckText, CheckTexts, CheckWords } from '../relay/core/check.ts';
import type { InLanguages } from '../relay/core/ui-text.ts';
import { DEAD_REASONS } from '../relay/delivery/dead-reason.ts';
import { RETRY_REASONS, retryReason } from '../relay/delivery/retry-reason.ts';
import { RetryableError, StorageError, TerminalError } from '../relay/errors.ts';
import { PLANFIX_CHECKS } from '../relay/planfix/check-texts.ts';
import { viberError } from '../relay/channels/viber/api.ts';
import { en } from '../admin-ui/texts-en.ts';
import { ru } from '../admin-ui/texts-ru.ts';
import { uk } from '../admin-ui/texts-uk.ts';
import { echo } from './channels/echo/adapter.ts';
import { checkLanguages } from './helpers/languages.ts';

type Ctx = import('ava').ExecutionContext;
const PAGE = { en, ru, uk };
const placeholders = (s: string | undefined) => [...(s ?? '').matchAll(/\{(\w+)\}/g)].map((m) => m[1]!).sort();

/**
 * One outcome's words: a message in each language, a fix exactly when the relay's English has one,
 * and only the params the relay's English fills (`params`: its names, when the English is not the
 * whole of them), the same in every language.
 */
function checkWords(t: Ctx, where: string, api: CheckText, words: InLanguages<CheckWords | undefined>, params?: string[]) {
  if (!words.en || !words.ru || !words.uk) return t.fail(`${where}: no words in ${Object.entries(words).filter(([, w]) => !w).map(([l]) => l).join(', ')}`);
  const w = { en: words.en, ru: words.ru, uk: words.uk };
  checkLanguages(t, `${where} message`, { en: w.en.message, ru: w.ru.message, uk: w.uk.message });
  if (api.fix) checkLanguages(t, `${where} fix`, { en: w.en.fix ?? '', ru: w.ru.fix ?? '', uk: w.uk.fix ?? '' });
  else for (const l of ['en', 'ru', 'uk'] as const) t.is(w[l].fix, undefined, `${where}: ${l} has a fix the relay does not give`);
  const used = (l: 'en' | 'ru' | 'uk') => [...new Set([...placeholders(w[l].message), ...placeholders(w[l].fix)])].sort();
  const given = params ?? [...new Set([...placeholders(api.message), ...placeholders(api.fix)])];
  for (const l of ['en', 'ru', 'uk'] as const) {
    t.deepEqual(used(l), used('en'), `${where}: ${l} fills other params than en`);
    for (const p of used(l)) t.true(given.includes(p), `${where}: ${l} uses {${p}}, which the relay does not give`);
  }
}

test('every Test connection outcome of the relay\'s own has words in Russian, Ukrainian and English', (t) => {
  const relay: CheckTexts = { ...PLANFIX_CHECKS, ...CHANNEL_CHECKS };
  t.is(Object.keys(relay).length, Object.keys(PLANFIX_CHECKS).length + Object.keys(CHANNEL_CHECKS).length, 'a Planfix code and a channel code are the same');
  for (const [code, api] of Object.entries(relay)) {
    const words = { en: en.results.checks[code as keyof typeof en.results.checks], ru: ru.results.checks[code as keyof typeof ru.results.checks], uk: uk.results.checks[code as keyof typeof uk.results.checks] };
    checkWords(t, code, api, words);
  }
  // Words for a code the relay no longer answers would hide that a renamed one lost its own.
  for (const [l, texts] of Object.entries(PAGE)) t.deepEqual(Object.keys(texts.results.checks).filter((k) => !Object.hasOwn(relay, k)), [], `${l}: words for codes the relay does not have`);
});

test('every channel with a check declares its outcomes, and each has words in Russian, Ukrainian and English', (t) => {
  // Viber's refusals give Viber's own status and reason beside the relay's English (adapter.ts).
  const extraParams: Record<string, string[]> = { 'viber.token_refused': ['error', 'status', 'reason'], 'viber.refused': ['error', 'status', 'reason'] };
  for (const a of [...Object.values(adapters), echo]) {
    if (!a.check) {
      t.is(a.checks, undefined, `${a.kind}: outcomes without a check`);
      continue;
    }
    t.truthy(a.checks, `${a.kind} has a check but declares no outcomes`);
    for (const [code, api] of Object.entries(a.checks ?? {})) {
      t.false(Object.hasOwn(CHANNEL_CHECKS, code), `${a.kind}.${code} hides the relay's own outcome of that code`);
      const words = a.texts?.checks?.[code];
      checkWords(t, `${a.kind}.${code}`, api, { en: words?.en, ru: words?.ru, uk: words?.uk }, extraParams[`${a.kind}.${code}`]);
    }
    t.deepEqual(Object.keys(a.texts?.checks ?? {}).filter((k) => !Object.hasOwn(a.checks ?? {}, k)), [], `${a.kind}: words for outcomes it does not have`);
  }
});

test('every reason an activity line gives, and every part a call skips, has words in Russian, Ukrainian and English', (t) => {
  for (const code of RETRY_REASONS) checkLanguages(t, `retry ${code}`, { en: en.results.retryReasons[code], ru: ru.results.retryReasons[code], uk: uk.results.retryReasons[code] });
  for (const code of DEAD_REASONS) checkLanguages(t, `dead ${code}`, { en: en.activity.reasons[code], ru: ru.activity.reasons[code], uk: uk.activity.reasons[code] });
  for (const code of Object.keys(CALL_SKIPS) as (keyof typeof CALL_SKIPS)[]) checkLanguages(t, `skip ${code}`, { en: en.results.skips[code], ru: ru.results.skips[code], uk: uk.results.skips[code] });
  for (const v of ['works', 'missing', 'unknown'] as const) checkLanguages(t, `scope ${v}`, { en: en.results.scopes[v], ru: ru.results.scopes[v], uk: uk.results.scopes[v] });
});

test('a retry\'s reason is read from the error\'s type and the kind its thrower gave, never its words', (t) => {
  t.is(retryReason(new RetryableError('127.0.0.1 unreachable (ECONNREFUSED)', undefined, 'unreachable')), 'unreachable');
  t.is(retryReason(new RetryableError('acme.planfix.ru answered 503', undefined, 'busy')), 'busy');
  t.is(retryReason(viberError(12, 'tooManyRequests')), 'busy');
  t.is(retryReason(new RetryableError('Planfix REST daily quota exhausted (code 22)', 1000, 'quota')), 'quota');
  t.is(retryReason(new RetryableError('Planfix has no task for this chat yet', undefined, 'waiting')), 'waiting');
  t.is(retryReason(new StorageError(new Error('ENOSPC'))), 'storage');
  // Words that look like a quota or an outage do not make one: only types and kinds count.
  t.is(retryReason(new RetryableError('Planfix REST daily quota exhausted')), 'other');
  t.is(retryReason(new TerminalError('unreachable')), 'other');
  t.is(retryReason(new Error('503')), 'other');
});
