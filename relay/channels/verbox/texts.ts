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
      en: { label: 'Field names in requests', help: 'Where your forwarder puts each field; the grey names are the defaults, used where a row is empty.' },
      ru: { label: 'Имена полей в запросах', help: 'Где ваш пересыльщик передаёт каждое поле; серым показаны имена по умолчанию — они действуют, где строка пуста.' },
      uk: { label: 'Імена полів у запитах', help: 'Де ваш пересилач передає кожне поле; сірим показано імена за замовчуванням — вони діють, де рядок порожній.' },
      columns: {
        key: {
          en: { label: 'Relay field', help: 'What the relay reads from the request.' },
          ru: { label: 'Поле релея', help: 'Что релей читает из запроса.' },
          uk: { label: 'Поле релея', help: 'Що релей читає із запиту.' },
        },
        value: {
          en: { label: 'Key in the request', help: 'Its key in your forwarder\'s body; a dotted key reads a nested one, e.g. client.phone.' },
          ru: { label: 'Ключ в запросе', help: 'Его ключ в теле запроса пересыльщика; ключ с точкой читает вложенный, например client.phone.' },
          uk: { label: 'Ключ у запиті', help: 'Його ключ у тілі запиту пересилача; ключ із крапкою читає вкладений, наприклад client.phone.' },
        },
      },
    },
    eventNames: {
      advanced: true,
      en: { label: 'Event names', help: 'If your forwarder names events otherwise: its names for each meaning, comma-separated; the grey ones are the defaults.' },
      ru: { label: 'Названия событий', help: 'Если ваш пересыльщик называет события иначе: его названия для каждого смысла, через запятую; серым показаны значения по умолчанию.' },
      uk: { label: 'Назви подій', help: 'Якщо ваш пересилач називає події інакше: його назви для кожного змісту, через кому; сірим показано значення за замовчуванням.' },
      columns: {
        key: {
          en: { label: 'Meaning', help: 'What the event is: message, start, end, contact or status.' },
          ru: { label: 'Смысл', help: 'Что это за событие: message, start, end, contact или status.' },
          uk: { label: 'Зміст', help: 'Що це за подія: message, start, end, contact або status.' },
        },
        value: {
          en: { label: 'Event names', help: 'Comma-separated, e.g. newMessage, message.' },
          ru: { label: 'Названия событий', help: 'Через запятую, например newMessage, message.' },
          uk: { label: 'Назви подій', help: 'Через кому, наприклад newMessage, message.' },
        },
      },
    },
    operatorAuthors: {
      advanced: true,
      en: { label: 'Operator author values', help: 'Values of "author" that mean an operator wrote, a row each; anything else is the client. Empty: operator, agent, admin, employee.' },
      ru: { label: 'Значения автора-оператора', help: 'Значения поля «author», означающие, что написал оператор, по одному в строке; всё остальное — клиент. Пусто — operator, agent, admin, employee.' },
      uk: { label: 'Значення автора-оператора', help: 'Значення поля «author», які означають, що написав оператор, по одному в рядку; усе інше — клієнт. Порожньо — operator, agent, admin, employee.' },
      columns: {
        value: {
          en: { label: 'Value of author', help: 'E.g. operator.' },
          ru: { label: 'Значение author', help: 'Например operator.' },
          uk: { label: 'Значення author', help: 'Наприклад operator.' },
        },
      },
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
      en: { label: 'Verbox operators ↔ employees', help: 'A row per operator: their messages are attributed to the employee, and the employee\'s replies go as them.' },
      ru: { label: 'Операторы Verbox ↔ сотрудники', help: 'Строка на каждого оператора: его сообщения приписываются сотруднику, а ответы сотрудника уходят от его имени.' },
      uk: { label: 'Оператори Verbox ↔ співробітники', help: 'Рядок на кожного оператора: його повідомлення приписуються співробітнику, а відповіді співробітника йдуть від його імені.' },
      columns: {
        operator: {
          en: { label: 'Verbox operator', help: 'The operator\'s id or e-mail in Verbox.' },
          ru: { label: 'Оператор Verbox', help: 'ID или e-mail оператора в Verbox.' },
          uk: { label: 'Оператор Verbox', help: 'ID або e-mail оператора у Verbox.' },
        },
        employee: {
          en: { label: 'Employee\'s e-mail', help: 'The employee\'s e-mail in Planfix.' },
          ru: { label: 'E-mail сотрудника', help: 'E-mail сотрудника в ПланФиксе.' },
          uk: { label: 'E-mail співробітника', help: 'E-mail співробітника в ПланФіксі.' },
        },
        name: {
          en: { label: 'Full name in Planfix', help: 'Exactly as Planfix shows it: Planfix\'s replies name the employee, not the e-mail.' },
          ru: { label: 'Полное имя в ПланФиксе', help: 'Точно как в ПланФиксе: ответы ПланФикса называют сотрудника по имени, а не по e-mail.' },
          uk: { label: 'Повне ім\'я в ПланФіксі', help: 'Точно як у ПланФіксі: відповіді ПланФікса називають співробітника на ім\'я, а не за e-mail.' },
        },
      },
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
