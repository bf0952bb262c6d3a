import { parseJsonBody, type Obj } from '../read.ts';

// Viber's `message_token` (and in some SDK vectors `timestamp`) are 64-bit integers; a plain
// JSON.parse rounds them above 2^53, so two different tokens could become the same Number.
// Before parsing, every bare integer literal of 16 or more digits is turned into a JSON string
// holding its exact digits. String literals are matched first, so digits inside strings are left alone.
// A string left open runs to the end of the text (the closing quote is optional): were it required,
// the scan would start again at every later quote, quadratic in a body of escaped quotes (a signed
// 80 KB body held the event loop for 2 s).
const TOKENS = /"(?:[^"\\]|\\.)*"?|(?<![\w.+-])-?\d{16,}(?![\w.])/g;

export function quoteBigInts(text: string): string {
  return text.replace(TOKENS, (m) => (m.startsWith('"') ? m : `"${m}"`));
}

/** A JSON object body with every integer too long for a double kept as its exact digits (a string). */
export function parseViberJson(raw: Buffer | string): Obj {
  return parseJsonBody(Buffer.from(quoteBigInts(typeof raw === 'string' ? raw : raw.toString('utf8')), 'utf8'));
}
