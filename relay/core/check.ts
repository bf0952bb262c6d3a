import { word } from './ui-text.ts';

// Kept free of Node imports: the admin page's bundle reads these types.

/**
 * The answer of a "test connection": what works, and when something does not, what to change
 * where. `message` and `fix` are English, for API readers and logs; `code` and `params` say the
 * same for the admin page to word in the admin's language.
 */
export interface CheckResult {
  ok: boolean;
  code: string;
  params?: Record<string, string>;
  message: string;
  fix?: string;
  details?: Record<string, unknown>;
}

/** What one outcome of a check says, with `{name}` placeholders for its params. */
export interface CheckWords {
  message: string;
  fix?: string;
}

/** One outcome a check can have: whether it means the part works, and its English words. */
export interface CheckText extends CheckWords {
  ok: boolean;
}

/** A check's outcomes by code: the only codes it can answer, and the list the page must word. */
export type CheckTexts = Record<string, CheckText>;

/** The outcome `code` of `texts` as an answer, its words filled from `params`. */
export function checkResult<T extends CheckTexts>(texts: T, code: keyof T & string, params?: Record<string, string>, details?: Record<string, unknown>): CheckResult {
  const { ok, message, fix } = texts[code]!;
  return {
    ok, code, ...(params ? { params } : {}), message: word(message, params), ...(fix ? { fix: word(fix, params) } : {}), ...(details ? { details } : {}),
  };
}
