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
      en: { label: 'Ringostat API key', help: 'In Ringostat: Integration → API (Auth-key); needed for click-to-call from Planfix and to reconcile with the call log.' },
      ru: { label: 'Ключ API Ringostat', help: 'В Ringostat: Интеграция → API (Auth-key); нужен для звонков в один клик из ПланФикса и для сверки с журналом звонков.' },
      uk: { label: 'Ключ API Ringostat', help: 'У Ringostat: Інтеграція → API (Auth-key); потрібен для дзвінків в один клік із ПланФікса і для звірки з журналом дзвінків.' },
    },
    projectId: {
      en: { label: 'Ringostat project id', help: 'The number of your Ringostat project; needed for click-to-call and to reconcile with the call log.' },
      ru: { label: 'ID проекта Ringostat', help: 'Номер вашего проекта в Ringostat; нужен для звонков в один клик и для сверки с журналом звонков.' },
      uk: { label: 'ID проєкту Ringostat', help: 'Номер вашого проєкту в Ringostat; потрібен для дзвінків в один клік і для звірки з журналом дзвінків.' },
    },
    apiUrl: {
      advanced: true,
      en: { label: 'Ringostat API address', help: 'Only for tests; empty: https://api.ringostat.net.' },
      ru: { label: 'Адрес API Ringostat', help: 'Только для тестов; пусто — https://api.ringostat.net.' },
      uk: { label: 'Адреса API Ringostat', help: 'Лише для тестів; порожньо — https://api.ringostat.net.' },
    },
    callbackParams: {
      advanced: true,
      en: { label: 'Click-to-call parameters', help: 'Overrides of Ringostat\'s callback parameters (manager_dst, caller_type, …), only if Ringostat\'s support asks for them.' },
      ru: { label: 'Параметры звонка в один клик', help: 'Замена параметров обратного звонка Ringostat (manager_dst, caller_type, …), только если об этом просит поддержка Ringostat.' },
      uk: { label: 'Параметри дзвінка в один клік', help: 'Заміна параметрів зворотного дзвінка Ringostat (manager_dst, caller_type, …), лише якщо про це просить підтримка Ringostat.' },
      columns: {
        key: {
          en: { label: 'Parameter', help: 'The parameter\'s name, e.g. manager_dst.' },
          ru: { label: 'Параметр', help: 'Имя параметра, например manager_dst.' },
          uk: { label: 'Параметр', help: 'Ім\'я параметра, наприклад manager_dst.' },
        },
        value: {
          en: { label: 'Value', help: 'Its value: a number is sent as a number.' },
          ru: { label: 'Значение', help: 'Его значение: число отправляется как число.' },
          uk: { label: 'Значення', help: 'Його значення: число надсилається як число.' },
        },
      },
    },
    fieldMap: {
      advanced: true,
      en: { label: 'Webhook variable names', help: 'Only if you renamed Ringostat\'s own variables in the webhook: the grey names are the defaults.' },
      ru: { label: 'Имена переменных вебхука', help: 'Только если вы переименовали стандартные переменные Ringostat в вебхуке: серым показаны имена по умолчанию.' },
      uk: { label: 'Імена змінних вебхука', help: 'Лише якщо ви перейменували стандартні змінні Ringostat у вебхуку: сірим показано імена за замовчуванням.' },
      columns: {
        key: {
          en: { label: 'Relay field', help: 'What the relay reads from the webhook.' },
          ru: { label: 'Поле релея', help: 'Что релей читает из вебхука.' },
          uk: { label: 'Поле релея', help: 'Що релей читає з вебхука.' },
        },
        value: {
          en: { label: 'Variable in the webhook', help: 'Its name in your Ringostat webhook, e.g. call_id.' },
          ru: { label: 'Переменная в вебхуке', help: 'Её имя в вашем вебхуке Ringostat, например call_id.' },
          uk: { label: 'Змінна у вебхуку', help: 'Її ім\'я у вашому вебхуку Ringostat, наприклад call_id.' },
        },
      },
    },
    eventNames: {
      advanced: true,
      en: { label: 'Event names', help: 'Values of the event parameter per call moment, comma-separated; the grey ones are the defaults.' },
      ru: { label: 'Названия событий', help: 'Значения параметра event для каждого момента звонка, через запятую; серым показаны значения по умолчанию.' },
      uk: { label: 'Назви подій', help: 'Значення параметра event для кожного моменту дзвінка, через кому; сірим показано значення за замовчуванням.' },
      columns: {
        key: {
          en: { label: 'Call moment', help: 'When in the call Ringostat sends the webhook.' },
          ru: { label: 'Момент звонка', help: 'Когда во время звонка Ringostat отправляет вебхук.' },
          uk: { label: 'Момент дзвінка', help: 'Коли під час дзвінка Ringostat надсилає вебхук.' },
        },
        value: {
          en: { label: 'Values of event', help: 'Comma-separated, e.g. call_start, start.' },
          ru: { label: 'Значения event', help: 'Через запятую, например call_start, start.' },
          uk: { label: 'Значення event', help: 'Через кому, наприклад call_start, start.' },
        },
      },
    },
    reconcile: {
      en: { label: 'Reconcile with the call log', help: 'Every few minutes the relay reads Ringostat\'s call log and sends to Planfix every finished call whose webhook never came. Needs the API key and the project id.' },
      ru: { label: 'Сверять с журналом звонков', help: 'Каждые несколько минут релей читает журнал звонков Ringostat и отправляет в ПланФикс каждый завершённый звонок, вебхук которого так и не пришёл. Нужны ключ API и ID проекта.' },
      uk: { label: 'Звіряти з журналом дзвінків', help: 'Кожні кілька хвилин релей читає журнал дзвінків Ringostat і надсилає до ПланФікса кожен завершений дзвінок, вебхук якого так і не надійшов. Потрібні ключ API та ID проєкту.' },
    },
    callLogTimeZone: {
      advanced: true,
      en: { label: 'Time zone of the call log', help: 'The zone of your Ringostat project, e.g. Europe/Kyiv, if it differs from the account\'s: the call log is asked for by its local time.' },
      ru: { label: 'Часовой пояс журнала звонков', help: 'Часовой пояс вашего проекта Ringostat, например Europe/Moscow, если он не такой, как у аккаунта: журнал запрашивается по местному времени проекта.' },
      uk: { label: 'Часовий пояс журналу дзвінків', help: 'Часовий пояс вашого проєкту Ringostat, наприклад Europe/Kyiv, якщо він інший, ніж в акаунта: журнал запитується за місцевим часом проєкту.' },
    },
    callLogPageMinutes: {
      advanced: true,
      en: { label: 'Call log: minutes per request', help: 'The longest span of time one request to the call log asks for; after a long outage the relay reads it piece by piece.' },
      ru: { label: 'Журнал звонков: минут на запрос', help: 'Самый длинный промежуток времени, который запрашивается из журнала за один раз; после долгого простоя релей читает журнал по частям.' },
      uk: { label: 'Журнал дзвінків: хвилин на запит', help: 'Найдовший проміжок часу, що запитується з журналу за один раз; після довгого простою релей читає журнал частинами.' },
    },
    callLogMaxRows: {
      advanced: true,
      en: { label: 'Call log: most calls per answer', help: 'How many calls Ringostat gives in one answer at most; a full answer is asked for again in two halves. Change only if Ringostat\'s support names another limit.' },
      ru: { label: 'Журнал звонков: звонков в ответе', help: 'Сколько звонков Ringostat отдаёт в одном ответе самое большее; если ответ полный, релей запрашивает этот промежуток ещё раз двумя половинами. Меняйте, только если поддержка Ringostat назовёт другой предел.' },
      uk: { label: 'Журнал дзвінків: дзвінків у відповіді', help: 'Скільки дзвінків Ringostat віддає в одній відповіді щонайбільше; якщо відповідь повна, релей запитує цей проміжок ще раз двома половинами. Змінюйте, лише якщо підтримка Ringostat назве іншу межу.' },
    },
    callLogPauseMs: {
      advanced: true,
      en: { label: 'Call log: pause between requests, ms', help: 'How long the relay waits between two requests to the call log, to stay within Ringostat\'s limits.' },
      ru: { label: 'Журнал звонков: пауза между запросами, мс', help: 'Сколько релей ждёт между двумя запросами к журналу, чтобы не превышать ограничения Ringostat.' },
      uk: { label: 'Журнал дзвінків: пауза між запитами, мс', help: 'Скільки релей чекає між двома запитами до журналу, щоб не перевищувати обмеження Ringostat.' },
    },
    ...CALL_OPTION_TEXTS,
  },
  warnings: {
    auth_key_missing: {
      en: 'Click-to-call from Planfix and reconciliation with the call log need authKey (Ringostat → Integration → API).',
      ru: 'Для звонков в один клик из ПланФикса и сверки с журналом звонков нужен ключ API Ringostat (Ringostat → Интеграция → API).',
      uk: 'Для дзвінків в один клік із ПланФікса і звірки з журналом дзвінків потрібен ключ API Ringostat (Ringostat → Інтеграція → API).',
    },
    project_id_missing: {
      en: 'Click-to-call from Planfix and reconciliation with the call log need projectId (the Ringostat project id).',
      ru: 'Для звонков в один клик из ПланФикса и сверки с журналом звонков нужен ID проекта Ringostat.',
      uk: 'Для дзвінків в один клік із ПланФікса і звірки з журналом дзвінків потрібен ID проєкту Ringostat.',
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
  checks: {
    no_key: {
      en: { message: 'Webhooks need no key. Click-to-call from Planfix stays off until the Ringostat API key is set.' },
      ru: { message: 'Вебхукам ключ не нужен. Звонки в один клик из ПланФикса не работают, пока не указан ключ API Ringostat.' },
      uk: { message: 'Вебхукам ключ не потрібен. Дзвінки в один клік із ПланФікса не працюють, доки не вказано ключ API Ringostat.' },
    },
    key_refused: {
      en: { message: 'Ringostat refused the API key ({status}).', fix: 'Copy the key from Ringostat (Integration → API) into the channel\'s Ringostat API key, and the number of your project into Ringostat project id.' },
      ru: { message: 'Ringostat не принял ключ API ({status}).', fix: 'Скопируйте ключ из Ringostat (Интеграция → API) в поле «Ключ API Ringostat», а номер проекта — в «ID проекта Ringostat».' },
      uk: { message: 'Ringostat не прийняв ключ API ({status}).', fix: 'Скопіюйте ключ із Ringostat (Інтеграція → API) у поле «Ключ API Ringostat», а номер проєкту — в «ID проєкту Ringostat».' },
    },
    answered: {
      en: { message: 'Ringostat answered with an error ({status}).' },
      ru: { message: 'Ringostat ответил ошибкой ({status}).' },
      uk: { message: 'Ringostat відповів помилкою ({status}).' },
    },
    key_ok: {
      en: { message: 'Ringostat accepted the API key: click-to-call can work.' },
      ru: { message: 'Ringostat принял ключ API: звонки в один клик будут работать.' },
      uk: { message: 'Ringostat прийняв ключ API: дзвінки в один клік працюватимуть.' },
    },
  },
} satisfies ChannelTexts;
