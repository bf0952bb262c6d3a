import type { CallOutcome, MessageContent } from './events.ts';
import type { Language } from './locale.ts';

/**
 * Every word the relay itself writes into Planfix (summaries, visit actions, call comments,
 * default names), in each language an account can choose. Values from providers and admins
 * (names, URLs, templates) are never translated. A new language is one more entry here.
 */
export interface PlanfixTexts {
  /** The contact's name when the customer gave none. */
  visitor: string;
  emptyMessage: string;
  /** The contact's "data" line and the visit summary's header: "Chatra visitor". */
  channelVisitor: (channel: string) => string;
  location: string;
  browser: string;
  os: string;
  device: string;
  referrer: string;
  landing: string;
  pagesVisited: string;
  /** What the website itself passed about the visitor (Chatra's setIntegrationData). */
  siteData: string;
  openIn: (channel: string) => string;
  /** The contact's action on a new visit: "New Chatra chat". */
  newChat: (channel: string) => string;
  /** Dates a provider's transcript carries. */
  started: string;
  ended: string;
  postponedUntil: string;
  /** A message that is not words (MessageContent); `location` above names a shared location too. */
  content: {
    noCoordinates: string;
    contact: string;
    empty: string;
    sticker: string;
    unsupported: (type: string) => string;
    media: { picture: string; video: string; file: string };
    noLink: (media: string) => string;
  };
  /** A message status "error" whose channel gave no reason. */
  notDelivered: string;
  call: {
    incoming: string;
    outgoing: string;
    outcome: Record<CallOutcome, string>;
    number: string;
    employee: string;
    department: string;
    waited: string;
    reason: string;
    recording: string;
    card: string;
    lateRecording: (when: string) => string;
    /** Defaults of the channel's contactName and taskName templates; `{phone}` is the number. */
    contactName: string;
    taskName: string;
  };
}

