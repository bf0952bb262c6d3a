// Planfix comments are HTML; customers' messengers (Chatra, Viber, Verbox) show text as typed.

const NAMED: Record<string, string> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', shy: '',
  ndash: '–', mdash: '—', hellip: '…', laquo: '«', raquo: '»', lsquo: '‘', rsquo: '’', sbquo: '‚',
  ldquo: '“', rdquo: '”', bdquo: '„', bull: '•', middot: '·', times: '×', divide: '÷', minus: '−',
  plusmn: '±', deg: '°', copy: '©', reg: '®', trade: '™', euro: '€', pound: '£', yen: '¥', cent: '¢',
  sect: '§', para: '¶', numero: '№', larr: '←', rarr: '→', uarr: '↑', darr: '↓', frac12: '½', frac14: '¼', frac34: '¾',
};

/** Entities decoded: the common named ones and every numeric one; an unknown one stays as written. */
export function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#[xX][0-9a-fA-F]{1,6}|#\d{1,7}|[a-zA-Z][a-zA-Z0-9]{1,31});/g, (whole, name: string) => {
    if (name[0] !== '#') return Object.prototype.hasOwnProperty.call(NAMED, name) ? NAMED[name]! : whole;
    const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
    // NUL, surrogates and beyond Unicode are what browsers replace too; control characters mean nothing in a chat.
    if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return '\uFFFD';
    return (code < 0x20 && code !== 9 && code !== 10) || (code >= 0x7f && code <= 0x9f) ? '' : String.fromCodePoint(code);
  });
}

const EDGE = '\u0001';
const PARA = '\u0002';

/** Tags after which (or before which) a line ends. */
const BLOCK = /^(div|li|ul|ol|h[1-6]|tr|table|blockquote|pre|section|article|header|footer|dl|dt|dd|hr)$/;

/**
 * An employee's reply as plain text: tags stripped, entities decoded, line breaks kept (`<br>`,
 * paragraphs, divs and list items end lines), links written out as `text (url)`, script and style
 * dropped. A text without tags keeps its own line breaks; with tags, its source line breaks are
 * HTML whitespace, as a browser shows them.
 */
export function plainText(input: string): string {
  // Every pattern below stops at the next `<` (a tag holds none, a link no other link): one that
  // scanned on to a `>` or `</a>` further away would rescan the rest of the text from every
  // unclosed `<a` of it, minutes for one request under the body limit.

  if (!/<\/?[a-zA-Z][^<>]*>|<!--/.test(input)) return decodeEntities(input).replace(/\r\n?/g, '\n');
  let s = input
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, '')
    .replace(/<!--[\s\S]*?(-->|$)/g, '')
    .replace(/<(script|style|template|head)\b[^<>]*>[\s\S]*?(<\/\1\s*>|$)/gi, '')
    .replace(/\s+/g, ' ');
  s = s.replace(/<a\b([^<>]*)>((?:(?!<a\b|<\/a\s*>)[\s\S])*)<\/a\s*>/gi, (_, attrs: string, inner: string) => {
    const text = stripTags(inner).trim();
    const url = decodeEntities(attr(attrs, 'href')).trim();
    // Only links a customer can follow are written out; a javascript: one leaves its text.
    if (!/^(https?:|mailto:|tel:)/i.test(url)) return text;
    const bare = url.replace(/^mailto:|^tel:/i, '');
    return !text || decodeEntities(text) === url || decodeEntities(text) === bare ? escapeAmp(bare) : `${text} (${escapeAmp(bare)})`;
  });
  // An inline picture is all some comments hold: its address keeps it reachable.
  s = s.replace(/<img\b([^<>]*)>/gi, (_, attrs: string) => {
    const url = decodeEntities(attr(attrs, 'src')).trim();
    const alt = attr(attrs, 'alt').trim();
    if (!/^https?:/i.test(url)) return alt;
    return alt ? `${alt} (${escapeAmp(url)})` : escapeAmp(url);
  });
  // Block edges are marked first and merged after: `</div><div>` is one line break, not two.
  s = s.replace(/<\/?([a-zA-Z][a-zA-Z0-9]*)\b[^<>]*>/g, (tag, name: string) => {
    const n = name.toLowerCase();
    if (n === 'br') return '\n';
    if (n === 'p') return PARA;
    if (n === 'li') return tag[1] === '/' ? EDGE : `${EDGE}• `;
    if (n === 'td' || n === 'th') return ' ';
    return BLOCK.test(n) ? EDGE : '';
  });
  // Entities last: an encoded `&lt;p&gt;` is text, and a decoded control character no marker.
  // Blanks before a mark end a line and go with its trim below; matched here, a long run of them
  // would be rescanned from each of its positions.
  s = decodeEntities(stripTags(s).replace(/[\u0001\u0002][ \t\u0001\u0002]*/g, (run) => (run.includes(PARA) ? '\n\n' : '\n')));
  return s.split('\n').map((l) => l.replace(/[ \t]+/g, ' ').trim()).join('\n').replace(/\n{3,}/g, '\n\n').trim();
}

/** An attribute's value as written (quoted either way or bare); '' when absent. */
function attr(attrs: string, name: string): string {
  const m = new RegExp(`(?:^|\\s)${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(attrs);
  return m ? m[1] ?? m[2] ?? m[3] ?? '' : '';
}

/** What is left of a tag after the known ones were turned into text (a stray `<x ...>`). */
function stripTags(s: string): string {
  return s.replace(/<\/?[a-zA-Z!][^<>]*>/g, '');
}

/** A URL written into the text before entities are decoded must come out as written. */
function escapeAmp(url: string): string {
  return url.replace(/&/g, '&amp;');
}
