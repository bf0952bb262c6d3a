import type { FieldText } from '../relay/core/ui-text.ts';
import type { JsonSchema } from './forms.ts';
import type { Account } from './types.ts';

// The account's own fields and its Planfix keys: their schemas as the admin API takes them, and
// what the page calls them. A channel's fields come from the channel itself (GET /api/kinds).

/** Language and timeZone left empty follow the Planfix domain (shown as the placeholder). */
export const accountSchema = (a?: Account): JsonSchema => ({
  properties: {
    name: { type: 'string' }, defaultCountry: { type: 'string', default: 'RU' },
    language: { enum: ['ru', 'uk', 'en', 'pl'] }, timeZone: { type: 'string', ...(a ? { default: a.locale.timeZone } : {}) },
  },
  required: ['name'],
});
export const ACCOUNT_FIELDS = ['name', 'defaultCountry', 'language', 'timeZone'];

export const PLANFIX_SCHEMA: JsonSchema = {
  properties: {
    url: { type: 'string', format: 'uri' }, chatToken: { type: 'string' }, restToken: { type: 'string' }, telephonyToken: { type: 'string' },
    completeStatus: { type: 'string' }, providerId: { type: 'string', default: 'planfix-relay' },
    chatApiUrl: { type: 'string', format: 'uri' }, restUrl: { type: 'string', format: 'uri' }, restRps: { type: 'number', default: 1 },
  },
  required: ['url', 'chatToken'],
};
export const PLANFIX_SECRETS = ['chatToken', 'restToken', 'telephonyToken'];

