import { createHash } from 'node:crypto';
import { HttpError } from '../errors.ts';
import { MAX_PAGES_PER_VISIT } from '../core/bounds.ts';
import { remembered } from '../core/memo.ts';
import { UTM_KEYS, type Page, type UtmKey } from '../core/events.ts';

// Helpers for reading provider bodies whose exact keys are not all confirmed: every reader takes
// several spellings and returns undefined rather than throwing.

export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

/** The first non-empty string (or number, as a string) among the given keys of `o`. */
export function str(o: unknown, ...keys: string[]): string | undefined {
  if (!isObj(o)) return undefined;
  for (const k of keys) {
    const v = valueText(k.includes('.') ? k.split('.').reduce<unknown>((acc, p) => (isObj(acc) ? acc[p] : undefined), o) : o[k]);
    if (v !== undefined) return v;
  }
  return undefined;
}

/** A non-empty string, trimmed, or a finite number as a string; else undefined. */
function valueText(v: unknown): string | undefined {
  if (typeof v === 'string') {
    const t = v.trim();
    return t || undefined;
  }
  return typeof v === 'number' && Number.isFinite(v) ? String(v) : undefined;
}

/** A chat's pages and landing URL come again with every webhook of the chat. */
const URL_MEMO = { maxLength: 500, maxSize: 5000 };

const parseHttpUrl = remembered((s: string): string | undefined => {
  try {
    const u = new URL(s);
    if (u.protocol !== 'https:' && u.protocol !== 'http:') return undefined;
    return u.href === s ? s : u.href;
  } catch {
    return undefined;
  }
}, URL_MEMO.maxLength, URL_MEMO.maxSize);

/** The URL when it is absolute http(s): attachment links are fetched by Planfix or shown to customers. */
export function httpUrl(v: unknown): string | undefined {
  return typeof v === 'string' ? parseHttpUrl(v.trim()) : undefined;
}

/** A request header by its lower-case name, whatever case the caller's map uses. */
export function header(req: { headers: Record<string, string | string[] | undefined> }, name: string): string | undefined {
  const hit = Object.keys(req.headers).find((k) => k.toLowerCase() === name);
  const v = hit === undefined ? undefined : req.headers[hit];
  // A repeated header is ambiguous: joined, as Node joins most, it matches no expected value.
  return Array.isArray(v) ? v.join(', ') : v;
}

/** Deeper than any provider's payload (theirs nest four or five levels), far below what recursion survives. */
export const MAX_JSON_DEPTH = 64;

/**
 * How deep arrays and objects nest in JSON text, counting no further than `limit + 1`. JSON.parse
 * takes any depth, but JSON.stringify (hashing a message, journaling) and every recursive reader
 * overflow the stack on a value nested some thousands deep: such a body is refused before parsing.
 */
