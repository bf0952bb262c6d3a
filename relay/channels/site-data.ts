import { ellipsize } from '../core/bounds.ts';
import { SITE_DATA_MAX_KEYS, UTM_KEYS, type UtmKey } from '../core/events.ts';
import { normalEmail } from '../core/identity.ts';
import { isObj, type Obj } from './read.ts';

// What a website passed about its visitor (Chatra's `setIntegrationData`: UTM tags, order or user
// ids, sometimes name, e-mail and phone). Any site can put anything there, in any spelling, so it
// is read by loose key names and kept bounded: at most MAX_KEYS shown keys, each key and value cut.

export const SITE_DATA_LIMITS = { keys: SITE_DATA_MAX_KEYS, keyLength: 40, valueLength: 200, depth: 2, listItems: 10 } as const;
/** Keys looked at per object: the rest of a huge object is not even walked. */
const MAX_SCAN = 100;

export interface SiteData {
  /** Name, e-mail and phone from the site, each only when it looks like one. */
  name?: string;
  email?: string;
  phone?: string;
  utm?: Partial<Record<UtmKey, string>>;
  /** The other keys, flattened (`order.id`), as text for people to read. */
  shown?: Record<string, string>;
}

/** `UTM_Source`, `utm-source`, `utmSource` → `utmsource`: one spelling to compare. */
const loose = (k: string) => k.toLowerCase().replace(/[^a-z0-9]/g, '');
const UTM_BY_LOOSE = new Map<string, UtmKey>(UTM_KEYS.map((k) => [loose(k), k]));
const NAME = new Set(['name', 'fullname', 'clientname', 'customername', 'visitorname', 'fio']);
const FIRST = new Set(['firstname', 'givenname']);
const LAST = new Set(['lastname', 'surname', 'familyname']);
const EMAIL = new Set(['email', 'mail', 'emailaddress', 'clientemail', 'customeremail', 'useremail']);
const PHONE = new Set(['phone', 'phonenumber', 'tel', 'telephone', 'mobile', 'mobilephone', 'clientphone', 'customerphone', 'userphone']);

/** One line of readable text: control characters and runs of blanks become one space, cut to `max`. */
function line(s: string, max: number): string {
  return ellipsize(s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\s]+/g, ' ').trim(), max);
}

function scalar(v: unknown): string | undefined {
  if (typeof v === 'string') return line(v, SITE_DATA_LIMITS.valueLength) || undefined;
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : undefined;
  if (typeof v === 'boolean') return String(v);
  return undefined;
}

const looksLikePhone = (s: string) => s.length <= 32 && /^[+\d\s().-]+$/.test(s) && (s.match(/\d/g)?.length ?? 0) >= 5;

/** Own keys of an object, at most MAX_SCAN of them. */
function ownKeys(o: Obj): string[] {
  const out: string[] = [];
  for (const k in o) {
    if (!Object.prototype.hasOwnProperty.call(o, k)) continue;
    out.push(k);
    if (out.length >= MAX_SCAN) break;
  }
  return out;
}

/** Nested objects become dotted keys down to `depth`; lists of values one comma-separated line. */
function flatten(key: string, v: unknown, depth: number, out: [string, string][]): void {
  if (out.length >= SITE_DATA_LIMITS.keys) return;
  const k = line(key, SITE_DATA_LIMITS.keyLength);
  if (!k || k === '__proto__') return;
  const s = scalar(v);
  if (s !== undefined) {
    out.push([k, s]);
  } else if (Array.isArray(v)) {
    const items = v.slice(0, SITE_DATA_LIMITS.listItems).map((x) => scalar(x) ?? (x && typeof x === 'object' ? '{…}' : '')).filter(Boolean);
    if (v.length > SITE_DATA_LIMITS.listItems) items.push('…');
    if (items.length) out.push([k, line(items.join(', '), SITE_DATA_LIMITS.valueLength)]);
  } else if (isObj(v)) {
    if (depth >= SITE_DATA_LIMITS.depth) {
      out.push([k, '{…}']);
      return;
    }
    // The cut key: a long one would be copied and scanned again for every key under it.
    for (const sub of ownKeys(v)) flatten(`${k}.${sub}`, v[sub], depth + 1, out);
  }
}

/**
 * Reads `client.info` (confirmed), `client.integrationData` and `client.basicInfo` (unconfirmed in
 * webhooks). `given` is what the visitor gave Chatra: it wins, and a different name, e-mail or
 * phone from the site is shown instead of dropped.
 */
export function readSiteData(client: Obj, given: { name?: string; email?: string; phone?: string }): SiteData {
  const sources = [client.info, client.integrationData, client.basicInfo].filter(isObj);
  if (!sources.length) return {};
  const pairs: [string, string][] = [];
  const utm: Partial<Record<UtmKey, string>> = {};
  const found: { name?: string; first?: string; last?: string; email?: string; phone?: string } = {};
  const identity: [string, string, 'name' | 'email' | 'phone'][] = [];
  for (const src of sources) {
    for (const k of ownKeys(src)) {
      const v = src[k];
      const lk = loose(k);
      const u = UTM_BY_LOOSE.get(lk);
      if (u) {
        const s = scalar(v);
        if (s && !utm[u]) utm[u] = s;
        continue;
      }
      if (lk === 'utm' && isObj(v)) {
        for (const sub of ownKeys(v)) {
          const su = UTM_BY_LOOSE.get(loose(sub)) ?? UTM_BY_LOOSE.get(`utm${loose(sub)}`);
          const s = scalar(v[sub]);
          if (su && s && !utm[su]) utm[su] = s;
        }
        continue;
      }
      const s = scalar(v);
      const kind = NAME.has(lk) ? 'name' : FIRST.has(lk) ? 'first' : LAST.has(lk) ? 'last' : EMAIL.has(lk) ? 'email' : PHONE.has(lk) ? 'phone' : undefined;
      if (kind && s) {
        const ok = kind === 'email' ? normalEmail(s) : kind === 'phone' ? (looksLikePhone(s) ? s : undefined) : line(s, 100);
        if (ok && found[kind] === undefined) {
          found[kind] = ok;
          if (kind !== 'first' && kind !== 'last') identity.push([k, s, kind]);
          continue;
        }
      }
      flatten(k, v, 0, pairs);
    }
  }
  const name = found.name ?? ([found.first, found.last].filter(Boolean).join(' ') || undefined);
  const out: SiteData = {
    name: given.name ? undefined : name,
    email: given.email ? undefined : found.email,
    phone: given.phone ? undefined : found.phone,
  };
  // The site's own value where the visitor gave another: both are worth seeing.
  for (const [k, s, kind] of identity) {
    const used = given[kind];
    const same = kind === 'email' ? normalEmail(used) === normalEmail(s)
      : kind === 'phone' ? used?.replace(/\D/g, '') === s.replace(/\D/g, '')
      : used?.trim() === s.trim();
    if (used && !same && pairs.length < SITE_DATA_LIMITS.keys) pairs.unshift([line(k, SITE_DATA_LIMITS.keyLength), s]);
  }
  if (Object.keys(utm).length) out.utm = utm;
  const shown = dedupe(pairs);
  if (shown.length) out.shown = Object.fromEntries(shown);
  return out;
}

function dedupe(pairs: [string, string][]): [string, string][] {
  const seen = new Set<string>();
  return pairs.filter(([k]) => !seen.has(k) && !!seen.add(k)).slice(0, SITE_DATA_LIMITS.keys);
}