export const TEXTS: Record<Language, PlanfixTexts> = {
  en: {
    visitor: 'Visitor',
    emptyMessage: '(empty message)',
    channelVisitor: (c) => `${c} visitor`,
    location: 'Location', browser: 'Browser', os: 'OS', device: 'Device', referrer: 'Came from', landing: 'Landing page',
    pagesVisited: 'Pages visited',
    siteData: 'Site data',
    openIn: (c) => `Open in ${c}`,
    newChat: (c) => `New ${c} chat`,
    started: 'Started', ended: 'Ended', postponedUntil: 'Postponed until',
    content: {
      noCoordinates: 'no coordinates', contact: 'Contact', empty: '(empty)', sticker: 'Sticker',
      unsupported: (type) => `Message of type "${type}"`,
      media: { picture: 'Picture', video: 'Video', file: 'File' },
      noLink: (media) => `${media} without a link`,
    },
    notDelivered: 'The channel could not deliver the message',
    call: {
      incoming: 'Incoming call', outgoing: 'Outgoing call',
      outcome: { answered: 'answered', missed: 'missed', busy: 'busy', noanswer: 'no answer', failed: 'failed' },
      number: 'Number', employee: 'Employee', department: 'Department', waited: 'Waited', reason: 'Reason',
      recording: 'Recording', card: 'Call card',
      lateRecording: (when) => `Recording of the call of ${when}`,
      contactName: 'Client {phone}', taskName: 'Call with {phone}',
    },
  },
  ru: {
    visitor: 'Посетитель',
    emptyMessage: '(пустое сообщение)',
    channelVisitor: (c) => `Посетитель ${c}`,
    location: 'Местоположение', browser: 'Браузер', os: 'ОС', device: 'Устройство', referrer: 'Откуда пришёл', landing: 'Страница входа',
    pagesVisited: 'Просмотренные страницы',
    siteData: 'Данные сайта',
    openIn: (c) => `Открыть в ${c}`,
    newChat: (c) => `Новый чат ${c}`,
    started: 'Начат', ended: 'Завершён', postponedUntil: 'Отложен до',
    content: {
      noCoordinates: 'нет координат', contact: 'Контакт', empty: '(пусто)', sticker: 'Стикер',
      unsupported: (type) => `Сообщение типа «${type}»`,
      media: { picture: 'Изображение', video: 'Видео', file: 'Файл' },
      noLink: (media) => `${media} без ссылки`,
    },
    notDelivered: 'Канал не смог доставить сообщение',
    call: {
      incoming: 'Входящий звонок', outgoing: 'Исходящий звонок',
      outcome: { answered: 'отвечен', missed: 'пропущен', busy: 'занято', noanswer: 'без ответа', failed: 'не состоялся' },
      number: 'Номер', employee: 'Сотрудник', department: 'Отдел', waited: 'Ожидание', reason: 'Причина',
      recording: 'Запись', card: 'Карточка звонка',
      lateRecording: (when) => `Запись звонка от ${when}`,
      contactName: 'Клиент {phone}', taskName: 'Звонок {phone}',
    },
  },
  uk: {
    visitor: 'Відвідувач',
    emptyMessage: '(порожнє повідомлення)',
    channelVisitor: (c) => `Відвідувач ${c}`,
    location: 'Місцезнаходження', browser: 'Браузер', os: 'ОС', device: 'Пристрій', referrer: 'Звідки прийшов', landing: 'Сторінка входу',
    pagesVisited: 'Переглянуті сторінки',
    siteData: 'Дані сайту',
    openIn: (c) => `Відкрити в ${c}`,
    newChat: (c) => `Новий чат ${c}`,
    started: 'Розпочато', ended: 'Завершено', postponedUntil: 'Відкладено до',
    content: {
      noCoordinates: 'немає координат', contact: 'Контакт', empty: '(порожньо)', sticker: 'Стікер',
      unsupported: (type) => `Повідомлення типу «${type}»`,
      media: { picture: 'Зображення', video: 'Відео', file: 'Файл' },
      noLink: (media) => `${media} без посилання`,
    },
    notDelivered: 'Канал не зміг доставити повідомлення',
    call: {
      incoming: 'Вхідний дзвінок', outgoing: 'Вихідний дзвінок',
      outcome: { answered: 'прийнятий', missed: 'пропущений', busy: 'зайнято', noanswer: 'без відповіді', failed: 'не відбувся' },
      number: 'Номер', employee: 'Співробітник', department: 'Відділ', waited: 'Очікування', reason: 'Причина',
      recording: 'Запис', card: 'Картка дзвінка',
      lateRecording: (when) => `Запис дзвінка від ${when}`,
      contactName: 'Клієнт {phone}', taskName: 'Дзвінок {phone}',
    },
  },
  pl: {
    visitor: 'Odwiedzający',
    emptyMessage: '(pusta wiadomość)',
    channelVisitor: (c) => `Odwiedzający ${c}`,
    location: 'Lokalizacja', browser: 'Przeglądarka', os: 'System', device: 'Urządzenie', referrer: 'Źródło', landing: 'Strona wejścia',
    pagesVisited: 'Odwiedzone strony',
    siteData: 'Dane ze strony',
    openIn: (c) => `Otwórz w ${c}`,
    newChat: (c) => `Nowy czat ${c}`,
    started: 'Rozpoczęto', ended: 'Zakończono', postponedUntil: 'Odłożono do',
    content: {
      noCoordinates: 'brak współrzędnych', contact: 'Kontakt', empty: '(pusty)', sticker: 'Naklejka',
      unsupported: (type) => `Wiadomość typu „${type}”`,
      media: { picture: 'Obraz', video: 'Wideo', file: 'Plik' },
      noLink: (media) => `${media} bez linku`,
    },
    notDelivered: 'Kanał nie mógł dostarczyć wiadomości',
    call: {
      incoming: 'Połączenie przychodzące', outgoing: 'Połączenie wychodzące',
      outcome: { answered: 'odebrane', missed: 'nieodebrane', busy: 'zajęte', noanswer: 'brak odpowiedzi', failed: 'nieudane' },
      number: 'Numer', employee: 'Pracownik', department: 'Dział', waited: 'Oczekiwanie', reason: 'Powód',
      recording: 'Nagranie', card: 'Karta połączenia',
      lateRecording: (when) => `Nagranie połączenia z ${when}`,
      contactName: 'Klient {phone}', taskName: 'Rozmowa z {phone}',
    },
  },
};

export const textsOf = (language: Language): PlanfixTexts => TEXTS[language];

/** A message's content as one line in `t`'s language; the emoji and the map link read in any. */
export function contentText(c: MessageContent, t: PlanfixTexts): string {
  switch (c.kind) {
    case 'location': {
      if (c.lat === undefined || c.lon === undefined) return `📍 ${t.location} (${t.content.noCoordinates})`;
      return `📍 ${t.location}: ${c.lat}, ${c.lon}${c.address ? ` (${c.address})` : ''} https://maps.google.com/?q=${c.lat},${c.lon}`;
    }
    case 'contact':
      return `👤 ${t.content.contact}: ${[c.name, c.phone].filter(Boolean).join(', ') || t.content.empty}`;
    case 'sticker':
      return `[${t.content.sticker}${c.id ? ` ${c.id}` : ''}]${c.media ? ` ${c.media}` : ''}`;
    case 'unsupported':
      return [`[${t.content.unsupported(c.type)}]`, c.caption, c.media].filter(Boolean).join(' ');
    case 'missingMedia':
      return `[${t.content.noLink(t.content.media[c.media])}]`;
  }
}

/** A template with its placeholders filled (`{phone}`); an unknown placeholder stays as written. */
export function fillTemplate(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => values[k] ?? m);
}

/**
 * The name of a contact or task a call creates: the channel's own template, else the language's
 * default. Channels saved before the language setting hold the old English default verbatim;
 * that counts as not chosen, so such an account's names follow its language too.
 */
export function callName(key: 'contactName' | 'taskName', chosen: string | undefined, language: Language, values: Record<string, string>): string {
  const template = !chosen || chosen === TEXTS.en.call[key] ? TEXTS[language].call[key] : chosen;
  return fillTemplate(template, values);
}
