import type { ChannelAdapter } from './channel.ts';
import { chatra } from './chatra.ts';
import { ringostat } from './ringostat.ts';
import { verbox } from './verbox.ts';
import { viber } from './viber.ts';

/**
 * Every provider the relay speaks; adding one is adding it here. Looked up by a kind an admin
 * types: without a prototype, "__proto__" or "constructor" is no adapter, as any unknown kind.
 */
export const adapters: Record<string, ChannelAdapter> = Object.assign(Object.create(null), { chatra, ringostat, verbox, viber });
