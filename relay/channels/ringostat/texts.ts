import { CALL_OPTION_TEXTS } from '../../core/call-option-texts.ts';
import type { ChannelTexts } from '../channel.ts';

// What the admin page says about a Ringostat channel, in each of its languages.

const where = {
  en: 'In Ringostat: Integration → Webhooks, add a webhook',
  ru: 'В Ringostat: Интеграция → Вебхуки, добавьте вебхук',
  uk: 'У Ringostat: Інтеграція → Вебхуки, додайте вебхук',
};

export const ringostatTexts = {
  fields: {
    authKey: {
      en: { label: 'Ringostat API key', help: 'In Ringostat: Integration → API (Auth-key); needed for click-to-call from Planfix.' },
      ru: { label: 'Ключ API Ringostat', help: 'В Ringostat: Интеграция → API (Auth-key); нужен для звонков в один клик из ПланФикса.' },
      uk: { label: 'Ключ API Ringostat', help: 'У Ringostat: Інтеграція → API (Auth-key); потрібен для дзвінків в один клік із ПланФікса.' },
    },
    projectId: {
      en: { label: 'Ringostat project id', help: 'The number of your Ringostat project; needed for click-to-call.' },
      ru: { label: 'ID проекта Ringostat', help: 'Номер вашего проекта в Ringostat; нужен для звонков в один клик.' },
      uk: { label: 'ID проєкту Ringostat', help: 'Номер вашого проєкту в Ringostat; потрібен для дзвінків в один клік.' },
    },
    apiUrl: {
      advanced: true,
      en: { label: 'Ringostat API address', help: 'Only for tests; empty: https://api.ringostat.net.' },
      ru: { label: 'Адрес API Ringostat', help: 'Только для тестов; пусто — https://api.ringostat.net.' },
      uk: { label: 'Адреса API Ringostat', help: 'Лише для тестів; порожньо — https://api.ringostat.net.' },
    },
    callbackParams: {
      advanced: true,
      en: { label: 'Click-to-call parameters', help: 'JSON: overrides of Ringostat\'s callback parameters (manager_dst, caller_type, …), only if Ringostat\'s support asks for them.' },
      ru: { label: 'Параметры звонка в один клик', help: 'JSON: замена параметров обратного звонка Ringostat (manager_dst, caller_type, …), только если об этом просит поддержка Ringostat.' },
      uk: { label: 'Параметри дзвінка в один клік', help: 'JSON: заміна параметрів зворотного дзвінка Ringostat (manager_dst, caller_type, …), лише якщо про це просить підтримка Ringostat.' },
    },
    fieldMap: {
      advanced: true,
      en: { label: 'Webhook variable names', help: 'JSON: the relay\'s field → your webhook\'s variable, only if you renamed Ringostat\'s own, e.g. {"callId": "call_id"}.' },
      ru: { label: 'Имена переменных вебхука', help: 'JSON: поле релея → переменная вашего вебхука, только если вы переименовали стандартные переменные Ringostat, например {"callId": "call_id"}.' },
      uk: { label: 'Імена змінних вебхука', help: 'JSON: поле релея → змінна вашого вебхука, лише якщо ви перейменували стандартні змінні Ringostat, наприклад {"callId": "call_id"}.' },
    },
    eventNames: {
      advanced: true,
      en: { label: 'Event names', help: 'JSON: more values of the event parameter per call moment (ringing, accepted, completed, record).' },
      ru: { label: 'Названия событий', help: 'JSON: дополнительные значения параметра event для каждого момента звонка (ringing, accepted, completed, record).' },
      uk: { label: 'Назви подій', help: 'JSON: додаткові значення параметра event для кожного моменту дзвінка (ringing, accepted, completed, record).' },
    },
    ...CALL_OPTION_TEXTS,
  },
  warnings: {
    auth_key_missing: {
      en: 'Click-to-call from Planfix needs authKey (Ringostat → Integration → API).',
      ru: 'Для звонков в один клик из ПланФикса нужен ключ API Ringostat (Ringostat → Интеграция → API).',
      uk: 'Для дзвінків в один клік із ПланФікса потрібен ключ API Ringostat (Ringostat → Інтеграція → API).',
    },
    project_id_missing: {
      en: 'Click-to-call from Planfix needs projectId (the Ringostat project id).',
      ru: 'Для звонков в один клик из ПланФикса нужен ID проекта Ringostat.',
      uk: 'Для дзвінків в один клік із ПланФікса потрібен ID проєкту Ringostat.',
    },
  },
  webhooks: {
    call_start: {
      en: { label: 'Call starts', help: `${where.en} for "before the call", incoming and outgoing: Planfix shows the call pop-up.` },
      ru: { label: 'Начало звонка', help: `${where.ru} на событие «перед звонком», входящие и исходящие: ПланФикс покажет карточку звонка.` },
      uk: { label: 'Початок дзвінка', help: `${where.uk} на подію «перед дзвінком», вхідні й вихідні: ПланФікс покаже картку дзвінка.` },
    },
    pickup: {
      en: { label: 'Call taken', help: `${where.en} for "when taking the call", incoming.` },
      ru: { label: 'Звонок принят', help: `${where.ru} на событие «при поднятии трубки», входящие.` },
      uk: { label: 'Дзвінок прийнято', help: `${where.uk} на подію «під час підняття слухавки», вхідні.` },
    },
    call_end: {
      en: { label: 'Call ends', help: `${where.en} for "after the call", incoming and outgoing, with has_recording and recording.` },
      ru: { label: 'Конец звонка', help: `${where.ru} на событие «после звонка», входящие и исходящие, с переменными has_recording и recording.` },
      uk: { label: 'Кінець дзвінка', help: `${where.uk} на подію «після дзвінка», вхідні й вихідні, зі змінними has_recording і recording.` },
    },
    record: {
      en: { label: 'Recording ready', help: `${where.en} for the resend with the recording link, if your project sends one.` },
      ru: { label: 'Запись готова', help: `${where.ru} на повторную отправку со ссылкой на запись, если ваш проект её присылает.` },
      uk: { label: 'Запис готовий', help: `${where.uk} на повторне надсилання з посиланням на запис, якщо ваш проєкт його надсилає.` },
    },
  },
} satisfies ChannelTexts;
