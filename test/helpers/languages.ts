import type { ExecutionContext } from 'ava';
import { UI_LANGUAGES, type InLanguages } from '../../relay/core/ui-text.ts';

// Letters only one of the two has: a text in the wrong one of them gives itself away.
const ONLY_RU = /[ыэъё]/i;
const ONLY_UK = /[іїєґ]/i;
const CYRILLIC = /[а-яіїєґ]/i;

/** Every language present and non-empty; ru and uk in their own alphabet. Planfix's own Russian names («API ПланФикса для …») may stand in Ukrainian texts. */
export function checkLanguages(t: ExecutionContext, where: string, texts: InLanguages) {
  for (const l of UI_LANGUAGES) t.true(typeof texts[l] === 'string' && texts[l].trim().length > 0, `${where}: ${l} is missing`);
  t.regex(texts.ru, CYRILLIC, `${where}: ru is not Russian`);
  t.regex(texts.uk, CYRILLIC, `${where}: uk is not Ukrainian`);
  t.notRegex(texts.ru, ONLY_UK, `${where}: ru has Ukrainian letters`);
  t.notRegex(texts.uk.replace(/API ПланФикса для (чатов|телефоний)/g, ''), ONLY_RU, `${where}: uk has Russian letters`);
}
