// Issue 13 item 11: what the relay writes into Planfix is in the account's language and time zone.
import test from 'ava';
import type { CallEvent, MessageEvent, StatusEvent, Visit } from '../relay/core/events.ts';
import { formatTime, isTimeZone, LANGUAGES, localeOf, type Locale } from '../relay/core/locale.ts';
import { callName, fillTemplate, TEXTS, type PlanfixTexts } from '../relay/core/planfix-texts.ts';
import { visitAction, visitSummary } from '../relay/core/summary.ts';
import { callHtml } from '../relay/core/call-html.ts';
import { plan, type PlanContext } from '../relay/core/plan.ts';

const account = (url: string, over: { language?: Locale['language']; timeZone?: string } = {}) => ({ planfix: { url }, ...over });
const RU = localeOf(account('https://acme.planfix.ru'));
const UA = localeOf(account('https://acme.planfix.ua'));
// 2024-11-14 08:15 UTC: Moscow 11:15 (UTC+3), Kyiv 10:15 (UTC+2), Warsaw 09:15 (UTC+1).
const AT = Date.parse('2024-11-14T08:15:02Z');

test('the Planfix domain decides language and zone; the account\'s choice wins', (t) => {
  t.deepEqual(RU, { language: 'ru', timeZone: 'Europe/Moscow' });
  t.deepEqual(UA, { language: 'uk', timeZone: 'Europe/Kyiv' });
  t.deepEqual(localeOf(account('https://acme.planfix.com')), { language: 'en', timeZone: 'UTC' });
  t.deepEqual(localeOf(account('http://127.0.0.1:4321')), { language: 'en', timeZone: 'UTC' }, 'a test or self-hosted address: en + UTC');
  t.deepEqual(localeOf(account('https://acme.planfix.ru', { language: 'en', timeZone: 'Europe/Warsaw' })), { language: 'en', timeZone: 'Europe/Warsaw' });
  t.deepEqual(localeOf(account('https://acme.planfix.ua', { timeZone: 'Europe/Warsaw' })), { language: 'uk', timeZone: 'Europe/Warsaw' }, 'each setting on its own');
});

test('times are written in the account\'s zone, dates as the team reads them', (t) => {
  t.is(formatTime(AT, RU), '14.11.2024 11:15 (Europe/Moscow)');
  t.is(formatTime(AT, UA), '14.11.2024 10:15 (Europe/Kyiv)');
  t.is(formatTime(AT, { language: 'en', timeZone: 'UTC' }), '2024-11-14 08:15 UTC');
  t.is(formatTime(AT, { language: 'en', timeZone: 'Europe/Warsaw' }), '2024-11-14 09:15 (Europe/Warsaw)');
  t.true(isTimeZone('Europe/Kyiv'));
  t.false(isTimeZone('Europe/Atlantis'));
  t.false(isTimeZone('UTC+3'));
});

test('every language has every text, translated', (t) => {
  const keys = (o: object, prefix = ''): string[] => Object.entries(o).flatMap(([k, v]) => (typeof v === 'object' ? keys(v as object, `${prefix}${k}.`) : [`${prefix}${k}`]));
  const value = (texts: PlanfixTexts, path: string): string => {
    const v = path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], texts);
    return typeof v === 'function' ? (v as (s: string) => string)('X') : String(v);
  };
  const all = keys(TEXTS.en);
  for (const lang of LANGUAGES) {
    t.deepEqual(keys(TEXTS[lang]), all, lang);
    if (lang === 'en') continue;
    for (const k of all) t.not(value(TEXTS[lang], k), value(TEXTS.en, k), `${lang}: ${k} is left in English`);
  }
});

const visit: Visit = {
  city: 'Москва', country: 'Россия', ip: '203.0.113.7', browser: 'Chrome 120', os: 'Windows 10', device: 'desktop',
  referrer: 'https://www.google.com/', landing: 'https://shop.example.com/',
  utm: { utm_source: 'google' },
  pages: [{ url: 'https://shop.example.com/p/42', title: 'Чайник', at: AT }],
  dashboardUrl: 'https://app.chatra.io/chat/1',
};

test('a .ru account gets the visit summary in Russian with Moscow time', (t) => {
  t.is(visitSummary(visit, 'Chatra', RU), [
    '— Посетитель Chatra —',
    'Местоположение: Москва, Россия',
    'IP: 203.0.113.7',
    'Браузер: Chrome 120',
    'ОС: Windows 10',
    'Устройство: desktop',
    'Откуда пришёл: https://www.google.com/',
    'Страница входа: https://shop.example.com/',
    'UTM: utm_source=google',
    'Просмотренные страницы:',
    '  • Чайник — https://shop.example.com/p/42 (14.11.2024 11:15 (Europe/Moscow))',
    'Открыть в Chatra: https://app.chatra.io/chat/1',
  ].join('\n'));
  t.is(visitAction(visit, 'Chatra', RU), 'Новый чат Chatra. ОС: Windows 10; Браузер: Chrome 120; Устройство: desktop; IP: 203.0.113.7');
});

