const en = {
  title: 'Channel data',
  collapse: 'Collapse',
  expand: 'Expand',
  loading: 'Loading…',
  noData: 'No channel data for this task.',
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
};

export type Labels = typeof en;

const ru: Labels = {
  title: 'Данные канала',
  collapse: 'Свернуть',
  expand: 'Развернуть',
  loading: 'Загрузка…',
  noData: 'Нет данных канала по этой задаче.',
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
};

export type Lang = 'ru' | 'en';

/** Planfix sets the interface language on <html lang>; it can change without a reload. */
export function pageLang(): Lang {
  return /^ru\b/i.test(document.documentElement.lang) ? 'ru' : 'en';
}

export function labels(lang: Lang): Labels {
  return lang === 'ru' ? ru : en;
}

/** A known name, or the value itself: `?? ` on a plain object would find "constructor" too. */
function known(map: Record<string, string>, key: string): string {
  return Object.prototype.hasOwnProperty.call(map, key) ? map[key]! : key;
}

export function statusName(t: Labels, status: string): string {
  return known(t.statuses, status);
}

export function when(ms: number | undefined, lang: Lang): string | undefined {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) return undefined;
  return new Date(ms).toLocaleString(lang === 'ru' ? 'ru-RU' : 'en-GB', { dateStyle: 'short', timeStyle: 'short' });
}

export function duration(sec: number | undefined): string | undefined {
  if (typeof sec !== 'number' || !Number.isFinite(sec) || sec < 0) return undefined;
  const s = Math.round(sec);
  const two = (n: number) => String(n).padStart(2, '0');
  return s >= 3600 ? `${Math.floor(s / 3600)}:${two(Math.floor(s / 60) % 60)}:${two(s % 60)}` : `${Math.floor(s / 60)}:${two(s % 60)}`;
}
