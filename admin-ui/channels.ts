import { api, type ApiError } from './api.ts';
import { clear, copyField, h, time } from './dom.ts';
import { checkRequired, clearErrors, collect, field, fieldGroup, fieldsOf, showError, type FieldSpec } from './forms.ts';
import { checkLine } from './checks.ts';
import { rotateChannelButton } from './rotate.ts';
import { inAll, pick, t } from './i18n.ts';
import { warningLines } from './warnings.ts';
import type { Account, Admission, Channel, Check, Kind, Refusals } from './types.ts';
import { recoveryLine } from './recovery.ts';

// The account's channels: a card each (webhook URLs, warnings, checks, edit), and the form for a new one.

/** What the channel cards need of the page: the kinds the relay has, and how to show the account again. */
export interface PageContext {
  kinds: Kind[];
  reload(accountId: string): Promise<void>;
}

const nameField = (value?: string): FieldSpec => ({
  path: 'name', schema: { type: 'string' }, required: true, value, text: inAll((x) => ({ label: x.channel.name, help: '' })),
});

const LIMIT_KEYS = ['ratePerSecond', 'burst', 'newConversationsPerHour', 'newContactsPerHour', 'accountBacklog'] as const;
const limitTexts = Object.fromEntries(LIMIT_KEYS.map((k) => [k, inAll((x) => x.limits[k])]));

/** The kind's settings, options and admission limits as form fields, filled from the channel when it exists. */
function kindFields(k: Kind, c?: Channel): HTMLElement[] {
  const texts = k.texts.fields;
  return [
    ...fieldGroup(fieldsOf('settings', k.settings, c?.settings, k.secretFields, texts)),
    h('h4', {}, t().channel.options),
    ...fieldGroup(fieldsOf('options', k.options, c?.options, [], texts)),
    h('h4', {}, t().channel.limits),
    ...fieldsOf('limits', k.limits, c?.limits, [], limitTexts).map(field),
  ];
}

/** The URLs to paste at the provider: the channel's one webhook URL, or each of those it lists with where it goes. */
function webhookRows(c: Channel, kind: Kind | undefined): HTMLElement[] {
  const title = kind?.title ?? c.kind;
  if (!c.webhookUrls) return [copyField(t().channel.webhookUrl(title), c.webhookUrl, t().channel.webhookHint)];
  return [
    h('p', { class: 'muted' }, t().channel.webhookUrls),
    ...c.webhookUrls.map((w) => {
      const text = kind?.texts.webhooks?.[w.id];
      const words = text ? pick(text) : { label: w.id, help: '' };
      return copyField(words.label, w.url, words.help || undefined);
    }),
  ];
}

export function channelCard(ctx: PageContext, a: Account, c: Channel): HTMLElement {
  const kind = ctx.kinds.find((k) => k.kind === c.kind);
  const words = t().channel;
  const result = h('ul', { class: 'checks' });
  const editBox = h('div', { class: 'edit-box', hidden: true }, kind ? channelEditForm(ctx, a, c, kind) : undefined);
  const act = (label: string, path: string) => h('button', {
    type: 'button', onclick: async () => {
      clear(result, h('li', { class: 'muted' }, '…'));
      try {
        const r = await api<Check & { error?: string }>('POST', `/accounts/${a.id}/channels/${c.id}/${path}`);
        clear(result, checkLine(label, { ...r, message: r.message ?? r.error ?? (r.ok ? words.done : words.failed) }, kind?.texts.checks));
      } catch (err) {
        clear(result, h('li', { class: 'bad' }, (err as Error).message));
      }
    },
  }, label);
  return h('article', { class: 'channel', 'data-channel': c.id, 'data-kind': c.kind },
    h('h3', {}, `${c.name} `, h('span', { class: 'muted' }, kind?.title ?? c.kind)),
    ...webhookRows(c, kind),
    c.deepLink ? copyField(words.deepLink, c.deepLink) : undefined,
    ...warningLines(c.warningCodes, c.warnings, kind?.texts.warnings),
    admissionLine(c.admission),
    kind?.texts.card ? h('p', { class: 'muted card-note' }, pick(kind.texts.card)) : undefined,
    connectLine(c),
    recoveryLine(c, kind?.title ?? c.kind),
    h('div', { class: 'actions' },
      kind ? h('button', { type: 'button', class: 'edit', onclick: () => { editBox.hidden = !editBox.hidden; } }, words.edit) : undefined,
      kind?.canCheck ? act(words.test, 'check') : undefined,
      kind?.canConnect ? h('button', {
        type: 'button', class: 'connect', onclick: async () => {
          clear(result, h('li', { class: 'muted' }, '…'));
          try {
            // The outcome is kept with the channel: the card drawn again shows it, refused or not.
            await api('POST', `/accounts/${a.id}/channels/${c.id}/connect`);
            await ctx.reload(a.id);
          } catch (err) {
            clear(result, h('li', { class: 'bad' }, (err as Error).message));
          }
        },
      }, words.connectAgain) : undefined,
      rotateChannelButton(ctx, a, c, kind, (message) => clear(result, h('li', { class: 'bad' }, message))),
      h('button', {
        type: 'button', class: 'danger', onclick: async () => {
          if (!confirm(words.confirmDelete(c.name))) return;
          await api('DELETE', `/accounts/${a.id}/channels/${c.id}`);
          await ctx.reload(a.id);
        },
      }, words.delete)),
    result,
    editBox);
}

