import type { ChannelAdapter } from './channel.ts';
import { chatra } from './chatra/adapter.ts';
import { ringostat } from './ringostat/adapter.ts';
import { verbox } from './verbox/adapter.ts';
import { viber } from './viber/adapter.ts';

/**
 * Every provider the relay speaks; adding one is adding it here. Looked up by a kind an admin
 * types: without a prototype, "__proto__" or "constructor" is no adapter, as any unknown kind.
 */
export const adapters: Record<string, ChannelAdapter> = Object.assign(Object.create(null), { chatra, ringostat, verbox, viber });
