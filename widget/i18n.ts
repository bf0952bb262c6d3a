const en = {
  title: 'Channel data',
  collapse: 'Collapse',
  expand: 'Expand',
  loading: 'Loading…',
  reinstall: 'The widget key is no longer valid. Reinstall the userscript from the relay admin page.',
  unreachable: 'The relay is unreachable',
  retry: 'Retry',
  channel: 'Channel',
  openIn: 'Open the conversation in',
  customer: 'Customer',
  name: 'Name',
  phone: 'Phone',
  email: 'E-mail',
  visitor: 'Visitor',
  browser: 'Browser',
  os: 'OS',
  device: 'Device',
  ip: 'IP',
  city: 'City',
  country: 'Country',
  pages: 'Pages visited',
  showAll: 'Show all',
  showFewer: 'Show fewer',
  source: 'Source',
  referrer: 'Referrer',
  landing: 'Landing page',
  utm: 'UTM',
  siteData: 'Site data',
  calls: 'Calls',
  in: 'Incoming',
  out: 'Outgoing',
  employee: 'Employee',
  download: 'Download the recording',
  analyticsId: 'Analytics client id',
  callCard: 'Call card',
  statuses: { ringing: 'ringing', accepted: 'accepted', answered: 'answered', missed: 'missed', busy: 'busy', noanswer: 'no answer', failed: 'failed' } as Record<string, string>,
  // The customer's history ("This customer").
  thisCustomer: 'This customer',
  firstVisit: 'First visit',
  latestVisit: 'Latest visit',
  when: 'When',
  conversations: 'Conversations',
  task: 'Task',
  showMore: 'Show more',
  play: 'Play the recording',
  contents: { location: 'Location', contact: 'Contact', sticker: 'Sticker', unsupported: 'Message', missingMedia: 'File' } as Record<string, string>,
};

export type Labels = typeof en;

const ru: Labels = {
  title: 'Данные канала',
  collapse: 'Свернуть',
  expand: 'Развернуть',
  loading: 'Загрузка…',
  reinstall: 'Ключ виджета больше не действует. Переустановите юзерскрипт со страницы администратора релея.',
  unreachable: 'Релей недоступен',
  retry: 'Повторить',
  channel: 'Канал',
  openIn: 'Открыть разговор в',
  customer: 'Клиент',
  name: 'Имя',
  phone: 'Телефон',
  email: 'E-mail',
  visitor: 'Посетитель',
  browser: 'Браузер',
  os: 'ОС',
  device: 'Устройство',
  ip: 'IP',
  city: 'Город',
  country: 'Страна',
  pages: 'Просмотренные страницы',
  showAll: 'Показать все',
  showFewer: 'Свернуть список',
  source: 'Источник',
  referrer: 'Реферер',
  landing: 'Страница входа',
  utm: 'UTM',
  siteData: 'Данные сайта',
  calls: 'Звонки',
  in: 'Входящий',
  out: 'Исходящий',
  employee: 'Сотрудник',
  download: 'Скачать запись',
  analyticsId: 'Client ID аналитики',
  callCard: 'Карточка звонка',
  statuses: { ringing: 'звонит', accepted: 'принят', answered: 'отвечен', missed: 'пропущен', busy: 'занято', noanswer: 'нет ответа', failed: 'ошибка' },
  // The customer's history ("This customer").
  thisCustomer: 'Этот клиент',
  firstVisit: 'Первый визит',
  latestVisit: 'Последний визит',
  when: 'Когда',
  conversations: 'Диалоги',
  task: 'Задача',
  showMore: 'Показать ещё',
  play: 'Прослушать запись',
  contents: { location: 'Местоположение', contact: 'Контакт', sticker: 'Стикер', unsupported: 'Сообщение', missingMedia: 'Файл' },
};

