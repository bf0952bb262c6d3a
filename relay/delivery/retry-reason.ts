import { RetryableError, StorageError, type RetryKind } from '../errors.ts';

/**
 * Why a delivery is being tried again, for the admin page's activity list to say in plain words
 * (the raw error stays beside it). Read from the error's type and the kind its thrower gave, never
 * from its text.
 */
export const RETRY_REASONS = ['unreachable', 'busy', 'quota', 'waiting', 'storage', 'other'] as const satisfies readonly (RetryKind | 'storage' | 'other')[];
export type RetryReason = (typeof RETRY_REASONS)[number];

export function retryReason(err: unknown): RetryReason {
  if (err instanceof StorageError) return 'storage';
  if (err instanceof RetryableError && err.kind) return err.kind;
  return 'other';
}