export const ACCOUNT_TEXTS: Record<string, FieldText> = {
  name: {
    en: { label: 'Name', help: 'How this page lists the account, e.g. your company\'s name.' },
    ru: { label: 'Название', help: 'Как аккаунт называется на этой странице, например название вашей компании.' },
    uk: { label: 'Назва', help: 'Як акаунт називається на цій сторінці, наприклад назва вашої компанії.' },
  },
  defaultCountry: {
    en: { label: 'Country of phone numbers', help: 'Numbers written without a country code are read as this country\'s (two letters: RU, UA, KZ…).' },
    ru: { label: 'Страна телефонных номеров', help: 'Номера без кода страны считаются номерами этой страны (две буквы: RU, UA, KZ…).' },
    uk: { label: 'Країна телефонних номерів', help: 'Номери без коду країни вважаються номерами цієї країни (дві літери: UA, PL, RU…).' },
  },
  language: {
    en: { label: 'Language of texts in Planfix', help: 'The language of what the relay writes into tasks and contacts; empty: from the Planfix domain.' },
    ru: { label: 'Язык текстов в ПланФиксе', help: 'На каком языке релей пишет в задачи и контакты; пусто — по домену ПланФикса.' },
    uk: { label: 'Мова текстів у ПланФіксі', help: 'Якою мовою релей пише в задачі та контакти; порожньо — за доменом ПланФікса.' },
    choices: {
      ru: { en: 'Russian', ru: 'Русский', uk: 'Російська' },
      uk: { en: 'Ukrainian', ru: 'Украинский', uk: 'Українська' },
      en: { en: 'English', ru: 'Английский', uk: 'Англійська' },
      pl: { en: 'Polish', ru: 'Польский', uk: 'Польська' },
    },
  },
  timeZone: {
    en: { label: 'Time zone', help: 'Times written into Planfix are in this zone, e.g. Europe/Kyiv; empty: from the Planfix domain.' },
    ru: { label: 'Часовой пояс', help: 'Время в текстах для ПланФикса указывается в этом поясе, например Europe/Moscow; пусто — по домену ПланФикса.' },
    uk: { label: 'Часовий пояс', help: 'Час у текстах для ПланФікса вказується в цьому поясі, наприклад Europe/Kyiv; порожньо — за доменом ПланФікса.' },
  },
  url: {
    en: { label: 'Planfix address', help: 'The address you open Planfix at, e.g. https://yourcompany.planfix.com.' },
    ru: { label: 'Адрес ПланФикса', help: 'Адрес, по которому вы открываете ПланФикс, например https://yourcompany.planfix.ru.' },
    uk: { label: 'Адреса ПланФікса', help: 'Адреса, за якою ви відкриваєте ПланФікс, наприклад https://yourcompany.planfix.ua.' },
  },
  chatToken: {
    en: { label: 'Planfix chat token', help: 'Planfix shows it when you add the chat in "API ПланФикса для чатов".' },
    ru: { label: 'Токен ПланФикса для чатов', help: 'ПланФикс показывает его, когда вы добавляете чат в «API ПланФикса для чатов».' },
    uk: { label: 'Токен ПланФікса для чатів', help: 'ПланФікс показує його, коли ви додаєте чат в «API ПланФикса для чатов».' },
  },
  restToken: {
    en: { label: 'Planfix REST token', help: 'A REST API token, best issued for a robot employee: contacts\' visits, completing tasks, calls.' },
    ru: { label: 'REST-токен ПланФикса', help: 'Токен REST API, лучше выпущенный для сотрудника-робота: визиты на контакте, завершение задач, звонки.' },
    uk: { label: 'REST-токен ПланФікса', help: 'Токен REST API, краще випущений для співробітника-робота: візити на контакті, завершення задач, дзвінки.' },
  },
  telephonyToken: {
    en: { label: 'Planfix telephony token', help: 'Planfix sends it by itself when you switch on "API ПланФикса для телефоний"; type it only if it did not.' },
    ru: { label: 'Токен телефонии ПланФикса', help: 'ПланФикс передаёт его сам, когда вы включаете «API ПланФикса для телефоний»; вводите, только если этого не произошло.' },
    uk: { label: 'Токен телефонії ПланФікса', help: 'ПланФікс передає його сам, коли ви вмикаєте «API ПланФикса для телефоний»; вводьте, лише якщо цього не сталося.' },
  },
  completeStatus: {
    en: { label: 'Status of a completed task', help: 'A status id or name for tasks whose chat ended; empty: the first completed status, like "Completed".' },
    ru: { label: 'Статус завершённой задачи', help: 'ID или название статуса для задач, чей чат закончен; пусто — первый завершающий статус вроде «Завершенная».' },
    uk: { label: 'Статус завершеної задачі', help: 'ID або назва статусу для задач, чий чат закінчено; порожньо — перший завершальний статус на кшталт «Завершена».' },
  },
  providerId: {
    advanced: true,
    en: { label: 'Provider id', help: 'The provider id Planfix knows the relay by; change it only together with Planfix\'s settings.' },
    ru: { label: 'Идентификатор провайдера', help: 'Под каким идентификатором ПланФикс знает релей; меняйте только вместе с настройками в ПланФиксе.' },
    uk: { label: 'Ідентифікатор провайдера', help: 'Під яким ідентифікатором ПланФікс знає релей; змінюйте лише разом із налаштуваннями в ПланФіксі.' },
  },
  chatApiUrl: {
    advanced: true,
    en: { label: 'Chat API address', help: 'Only when Planfix shows an API URL other than <address>/webchat/api.' },
    ru: { label: 'Адрес API для чатов', help: 'Только если ПланФикс показывает адрес API, отличный от <адрес>/webchat/api.' },
    uk: { label: 'Адреса API для чатів', help: 'Лише якщо ПланФікс показує адресу API, відмінну від <адреса>/webchat/api.' },
  },
  restUrl: {
    advanced: true,
    en: { label: 'REST API address', help: 'Only for tests or a proxy; empty: <address>/rest.' },
    ru: { label: 'Адрес REST API', help: 'Только для тестов или прокси; пусто — <адрес>/rest.' },
    uk: { label: 'Адреса REST API', help: 'Лише для тестів або проксі; порожньо — <адреса>/rest.' },
  },
  restRps: {
    advanced: true,
    en: { label: 'REST requests per second', help: 'At most 1, as Planfix allows; lower it if the token is shared with another integration.' },
    ru: { label: 'REST-запросов в секунду', help: 'Не больше 1, как разрешает ПланФикс; уменьшите, если токен используется ещё в одной интеграции.' },
    uk: { label: 'REST-запитів на секунду', help: 'Не більше 1, як дозволяє ПланФікс; зменште, якщо токен використовується ще в одній інтеграції.' },
  },
};