test('a .ua account gets Ukrainian and Kyiv time; pl Polish; an explicit en + Europe/Warsaw wins over the domain', (t) => {
  const ua = visitSummary(visit, 'Chatra', UA);
  t.true(ua.startsWith('— Відвідувач Chatra —\nМісцезнаходження: Москва, Россия\n'), ua);
  t.regex(ua, /\nПереглянуті сторінки:\n {2}• Чайник — https:\/\/shop\.example\.com\/p\/42 \(14\.11\.2024 10:15 \(Europe\/Kyiv\)\)\n/);
  t.regex(ua, /\nВідкрити в Chatra: /);
  t.is(visitAction(visit, 'Chatra', UA), 'Новий чат Chatra. ОС: Windows 10; Браузер: Chrome 120; Пристрій: desktop; IP: 203.0.113.7');
  const pl = visitSummary(visit, 'Chatra', { language: 'pl', timeZone: 'Europe/Warsaw' });
  t.true(pl.startsWith('— Odwiedzający Chatra —\nLokalizacja: Москва, Россия\n'), pl);
  t.regex(pl, /\nPrzeglądarka: Chrome 120\n/);
  t.regex(pl, /\(14\.11\.2024 09:15 \(Europe\/Warsaw\)\)/);
  const en = localeOf(account('https://acme.planfix.ru', { language: 'en', timeZone: 'Europe/Warsaw' }));
  const s = visitSummary(visit, 'Chatra', en);
  t.true(s.startsWith('— Chatra visitor —\nLocation: Москва, Россия\n'), s);
  t.regex(s, /\nPages visited:\n {2}• Чайник — https:\/\/shop\.example\.com\/p\/42 \(2024-11-14 09:15 \(Europe\/Warsaw\)\)\n/);
  t.is(visitAction(visit, 'Chatra', en), 'New Chatra chat. OS: Windows 10; Browser: Chrome 120; Device: desktop; IP: 203.0.113.7');
});

const call: CallEvent = {
  kind: 'call', eventId: 'c1', callId: 'c1', moment: 'completed', direction: 'in', at: AT, customer: { clientId: '+79051234567', phone: '+79051234567' },
  outcome: 'answered', durationSec: 65, waitSec: 7, department: 'Продажи', recordingUrl: 'https://rec.example/1.ogg', cardUrl: 'https://card.example/1',
  visit: { landing: 'https://shop.example.com/' },
};

test('the call comment in each language', (t) => {
  const lines = (locale: Locale, ev: CallEvent = call) => callHtml(ev, '+79051234567', 'Ivan', locale).split('<br>');
  t.deepEqual(lines(RU), [
    '📞 Входящий звонок, отвечен, 1:05', 'Номер: +79051234567', 'Сотрудник: Ivan', 'Отдел: Продажи', 'Ожидание: 0:07',
    'Страница входа: https://shop.example.com/',
    'Запись: <a href="https://rec.example/1.ogg" target="_blank" rel="noopener noreferrer">https://rec.example/1.ogg</a>',
    '<a href="https://card.example/1" target="_blank" rel="noopener noreferrer">Карточка звонка</a>',
  ]);
  t.is(lines(UA)[0], '📞 Вхідний дзвінок, прийнятий, 1:05');
  t.is(lines(UA)[2], 'Співробітник: Ivan');
  t.is(lines({ language: 'pl', timeZone: 'Europe/Warsaw' })[0], '📞 Połączenie przychodzące, odebrane, 1:05');
  t.is(lines({ language: 'en', timeZone: 'UTC' })[0], '📞 Incoming call, answered, 1:05');
  const missed = { ...call, direction: 'out', outcome: 'noanswer', durationSec: 0, missedReason: 'занято' } as const;
  t.is(lines(RU, missed)[0], '📞 Исходящий звонок, без ответа, 0:00');
  t.true(lines(RU, missed).includes('Причина: занято'));
  t.is(lines(UA, missed)[0], '📞 Вихідний дзвінок, без відповіді, 0:00');
  t.is(lines({ language: 'pl', timeZone: 'UTC' }, missed)[0], '📞 Połączenie wychodzące, brak odpowiedzi, 0:00');
});