/** How the channel's last connect step went (Viber's set_webhook): the provider's reason when it refused. */
function connectLine(c: Channel): HTMLElement | undefined {
  if (!c.connect) return undefined;
  const words = t().channel;
  return c.connect.ok
    ? h('p', { class: 'connect-state ok' }, words.connected(time(c.connect.at)))
    : h('p', { class: 'connect-state warning' }, `${words.connectFailed}: ${c.connect.error ?? ''}`);
}

/** Sends the form's channel to the API; a refusal is shown at its field, a success shows the account again. */
function submitChannel(form: HTMLFormElement, send: (body: Record<string, unknown>) => Promise<unknown>, done: () => Promise<void>): void {
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    if (!checkRequired(form)) return;
    try {
      const name = form.querySelector<HTMLInputElement>('.field[data-path="name"] input')!.value.trim();
      await send({ name, settings: collect(form, 'settings'), options: collect(form, 'options'), limits: collect(form, 'limits') });
      await done();
    } catch (err) {
      showError(form, err as ApiError);
    }
  });
}

/** The channel's settings and options, prefilled; secrets stay empty unless the admin types a new one. */
function channelEditForm(ctx: PageContext, a: Account, c: Channel, kind: Kind): HTMLElement {
  const form = h('form', { class: 'edit-channel', novalidate: true },
    field(nameField(c.name)),
    ...kindFields(kind, c),
    h('div', { class: 'form-error', role: 'alert' }),
    h('button', { type: 'submit' }, t().channel.saveChannel));
  submitChannel(form, (body) => api('PATCH', `/accounts/${a.id}/channels/${c.id}`, body), () => ctx.reload(a.id));
  return form;
}

const REASONS: (keyof Refusals)[] = ['rate', 'new_conversations', 'new_contacts', 'backlog'];

/** Refusals by the channel's admission limits this clock hour and the one before; nothing when there were none. */
function admissionLine(ad: Admission): HTMLElement {
  const words = t().admission;
  const sum = (r: Refusals) => REASONS.reduce((n, k) => n + r[k], 0);
  const now = sum(ad.refused);
  const before = sum(ad.previousHour);
  const line = h('p', { class: `admission${ad.biting ? ' warning biting' : ''}`, hidden: !now && !before });
  if (!now && !before) return line;
  const parts = REASONS.filter((k) => ad.refused[k]).map((k) => `${words.reasons[k]}: ${ad.refused[k]}`).join(', ');
  clear(line, ad.biting ? words.biting : words.refused,
    `${words.thisHour(now)}${parts ? ` (${parts})` : ''}, ${words.hourBefore(before)}`,
    ad.lastRefusedAt ? words.lastAt(time(ad.lastRefusedAt)) : '',
    words.advice);
  return line;
}

export async function renderAdmission(accountId: string): Promise<void> {
  const a = await api<Account>('GET', `/accounts/${accountId}`);
  for (const c of a.channels) document.querySelector(`article.channel[data-channel="${CSS.escape(c.id)}"] .admission`)?.replaceWith(admissionLine(c.admission));
}

export function channelForm(ctx: PageContext, a: Account): HTMLElement {
  const words = t().channel;
  const select = h('select', { id: 'new-kind' }, ...ctx.kinds.map((k) => h('option', { value: k.kind }, k.title)));
  const fields = h('div', { class: 'kind-fields' });
  const render = () => clear(fields, ...kindFields(ctx.kinds.find((x) => x.kind === select.value)!));
  select.addEventListener('change', render);
  const form = h('form', { class: 'new-channel', id: 'channel-create', novalidate: true }, h('h3', {}, words.add),
    h('div', { class: 'field', 'data-path': 'kind' }, h('label', { for: 'new-kind' }, words.kind), select, h('div', { class: 'error' })),
    field(nameField()),
    fields, h('div', { class: 'form-error', role: 'alert' }), h('button', { type: 'submit' }, words.addButton));
  submitChannel(form, (body) => api('POST', `/accounts/${a.id}/channels`, { kind: select.value, ...body }), () => ctx.reload(a.id));
  render();
  return form;
}
