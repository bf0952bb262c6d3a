import type { ChannelAdapter } from './channel.ts';
import { chatra } from './chatra/adapter.ts';
import { ringostat } from './ringostat/adapter.ts';
import { verbox } from './verbox/adapter.ts';
import { viber } from './viber/adapter.ts';

/**
 * Every provider the relay speaks, by kind. Looked up by a kind an admin types: without a
 * prototype, "__proto__" or "constructor" is no adapter, as any unknown kind.
 */
export const adapters: Record<string, ChannelAdapter> = Object.create(null);

/**
 * Adds a provider. The relay's own are registered below; a test registers its test-only channel
 * the same way, before the relay starts (the outbound policy and the log redaction read the
 * registry once, at start).
 */
export function register(adapter: ChannelAdapter): void {
  if (adapters[adapter.kind]) throw new Error(`channel kind ${adapter.kind} is registered twice`);
  adapters[adapter.kind] = adapter;
}

for (const adapter of [chatra, ringostat, verbox, viber]) register(adapter);

/** The providers' API hosts, which the relay may call without RELAY_ALLOW_HOSTS. */
export function providerHosts(): string[] {
  return [...new Set(Object.values(adapters).flatMap((a) => a.hosts))];
}

/** Every settings key any provider holds a secret in: censored in every log line. */
export function secretFields(): string[] {
  return [...new Set(Object.values(adapters).flatMap((a) => a.secretFields))];
}
