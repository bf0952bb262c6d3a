import './admin.css';
import { api, ApiError, token } from './api.ts';
import { clear, copyField, h, time } from './dom.ts';
import { clearErrors, collect, field, fieldsOf, showError, type JsonSchema } from './forms.ts';

// The admin page: one screen per account, everything through the admin API.

interface Kind { kind: string; title: string; settings: JsonSchema; options: JsonSchema; limits: JsonSchema; secretFields: string[]; canConnect: boolean; canCheck: boolean }
type Refusals = Record<'rate' | 'new_conversations' | 'new_contacts' | 'backlog', number>;
interface Admission { refused: Refusals; previousHour: Refusals; lastRefusedAt?: string; biting: boolean }
interface Channel {
  id: string; kind: string; name: string; settings: Record<string, unknown>; options: Record<string, unknown>; limits: Record<string, unknown>;
  admission: Admission; webhookUrl: string; warnings: string[]; deepLink?: string; connect?: { ok: boolean; error?: string };
}
interface Account {
  id: string; name: string; defaultCountry: string; planfix: Record<string, unknown>; channels: Channel[];
  language?: string; timeZone?: string;
  locale: { language: string; timeZone: string; chosen: { language: boolean; timeZone: boolean } };
  connect: { planfixChat: { url: string; token: string; providerId: string }; planfixTelephony: { url: string; token: string } };
  widget: { key: string; userscriptUrl: string };
}
interface Check { ok: boolean; message: string; fix?: string; details?: { scopes?: Record<string, string> } }

const root = document.getElementById('app')!;
let kinds: Kind[] = [];
let refresh: ReturnType<typeof setInterval> | undefined;

/** The account's own fields; language and timeZone left empty follow the Planfix domain (shown as the placeholder). */
const accountSchema = (a?: Account): JsonSchema => ({
  properties: {
    name: { type: 'string' }, defaultCountry: { type: 'string', default: 'RU' },
    language: { enum: ['ru', 'uk', 'en', 'pl'] }, timeZone: { type: 'string', ...(a ? { default: a.locale.timeZone } : {}) },
  },
  required: ['name'],
});
const ACCOUNT_FIELDS = ['name', 'defaultCountry', 'language', 'timeZone'];
const PLANFIX_SCHEMA: JsonSchema = {
  properties: {
    url: { type: 'string', format: 'uri' }, chatToken: { type: 'string' }, restToken: { type: 'string' }, telephonyToken: { type: 'string' },
    providerId: { type: 'string', default: 'planfix-relay' }, completeStatus: { type: 'string' },
  },
  required: ['url', 'chatToken'],
};
const PLANFIX_SECRETS = ['chatToken', 'restToken', 'telephonyToken'];

function login(message?: string): void {
  stopRefresh();
  const input = h('input', { type: 'password', id: 'token', autocomplete: 'off', placeholder: 'RELAY_ADMIN_TOKEN' });
  const form = h('form', {
    class: 'card login',
    onsubmit: (e: Event) => {
      e.preventDefault();
      token.set((input as HTMLInputElement).value.trim());
      void start();
    },
  }, h('h2', {}, 'planfix-relay admin'), h('label', { for: 'token' }, 'Admin token'), input,
  h('p', { class: 'muted' }, 'Printed once when the relay first started, and saved in the data directory as admin-token. Kept only in this browser tab.'),
  message ? h('p', { class: 'error' }, message) : undefined, h('button', { type: 'submit' }, 'Sign in'));
  clear(root, form);
  input.focus();
}

async function start(): Promise<void> {
  if (!token.get()) return login();
  try {
    kinds = await api<Kind[]>('GET', '/kinds');
  } catch (err) {
    token.clear();
    return login(err instanceof ApiError && err.status === 401 ? 'That token was refused.' : (err as Error).message);
  }
  const id = location.hash.slice(1);
  return id ? showAccount(id) : showAccounts();
}

function layout(...children: (Node | string | undefined)[]): void {
  stopRefresh();
  clear(root, h('header', {}, h('a', { href: '#', onclick: (e: Event) => { e.preventDefault(); location.hash = ''; void showAccounts(); } }, 'planfix-relay'),
    h('button', { type: 'button', class: 'link', onclick: () => { token.clear(); login(); } }, 'Sign out')), ...children);
}

async function showAccounts(): Promise<void> {
  const accounts = await api<Account[]>('GET', '/accounts');
  layout(h('main', {},
    h('section', { class: 'card' }, h('h2', {}, 'Accounts'),
      accounts.length ? h('ul', { class: 'accounts' }, ...accounts.map((a) => h('li', {},
        h('a', { href: `#${a.id}`, onclick: () => void showAccount(a.id) }, a.name),
        h('span', { class: 'muted' }, ` ${String(a.planfix.url)} · ${a.channels.length} channel(s)`)))) : h('p', { class: 'muted' }, 'No accounts yet.')),
    accountForm()));
}

