// The widget writes times as Intl.DateTimeFormat's short date and time style does for its three
// languages, without Intl (widget/i18n.ts says why): the same text for the same moment, in
// several time zones, across the years a Date holds.
import test from 'ava';
import { when, type Lang } from '../widget/i18n.ts';

const LOCALES: Record<Lang, string> = { en: 'en-GB', ru: 'ru-RU', uk: 'uk-UA' };
const DAY = 86_400_000;

/** Moments a history holds (every few hours over the years around now) and the edges a Date allows. */
function moments(): number[] {
  const out: number[] = [];
  for (let t = Date.UTC(1999, 11, 31, 22, 59); t < Date.UTC(2031, 0, 1); t += 7 * DAY + 3_677_000) out.push(t);
  out.push(0, -1, Date.parse('0999-01-05T12:00Z'), Date.parse('+010001-01-05T00:00Z'), Date.parse('0000-06-15T12:00Z'), Date.parse('-000001-06-15T12:00Z'), 8.64e15, -8.64e15);
  return out;
}

/** Zones, with their offset from UTC on 1 January 2026 as Date gives it (minutes, west positive). */
const ZONES = { UTC: 0, 'Europe/Kyiv': -120, 'America/St_Johns': 210, 'Asia/Kathmandu': -345 };

for (const [zone, offset] of Object.entries(ZONES)) {
  test.serial(`times read as Intl writes them in en-GB, ru-RU and uk-UA, in ${zone}`, (t) => {
    const before = process.env.TZ;
    process.env.TZ = zone;
    try {
      t.is(new Date(Date.UTC(2026, 0, 1)).getTimezoneOffset(), offset, 'the zone is in force');
      for (const [lang, locale] of Object.entries(LOCALES) as [Lang, string][]) {
        const intl = new Intl.DateTimeFormat(locale, { dateStyle: 'short', timeStyle: 'short' });
        for (const ms of moments()) t.is(when(ms, lang), intl.format(ms), `${lang} ${new Date(ms).toISOString()}`);
      }
    } finally {
      if (before === undefined) delete process.env.TZ;
      else process.env.TZ = before;
    }
  });
}

test('no time for what a Date cannot hold', (t) => {
  for (const ms of [8.64e15 + 1, -8.64e15 - 1, NaN, Infinity, undefined]) t.is(when(ms, 'en'), undefined, String(ms));
});