test('contact and task names of calls: the language\'s default, an admin\'s own template wins, {phone} works in every language', (t) => {
  const phone = { phone: '+79051234567' };
  t.is(callName('contactName', undefined, 'ru', phone), 'Клиент +79051234567');
  t.is(callName('taskName', undefined, 'ru', phone), 'Звонок +79051234567');
  t.is(callName('contactName', undefined, 'uk', phone), 'Клієнт +79051234567');
  t.is(callName('taskName', undefined, 'uk', phone), 'Дзвінок +79051234567');
  t.is(callName('contactName', undefined, 'pl', phone), 'Klient +79051234567');
  t.is(callName('taskName', undefined, 'pl', phone), 'Rozmowa z +79051234567');
  t.is(callName('contactName', undefined, 'en', phone), 'Client +79051234567');
  t.is(callName('taskName', undefined, 'en', phone), 'Call with +79051234567');
  for (const lang of LANGUAGES) {
    t.is(callName('taskName', 'Звонок от {phone} ({phone})', lang, phone), 'Звонок от +79051234567 (+79051234567)', lang);
    t.is(callName('contactName', 'Lead', lang, phone), 'Lead', lang);
    t.true(TEXTS[lang].call.contactName.includes('{phone}') && TEXTS[lang].call.taskName.includes('{phone}'), lang);
  }
  // A channel saved before the setting existed holds the old English default: it follows the language.
  t.is(callName('contactName', 'Client {phone}', 'ru', phone), 'Клиент +79051234567');
  t.is(callName('taskName', 'Call with {phone}', 'uk', phone), 'Дзвінок +79051234567');
  t.is(fillTemplate('{phone} {unknown}', phone), '+79051234567 {unknown}', 'an unknown placeholder stays as written');
});

function ctx(locale: Locale, over: Partial<PlanContext> = {}): PlanContext {
  return {
    channel: { id: 'ch1', title: 'Verbox', name: 'Сайт', options: {} },
    chatId: 'ch1:k', contactKey: 'k', customer: {}, fresh: true, hasRest: true, fieldName: (k) => k, locale, ...over,
  };
}

const message = (over: Partial<MessageEvent> = {}): MessageEvent => ({
  kind: 'message', eventId: 'm1', customer: { clientId: 'v1' }, at: AT, text: 'Привет', attachments: [], visit: { city: 'Москва' }, newVisit: true, ...over,
});

test('the planner writes the nameless visitor, contact data, empty messages and transcript dates in the account\'s language and zone', (t) => {
  const ops = plan(message({ dates: { started: AT, postponedUntil: Date.parse('2024-11-20T09:00:00Z') } }), ctx(RU));
  const nm = ops.find((o) => o.do === 'newMessage');
  if (nm?.do !== 'newMessage') return t.fail();
  t.is(nm.params.contactName, 'Посетитель');
  t.is(nm.params.title, 'Сайт: Посетитель');
  t.is(nm.params.contactData, 'Посетитель Verbox, Москва');
  t.true(String(nm.params.message).startsWith('Привет\n\nНачат: 14.11.2024 11:15 (Europe/Moscow)\nОтложен до: 20.11.2024 12:00 (Europe/Moscow)\n\n— Посетитель Verbox —\nМестоположение: Москва'), String(nm.params.message));
  const vc = ops.find((o) => o.do === 'visitComment');
  t.is(vc?.do === 'visitComment' ? vc.description : undefined, undefined, 'no OS, browser or IP: no action');
  const en = plan(message({ text: 'Client: Hi!', dates: { started: AT, ended: AT + 398_000 } }), ctx({ language: 'en', timeZone: 'UTC' }, { fresh: false }));
  const enm = en.find((o) => o.do === 'newMessage');
  t.is(enm?.do === 'newMessage' ? enm.params.message : undefined, 'Client: Hi!\n\nStarted: 2024-11-14 08:15 UTC\nEnded: 2024-11-14 08:21 UTC\n\n— Verbox visitor —\nLocation: Москва');
  const empty = plan(message({ text: '', newVisit: false }), ctx(UA, { fresh: false }));
  const em = empty.find((o) => o.do === 'newMessage');
  t.is(em?.do === 'newMessage' ? em.params.message : undefined, '(порожнє повідомлення)');
  const pl = plan(message({ text: '', newVisit: false }), ctx({ language: 'pl', timeZone: 'Europe/Warsaw' }, { fresh: false }));
  const pm = pl.find((o) => o.do === 'newMessage');
  t.is(pm?.do === 'newMessage' ? pm.params.message : undefined, '(pusta wiadomość)');
});

