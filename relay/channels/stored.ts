import { storedAccountSchema, type Account, type ChannelConfig } from '../core/account.ts';
import { issueText } from '../core/issue.ts';
import { asRecord } from './channel.ts';
import { adapters } from './index.ts';

/**
 * An account file's contents as the relay may use them: the account's own fields, and each
 * channel's settings and options through that channel's schemas (defaults applied), which is what
 * lets the adapters read them typed. Throws one line saying what is wrong and where.
 */
export function checkStoredAccount(raw: unknown): Account {
  const r = storedAccountSchema.safeParse(raw);
  if (!r.success) throw new Error(issueText(r.error));
  return { ...r.data, channels: r.data.channels.map((c, i) => checkChannel(c, `channels.${i}`)) };
}

function checkChannel(c: ChannelConfig, at: string): ChannelConfig {
  const adapter = adapters[c.kind];
  if (!adapter) throw new Error(`${at}.kind: this relay has no channel of kind "${c.kind}"`);
  const settings = adapter.settings.safeParse(c.settings);
  if (!settings.success) throw new Error(issueText(settings.error, `${at}.settings`));
  const options = adapter.options.safeParse(c.options);
  if (!options.success) throw new Error(issueText(options.error, `${at}.options`));
  return { ...c, settings: asRecord(settings.data), options: asRecord(options.data) };
}
