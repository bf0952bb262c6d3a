import { api } from './api.ts';
import { copyField, h } from './dom.ts';
import { t } from './i18n.ts';
import type { PageContext } from './channels.ts';
import type { Account, Channel, Kind } from './types.ts';

// New secrets for what the admin pasted elsewhere: a channel's webhook URL, the Planfix callback
// tokens, the widget's link. Each asks first, in the page's language, saying what stops working
// until the new one is pasted where the old one was, then shows the new one with its Copy button.

interface Rotation {
  id: string;
  button: string;
  confirm: string;
  done: string;
  /** Asks the API for the new value. */
  rotate(): Promise<string>;
}

/** A value to copy with a button that replaces it: the row shows the new value once the API gave it. */
function rotatableField(label: string, value: string, hint: string | undefined, r: Rotation): HTMLElement {
  const status = h('p', { class: 'rotated', role: 'status', hidden: true });
  const button = h('button', {
    type: 'button', class: 'rotate', 'data-rotate': r.id, onclick: async () => {
      if (!confirm(r.confirm)) return;
      button.disabled = true;
      try {
        const fresh = await r.rotate();
        const next = withButton(copyField(label, fresh, hint));
        row.replaceWith(next);
        row = next;
        status.className = 'rotated';
        status.textContent = r.done;
      } catch (err) {
        status.className = 'rotated bad';
        status.textContent = (err as Error).message;
      }
      status.hidden = false;
      button.disabled = false;
    },
  }, r.button);
  const withButton = (el: HTMLElement) => {
    el.querySelector('.copy-line')!.append(button);
    return el;
  };
  let row = withButton(copyField(label, value, hint));
  return h('div', { class: 'rotatable', 'data-rotatable': r.id }, row, status);
}

/** The chat key Planfix sends with its callbacks, with "New token…". */
export function chatTokenField(a: Account): HTMLElement {
  const words = t();
  return rotatableField(words.connect.chatToken, a.connect.planfixChat.token, undefined, {
    id: 'planfixChat', button: words.rotate.tokenButton, confirm: words.rotate.confirmChat, done: words.rotate.doneChat,
    rotate: async () => (await api<{ token: string }>('POST', `/accounts/${a.id}/connect/planfixChat/rotate`)).token,
  });
}

/** The PBX token Planfix sends with click-to-call, with "New token…". */
export function pbxTokenField(a: Account): HTMLElement {
  const words = t();
  return rotatableField(words.connect.pbxToken, a.connect.planfixTelephony.token, undefined, {
    id: 'planfixTelephony', button: words.rotate.tokenButton, confirm: words.rotate.confirmTelephony, done: words.rotate.doneTelephony,
    rotate: async () => (await api<{ token: string }>('POST', `/accounts/${a.id}/connect/planfixTelephony/rotate`)).token,
  });
}

/** The widget's install link, which carries its key, with "New key…". */
export function widgetField(a: Account): HTMLElement {
  const words = t();
  return rotatableField(words.connect.userscript, a.widget.userscriptUrl, words.connect.userscriptHint, {
    id: 'widget', button: words.rotate.keyButton, confirm: words.rotate.confirmWidget, done: words.rotate.doneWidget,
    rotate: async () => (await api<{ userscriptUrl: string }>('POST', `/accounts/${a.id}/widget/rotate`)).userscriptUrl,
  });
}

/**
 * "New URL…" on a channel's card. A kind with a connect step has the relay register the URL with
 * the provider itself (Viber): nothing to paste, and the confirmation says so. The account is drawn
 * again (a Ringostat channel has four URLs, a Viber one its connect outcome), with a note on the card.
 */
export function rotateChannelButton(ctx: PageContext, a: Account, c: Channel, kind: Kind | undefined, failed: (message: string) => void): HTMLElement {
  const words = t().rotate;
  const title = kind?.title ?? c.kind;
  const registers = !!kind?.canConnect;
  return h('button', {
    type: 'button', class: 'rotate', 'data-rotate': 'channel', onclick: async () => {
      if (!confirm(registers ? words.confirmRegistered(c.name, title) : words.confirmChannel(c.name, title, !!c.webhookUrls))) return;
      try {
        await api<Channel>('POST', `/accounts/${a.id}/channels/${c.id}/rotate`);
      } catch (err) {
        failed((err as Error).message);
        return;
      }
      await ctx.reload(a.id);
      const note = registers ? words.doneRegistered(title) : words.doneChannel(title, !!c.webhookUrls);
      document.querySelector(`article.channel[data-channel="${CSS.escape(c.id)}"] h3`)
        ?.after(h('p', { class: 'rotated', role: 'status' }, note));
    },
  }, words.urlButton);
}
