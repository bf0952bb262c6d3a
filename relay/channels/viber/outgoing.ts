import { onOwnPlanfix } from '../../core/account.ts';
import type { Attachment, ReplyEvent } from '../../core/events.ts';
import { send } from '../../net/outbound.ts';
import { TEXT_MAX, type Ctx, type Settings } from './settings.ts';

// An employee's reply as the Viber messages that carry it.

const SENDER_NAME_MAX = 28;
const IMAGE = /\.(jpe?g|png|gif)$/i;
/** Viber's limit for a file message; a bigger file goes as a link. */
const FILE_MAX = 50 * 1024 * 1024;

type Outgoing = Record<string, unknown> & { type: string };

function cut(s: string, max: number): string {
  let out = '';
  for (const ch of s) {
    if (out.length + ch.length > max) break;
    out += ch;
  }
  return out;
}

/** The bot itself as the sender (the welcome message; a reply when not sent as the employee). */
export function botSender(s: Settings): { name: string; avatar?: string } {
  const name = cut(s.botName, SENDER_NAME_MAX);
  return s.avatar ? { name, avatar: s.avatar } : { name };
}

export function senderOf(reply: ReplyEvent, s: Settings, sendAsEmployee: boolean): { name: string; avatar?: string } {
  const employee = sendAsEmployee ? `${reply.user.name ?? ''} ${reply.user.lastName ?? ''}`.replace(/\s+/g, ' ').trim() : '';
  const name = cut(employee || s.botName, SENDER_NAME_MAX);
  const avatar = (employee && reply.user.ico) || s.avatar;
  return avatar ? { name, avatar } : { name };
}

function splitText(text: string): string[] {
  const parts: string[] = [];
  let rest = text;
  while (rest.length) {
    const part = cut(rest, TEXT_MAX);
    parts.push(part);
    rest = rest.slice(part.length);
  }
  return parts;
}

const linkLine = (a: Attachment) => `📎 ${a.name}: ${a.url}`;

/**
 * The Viber messages of one reply, in order: the text (split at 7000 characters), then one per
 * attachment. Images go as `picture`. Anything else would be a `file`, which Viber accepts only with
 * its `size` in bytes; Planfix gives no size and `send()` exposes no response headers to learn it
 * from a HEAD, so such a file goes as a text line with its name and link (Viber makes it clickable).
 */
const isImage = (a: Attachment) => {
  try {
    return IMAGE.test(new URL(a.url).pathname) || IMAGE.test(a.name);
  } catch {
    return IMAGE.test(a.name);
  }
};

/**
 * Viber sends a file only with its size, which Planfix does not give: the account's own Planfix is
 * asked (HEAD). A link elsewhere, even on an allowed host, is not probed: an employee's attachment
 * must not make the relay knock on any path and port. Without an answer the file goes as a link.
 */
export async function withSizes(reply: ReplyEvent, ctx: Ctx): Promise<ReplyEvent> {
  const attachments = await Promise.all(reply.attachments.map(async (a) => {
    if (a.size || isImage(a) || !onOwnPlanfix(ctx.account, a.url)) return a;
    try {
      const res = await send(ctx.policy, 'planfix', a.url, { method: 'HEAD', timeoutMs: Math.min(ctx.timeoutMs, 5000) });
      const size = Number(res.headers.get('content-length'));
      return res.status >= 200 && res.status < 300 && size > 0 ? { ...a, size } : a;
    } catch {
      return a;
    }
  }));
  return { ...reply, attachments };
}

export function messagesOf(reply: ReplyEvent): Outgoing[] {
  const out: Outgoing[] = splitText(reply.text.trim()).map((text) => ({ type: 'text', text }));
  for (const a of reply.attachments) {
    const size = a.size;
    if (isImage(a)) out.push({ type: 'picture', media: a.url, text: '', fallback: linkLine(a) });
    else if (typeof size === 'number' && size > 0 && size <= FILE_MAX) out.push({ type: 'file', media: a.url, size, file_name: cut(a.name, 256), fallback: linkLine(a) });
    else out.push({ type: 'text', text: linkLine(a) });
  }
  return out;
}
