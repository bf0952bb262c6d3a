import { createHash, timingSafeEqual } from 'node:crypto';

/** Constant-time string comparison (hashing first makes the lengths equal). */
export function safeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb) && a.length === b.length;
}

/**
 * Constant-time comparison for a secret whose length is no secret: the webhook URL secrets the
 * relay generates are all 32 characters. Another length is refused without comparing; equal
 * lengths are compared in constant time. Checked on every webhook, it costs a tenth of safeEqual
 * (which hashes both sides, for secrets such as the admin token whose length is chosen).
 */
export function safeEqualFixedLength(expected: string, given: string): boolean {
  if (expected.length !== given.length) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
