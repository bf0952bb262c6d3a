import { z } from 'zod';

/**
 * A channel's admission limits: what one leaked webhook URL can make the relay do. Every field is
 * optional; an unset one takes its default. The defaults and the traffic they are sized against
 * are in the README ("Admission limits"): none of them refuses a real site's traffic.
 */
export const limitsSchema = z.object({
  /** Webhook requests per second, sustained (a token bucket refilled at this rate). */
  ratePerSecond: z.number().positive().max(10_000).optional()
    .describe('webhook requests per second, sustained (default 20)'),
  /** Requests the bucket holds: a burst this large passes at once. */
  burst: z.number().int().min(1).max(100_000).optional()
    .describe('requests that may arrive at once (default 200)'),
  /** Chat customers the relay has never seen, per clock hour (chat channels). */
  newConversationsPerHour: z.number().int().min(0).max(100_000).optional()
    .describe('new chat customers per clock hour (default 500)'),
  /** Caller numbers the relay has never seen, per clock hour (call channels). */
  newContactsPerHour: z.number().int().min(0).max(100_000).optional()
    .describe('new caller numbers per clock hour (default 600)'),
  /** Events of the account waiting for delivery above which this channel's webhooks get 503. */
  accountBacklog: z.number().int().min(1).max(10_000_000).optional()
    .describe('events of the account waiting for Planfix above which webhooks get 503 (default 50000)'),
}).strict();

export type Limits = z.infer<typeof limitsSchema>;

export const DEFAULT_LIMITS: Required<Limits> = {
  ratePerSecond: 20,
  burst: 200,
  newConversationsPerHour: 500,
  newContactsPerHour: 600,
  accountBacklog: 50_000,
};

export function effectiveLimits(l: Limits | undefined): Required<Limits> {
  return { ...DEFAULT_LIMITS, ...Object.fromEntries(Object.entries(l ?? {}).filter(([, v]) => v !== undefined)) };
}
