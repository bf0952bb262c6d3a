import type { DeadReason } from '../relay/delivery/dead-reason.ts';
import type { InLanguages, UiLanguage } from '../relay/core/ui-text.ts';
import type { ChannelCheckCode } from '../relay/channels/check-texts.ts';
import type { CallSkip } from '../relay/core/call-plan.ts';
import type { CheckWords } from '../relay/core/check.ts';
import type { PlanfixCheckCode } from '../relay/planfix/check-texts.ts';
import type { RetryReason } from '../relay/delivery/retry-reason.ts';
import { en } from './texts-en.ts';
import { ru } from './texts-ru.ts';
import { uk } from './texts-uk.ts';

// The page's language: the one the admin chose (remembered in this browser), else the browser's
// first of Russian or Ukrainian, else English. Every text the page shows itself is in `Texts`.

export type { UiLanguage };

export interface Texts {
  languageName: string;
  language: string;
  appTitle: string;
  login: { token: string; hint: string; refused: string; signIn: string };
  signOut: string;
  copy: string;
  copied: string;
  accounts: string;
  channelCount(n: number): string;
  noAccounts: string;
  newAccount: string;
  accountSettings: string;
  planfixSection: string;
  alertsSection: string;
  alertsHint: string;
  createAccount: string;
  save: string;
  advanced: string;
  locale(p: { language: string; languageChosen: boolean; timeZone: string; timeZoneChosen: boolean }): string;
  deleteAccount: string;
  confirmDeleteAccount(name: string): string;
  connect: {
    title: string; chat: string; chatUrl: string; chatToken: string; providerId: string;
    telephony: string; pbxUrl: string; pbxToken: string; widget: string; userscript: string; userscriptHint: string;
  };
  check: { title: string; button: string; testing: string; fix: string; parts: Record<string, string> };
  channels: string;
  channel: {
    webhookUrl(title: string): string; webhookHint: string; webhookUrls: string; deepLink: string; connectFailed: string; connected(time: string): string;
    edit: string; test: string; connectAgain: string; delete: string; confirmDelete(name: string): string; done: string; failed: string;
    name: string; options: string; limits: string; saveChannel: string; add: string; kind: string; addButton: string;
  };
  admission: {
    reasons: Record<'rate' | 'new_conversations' | 'new_contacts' | 'backlog', string>;
    biting: string; refused: string; thisHour(n: number): string; hourBefore(n: number): string; lastAt(time: string): string; advice: string;
  };
  activity: {
    title: string; headings: [string, string, string, string, string, string]; kinds: Record<string, string>;
    outcomes: Record<string, string>; retrying(n: number): string; skipped: string; nothing: string;
    dead(n: number): string; retry: string; dismiss: string; dismissTitle: string; none: string;
    retryAll: string; confirmRetryAll(n: number): string; requeued(n: number): string; requeuedMore: string; details: string;
    /** A dead letter's reason in plain words, by the API's reasonCode (relay/delivery/dead-reason.ts). */
    reasons: Record<DeadReason, string>;
  };
  form: { required: string; secretSet(mask: string): string; secretUnset: string; json: string; defaultValue(v: string): string; notJson: string;
    addRow: string; removeRow: string; duplicateKey: string;
  };
  traffic: {
    title: string; range24h: string; range7d: string; channel: string; allChannels: string; hourly: string; sixHourly: string;
    metrics: Record<'received' | 'delivered' | 'retried' | 'refused' | 'dead', string>;
    latency: string; percentiles(p50: string, p95: string): string; noLatency: string; backlog: string; backlogNow(n: number): string;
    units: { ms: string; s: string; min: string; h: string };
  };
  limits: Record<'ratePerSecond' | 'burst' | 'newConversationsPerHour' | 'newContactsPerHour' | 'accountBacklog', { label: string; help: string }>;
  // Rotating the relay's secrets, and the API's results worded by their codes (issue 16).
  rotate: {
    urlButton: string; tokenButton: string; keyButton: string;
    /** A channel whose URL the admin pastes at the provider; `title` is the provider's name, `many`: it has several URLs (Ringostat), all new. */
    confirmChannel(name: string, title: string, many: boolean): string; doneChannel(title: string, many: boolean): string;
    /** A channel whose URL the relay registers with the provider itself (Viber). */
    confirmRegistered(name: string, title: string): string; doneRegistered(title: string): string;
    confirmChat: string; doneChat: string; confirmTelephony: string; doneTelephony: string; confirmWidget: string; doneWidget: string;
  };
  results: {
    /** "Test connection" outcomes by their `code` (relay/planfix/check-texts.ts, relay/channels/check-texts.ts); a channel's own are in its texts. */
    checks: Record<PlanfixCheckCode | ChannelCheckCode, CheckWords>;
    /** What each REST scope probe found. */
    scopes: Record<'works' | 'missing' | 'unknown', string>;
    /** Why an activity line is being retried, by its errorCode (relay/delivery/retry-reason.ts). */
    retryReasons: Record<RetryReason, string>;
    /** What a delivered call left out, by its skippedCodes (relay/core/call-plan.ts). */
    skips: Record<CallSkip, string>;
  };
  phoneBook: {
    title: string; help: string; off: string; notNeeded: string; never: string; changesRefused: string;
    numbers(numbers: number, contacts: number | undefined): string; reading(contacts: number): string;
    syncedAt(when: string): string; error(when: string, text: string): string;
  };
  /** Fields picked from the account's Planfix (admin-ui/pickers.ts), and the task fields table. */
  pickers: {
    choose: string; typeId: string; typeIn: string;
    scope(scope: string, manual: string): string; noToken(manual: string): string; failed(message: string, manual: string): string;
    truncated(n: string): string; suggested(who: string): string; accept: string; off: string;
  };
  // Reconciliation with a provider's log: the channel card's line, and the mark of recovered events in the activity.
  reconcile: {
    off: Record<'no_key' | 'turned_off' | 'relay_off', (title: string) => string>;
    notYet(title: string): string;
    last(title: string, at: string): string;
    span(from: string, to: string): string;
    nothing: string;
    found(found: number, recovered: number): string;
    failed(title: string, at: string): string;
    again: string;
    every(minutes: number): string;
    recovered: string;
  };
}

