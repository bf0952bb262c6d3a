/**
 * The language and time zone of what the relay writes into an account's Planfix (task summaries,
 * visit actions, call comments, default task and contact names). Planfix teams work in Russian,
 * Ukrainian, English and Polish; when the admin has not chosen, the Planfix domain's zone decides.
 */
export const LANGUAGES = ['ru', 'uk', 'en', 'pl'] as const;
export type Language = (typeof LANGUAGES)[number];

export interface Locale {
  language: Language;
  /** An IANA zone, e.g. Europe/Kyiv. */
  timeZone: string;
}

/** The zone of a Planfix domain: `acme.planfix.ua` → `ua`; a self-hosted or test address has none. */
function zoneOf(planfixUrl: string | undefined): string | undefined {
  try {
    const host = new URL(planfixUrl ?? '').hostname;
    return /\.planfix\.([a-z]+)$/.exec(host)?.[1];
  } catch {
    return undefined;
  }
}

const BY_ZONE: Record<string, Locale> = {
  ru: { language: 'ru', timeZone: 'Europe/Moscow' },
  ua: { language: 'uk', timeZone: 'Europe/Kyiv' },
  by: { language: 'ru', timeZone: 'Europe/Minsk' },
  kz: { language: 'ru', timeZone: 'Asia/Almaty' },
  pl: { language: 'pl', timeZone: 'Europe/Warsaw' },
};
const FALLBACK: Locale = { language: 'en', timeZone: 'UTC' };

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** The account's choice where it made one, else what its Planfix domain suggests. */
export function localeOf(a: { language?: Language; timeZone?: string; planfix: { url: string } }): Locale {
  const byZone = BY_ZONE[zoneOf(a.planfix.url) ?? ''] ?? FALLBACK;
  return { language: a.language ?? byZone.language, timeZone: a.timeZone ?? byZone.timeZone };
}

const wallClocks = new Map<string, Intl.DateTimeFormat>();

/** A moment's date and time on the wall clock of `timeZone`, two digits each (the year four, the hour 00–23). */
export interface WallClock { year: string; month: string; day: string; hour: string; minute: string; second: string }

/** The one reading of a moment on a zone's wall clock: Planfix texts, its filters, Ringostat's call log, the charts. */
export function wallClock(ms: number, timeZone: string): WallClock {
  let f = wallClocks.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
    wallClocks.set(timeZone, f);
  }
  return Object.fromEntries(f.formatToParts(ms).map((x) => [x.type, x.value])) as unknown as WallClock;
}

/** A moment as the team reads it: `01.12.2026 10:21` (ru, uk, pl) or `2026-12-01 10:21` (en), in the account's zone, with the zone named. */
export function formatTime(ms: number, locale: Locale): string {
  const p = wallClock(ms, locale.timeZone);
  const date = locale.language === 'en' ? `${p.year}-${p.month}-${p.day}` : `${p.day}.${p.month}.${p.year}`;
  return `${date} ${p.hour}:${p.minute} ${locale.timeZone === 'UTC' ? 'UTC' : `(${locale.timeZone})`}`;
}
