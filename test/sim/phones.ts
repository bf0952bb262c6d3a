// How the simulated Planfix compares phone numbers. Planfix stores numbers as written and
// documents no normalisation, so each comparison here is a stated simulator choice.

export const digitsOf = (s: string): string => s.replace(/\D/g, '');

/**
 * REST contact filter 4003, where "equal" means "contains". 'stored' compares the text as
 * stored (the documented substring match); 'digits' ignores everything but digits on both sides.
 */
export function phoneContains(stored: string, value: string, mode: 'stored' | 'digits'): boolean {
  if (mode === 'stored') return value !== '' && stored.includes(value);
  const want = digitsOf(value);
  return want !== '' && digitsOf(stored).includes(want);
}

/**
 * The Telephony API's idea of "the same number" (undocumented): equal digits, or equal last
 * ten digits, so `+380 67 123 45 67`, `380671234567` and `067 123 45 67` are one number, and
 * so are `+7 905 123-45-67` and `8 905 123 45 67`, as a PBX-facing system has to assume.
 */
export function samePhone(a: string, b: string): boolean {
  const x = digitsOf(a);
  const y = digitsOf(b);
  if (x === '' || y === '') return false;
  if (x === y) return true;
  return x.length >= 10 && y.length >= 10 && x.slice(-10) === y.slice(-10);
}
