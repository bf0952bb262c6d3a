import type { CheckWords } from '../relay/core/check.ts';
import { word, type InLanguages } from '../relay/core/ui-text.ts';
import { h } from './dom.ts';
import { pick, t } from './i18n.ts';
import type { Check } from './types.ts';

/**
 * A result's words in the page's language by its code: the channel's own (its texts), else the
 * relay's; a code the page has no words for (or none, from an older relay) keeps the API's English.
 */
function worded(c: Check, channelChecks: Record<string, InLanguages<CheckWords>> = {}): CheckWords {
  const relay = t().results.checks as Record<string, CheckWords>;
  const words = c.code === undefined ? undefined : Object.hasOwn(channelChecks, c.code) ? pick(channelChecks[c.code]!) : Object.hasOwn(relay, c.code) ? relay[c.code] : undefined;
  if (!words) return { message: c.message, fix: c.fix };
  return { message: word(words.message, c.params), fix: words.fix === undefined ? undefined : word(words.fix, c.params) };
}

/** One "Test connection" result: what was checked (a part's key, worded when the page knows it), the answer, and what to do about it. */
export function checkLine(name: string, c: Check, channelChecks?: Record<string, InLanguages<CheckWords>>): HTMLElement {
  const words = t().check;
  const scopes = t().results.scopes as Record<string, string>;
  const { message, fix } = worded(c, channelChecks);
  return h('li', { class: c.ok ? 'ok' : 'bad', 'data-check': name, 'data-code': c.code },
    h('strong', {}, `${c.ok ? '✓' : '✗'} ${Object.hasOwn(words.parts, name) ? words.parts[name] : name}: `), message,
    fix ? h('div', { class: 'fix' }, `${words.fix}: ${fix}`) : undefined,
    c.details?.scopes ? h('div', { class: 'muted' }, Object.entries(c.details.scopes).map(([k, v]) => `${k}: ${Object.hasOwn(scopes, v) ? scopes[v] : v}`).join(' · ')) : undefined);
}
