import type { InLanguages, Warning } from './ui-text.ts';
import type { Account, ChannelConfig } from './account.ts';

// What a setup still lacks that the relay itself can tell, whatever the channel's provider: the
// account card's warnings and those every channel of a family shares. A channel's own warnings are
// declared in its folder. Free of Node imports: the admin page words these same templates.

export const SETUP_WARNINGS = {
  public_url_local: {
    en: 'The relay\'s public address is {url}: Chatra, Viber, Ringostat and Planfix cannot reach it, so every URL below is useless to them. Set RELAY_PUBLIC_URL to the address they reach (e.g. https://relay.example.com) and restart the relay.',
    ru: 'Публичный адрес релея — {url}: Chatra, Viber, Ringostat и ПланФикс не могут до него достучаться, и все адреса ниже для них бесполезны. Укажите в RELAY_PUBLIC_URL адрес, доступный из интернета (например, https://relay.example.com), и перезапустите релей.',
    uk: 'Публічна адреса релея — {url}: Chatra, Viber, Ringostat і ПланФікс не можуть до неї достукатися, тож усі адреси нижче для них марні. Вкажіть у RELAY_PUBLIC_URL адресу, доступну з інтернету (наприклад, https://relay.example.com), і перезапустіть релей.',
  },
  telephony_token_missing: {
    en: 'Planfix Telephony is not connected (no planfix.telephonyToken): calls get no pop-ups and no call history in Planfix, only the call comment. '
      + 'Switch on "API ПланФикса для телефоний" in Planfix with this account\'s connect.planfixTelephony URL and token.',
    ru: 'Телефония ПланФикса не подключена (нет токена телефонии): звонки не всплывают у сотрудников и не попадают в историю звонков, в ПланФиксе остаётся только комментарий о звонке. '
      + 'Включите в ПланФиксе «Виртуальная АТС → API ПланФикса для телефоний» с адресом и токеном АТС из блока «Подключение ПланФикса»: ПланФикс сам передаст релею свой токен.',
    uk: 'Телефонію ПланФікса не підключено (немає токена телефонії): дзвінки не спливають у співробітників і не потрапляють в історію дзвінків, у ПланФіксі лишається тільки коментар про дзвінок. '
      + 'Увімкніть у ПланФіксі «Віртуальна АТС → API ПланФикса для телефоний» з адресою й токеном АТС із блоку «Підключення ПланФікса»: ПланФікс сам передасть релею свій токен.',
  },
  rest_token_missing_close: {
    en: 'Tasks are not completed when a chat ends: "complete the task when the chat ends" needs the account\'s Planfix REST token (planfix.restToken).',
    ru: 'Задачи не завершаются по окончании чата: для «Завершать задачу, когда чат закончен» нужен REST-токен ПланФикса в настройках аккаунта.',
    uk: 'Задачі не завершуються після закінчення чату: для «Завершувати задачу, коли чат закінчено» потрібен REST-токен ПланФікса в налаштуваннях акаунта.',
  },
} satisfies Record<string, InLanguages>;

export type SetupWarningCode = keyof typeof SETUP_WARNINGS;

/** The relay's own address as providers see it: on loopback or "localhost", nobody outside can call it. */
export function accountWarnings(publicUrl: string): Warning[] {
  let host = '';
  try { host = new URL(publicUrl).hostname.replace(/^\[|\]$/g, ''); } catch { /* not a URL: said elsewhere */ }
  const local = host === 'localhost' || host.endsWith('.localhost') || host === '::1' || host.startsWith('127.') || host === '0.0.0.0';
  return local ? [{ code: 'public_url_local', params: { url: publicUrl } }] : [];
}

/** What every channel of its family needs of the account's Planfix keys. */
export function familyWarnings(family: 'chat' | 'telephony', c: ChannelConfig, a: Account): Warning[] {
  return [
    ...(family === 'telephony' && !a.planfix.telephonyToken ? [{ code: 'telephony_token_missing' }] : []),
    // The planner completes the task only with a REST token (core/plan.ts).
    ...(c.options.closeTaskOnChatEnd === true && !a.planfix.restToken ? [{ code: 'rest_token_missing_close' }] : []),
  ];
}
