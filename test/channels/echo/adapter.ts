import { z } from 'zod';
import { urlUnder } from '../../../relay/core/url.ts';
import { defineChannel } from '../../../relay/channels/channel.ts';
import { isObj, parseJsonBody, str } from '../../../relay/channels/read.ts';
import type { MessageEvent } from '../../../relay/core/events.ts';
import { HttpError, RetryableError, TerminalError } from '../../../relay/errors.ts';
import { send } from '../../../relay/net/outbound.ts';

// "Echo", a chat provider that exists only in the test suite: the worked example of README's
// "Adding a channel". Its webhook is `{ id, from: { id, name?, phone? }, text?, fileId? }`; a file
// comes as an id that its API turns into a link (`GET /files/<id>`), and replies are POSTed to
// `/send` with the channel's token.

const FILE = 'echo-file:';

const settings = z.object({
  apiUrl: z.string().url(),
  token: z.string().min(8),
}).strict();

const options = z.object({
  /** Added under every reply. */
  signature: z.string().max(50).optional(),
}).strict();

export const echo = defineChannel({
  kind: 'echo',
  title: 'Echo',
  family: 'chat',
  hosts: [],
  settings,
  options,
  secretFields: ['token'],
  urlFields: ['apiUrl'],
  // The admin page's words for each field, in each of its languages (test/channel-texts.test.ts checks them).
  texts: {
    fields: {
      apiUrl: {
        advanced: true,
        en: { label: 'Echo API address', help: 'Where the relay asks for files and sends replies.' },
        ru: { label: 'Адрес API Echo', help: 'Куда релей обращается за файлами и отправляет ответы.' },
        uk: { label: 'Адреса API Echo', help: 'Куди релей звертається по файли й надсилає відповіді.' },
      },
      token: {
        en: { label: 'Echo token', help: 'At least 8 characters; sent with every call to the API.' },
        ru: { label: 'Токен Echo', help: 'Не короче 8 символов; передаётся с каждым запросом к API.' },
        uk: { label: 'Токен Echo', help: 'Щонайменше 8 символів; передається з кожним запитом до API.' },
      },
      signature: {
        en: { label: 'Signature', help: 'Added under every reply.' },
        ru: { label: 'Подпись', help: 'Добавляется под каждым ответом.' },
        uk: { label: 'Підпис', help: 'Додається під кожною відповіддю.' },
      },
    },
  },

  parse(req) {
    const body = parseJsonBody(req.raw);
    const id = str(body, 'id');
    const from = body.from;
    if (!id || !isObj(from) || !str(from, 'id')) throw new HttpError(400, 'not an Echo webhook: id and from.id are required');
    const fileId = str(body, 'fileId');
    const ev: MessageEvent = {
      kind: 'message',
      eventId: id,
      customer: { clientId: str(from, 'id')!, name: str(from, 'name'), phone: str(from, 'phone') },
      at: Date.now(),
      text: str(body, 'text') ?? '',
      // The link is asked for in `prepare`, where an await is allowed.
      attachments: fileId ? [{ name: `file-${fileId}`, url: `${FILE}${fileId}` }] : [],
    };
    return { events: [ev] };
  },

  async prepare(event, { channel, policy, timeoutMs }) {
    if (event.kind !== 'message' || !event.attachments.some((a) => a.url.startsWith(FILE))) return event;
    const attachments = await Promise.all(event.attachments.map(async (a) => {
      if (!a.url.startsWith(FILE)) return a;
      const res = await send(policy, 'provider', urlUnder(channel.settings.apiUrl, `files/${encodeURIComponent(a.url.slice(FILE.length))}`), {
        headers: { authorization: `Bearer ${channel.settings.token}` }, timeoutMs,
      });
      if (res.status >= 500) throw new RetryableError(`Echo answered ${res.status}`);
      const url = str(res.json, 'url');
      if (res.status !== 200 || !url) throw new TerminalError(`Echo has no file ${a.name} (${res.status})`);
      return { ...a, url };
    }));
    return { ...event, attachments };
  },

  async send(reply, { channel, policy, timeoutMs }) {
    const text = [reply.text, channel.options.signature].filter(Boolean).join('\n— ');
    const res = await send(policy, 'provider', urlUnder(channel.settings.apiUrl, 'send'), {
      method: 'POST',
      headers: { authorization: `Bearer ${channel.settings.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ to: reply.clientId, text }),
      timeoutMs,
    });
    if (res.status >= 500) throw new RetryableError(`Echo answered ${res.status}`);
    if (res.status !== 200) throw new TerminalError(`Echo refused the reply (${res.status})`);
    const id = str(res.json, 'id');
    return { providerMessageIds: id ? [id] : [] };
  },
});