test('a location, contact, sticker or message the relay cannot show is worded in the account\'s language', (t) => {
  const text = (content: MessageEvent['content'], locale: Locale) => {
    const nm = plan(message({ text: '', content, newVisit: false }), ctx(locale, { fresh: false })).find((o) => o.do === 'newMessage');
    return nm?.do === 'newMessage' ? nm.params.message : undefined;
  };
  const EN: Locale = { language: 'en', timeZone: 'UTC' };
  const PL: Locale = { language: 'pl', timeZone: 'Europe/Warsaw' };
  const place = { kind: 'location', lat: 50.4501, lon: 30.5234, address: 'Хрещатик 1' } as const;
  const map = 'https://maps.google.com/?q=50.4501,30.5234';
  t.is(text(place, EN), `📍 Location: 50.4501, 30.5234 (Хрещатик 1) ${map}`);
  t.is(text(place, RU), `📍 Местоположение: 50.4501, 30.5234 (Хрещатик 1) ${map}`);
  t.is(text(place, UA), `📍 Місцезнаходження: 50.4501, 30.5234 (Хрещатик 1) ${map}`);
  t.is(text(place, PL), `📍 Lokalizacja: 50.4501, 30.5234 (Хрещатик 1) ${map}`);
  t.is(text({ kind: 'location' }, EN), '📍 Location (no coordinates)');
  t.is(text({ kind: 'location' }, RU), '📍 Местоположение (нет координат)');

  const card = { kind: 'contact', name: 'Olena K', phone: '+380501112233' } as const;
  t.is(text(card, EN), '👤 Contact: Olena K, +380501112233');
  t.is(text(card, RU), '👤 Контакт: Olena K, +380501112233');
  t.is(text(card, PL), '👤 Kontakt: Olena K, +380501112233');
  t.is(text({ kind: 'contact' }, EN), '👤 Contact: (empty)');
  t.is(text({ kind: 'contact' }, UA), '👤 Контакт: (порожньо)');

  const sticker = { kind: 'sticker', id: '40133', media: 'https://viber.com/stickers/40133.png' } as const;
  t.is(text(sticker, EN), '[Sticker 40133] https://viber.com/stickers/40133.png');
  t.is(text(sticker, RU), '[Стикер 40133] https://viber.com/stickers/40133.png');
  t.is(text(sticker, UA), '[Стікер 40133] https://viber.com/stickers/40133.png');
  t.is(text(sticker, PL), '[Naklejka 40133] https://viber.com/stickers/40133.png');

  const odd = { kind: 'unsupported', type: 'hologram', caption: 'look', media: 'https://dl-media.viber.com/h/1' } as const;
  t.is(text(odd, EN), '[Message of type "hologram"] look https://dl-media.viber.com/h/1');
  t.is(text(odd, RU), '[Сообщение типа «hologram»] look https://dl-media.viber.com/h/1');
  t.is(text(odd, UA), '[Повідомлення типу «hologram»] look https://dl-media.viber.com/h/1');
  t.is(text(odd, PL), '[Wiadomość typu „hologram”] look https://dl-media.viber.com/h/1');

  t.is(text({ kind: 'missingMedia', media: 'picture' }, EN), '[Picture without a link]');
  t.is(text({ kind: 'missingMedia', media: 'video' }, RU), '[Видео без ссылки]');
  t.is(text({ kind: 'missingMedia', media: 'file' }, UA), '[Файл без посилання]');
  t.is(text({ kind: 'missingMedia', media: 'picture' }, PL), '[Obraz bez linku]');
});

test('a failed delivery without the channel\'s reason gets the account\'s language; the channel\'s own reason is kept', (t) => {
  const failed = (text?: string): StatusEvent => ({
    kind: 'status', eventId: 'failed:1', customer: { clientId: 'v1' }, at: AT, providerMessageId: '1', status: 'error', ...(text ? { text } : {}),
  });
  const statusText = (ev: StatusEvent, locale: Locale) => {
    const op = plan(ev, ctx(locale, { outbound: { messageId: '77', status: 'sent' } }))[0];
    return op?.do === 'messageStatus' ? op.text : undefined;
  };
  t.is(statusText(failed(), { language: 'en', timeZone: 'UTC' }), 'The channel could not deliver the message');
  t.is(statusText(failed(), RU), 'Канал не смог доставить сообщение');
  t.is(statusText(failed(), UA), 'Канал не зміг доставити повідомлення');
  t.is(statusText(failed(), { language: 'pl', timeZone: 'Europe/Warsaw' }), 'Kanał nie mógł dostarczyć wiadomości');
  t.is(statusText(failed('keyboard is not valid'), RU), 'keyboard is not valid');
  const read = plan({ ...failed(), status: 'read' }, ctx(RU, { outbound: { messageId: '77', status: 'sent' } }))[0];
  t.is(read?.do === 'messageStatus' ? read.text : 'none', undefined, 'only an error gets a default text');
});
