import type { Picker } from './picker.ts';

/**
 * Texts shown to admins on the admin page, declared where what they describe lives (a channel's
 * folder, the relay's own setup checks) and worded by the page in the admin's language. Kept free
 * of Node imports: the page's bundle imports this file.
 */
export const UI_LANGUAGES = ['ru', 'uk', 'en'] as const;
export type UiLanguage = (typeof UI_LANGUAGES)[number];

/** One text in every language of the page: TypeScript refuses a declaration that misses one. */
export type InLanguages<T = string> = Record<UiLanguage, T>;

/** A form field as the page shows it: a plain name, one line of help, and whether it is for unusual setups. */
export type FieldText = InLanguages<{ label: string; help: string }> & {
  /** Only for testing or unusual setups: shown under the form's collapsed "Advanced" section. */
  advanced?: boolean;
  /** The plain name of each value of a field with a fixed set of them. */
  choices?: Record<string, InLanguages>;
  /** A map's or list's columns, drawn as a table (`key` and `value` for a map; a list's property names). */
  columns?: Record<string, InLanguages<{ label: string; help: string }> & { picker?: Picker }>;
  /** The field names a Planfix object: the page offers the account's list of them, typing stays possible. */
  picker?: Picker;
};

/** A warning as an API reader gets it: a code, its parameters, and its English wording. */
export interface Warning {
  code: string;
  params?: Record<string, string>;
}

/** A template's `{name}` placeholders filled from params; an unknown name is left as written. */
export function word(template: string, params: Record<string, string> = {}): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => (Object.hasOwn(params, k) ? params[k]! : m));
}

const pluralRules = new Map<string, Intl.PluralRules>();

/**
 * The form of a counted word: 1 канал, 2 канала, 5 каналов. Intl's plural rules of the language
 * decide (`few` and `many` are Russian's and Ukrainian's; fractions take `few`, as they read).
 */
export function plural(language: string, n: number, [one, few, many]: readonly [string, string, string]): string {
  let rules = pluralRules.get(language);
  if (!rules) pluralRules.set(language, rules = new Intl.PluralRules(language));
  const form = rules.select(n);
  return form === 'one' ? one : form === 'many' ? many : few;
}
