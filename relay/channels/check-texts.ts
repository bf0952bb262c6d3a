import { checkResult, type CheckResult, type CheckTexts } from '../core/check.ts';
import { RetryableError, TerminalError } from '../errors.ts';

// "Test connection" of a channel where the channel's own check has no say: a kind without one,
// and a check that could not finish. In English; the admin page words each code (admin-ui/texts-*.ts).

export const CHANNEL_CHECKS = {
  no_api: { ok: true, message: '{title} has no API the relay can check; send a test message through it.' },
  unreachable: { ok: false, message: '{error}', fix: 'Check the channel\'s API URL and that this server can reach the provider.' },
  url_blocked: { ok: false, message: '{error}', fix: 'Correct the channel\'s API URL, or allow its host in RELAY_ALLOW_HOSTS.' },
  failed: { ok: false, message: '{error}', fix: 'Check the channel\'s API URL and that this server can reach the provider.' },
} satisfies CheckTexts;

export type ChannelCheckCode = keyof typeof CHANNEL_CHECKS;

export function noCheck(title: string): CheckResult {
  return checkResult(CHANNEL_CHECKS, 'no_api', { title });
}

/** A channel check that threw: the provider did not answer, the relay may not call it, or anything else. */
export function checkFailed(err: unknown): CheckResult {
  const error = (err as Error).message;
  if (err instanceof RetryableError) return checkResult(CHANNEL_CHECKS, 'unreachable', { error });
  if (err instanceof TerminalError && err.kind === 'blocked-url') return checkResult(CHANNEL_CHECKS, 'url_blocked', { error });
  return checkResult(CHANNEL_CHECKS, 'failed', { error });
}
