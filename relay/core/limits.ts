import { z } from 'zod';

export const DEFAULT_LIMITS = {
  ratePerSecond: 20,
  burst: 200,
  newConversationsPerHour: 500,
  newContactsPerHour: 600,
  accountBacklog: 50_000,
} as const;

/**
 * A channel's admission limits: what one leaked webhook URL can make the relay do. Every field is
 * optional and an unset one takes its default, so a better default reaches every channel that did
 * not choose its own (the default is published in the JSON Schema, never stored). The defaults and
 * the traffic they are sized against are in the README ("Admission limits").
 */
export const limitsSchema = z.object({
  ratePerSecond: z.number().positive().max(10_000).optional()
    .meta({ default: DEFAULT_LIMITS.ratePerSecond, description: 'webhook requests per second, sustained (a token bucket refilled at this rate)' }),
  burst: z.number().int().min(1).max(100_000).optional()
    .meta({ default: DEFAULT_LIMITS.burst, description: 'requests the bucket holds: a burst this large passes at once' }),
  newConversationsPerHour: z.number().int().min(0).max(100_000).optional()
    .meta({ default: DEFAULT_LIMITS.newConversationsPerHour, description: 'chat customers the relay has not seen, per clock hour (chat channels)' }),
  newContactsPerHour: z.number().int().min(0).max(100_000).optional()
    .meta({ default: DEFAULT_LIMITS.newContactsPerHour, description: 'caller numbers the relay has not seen, per clock hour (call channels)' }),
  accountBacklog: z.number().int().min(1).max(10_000_000).optional()
    .meta({ default: DEFAULT_LIMITS.accountBacklog, description: 'events of the account waiting for Planfix above which this channel\'s webhooks get 503' }),
}).strict();

export type Limits = z.infer<typeof limitsSchema>;

export function effectiveLimits(l: Limits | undefined): Required<Limits> {
  return {
    ratePerSecond: l?.ratePerSecond ?? DEFAULT_LIMITS.ratePerSecond,
    burst: l?.burst ?? DEFAULT_LIMITS.burst,
    newConversationsPerHour: l?.newConversationsPerHour ?? DEFAULT_LIMITS.newConversationsPerHour,
    newContactsPerHour: l?.newContactsPerHour ?? DEFAULT_LIMITS.newContactsPerHour,
    accountBacklog: l?.accountBacklog ?? DEFAULT_LIMITS.accountBacklog,
  };
}