const uk: Labels = {
  title: 'Дані каналу',
  collapse: 'Згорнути',
  expand: 'Розгорнути',
  loading: 'Завантаження…',
  reinstall: 'Ключ віджета більше не дійсний. Перевстановіть юзерскрипт зі сторінки адміністратора релея.',
  unreachable: 'Релей недоступний',
  retry: 'Повторити',
  channel: 'Канал',
  openIn: 'Відкрити розмову в',
  customer: 'Клієнт',
  name: 'Ім’я',
  phone: 'Телефон',
  email: 'E-mail',
  visitor: 'Відвідувач',
  browser: 'Браузер',
  os: 'ОС',
  device: 'Пристрій',
  ip: 'IP',
  city: 'Місто',
  country: 'Країна',
  pages: 'Переглянуті сторінки',
  showAll: 'Показати всі',
  showFewer: 'Згорнути список',
  source: 'Джерело',
  referrer: 'Реферер',
  landing: 'Сторінка входу',
  utm: 'UTM',
  siteData: 'Дані сайту',
  calls: 'Дзвінки',
  in: 'Вхідний',
  out: 'Вихідний',
  employee: 'Співробітник',
  download: 'Завантажити запис',
  analyticsId: 'Client ID аналітики',
  callCard: 'Картка дзвінка',
  statuses: { ringing: 'дзвонить', accepted: 'прийнятий', answered: 'з відповіддю', missed: 'пропущений', busy: 'зайнято', noanswer: 'без відповіді', failed: 'помилка' },
  // The customer's history ("This customer").
  thisCustomer: 'Цей клієнт',
  firstVisit: 'Перший візит',
  latestVisit: 'Останній візит',
  when: 'Коли',
  conversations: 'Діалоги',
  task: 'Завдання',
  showMore: 'Показати ще',
  play: 'Прослухати запис',
  contents: { location: 'Місцезнаходження', contact: 'Контакт', sticker: 'Стікер', unsupported: 'Повідомлення', missingMedia: 'Файл' },
};

const LABELS = { en, ru, uk };
export type Lang = keyof typeof LABELS;

/** A language the widget speaks from a tag like `uk-UA`; Planfix's Ukrainian may say `ua`. */
function spoken(tag: string | undefined): Lang | undefined {
  const code = /^([a-z]{2})(?:[-_]|$)/i.exec(tag ?? '')?.[1]?.toLowerCase();
  if (code === 'ua') return 'uk';
  return code && Object.prototype.hasOwnProperty.call(LABELS, code) ? code as Lang : undefined;
}

/**
 * Planfix's interface language (it sets <html lang>, and can change it without a reload) wins;
 * a page without one the widget speaks falls back to the account's language, then English.
 */
export function pageLang(accountLang?: string): Lang {
  return spoken(document.documentElement.lang) ?? spoken(accountLang) ?? 'en';
}

export function labels(lang: Lang): Labels {
  return LABELS[lang];
}

/** A known name, or the value itself: `?? ` on a plain object would find "constructor" too. */
function known(map: Record<string, string>, key: string): string {
  return Object.prototype.hasOwnProperty.call(map, key) ? map[key]! : key;
}

export function statusName(t: Labels, status: string): string {
  return known(t.statuses, status);
}

export function contentName(t: Labels, kind: string): string {
  return known(t.contents, kind);
}

/**
 * Day, month, year and time as Intl.DateTimeFormat's short date and time style writes them for
 * en-GB, ru-RU and uk-UA (test/widget-when.test.ts holds them to it), read from the Date in the
 * browser's time zone as Intl does. Not Intl itself: the first formatter in a tab loads ICU's date
 * data, 15-20 ms on the main thread before the panel can be drawn.
 */
const two = (n: number) => String(n).padStart(2, '0');

const DATE_STYLE: Record<Lang, { sep: string; year: (y: number) => string }> = {
  en: { sep: '/', year: String },
  ru: { sep: '.', year: String },
  uk: { sep: '.', year: (y) => two(y % 100) },
};

export function when(ms: number | undefined, lang: Lang): string | undefined {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) return undefined;
  const d = new Date(ms);
  const year = d.getFullYear();
  // Out of the range a Date holds.
  if (Number.isNaN(year)) return undefined;
  const { sep, year: y } = DATE_STYLE[lang];
  // Years before the common era as Intl writes them without the era: 1 BC (year 0) is 1.
  return `${two(d.getDate())}${sep}${two(d.getMonth() + 1)}${sep}${y(year > 0 ? year : 1 - year)}, ${two(d.getHours())}:${two(d.getMinutes())}`;
}

export function duration(sec: number | undefined): string | undefined {
  if (typeof sec !== 'number' || !Number.isFinite(sec) || sec < 0) return undefined;
  const s = Math.round(sec);
  return s >= 3600 ? `${Math.floor(s / 3600)}:${two(Math.floor(s / 60) % 60)}:${two(s % 60)}` : `${Math.floor(s / 60)}:${two(s % 60)}`;
}
