import type { ChannelAdapter } from './channel.ts';
import { chatra } from './chatra.ts';
import { ringostat } from './ringostat.ts';
import { verbox } from './verbox.ts';
import { viber } from './viber.ts';

/** Every provider the relay speaks; adding one is adding it here. */
export const adapters: Record<string, ChannelAdapter> = { chatra, ringostat, verbox, viber };
