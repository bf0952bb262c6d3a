// Webhook bodies built to make one request become as much as it can, each under the 1 MB body
// limit: as many events as fit, every field as long as fits, as many pages as fit. `tag` makes
// the ids of each body new, so a resend is not dropped as a duplicate.

/** Just under the relay's 1 MB body limit. */
export const BODY_BUDGET = 1024 * 1024 - 4096;

const pad = (n: number, c = 'x') => c.repeat(Math.max(0, n));
const longUrl = (n: number, base = 'https://shop.example.com/') => `${base}${pad(n - base.length, 'a')}`;

/**
 * Chatra chatFragment: a visit of 100 pages with 5,000-character titles and very long fields,
 * then one-character messages until the body is full (about 10,000): the case.
 */
export function chatraFanOut(tag: string): string {
  const now = Date.now();
  const client = {
    // The customer repeats in every event: one long field here, all of them in chatraOverJournal.
    id: `vis-${tag}`, name: pad(4000, 'N'), displayedName: 'Pumpkin Ninja', email: 'olga@example.com', phone: '+380501112233',
    city: pad(4000, 'C'), country: pad(4000, 'K'), browser: pad(4000, 'B'), os: pad(4000, 'O'), referrer: longUrl(20_000),
    chatStartPage: longUrl(20_000), utm: { source: pad(10_000, 's'), medium: pad(10_000, 'm'), campaign: pad(10_000, 'c') },
    visitedPages: Array.from({ length: 100 }, (_, i) => ({ url: `https://shop.example.com/${tag}/p/${i}`, title: pad(5000, 'T'), time: now - (100 - i) * 1000 })),
  };
  const head = JSON.stringify({ eventName: 'chatFragment', client, messages: [] });
  const messages: string[] = [];
  let size = head.length;
  for (let i = 0; ; i++) {
    const m = JSON.stringify({ id: `${tag}-${i}`, type: 'client', message: 'a', createdAt: now });
    if (size + m.length + 1 > BODY_BUDGET) break;
    messages.push(m);
    size += m.length + 1;
  }
  return head.replace('"messages":[]', `"messages":[${messages.join(',')}]`);
}

/**
 * Chatra chatFragment of 1,000 messages (within the per-request cap) whose customer repeats in
 * each of them with every field at its length limit in three-byte characters: bounded field by
 * field, it still journals several MB, so the request is refused whole.
 */
export function chatraOverJournal(tag: string): string {
  const wide = (n: number) => pad(n, '€');
  const client = { id: `vis-${tag}`, name: wide(600), displayedName: wide(600), email: wide(600), phone: wide(600) };
  const messages = Array.from({ length: 1000 }, (_, i) => ({ id: `${tag}-${i}`, type: 'client', message: 'a' }));
  return JSON.stringify({ eventName: 'chatFragment', client, messages });
}

/** Viber message callback: one event, every field as long as the body allows. */
export function viberFanOut(tag: string): string {
  return JSON.stringify({
    event: 'message', timestamp: Date.now(), message_token: `59${tag.replace(/\D/g, '').padStart(16, '0').slice(-16)}`,
    sender: { id: `u-${tag}`, name: pad(50_000, 'N'), avatar: longUrl(50_000), country: pad(10_000, 'K') },
    message: { type: 'text', text: pad(BODY_BUDGET - 300_000, 'w'), tracking_data: pad(150_000, 'd') },
  });
}

/** Verbox message (the relay's default field map): long fields, 5,000 pages, a long text. */
export function verboxFanOut(tag: string): string {
  const pages = Array.from({ length: 5000 }, (_, i) => ({ url: `https://shop.example.com/${tag}/p/${i}`, title: 'Page' }));
  const fields = {
    event: 'message', messageId: `m-${tag}`, clientId: `c-${tag}`, name: pad(20_000, 'N'), email: pad(20_000, 'e'), phone: pad(5000, '1'),
    title: pad(20_000, 'T'), browser: pad(20_000, 'B'), os: pad(20_000, 'O'), city: pad(20_000, 'C'), referrer: longUrl(20_000),
    utm_source: pad(20_000, 's'), utm_content: pad(20_000, 'u'), pages,
  };
  const head = JSON.stringify({ ...fields, text: '' });
  return JSON.stringify({ ...fields, text: pad(BODY_BUDGET - head.length - 100, 'w') });
}

/** Ringostat call end (JSON, default keys): UTM values, referrer, landing and names at length. */
export function ringostatFanOut(tag: string): string {
  const share = Math.floor((BODY_BUDGET - 2000) / 9);
  return JSON.stringify({
    event: 'call_end', uniqueid: `call-${tag}`, caller: '+380671234567', dst: pad(share, '2'), call_type: 'in', disposition: 'ANSWERED', billsec: 30,
    employee_fio: pad(share, 'E'), connected_with: pad(share, '3'), refferrer: longUrl(share), landing: longUrl(share),
    utm_source: pad(share, 's'), utm_medium: pad(share, 'm'), utm_campaign: pad(share, 'c'), utm_term: pad(share, 't'),
  });
}
