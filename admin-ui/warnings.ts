import { SETUP_WARNINGS } from '../relay/core/setup-warnings.ts';
import { word, type InLanguages, type Warning } from '../relay/core/ui-text.ts';
import { h } from './dom.ts';
import { pick } from './i18n.ts';

/**
 * Warnings worded in the page's language from their codes: the relay's own (setup-warnings.ts)
 * and the channel's (its texts). A code the page has no words for shows the API's English text.
 */
export function warningLines(codes: Warning[], english: string[], channelTexts: Record<string, InLanguages> = {}): HTMLElement[] {
  const texts: Record<string, InLanguages> = { ...SETUP_WARNINGS, ...channelTexts };
  return codes.map((w, i) => {
    const template = Object.hasOwn(texts, w.code) ? texts[w.code] : undefined;
    return h('p', { class: 'warning', 'data-warning': w.code }, template ? word(pick(template), w.params) : english[i] ?? w.code);
  });
}
