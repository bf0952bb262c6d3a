import { z } from 'zod';
import { urlUnder } from '../../core/url.ts';
import type { SendContext } from '../channel.ts';

// Viber REST Bot API (docs/reference/channels.md §1): the channel's settings and options.

export const VIBER_API_URL = 'https://chatapi.viber.com/pa';
export const TEXT_MAX = 7000;

const settings = z.object({
  authToken: z.string().min(1),
  /** The name shown as the sender, and the bot's chat URI in the deep link. */
  botName: z.string().min(1),
  avatar: z.string().url().optional(),
  apiUrl: z.string().url().optional(),
  /** Sent as the answer to `conversation_started` (the one message a non-subscriber may get). */
  welcomeText: z.string().min(1).max(TEXT_MAX).optional(),
}).strict();

const options = z.object({
  /** Show the Planfix employee's name and avatar as the sender instead of the bot's. */
  sendAsEmployee: z.boolean().default(false),
}).strict();


export type Settings = z.infer<typeof settings>;
export type Ctx = SendContext<Settings, z.infer<typeof options>>;
export { settings, options };

export const apiUrl = (s: Settings, method: string) => urlUnder(s.apiUrl ?? VIBER_API_URL, method);
