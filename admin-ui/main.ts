import './admin.css';
import { api, ApiError, token } from './api.ts';
import { clear, copyField, h } from './dom.ts';
import { clearErrors, collect, field, fieldsOf, showError, type JsonSchema } from './forms.ts';
import { renderActivity } from './activity.ts';
import { channelCard, channelForm, renderAdmission, type PageContext } from './channels.ts';
import { checkLine } from './checks.ts';
import type { Account, Check, Kind } from './types.ts';

// The admin page: one screen per account, everything through the admin API.


const root = document.getElementById('app')!;
let kinds: Kind[] = [];
let refresh: ReturnType<typeof setInterval> | undefined;
const page: PageContext = { get kinds() { return kinds; }, reload: (id) => showAccount(id) };

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
    h('section', { class: 'card', id: 'channels' }, h('h2', {}, 'Channels'), ...a.channels.map((c) => channelCard(page, a, c)), channelForm(page, a)),
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

window.addEventListener('hashchange', () => void start());
void start();