/** Create (no account) or edit an account. */
function accountForm(a?: Account): HTMLElement {
  // The API validates, and says which field is wrong: the browser's own checks would hide that.
  const form = h('form', { class: 'card', id: a ? 'account-edit' : 'account-create', novalidate: true },
    h('h2', {}, a ? 'Account settings' : 'New account'),
    ...fieldsOf('', accountSchema(a), a ? { name: a.name, defaultCountry: a.defaultCountry, language: a.language, timeZone: a.timeZone } : {}).map((f) => field({ ...f, path: f.path.slice(1) })),
    a ? h('p', { class: 'muted', id: 'locale' }, `Planfix texts are written in ${a.locale.language} (${a.locale.chosen.language ? 'chosen' : 'from the Planfix domain'}), times in ${a.locale.timeZone} (${a.locale.chosen.timeZone ? 'chosen' : 'from the Planfix domain'}). Leave language or timeZone empty to follow the domain (e.g. .ru: ru, Europe/Moscow; .ua: uk, Europe/Kyiv; otherwise en, UTC).`) : undefined,
    ...fieldsOf('planfix', PLANFIX_SCHEMA, a?.planfix, PLANFIX_SECRETS).map(field),
    h('div', { class: 'form-error', role: 'alert' }),
    h('button', { type: 'submit' }, a ? 'Save' : 'Create account'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    try {
      const top: Record<string, unknown> = {};
      for (const k of ACCOUNT_FIELDS) {
        const v = (form.querySelector<HTMLInputElement>(`.field[data-path="${k}"] :is(input, select)`)!).value.trim();
        if (v) top[k] = v;
        // Emptied on an existing account: back to the Planfix domain's default.
        else if (a && (k === 'language' || k === 'timeZone')) top[k] = null;
      }
      const body = { ...top, planfix: collect(form, 'planfix') };
      const saved = a ? await api<Account>('PATCH', `/accounts/${a.id}`, body) : await api<Account>('POST', '/accounts', body);
      location.hash = saved.id;
      await showAccount(saved.id);
    } catch (err) {
      showError(form, err as ApiError);
    }
  });
  return form;
}

async function showAccount(id: string): Promise<void> {
  let a: Account;
  try {
    a = await api<Account>('GET', `/accounts/${id}`);
  } catch {
    location.hash = '';
    return showAccounts();
  }
  location.hash = a.id;
  const activity = h('section', { class: 'card', id: 'activity' }, h('h2', {}, 'Activity'));
  layout(h('main', {},
    h('h1', {}, a.name),
    connectPanel(a),
    checkPanel(a),
    h('section', { class: 'card', id: 'channels' }, h('h2', {}, 'Channels'), ...a.channels.map((c) => channelCard(a, c)), channelForm(a)),
    activity,
    accountForm(a),
    h('section', { class: 'card danger' }, h('button', {
      type: 'button', class: 'danger', onclick: async () => {
        if (!confirm(`Delete account "${a.name}" with its channels and history? Planfix keeps its tasks.`)) return;
        await api('DELETE', `/accounts/${a.id}`);
        location.hash = '';
        await showAccounts();
      },
    }, 'Delete account'))));
  await renderActivity(a, activity);
  refresh = setInterval(() => void Promise.all([renderActivity(a, activity), renderAdmission(a.id)]).catch(() => undefined), 3000);
}

function stopRefresh(): void {
  if (refresh) clearInterval(refresh);
  refresh = undefined;
}

function connectPanel(a: Account): HTMLElement {
  return h('section', { class: 'card', id: 'connect' }, h('h2', {}, 'Connect Planfix'),
    h('h3', {}, 'Chat API (Planfix → Integrations → Messengers → Chat API)'),
    copyField('Relay address for Planfix', a.connect.planfixChat.url),
    copyField('Key (token) for Planfix', a.connect.planfixChat.token),
    copyField('Provider id', a.connect.planfixChat.providerId),
    h('h3', {}, 'Telephony (Planfix → Integrations → Virtual PBX → "API ПланФикса для телефоний")'),
    copyField('PBX URL', a.connect.planfixTelephony.url),
    copyField('PBX token', a.connect.planfixTelephony.token),
    h('h3', {}, 'Widget in task pages (Tampermonkey or Violentmonkey)'),
    copyField('Userscript install link', a.widget.userscriptUrl, 'Open it in the browser where the userscript manager is installed; every employee installs it once.'));
}

function checkLine(name: string, c: Check): HTMLElement {
  return h('li', { class: c.ok ? 'ok' : 'bad', 'data-check': name },
    h('strong', {}, `${c.ok ? '✓' : '✗'} ${name}: `), c.message,
    c.fix ? h('div', { class: 'fix' }, `Fix: ${c.fix}`) : undefined,
    c.details?.scopes ? h('div', { class: 'muted' }, Object.entries(c.details.scopes).map(([k, v]) => `${k}: ${v}`).join(' · ')) : undefined);
}

