import './admin.css';
import { api, ApiError, token } from './api.ts';
import { clear, h } from './dom.ts';
import { renderActivity } from './activity.ts';
import { renderPhoneBook } from './phone-book.ts';
import { renderTraffic } from './traffic.ts';
import { accountForm, checkPanel, connectPanel } from './account.ts';
import { channelCard, channelForm, renderAdmission, type PageContext } from './channels.ts';
import { lang, languageName, LANGUAGES, setLanguage, t, type UiLanguage } from './i18n.ts';
import { pickers } from './pickers.ts';
import { warningLines } from './warnings.ts';
import type { Account, Kind } from './types.ts';

// The admin page: one screen per account, everything through the admin API, in the admin's language.

const root = document.getElementById('app')!;
let kinds: Kind[] = [];
let refresh: ReturnType<typeof setInterval> | undefined;
/** Draws the current screen again: after the language changes, every text is redrawn in it. */
let redraw: () => void = () => void start();
const page: PageContext = { get kinds() { return kinds; }, reload: (id) => showAccount(id) };

function languageSelect(): HTMLElement {
  const select = h('select', { id: 'language', 'aria-label': t().language },
    ...LANGUAGES.map((l) => h('option', { value: l, selected: l === lang() }, languageName(l))));
  select.addEventListener('change', () => {
    setLanguage(select.value as UiLanguage);
    document.title = t().appTitle;
    redraw();
  });
  return h('label', { class: 'language' }, h('span', { class: 'sr-only' }, t().language), select);
}

/** The sign-in form; `refused` says the last token was wrong, `message` any other failure as it came. */
function login(why?: { refused: true } | { message: string }): void {
  stopRefresh();
  redraw = () => login(why);
  const words = t().login;
  const message = why && ('refused' in why ? words.refused : why.message);
  const input = h('input', { type: 'password', id: 'token', autocomplete: 'off', placeholder: 'RELAY_ADMIN_TOKEN' });
  const form = h('form', {
    class: 'card login',
    onsubmit: (e: Event) => {
      e.preventDefault();
      token.set(input.value.trim());
      void start();
    },
  }, h('div', { class: 'login-head' }, h('h2', {}, t().appTitle), languageSelect()), h('label', { for: 'token' }, words.token), input,
  h('p', { class: 'muted' }, words.hint),
  message ? h('p', { class: 'error' }, message) : undefined, h('button', { type: 'submit' }, words.signIn));
  clear(root, form);
  input.focus();
}

async function start(): Promise<void> {
  document.title = t().appTitle;
  if (!token.get()) return login();
  try {
    kinds = await api<Kind[]>('GET', '/kinds');
  } catch (err) {
    token.clear();
    return login(err instanceof ApiError && err.status === 401 ? { refused: true } : { message: (err as Error).message });
  }
  const id = location.hash.slice(1);
  return id ? showAccount(id) : showAccounts();
}

function layout(...children: (Node | string | undefined)[]): void {
  stopRefresh();
  clear(root, h('header', {}, h('a', { href: '#', onclick: (e: Event) => { e.preventDefault(); location.hash = ''; void showAccounts(); } }, 'planfix-relay'),
    h('div', { class: 'header-tools' }, languageSelect(),
      h('button', { type: 'button', class: 'link', onclick: () => { token.clear(); login(); } }, t().signOut))), ...children);
}

async function showAccounts(): Promise<void> {
  redraw = () => void showAccounts();
  const accounts = await api<Account[]>('GET', '/accounts');
  const words = t();
  layout(h('main', {},
    ...(accounts[0] ? warningLines(accounts[0].warningCodes, accounts[0].warnings) : []),
    h('section', { class: 'card' }, h('h2', {}, words.accounts),
      accounts.length ? h('ul', { class: 'accounts' }, ...accounts.map((a) => h('li', {},
        h('a', { href: `#${a.id}`, onclick: () => void showAccount(a.id) }, a.name),
        h('span', { class: 'muted' }, ` ${String(a.planfix.url)} · ${words.channelCount(a.channels.length)}`)))) : h('p', { class: 'muted' }, words.noAccounts)),
    accountForm(undefined, (id) => { location.hash = id; return showAccount(id); })));
}

async function showAccount(id: string): Promise<void> {
  let a: Account;
  try {
    a = await api<Account>('GET', `/accounts/${id}`);
  } catch {
    location.hash = '';
    return showAccounts();
  }
  redraw = () => void showAccount(a.id);
  location.hash = a.id;
  const words = t();
  const activity = h('section', { class: 'card', id: 'activity' }, h('h2', {}, words.activity.title));
  const traffic = h('section', { class: 'card', id: 'traffic' }, h('h2', {}, words.traffic.title));
  const phoneBook = h('section', { class: 'card', id: 'phone-book' }, h('h2', {}, words.phoneBook.title));
  layout(h('main', {},
    h('h1', {}, a.name),
    h('div', { id: 'account-warnings' }, ...warningLines(a.warningCodes, a.warnings)),
    connectPanel(a),
    checkPanel(a),
    h('section', { class: 'card', id: 'channels' }, h('h2', {}, words.channels), ...a.channels.map((c) => channelCard(page, a, c)), channelForm(page, a)),
    phoneBook,
    traffic,
    activity,
    accountForm(a, (saved) => showAccount(saved)),
    h('section', { class: 'card danger' }, h('button', {
      type: 'button', class: 'danger', onclick: async () => {
        if (!confirm(words.confirmDeleteAccount(a.name))) return;
        await api('DELETE', `/accounts/${a.id}`);
        location.hash = '';
        await showAccounts();
      },
    }, words.deleteAccount))));
  pickers(root.querySelector('main')!, a.id);
  await Promise.all([renderActivity(a, activity), renderTraffic(a, traffic), renderPhoneBook(a, phoneBook)]);
  // The charts change by the hour: redrawn every 30 s, not with every 3 s refresh of the lists.
  let ticks = 0;
  refresh = setInterval(() => void Promise.all([renderActivity(a, activity), renderAdmission(a.id), ...(++ticks % 10 ? [] : [renderTraffic(a, traffic), renderPhoneBook(a, phoneBook)])]).catch(() => undefined), 3000);
}

function stopRefresh(): void {
  if (refresh) clearInterval(refresh);
  refresh = undefined;
}

window.addEventListener('hashchange', () => void start());
void start();
