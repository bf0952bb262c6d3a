import { adapters } from '../channels/index.ts';
import type { Account, ChannelConfig } from '../core/account.ts';
import type { AdminContext } from './admin-context.ts';

/**
 * The adapter's connect step (e.g. Viber set_webhook) with the channel's current webhook URL: run
 * when a channel is created, on demand, and when its webhook secret is rotated. Its outcome is
 * shown, never fatal, and kept with the channel, so the page still shows a refusal after a
 * reload. Undefined for a kind without the step.
 */
export function connectStep(admin: AdminContext) {
  const { relay, logOf, save, webhookUrl } = admin;
  return async (a: Account, c: ChannelConfig) => {
    const adapter = adapters[c.kind]!;
    if (!adapter.onConnect) return undefined;
    let result: { ok: boolean; error?: string } & Record<string, unknown>;
    try {
      result = { ok: true, ...(await adapter.onConnect({ account: a, channel: c, policy: relay.policy, timeoutMs: relay.config.httpTimeoutMs, webhookUrl: webhookUrl(c) })) };
    } catch (err) {
      logOf(a, c).warn({ err }, 'channel connect step failed');
      // Kept in the account file: the provider's words, as long as it made them, are cut.
      result = { ok: false, error: (err as Error).message.slice(0, 500) };
    }
    // The account as it is now: another change may have been saved while the provider answered.
    const now = relay.accounts.get(a.id);
    if (now?.channels.some((x) => x.id === c.id)) {
      const outcome = { ok: result.ok, ...(result.error ? { error: result.error } : {}), at: new Date().toISOString() };
      await save({ ...now, channels: now.channels.map((x) => (x.id === c.id ? { ...x, connect: outcome } : x)) });
    }
    return result;
  };
}
