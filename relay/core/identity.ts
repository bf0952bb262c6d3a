import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import { remembered } from './memo.ts';

// Every event of a conversation carries the same phone, and parsing one with the full metadata
// costs tens of microseconds. Keyed by country and number; only phone-sized strings.
const e164Of = remembered((key: string) => {
  const cut = key.indexOf('\n');
  return parseE164(key.slice(cut + 1), key.slice(0, cut));
}, 80, 10_000);

/** E.164 for a phone written any way the customer or a site mask wrote it; undefined when it does not parse. */
export function toE164(raw: string | undefined, defaultCountry: string): string | undefined {
  return raw ? e164Of(`${defaultCountry}\n${raw}`) : undefined;
}

function parseE164(raw: string, defaultCountry: string): string | undefined {
  const cleaned = raw.trim();
  if (!/\d/.test(cleaned)) return undefined;
  // Numbers sent without "+" but with a country code (Ringostat "380…", Planfix "7905…") are
  // tried as international first when they are too long to be national.
  const candidates = cleaned.startsWith('+') || cleaned.startsWith('00') ? [cleaned] : [cleaned, `+${cleaned.replace(/\D/g, '')}`];
  for (const c of candidates) {
    const p = parsePhoneNumberFromString(c.replace(/^00/, '+'), defaultCountry.toUpperCase() as CountryCode);
    if (p?.isValid()) return p.number;
  }
  return undefined;
}

/** The longest address SMTP carries (RFC 5321); past it, the pattern below would cost time squared. */
const EMAIL_MAX = 254;

/** No blank, no @ and no control character (a NUL is what PostgreSQL cannot store in a key). */
const EMAIL = /^[^\s@\u0000-\u001f\u007f]+@[^\s@\u0000-\u001f\u007f]+\.[^\s@\u0000-\u001f\u007f]+$/;

export function normalEmail(raw: string | undefined): string | undefined {
  const e = raw?.trim().toLowerCase();
  return e && e.length <= EMAIL_MAX && EMAIL.test(e) ? e : undefined;
}

export interface Identifiers {
  /** `${channelId}/${provider client id}` */
  client: string;
  phone?: string;
  email?: string;
}

/** What the identity rules need to read from the contact index. */
export interface IdentityIndex {
  byClient(client: string): string | undefined;
  byPhone(phone: string): string | undefined;
  byEmail(email: string): string | undefined;
}

/**
 * The contact key of a customer (docs/DESIGN.md, Identity): a provider client already bound keeps its
 * key; otherwise a known phone, then a known email, binds it to that customer; otherwise the key
 * is the first known of E.164 phone, lower-cased email, provider client id.
 */
export function contactKey(index: IdentityIndex, ids: Identifiers): string {
  return index.byClient(ids.client)
    ?? (ids.phone && index.byPhone(ids.phone))
    ?? (ids.email && index.byEmail(ids.email))
    ?? ids.phone ?? ids.email ?? ids.client;
}

/**
 * The texts to search Planfix's phone filter with (a substring match whose digit handling is
 * unconfirmed): the national significant number is inside every unseparated spelling ("+380…",
 * "380…", "0…", "8…"), the two formatted ones match numbers typed with spaces.
 */
export function phoneSearchForms(e164: string): string[] {
  const p = parsePhoneNumberFromString(e164);
  if (!p) return [e164];
  return [...new Set([p.nationalNumber, p.formatInternational(), p.formatNational()])];
}
