import type Router from '@koa/router';
import { newRouter } from './router.ts';
import type { Attachment, ReplyEvent } from '../core/events.ts';
import { toE164 } from '../core/identity.ts';
import { plainText } from '../core/plain-text.ts';
import { httpUrl } from '../channels/read.ts';
import type { Relay } from '../context.ts';
import type { Conversation } from '../store/records.ts';
import type { AccountState } from '../store/store.ts';
import { callbackAccount, callbackBody, field, invalid } from './callback.ts';

/**
 * Repeated `attachments[name]`/`attachments[url]` pairs, or indexed `attachments[0][name]`, parsed
 * by qs. Only http(s) links are kept: they are handed on to the customer's channel.
 */
export function readAttachments(v: unknown): Attachment[] {
  if (Array.isArray(v)) {
    return v.flatMap((a) => {
      const url = a && typeof a === 'object' ? httpUrl(a.url) : undefined;
      return url ? [{ name: String(a.name ?? url), url }] : [];
    });
  }
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if ('url' in o) {
      const names = ([] as unknown[]).concat(o.name ?? []);
      const urls = ([] as unknown[]).concat(o.url);
      return urls.flatMap((u, i) => {
        const url = httpUrl(u);
        return url ? [{ name: String(names[i] ?? url), url }] : [];
      });
    }
    return readAttachments(Object.values(o));
  }
  return [];
}

/** Planfix → relay Chat API callbacks: POST /planfix/<account id>/chat. */
export function planfixRouter(relay: Relay): Router {
  const router = newRouter();
  router.post('/planfix/:accountId/chat', callbackBody(), async (ctx) => {
    const { account, b } = callbackAccount(relay, ctx, 'chat');
    const cmd = field(b, 'cmd');
    if (cmd !== 'newMessage') throw invalid(`unsupported cmd ${JSON.stringify(cmd ?? '')}`);
    const messageId = field(b, 'messageId');
    // Planfix comments are HTML; the customer's messenger shows text as it is. Converted here, once
    // for every channel, so the journal holds what is sent and adapters know nothing of Planfix.
    const message = plainText(field(b, 'message') ?? '');
    const attachments = readAttachments(b.attachments);
    if (!messageId) throw invalid('messageId is required');
    if (!message.trim() && !attachments.length) throw invalid('message is required');

    const state = relay.store.state(account.id);
    const chatId = field(b, 'chatId');
    let conv: Conversation | undefined;
    if (chatId) {
      conv = await state.conversation(chatId) ?? await routeOf(state, chatId);
      if (!conv) throw invalid(`unknown chatId ${chatId}`);
    } else {
      // First message from Planfix: find the customer by phone, reuse their latest conversation.
      const phone = toE164(field(b, 'contactPhone'), account.defaultCountry);
      if (!phone) throw invalid('contactPhone is required and must be a phone number');
      const key = await state.byPhone(phone);
      const wanted = field(b, 'channel');
      const live = new Set(account.channels.map((c) => c.id));
      const candidates = key ? (await state.conversationsOf(key)).filter((c) => live.has(c.channel)) : [];
      conv = candidates.find((c) => c.channel === wanted) ?? candidates.sort((x, y) => y.updatedAt - x.updatedAt)[0];
      if (!conv) throw invalid(`no conversation with ${phone} on any channel of this account`);
    }
    const channel = account.channels.find((c) => c.id === conv.channel);
    if (!channel) throw invalid('the conversation\'s channel was deleted');

    const reply: ReplyEvent = {
      kind: 'reply',
      eventId: `pf:${messageId}`,
      messageId,
      chatId: conv.chatId,
      clientId: conv.clientId,
      text: message,
      attachments,
      user: { name: field(b, 'userName') ?? '', lastName: field(b, 'userLastName') ?? '', ico: httpUrl(field(b, 'userIco')) },
      at: Date.now(),
    };
    await relay.inbox.reply(account, channel, reply);
    ctx.body = { chatId: conv.chatId, contactId: conv.contactKey };
  });

  return router;
}

/**
 * The way back to a customer whose conversation retention deleted: the chat id is
 * `<channel id>:<contact key>`, and the contact (kept for ever) knows its client on that channel.
 * Planfix keeps the chat, so an employee may answer a customer who wrote a year ago.
 */
async function routeOf(state: AccountState, chatId: string): Promise<Conversation | undefined> {
  const cut = chatId.indexOf(':');
  if (cut <= 0) return undefined;
  const channel = chatId.slice(0, cut);
  const contact = await state.contact(chatId.slice(cut + 1));
  const client = contact?.clients.findLast((c) => c.startsWith(`${channel}/`));
  if (!contact || !client) return undefined;
  return { chatId, channel, contactKey: contact.key, clientId: client.slice(channel.length + 1), fresh: false, updatedAt: 0 };
}
