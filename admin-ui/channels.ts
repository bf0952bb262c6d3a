import { api, type ApiError } from './api.ts';
import { clear, copyField, h, time } from './dom.ts';
import { clearErrors, collect, field, fieldsOf, showError } from './forms.ts';
import { checkLine } from './checks.ts';
import type { Account, Admission, Channel, Check, Kind, Refusals } from './types.ts';

// The account's channels: a card each (webhook URL, warnings, checks, edit), and the form for a new one.

/** What the channel cards need of the page: the kinds the relay has, and how to show the account again. */
export interface PageContext {
  kinds: Kind[];
  reload(accountId: string): Promise<void>;
}

export function channelCard(ctx: PageContext, a: Account, c: Channel): HTMLElement {
  const kind = ctx.kinds.find((k) => k.kind === c.kind);
  const result = h('ul', { class: 'checks' });
  const editBox = h('div', { class: 'edit-box', hidden: true }, kind ? channelEditForm(ctx, a, c, kind) : undefined);
  const act = (label: string, path: string) => h('button', {
    type: 'button', onclick: async () => {
      clear(result, h('li', { class: 'muted' }, '…'));
      try {
        const r = await api<Check & { error?: string }>('POST', `/accounts/${a.id}/channels/${c.id}/${path}`);
        clear(result, checkLine(label, { ok: r.ok, message: r.message ?? r.error ?? (r.ok ? 'done' : 'failed'), fix: r.fix }));
      } catch (err) {
        clear(result, h('li', { class: 'bad' }, (err as Error).message));
      }
    },
  }, label);
  return h('article', { class: 'channel', 'data-channel': c.id },
    h('h3', {}, `${c.name} `, h('span', { class: 'muted' }, kind?.title ?? c.kind)),
    copyField(`Webhook URL for ${kind?.title ?? c.kind}`, c.webhookUrl, 'Paste it into the provider\'s webhook settings; it holds the channel\'s secret.'),
    c.deepLink ? copyField('Deep link for your site', c.deepLink) : undefined,
    ...c.warnings.map((w) => h('p', { class: 'warning' }, w)),
    admissionLine(c.admission),
    c.connect && !c.connect.ok ? h('p', { class: 'warning' }, `Connect failed: ${c.connect.error ?? ''}`) : undefined,
    h('div', { class: 'actions' },
      kind ? h('button', { type: 'button', class: 'edit', onclick: () => { editBox.hidden = !editBox.hidden; } }, 'Edit') : undefined,
      kind?.canCheck ? act('Test', 'check') : undefined,
      kind?.canConnect ? act('Connect', 'connect') : undefined,
      h('button', {
        type: 'button', class: 'danger', onclick: async () => {
          if (!confirm(`Delete channel "${c.name}"?`)) return;
          await api('DELETE', `/accounts/${a.id}/channels/${c.id}`);
          await ctx.reload(a.id);
        },
      }, 'Delete')),
    result,
    editBox);
}

/** The channel's settings and options, prefilled; secrets stay empty unless the admin types a new one. */
function channelEditForm(ctx: PageContext, a: Account, c: Channel, kind: Kind): HTMLElement {
  const form = h('form', { class: 'edit-channel', novalidate: true },
    field({ path: 'name', label: 'name', schema: { type: 'string' }, required: true, value: c.name }),
    ...fieldsOf('settings', kind.settings, c.settings, kind.secretFields).map(field),
    h('h4', {}, 'Options'),
    ...fieldsOf('options', kind.options, c.options).map(field),
    h('h4', {}, 'Admission limits (empty: the default)'),
    ...fieldsOf('limits', kind.limits, c.limits).map(field),
    h('div', { class: 'form-error', role: 'alert' }),
    h('button', { type: 'submit' }, 'Save channel'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    try {
      const name = form.querySelector<HTMLInputElement>('.field[data-path="name"] input')!.value.trim();
      await api('PATCH', `/accounts/${a.id}/channels/${c.id}`, { name, settings: collect(form, 'settings'), options: collect(form, 'options'), limits: collect(form, 'limits') });
      await ctx.reload(a.id);
    } catch (err) {
      showError(form, err as ApiError);
    }
  });
  return form;
}

const REASONS: [keyof Refusals, string][] = [['rate', 'rate'], ['new_conversations', 'new conversations'], ['new_contacts', 'new callers'], ['backlog', 'backlog']];

/** Refusals by the channel's admission limits this clock hour and the one before; nothing when there were none. */
function admissionLine(ad: Admission): HTMLElement {
  const sum = (r: Refusals) => REASONS.reduce((n, [k]) => n + r[k], 0);
  const now = sum(ad.refused);
  const before = sum(ad.previousHour);
  const line = h('p', { class: `admission${ad.biting ? ' warning biting' : ''}`, hidden: !now && !before });
  if (!now && !before) return line;
  const parts = REASONS.filter(([k]) => ad.refused[k]).map(([k, label]) => `${label}: ${ad.refused[k]}`).join(', ');
  clear(line, ad.biting ? 'Limits biting: ' : 'Limits refused webhooks: ',
    `${now} refused this hour${parts ? ` (${parts})` : ''}, ${before} the hour before`,
    ad.lastRefusedAt ? `; the last at ${time(ad.lastRefusedAt)}` : '',
    '. If this is real traffic, raise the channel\'s admission limits (Edit).');
  return line;
}

export async function renderAdmission(accountId: string): Promise<void> {
  const a = await api<Account>('GET', `/accounts/${accountId}`);
  for (const c of a.channels) document.querySelector(`article.channel[data-channel="${CSS.escape(c.id)}"] .admission`)?.replaceWith(admissionLine(c.admission));
}

export function channelForm(ctx: PageContext, a: Account): HTMLElement {
  const select = h('select', { id: 'new-kind' }, ...ctx.kinds.map((k) => h('option', { value: k.kind }, k.title)));
  const fields = h('div', { class: 'kind-fields' });
  const render = () => {
    const k = ctx.kinds.find((x) => x.kind === (select as HTMLSelectElement).value)!;
    clear(fields, ...fieldsOf('settings', k.settings, {}, k.secretFields).map(field), h('h4', {}, 'Options'), ...fieldsOf('options', k.options).map(field),
      h('h4', {}, 'Admission limits (empty: the default)'), ...fieldsOf('limits', k.limits).map(field));
  };
  select.addEventListener('change', render);
  const form = h('form', { class: 'new-channel', id: 'channel-create', novalidate: true }, h('h3', {}, 'Add a channel'),
    h('div', { class: 'field', 'data-path': 'kind' }, h('label', { for: 'new-kind' }, 'Kind'), select, h('div', { class: 'error' })),
    field({ path: 'name', label: 'name', schema: { type: 'string' }, required: true }),
    fields, h('div', { class: 'form-error', role: 'alert' }), h('button', { type: 'submit' }, 'Add channel'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    try {
      const name = form.querySelector<HTMLInputElement>('.field[data-path="name"] input')!.value.trim();
      await api('POST', `/accounts/${a.id}/channels`, {
        kind: (select as HTMLSelectElement).value, name, settings: collect(form, 'settings'), options: collect(form, 'options'), limits: collect(form, 'limits'),
      });
      await ctx.reload(a.id);
    } catch (err) {
      showError(form, err as ApiError);
    }
  });
  render();
  return form;
}
