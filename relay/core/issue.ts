import type { z } from 'zod';

/** A schema's first complaint as one line an admin can act on: "settings.publicKey: Required". */
export function issueText(err: z.ZodError, prefix = ''): string {
  const issue = err.issues[0]!;
  const keys = issue.code === 'unrecognized_keys' ? issue.keys : undefined;
  const path = [prefix, ...issue.path.map(String), ...(keys?.length ? [keys[0]!] : [])].filter(Boolean).join('.');
  const message = issue.code === 'unrecognized_keys' ? 'unknown field' : issue.message;
  return `${path || 'body'}: ${message}`;
}
