import type { FieldIssue } from '../relay/core/issue.ts';
import type { InLanguages } from '../relay/core/ui-text.ts';
import { pick } from './i18n.ts';

// The admin API's field errors (their path and reason) in plain words of the page's language:
// what to type, not what the schema said. Anything unforeseen keeps the API's own message.

export type { FieldIssue };

interface Words {
  fill: string;
  planfixUrl: string;
  planfixHost: string;
  https: string;
  url: string;
  providerHost: string;
  credentials: string;
  email: string;
  country: string;
  timeZone: string;
  minChars(n: number): string;
  maxChars(n: number): string;
  numberAtLeast(n: number): string;
  numberAbove(n: number): string;
  numberAtMost(n: number): string;
  wholeNumber: string;
  number: string;
  jsonList: string;
  jsonObject: string;
  text: string;
  oneOf(values: string): string;
  unknownField: string;
  notAccepted(why: string): string;
}

const WORDS: InLanguages<Words> = {
  en: {
    fill: 'fill this in',
    planfixUrl: 'enter the address as https://yourcompany.planfix.ru',
    planfixHost: 'this is not a Planfix address: enter yours as https://yourcompany.planfix.ru (a self-hosted Planfix must be listed in RELAY_ALLOW_HOSTS)',
    https: 'the address must start with https://',
    url: 'enter a full address starting with https://',
    providerHost: 'this host is not the provider\'s: leave the field empty, or list the host in RELAY_ALLOW_HOSTS',
    credentials: 'remove the login and password from the address',
    email: 'enter an e-mail address, like support@yourcompany.com',
    country: 'enter the country as two letters, like RU or UA',
    timeZone: 'enter a time zone like Europe/Kyiv or Europe/Moscow',
    minChars: (n) => `enter at least ${n} characters`,
    maxChars: (n) => `enter at most ${n} characters`,
    numberAtLeast: (n) => `enter a number of at least ${n}`,
    numberAbove: (n) => `enter a number greater than ${n}`,
    numberAtMost: (n) => `enter a number of at most ${n}`,
    wholeNumber: 'enter a whole number',
    number: 'enter a number',
    jsonList: 'enter a JSON list: [ … ]',
    jsonObject: 'enter a JSON object: { … }',
    text: 'enter text',
    oneOf: (v) => `choose one of: ${v}`,
    unknownField: 'the relay does not know this field',
    notAccepted: (why) => `not accepted: ${why}`,
  },
  ru: {
    fill: 'заполните это поле',
    planfixUrl: 'введите адрес в виде https://yourcompany.planfix.ru',
    planfixHost: 'это не адрес ПланФикса: введите свой в виде https://yourcompany.planfix.ru (собственный сервер ПланФикса нужно указать в RELAY_ALLOW_HOSTS)',
    https: 'адрес должен начинаться с https://',
    url: 'введите полный адрес, начиная с https://',
    providerHost: 'это не адрес сервиса: оставьте поле пустым или добавьте хост в RELAY_ALLOW_HOSTS',
    credentials: 'уберите из адреса логин и пароль',
    email: 'введите e-mail, например support@yourcompany.ru',
    country: 'введите страну двумя буквами, например RU или UA',
    timeZone: 'введите часовой пояс, например Europe/Moscow или Europe/Kyiv',
    minChars: (n) => `введите не меньше ${n} символов`,
    maxChars: (n) => `введите не больше ${n} символов`,
    numberAtLeast: (n) => `введите число не меньше ${n}`,
    numberAbove: (n) => `введите число больше ${n}`,
    numberAtMost: (n) => `введите число не больше ${n}`,
    wholeNumber: 'введите целое число',
    number: 'введите число',
    jsonList: 'введите JSON-список: [ … ]',
    jsonObject: 'введите JSON-объект: { … }',
    text: 'введите текст',
    oneOf: (v) => `выберите одно из: ${v}`,
    unknownField: 'релей не знает такого поля',
    notAccepted: (why) => `значение не принято: ${why}`,
  },
  uk: {
    fill: 'заповніть це поле',
    planfixUrl: 'введіть адресу у вигляді https://yourcompany.planfix.ua',
    planfixHost: 'це не адреса ПланФікса: введіть свою у вигляді https://yourcompany.planfix.ua (власний сервер ПланФікса треба вказати в RELAY_ALLOW_HOSTS)',
    https: 'адреса має починатися з https://',
    url: 'введіть повну адресу, починаючи з https://',
    providerHost: 'це не адреса сервісу: залиште поле порожнім або додайте хост у RELAY_ALLOW_HOSTS',
    credentials: 'приберіть з адреси логін і пароль',
    email: 'введіть e-mail, наприклад support@yourcompany.ua',
    country: 'введіть країну двома літерами, наприклад UA або PL',
    timeZone: 'введіть часовий пояс, наприклад Europe/Kyiv або Europe/Warsaw',
    minChars: (n) => `введіть щонайменше ${n} символів`,
    maxChars: (n) => `введіть не більше ${n} символів`,
    numberAtLeast: (n) => `введіть число не менше ${n}`,
    numberAbove: (n) => `введіть число більше ${n}`,
    numberAtMost: (n) => `введіть число не більше ${n}`,
    wholeNumber: 'введіть ціле число',
    number: 'введіть число',
    jsonList: 'введіть JSON-список: [ … ]',
    jsonObject: 'введіть JSON-об\'єкт: { … }',
    text: 'введіть текст',
    oneOf: (v) => `оберіть одне з: ${v}`,
    unknownField: 'релей не знає такого поля',
    notAccepted: (why) => `значення не прийнято: ${why}`,
  },
};

/** The field error in the page's language; `message` is the API's own, kept for what has no plain words. */
export function plainError(f: FieldIssue, message: string): string {
  const w = pick(WORDS);
  const leaf = f.path.split('.').pop();
  const planfixUrl = f.path === 'planfix.url';
  switch (f.reason) {
    case 'required': return w.fill;
    case 'not_allowed':
      if (f.rule === 'host') return planfixUrl ? w.planfixHost : w.providerHost;
      if (f.rule === 'https' || f.rule === 'http') return w.https;
      if (f.rule === 'credentials') return w.credentials;
      return planfixUrl ? w.planfixUrl : w.url;
    case 'invalid_format':
      if (f.format === 'url') return planfixUrl ? w.planfixUrl : w.url;
      if (f.format === 'email') return w.email;
      if (leaf === 'defaultCountry') return w.country;
      break;
    case 'too_small':
      if (f.origin === 'string') return f.minimum === undefined || f.minimum <= 1 ? w.fill : w.minChars(f.minimum);
      if (f.origin === 'number' && f.minimum !== undefined) return f.inclusive === false ? w.numberAbove(f.minimum) : w.numberAtLeast(f.minimum);
      break;
    case 'too_big':
      if (f.origin === 'string' && f.maximum !== undefined) return w.maxChars(f.maximum);
      if (f.origin === 'number' && f.maximum !== undefined) return w.numberAtMost(f.maximum);
      break;
    case 'invalid_type':
      if (f.expected === 'int') return w.wholeNumber;
      if (f.expected === 'number') return w.number;
      if (f.expected === 'array') return w.jsonList;
      if (f.expected === 'object' || f.expected === 'record') return w.jsonObject;
      if (f.expected === 'string') return w.text;
      break;
    case 'invalid_value':
      if (f.values?.length) return w.oneOf(f.values.map(String).join(', '));
      break;
    case 'unrecognized_keys': return w.unknownField;
    case 'custom':
      if (leaf === 'timeZone') return w.timeZone;
      break;
  }
  return w.notAccepted(message);
}
