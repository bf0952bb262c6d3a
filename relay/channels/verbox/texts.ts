import type { ChannelTexts } from '../channel.ts';

// What the admin page says about a Verbox channel, in each of its languages.

export const verboxTexts = {
  fields: {
    token: {
      en: { label: 'Token of incoming requests', help: 'When set, every request must carry it in the token header (or as Authorization: Bearer); at least 16 characters.' },
      ru: { label: 'Токен входящих запросов', help: 'Если задан, каждый запрос должен передавать его в заголовке (или как Authorization: Bearer); не короче 16 символов.' },
      uk: { label: 'Токен вхідних запитів', help: 'Якщо задано, кожен запит має передавати його в заголовку (або як Authorization: Bearer); щонайменше 16 символів.' },
    },
    tokenHeader: {
      advanced: true,
      en: { label: 'Token header', help: 'The header the token comes in; empty: x-relay-token.' },
      ru: { label: 'Заголовок с токеном', help: 'Заголовок, в котором приходит токен; пусто — x-relay-token.' },
      uk: { label: 'Заголовок із токеном', help: 'Заголовок, у якому надходить токен; порожньо — x-relay-token.' },
    },
    replyUrl: {
      en: { label: 'Address for replies', help: 'Where replies typed in Planfix are sent (POST); its host must be in RELAY_ALLOW_HOSTS.' },
      ru: { label: 'Адрес для ответов', help: 'Куда отправляются (POST) ответы, написанные в ПланФиксе; его хост должен быть в RELAY_ALLOW_HOSTS.' },
      uk: { label: 'Адреса для відповідей', help: 'Куди надсилаються (POST) відповіді, написані в ПланФіксі; її хост має бути в RELAY_ALLOW_HOSTS.' },
    },
    replyToken: {
      en: { label: 'Token for the reply address', help: 'Sent with each reply as Authorization: Bearer.' },
      ru: { label: 'Токен адреса для ответов', help: 'Передаётся с каждым ответом как Authorization: Bearer.' },
      uk: { label: 'Токен адреси для відповідей', help: 'Передається з кожною відповіддю як Authorization: Bearer.' },
    },
    fieldMap: {
      en: { label: 'Field names in requests', help: 'JSON: the relay\'s field → the key in your forwarder\'s body, e.g. {"phone": "client.phone"}; empty: the relay\'s own names.' },
      ru: { label: 'Имена полей в запросах', help: 'JSON: поле релея → ключ в теле запроса вашего пересыльщика, например {"phone": "client.phone"}; пусто — имена релея.' },
      uk: { label: 'Імена полів у запитах', help: 'JSON: поле релея → ключ у тілі запиту вашого пересилача, наприклад {"phone": "client.phone"}; порожньо — імена релея.' },
    },
    eventNames: {
      advanced: true,
      en: { label: 'Event names', help: 'JSON: event names by meaning (message, start, end, contact, status), if your forwarder names them otherwise.' },
      ru: { label: 'Названия событий', help: 'JSON: названия событий по смыслу (message, start, end, contact, status), если ваш пересыльщик называет их иначе.' },
      uk: { label: 'Назви подій', help: 'JSON: назви подій за змістом (message, start, end, contact, status), якщо ваш пересилач називає їх інакше.' },
    },
    operatorAuthors: {
      advanced: true,
      en: { label: 'Operator author values', help: 'JSON list: values of "author" that mean an operator wrote; anything else is the client.' },
      ru: { label: 'Значения автора-оператора', help: 'JSON-список: значения поля «author», означающие, что написал оператор; всё остальное — клиент.' },
      uk: { label: 'Значення автора-оператора', help: 'JSON-список: значення поля «author», які означають, що написав оператор; усе інше — клієнт.' },
    },
    defaultOperator: {
      en: { label: 'Default operator', help: 'The Verbox operator id replies go as when the employee has no operator of their own.' },
      ru: { label: 'Оператор по умолчанию', help: 'ID оператора Verbox, от которого уходят ответы, если у сотрудника нет своего оператора.' },
      uk: { label: 'Оператор за замовчуванням', help: 'ID оператора Verbox, від якого йдуть відповіді, якщо співробітник не має власного оператора.' },
    },
    sendAsEmployee: {
      en: { label: 'Reply as the employee\'s operator', help: 'Replies go as the employee\'s own Verbox operator (from the list below) instead of the default one.' },
      ru: { label: 'Отвечать от оператора сотрудника', help: 'Ответы уходят от собственного оператора Verbox сотрудника (из списка ниже), а не от оператора по умолчанию.' },
      uk: { label: 'Відповідати від оператора співробітника', help: 'Відповіді йдуть від власного оператора Verbox співробітника (зі списку нижче), а не від оператора за замовчуванням.' },
    },
    closeTaskOnChatEnd: {
      en: { label: 'Complete the task when the chat ends', help: 'When the chat ends, the task moves to a completed status (needs the REST token).' },
      ru: { label: 'Завершать задачу, когда чат закончен', help: 'Когда чат заканчивается, задача переходит в завершённый статус (нужен REST-токен).' },
      uk: { label: 'Завершувати задачу, коли чат закінчено', help: 'Коли чат закінчується, задача переходить у завершений статус (потрібен REST-токен).' },
    },
    operators: {
      en: { label: 'Verbox operators ↔ employees', help: 'JSON list: {"operator": Verbox id or e-mail, "employee": Planfix e-mail, "name": full name as Planfix shows it}.' },
      ru: { label: 'Операторы Verbox ↔ сотрудники', help: 'JSON-список: {"operator": ID или e-mail в Verbox, "employee": e-mail в ПланФиксе, "name": полное имя, как в ПланФиксе}.' },
      uk: { label: 'Оператори Verbox ↔ співробітники', help: 'JSON-список: {"operator": ID або e-mail у Verbox, "employee": e-mail у ПланФіксі, "name": повне ім\'я, як у ПланФіксі}.' },
    },
  },
  warnings: {
    reply_url_missing: {
      en: 'Replies from Planfix cannot be sent until replyUrl is set.',
      ru: 'Ответы из ПланФикса не будут отправляться, пока не указан адрес для ответов.',
      uk: 'Відповіді з ПланФікса не надсилатимуться, доки не вказано адресу для відповідей.',
    },
    token_missing: {
      en: 'Only the secret URL protects this webhook: set token for a second check.',
      ru: 'Этот вебхук защищён только секретным адресом: задайте токен входящих запросов для второй проверки.',
      uk: 'Цей вебхук захищено лише секретною адресою: задайте токен вхідних запитів для другої перевірки.',
    },
  },
} satisfies ChannelTexts;