function checkPanel(a: Account): HTMLElement {
  const out = h('ul', { class: 'checks' });
  const button = h('button', {
    type: 'button', id: 'test-planfix', onclick: async () => {
      button.setAttribute('disabled', '');
      clear(out, h('li', { class: 'muted' }, 'Testing… (the REST scopes take about ten seconds: Planfix allows one request a second)'));
      try {
        const r = await api<Record<string, Check>>('POST', `/accounts/${a.id}/check`);
        clear(out, ...Object.entries(r).map(([k, c]) => checkLine(k, c)));
      } catch (err) {
        clear(out, h('li', { class: 'bad' }, (err as Error).message));
      }
      button.removeAttribute('disabled');
    },
  }, 'Test Planfix connection');
  return h('section', { class: 'card', id: 'check' }, h('h2', {}, 'Test connection'), button, out);
}

function channelCard(a: Account, c: Channel): HTMLElement {
  const kind = kinds.find((k) => k.kind === c.kind);
  const result = h('ul', { class: 'checks' });
  const editBox = h('div', { class: 'edit-box', hidden: true }, kind ? channelEditForm(a, c, kind) : undefined);
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
          await showAccount(a.id);
        },
      }, 'Delete')),
    result,
    editBox);
}

/** The channel's settings and options, prefilled; secrets stay empty unless the admin types a new one. */
function channelEditForm(a: Account, c: Channel, kind: Kind): HTMLElement {
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
      await showAccount(a.id);
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

async function renderAdmission(accountId: string): Promise<void> {
  const a = await api<Account>('GET', `/accounts/${accountId}`);
  for (const c of a.channels) document.querySelector(`article.channel[data-channel="${CSS.escape(c.id)}"] .admission`)?.replaceWith(admissionLine(c.admission));
}

function channelForm(a: Account): HTMLElement {
  const select = h('select', { id: 'new-kind' }, ...kinds.map((k) => h('option', { value: k.kind }, k.title)));
  const fields = h('div', { class: 'kind-fields' });
  const render = () => {
    const k = kinds.find((x) => x.kind === (select as HTMLSelectElement).value)!;
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
      await showAccount(a.id);
    } catch (err) {
      showError(form, err as ApiError);
    }
  });
  render();
  return form;
}

interface ActivityItem { at: number; event: string; channel: string; kind: string; outcome: string; latencyMs: number; attempts: number; error?: string; preview?: string; skipped?: string[] }
interface DeadLetter { eventId: string; channel: string; kind: string; failedAt: string; reason: string; preview?: string }

async function renderActivity(a: Account, box: HTMLElement): Promise<void> {
  const [items, dead] = await Promise.all([
    api<ActivityItem[]>('GET', `/accounts/${a.id}/activity`),
    api<DeadLetter[]>('GET', `/accounts/${a.id}/dead-letters`),
  ]);
  const channelName = (id: string) => a.channels.find((c) => c.id === id)?.name ?? id;
  clear(box, h('h2', {}, 'Activity'),
    items.length ? h('table', { class: 'activity' },
      h('thead', {}, h('tr', {}, ...['Time', 'Channel', 'Kind', 'Outcome', 'Latency', 'Preview / error'].map((t) => h('th', {}, t)))),
      h('tbody', {}, ...items.map((i) => h('tr', { class: i.outcome },
        h('td', {}, time(i.at)), h('td', {}, channelName(i.channel)), h('td', {}, i.kind),
        h('td', {}, i.outcome === 'retrying' ? `retrying (${i.attempts})` : i.outcome), h('td', {}, `${i.latencyMs} ms`),
        h('td', {}, i.error ?? [i.preview, ...(i.skipped ?? []).map((x) => `skipped: ${x}`)].filter(Boolean).join(' · ')))))) : h('p', { class: 'muted' }, 'Nothing yet.'),
    h('h3', {}, `Dead letters (${dead.length})`),
    dead.length ? h('table', { class: 'dead' },
      h('tbody', {}, ...dead.map((d) => h('tr', { 'data-event': d.eventId },
        h('td', {}, time(d.failedAt)), h('td', {}, channelName(d.channel)), h('td', {}, d.kind), h('td', {}, d.reason), h('td', {}, d.preview ?? ''),
        h('td', {}, h('button', {
          type: 'button', class: 'retry', onclick: async (e: Event) => {
            (e.target as HTMLButtonElement).disabled = true;
            await api('POST', `/accounts/${a.id}/dead-letters/${encodeURIComponent(d.eventId)}/retry`);
            await renderActivity(a, box);
          },
        }, 'Retry'), ' ', h('button', {
          type: 'button', class: 'dismiss', title: 'Delete it without delivering', onclick: async (e: Event) => {
            (e.target as HTMLButtonElement).disabled = true;
            await api('DELETE', `/accounts/${a.id}/dead-letters/${encodeURIComponent(d.eventId)}`);
            await renderActivity(a, box);
          },
        }, 'Dismiss')))))) : h('p', { class: 'muted' }, 'None.'));
}

window.addEventListener('hashchange', () => void start());
void start();