const ALL: Record<UiLanguage, Texts> = { en, ru, uk };
export const LANGUAGES: UiLanguage[] = ['ru', 'uk', 'en'];
const KEY = 'planfix-relay-admin-language';

const isLanguage = (v: unknown): v is UiLanguage => typeof v === 'string' && Object.hasOwn(ALL, v);

/** The browser's first language the page has: ru and uk (any region), else English. */
export function fromBrowser(languages: readonly string[]): UiLanguage {
  for (const l of languages) {
    const base = l.toLowerCase().split('-')[0];
    if (base === 'ru' || base === 'uk') return base;
  }
  return 'en';
}

let current: UiLanguage = (() => {
  const saved = localStorage.getItem(KEY);
  return isLanguage(saved) ? saved : fromBrowser(navigator.languages?.length ? navigator.languages : [navigator.language]);
})();
document.documentElement.lang = current;

export const lang = (): UiLanguage => current;
/** The texts of the page's language. */
export const t = (): Texts => ALL[current];
/** A text declared elsewhere (a channel, the relay's warnings) in the page's language. */
export const pick = <T>(texts: InLanguages<T>): T => texts[current];

export function setLanguage(l: UiLanguage): void {
  current = l;
  localStorage.setItem(KEY, l);
  document.documentElement.lang = l;
}

/** A text of the page in every language, where a declaration elsewhere wants all of them (a form field's words). */
export function inAll<T>(get: (texts: Texts) => T): InLanguages<T> {
  return { ru: get(ru), uk: get(uk), en: get(en) };
}

/** The language names as each language calls itself, for the header's selector. */
export const languageName = (l: UiLanguage): string => ALL[l].languageName;
