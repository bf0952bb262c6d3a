// Form-encoding helpers for the Chat API. We parse with URLSearchParams instead of
// qs/koa-body because the documented attachment format is *repeated* bracket keys
// (`attachments[name]`, `attachments[url]`, ...) whose pairing depends on order.

export interface Attachment {
  name: string;
  url: string;
}

export type FormEntries = [string, string][];

export function parseForm(raw: string): FormEntries {
  return [...new URLSearchParams(raw).entries()];
}

/** Plain fields (last value wins); attachment keys are left out — see `attachmentsOf`. */
export function fieldsOf(entries: FormEntries): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of entries) {
    if (!k.startsWith('attachments[')) out[k] = v;
  }
  return out;
}

const PAIR = /^attachments\[(name|url)\]$/;
const INDEXED = /^attachments\[(\d+)\]\[(name|url)\]$/;

/**
 * Pairs repeated `attachments[name]`/`attachments[url]` keys in arrival order: the n-th
 * name goes with the n-th url. Indexed keys (`attachments[0][name]`) are tolerated too
 * because the docs leave open whether Planfix accepts them.
 */
export function attachmentsOf(entries: FormEntries): Attachment[] {
  const names: string[] = [];
  const urls: string[] = [];
  const indexed = new Map<number, Partial<Attachment>>();
  for (const [k, v] of entries) {
    const pair = PAIR.exec(k);
    if (pair) {
      (pair[1] === 'name' ? names : urls).push(v);
      continue;
    }
    const idx = INDEXED.exec(k);
    if (idx) {
      const i = Number(idx[1]);
      const slot = indexed.get(i) ?? {};
      slot[idx[2] as 'name' | 'url'] = v;
      indexed.set(i, slot);
    }
  }
  const out: Attachment[] = [];
  for (let i = 0; i < Math.max(names.length, urls.length); i++) {
    out.push({ name: names[i] ?? '', url: urls[i] ?? '' });
  }
  for (const i of [...indexed.keys()].sort((a, b) => a - b)) {
    const slot = indexed.get(i)!;
    out.push({ name: slot.name ?? '', url: slot.url ?? '' });
  }
  return out;
}

/** Encodes fields then attachments as documented repeated pairs (name before url). */
export function encodeForm(
  fields: Record<string, string | undefined>,
  attachments: Attachment[] = [],
): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) {
    if (v !== undefined) p.append(k, v);
  }
  for (const a of attachments) {
    p.append('attachments[name]', a.name);
    p.append('attachments[url]', a.url);
  }
  return p.toString();
}