function nestingOver(raw: Buffer, limit: number): boolean {
  // Most webhooks open fewer brackets in all than the limit, so none can nest past it: counting
  // them natively (indexOf) costs a fifth of the byte-by-byte walk below, on every webhook.
  let openings = 0;
  for (const b of [0x5b, 0x7b]) {
    for (let i = raw.indexOf(b); i !== -1 && openings <= limit; i = raw.indexOf(b, i + 1)) openings++;
  }
  if (openings <= limit) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (inString) {
      if (c === 0x5c) i++; // backslash: the next byte is escaped
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

export function parseJsonBody(raw: Buffer): Obj {
  if (nestingOver(raw, MAX_JSON_DEPTH)) throw new HttpError(400, `body nests deeper than ${MAX_JSON_DEPTH} levels`);
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new HttpError(400, 'body is not valid JSON');
  }
  if (!isObj(body)) throw new HttpError(400, 'body must be a JSON object');
  return body;
}

/** The last path segment of a URL, percent-decoded when it decodes (a malformed escape stays as written). */
export function urlFileName(url: string): string {
  let last: string;
  try {
    last = new URL(url).pathname.split('/').pop() ?? '';
  } catch {
    return '';
  }
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}

export function bodyHash(raw: Buffer): string {
  return createHash('sha256').update(raw).digest('hex').slice(0, 32);
}

/** The most a Date holds; a bigger number is no time at all (and Date#toISOString throws on it). */
const MAX_TIME_MS = 8.64e15;

/** Milliseconds since the epoch from ms, seconds or an ISO string. */
export function time(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) {
    const ms = v < 1e12 ? v * 1000 : v;
    return Math.abs(ms) <= MAX_TIME_MS ? ms : undefined;
  }
  if (typeof v === 'string' && v.trim()) {
    if (/^\d+$/.test(v.trim())) return time(Number(v));
    const t = Date.parse(v.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
    return Number.isNaN(t) ? undefined : t;
  }
  return undefined;
}

/** Each UTM key with the other spellings an object may use for it: utm_source, source, utmsource. */
const UTM_SPELLINGS = UTM_KEYS.map((k) => [k, k.slice(4), k.replace('_', '')] as const);

/** The UTM keys of a URL's query (none when it is not a URL); frozen, shared by every caller. */
const utmOfUrl = remembered((src: string): Readonly<Partial<Record<UtmKey, string>>> => {
  const out: Partial<Record<UtmKey, string>> = {};
  try {
    const q = new URL(src).searchParams;
    for (const k of UTM_KEYS) if (q.get(k)) out[k] = q.get(k)!;
  } catch { /* not a URL */ }
  return Object.freeze(out);
}, URL_MEMO.maxLength, URL_MEMO.maxSize);

/** UTM from an object ({source} or {utm_source}), flat keys on the parent, or a URL's query. */
export function readUtm(...sources: unknown[]): Partial<Record<UtmKey, string>> | undefined {
  const out: Partial<Record<UtmKey, string>> = {};
  const parsed = new Set<string>();
  for (const src of sources) {
    // Later sources only fill keys still missing: once all are found, the rest cannot add any.
    if (UTM_KEYS.every((k) => out[k])) break;
    if (typeof src === 'string') {
      // A URL is parsed (a few microseconds each, on every webhook) only when its query can hold a
      // UTM key: written out, or percent-encoded; and each distinct URL once.
      if (parsed.has(src) || (!src.includes('utm') && !src.includes('%'))) continue;
      parsed.add(src);
      const found = utmOfUrl(src);
      for (const k of UTM_KEYS) if (!out[k] && found[k]) out[k] = found[k];
    } else if (isObj(src)) {
      for (const [k, short, joined] of UTM_SPELLINGS) {
        if (out[k]) continue;
        // str(src, k, short, joined) without its array of keys: this runs for every webhook.
        const v = valueText(src[k]) ?? valueText(src[short]) ?? valueText(src[joined]);
        if (v) out[k] = v;
      }
    }
  }
  return Object.keys(out).length ? out : undefined;
}

export function readPages(v: unknown): Page[] | undefined {
  if (!Array.isArray(v)) return undefined;
  const pages: Page[] = [];
  // Only the pages core/bounds.ts keeps are worth reading: a body may list thousands.
  for (const p of v.slice(-MAX_PAGES_PER_VISIT)) {
    if (typeof p === 'string' && httpUrl(p)) pages.push({ url: httpUrl(p)! });
    else if (isObj(p)) {
      const url = httpUrl(str(p, 'url', 'href', 'link', 'page'));
      if (url) pages.push({ url, title: str(p, 'title', 'name'), at: time(p.time ?? p.at ?? p.timestamp ?? p.createdAt ?? p.date) });
    }
  }
  return pages.length ? pages : undefined;
}

/** A JSON object or a form body as one object: some providers send either, as configured. */
export function readJsonOrForm(raw: Buffer, contentType: string): Obj {
  const text = raw.toString('utf8').trim();
  if (!text) return {};
  if (/^application\/x-www-form-urlencoded/i.test(contentType) || (!text.startsWith('{') && !text.startsWith('['))) {
    if (!/^[^=&]+=/.test(text)) throw new HttpError(400, 'body is neither JSON nor a form');
    return Object.fromEntries(new URLSearchParams(text));
  }
  return parseJsonBody(raw);
}

/**
 * Reads a body whose key names the customer chose: `map` gives the key per field (a dotted key
 * reads a nested object), `defaults` the provider's own names.
 */
export class FieldReader<F extends string> {
  constructor(private readonly body: Obj, private readonly defaults: Record<F, string>, private readonly map?: Partial<Record<F, string>>) {}
  key(f: F): string {
    return this.map?.[f] ?? this.defaults[f];
  }
  raw(f: F): unknown {
    const key = this.key(f);
    // Own keys only: a mapped key like "constructor" must not read what every object inherits.
    return Object.hasOwn(this.body, key) ? this.body[key] : key.split('.').reduce<unknown>((o, p) => (isObj(o) && Object.hasOwn(o, p) ? o[p] : undefined), this.body);
  }
  str(f: F): string | undefined {
    return str({ v: this.raw(f) }, 'v');
  }
}
