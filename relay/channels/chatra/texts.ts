import type { ChannelTexts } from '../channel.ts';

// What the admin page says about a Chatra channel, in each of its languages.

export const chatraTexts = {
  fields: {
    publicKey: {
      en: { label: 'Public API key', help: 'In Chatra: Settings → Integrations → API, the public key (needs a paid seat).' },
      ru: { label: 'Публичный ключ API', help: 'В Chatra: Настройки → Интеграции → API, публичный ключ (нужен платный тариф).' },
      uk: { label: 'Публічний ключ API', help: 'У Chatra: Налаштування → Інтеграції → API, публічний ключ (потрібен платний тариф).' },
    },
    secretKey: {
      en: { label: 'Secret API key', help: 'From the same Chatra page; kept secret and never shown again.' },
      ru: { label: 'Секретный ключ API', help: 'С той же страницы Chatra; хранится в секрете и больше не показывается.' },
      uk: { label: 'Секретний ключ API', help: 'З тієї ж сторінки Chatra; зберігається в таємниці й більше не показується.' },
    },
    agentEmail: {
      en: { label: 'Reply agent\'s e-mail', help: 'Replies from Planfix appear in Chatra as this agent; Chatra creates the agent if the e-mail is new.' },
      ru: { label: 'E-mail агента для ответов', help: 'Ответы из ПланФикса появятся в Chatra от имени этого агента; если такого e-mail ещё нет, Chatra создаст агента.' },
      uk: { label: 'E-mail агента для відповідей', help: 'Відповіді з ПланФікса з\'являться в Chatra від імені цього агента; якщо такого e-mail ще немає, Chatra створить агента.' },
    },
    agentName: {
      en: { label: 'Reply agent\'s name', help: 'The name visitors see on replies; empty: Planfix.' },
      ru: { label: 'Имя агента для ответов', help: 'Имя, которое посетитель видит в ответах; пусто — Planfix.' },
      uk: { label: 'Ім\'я агента для відповідей', help: 'Ім\'я, яке відвідувач бачить у відповідях; порожньо — Planfix.' },
    },
    agentId: {
      advanced: true,
      en: { label: 'Reply agent\'s Chatra id', help: 'Instead of the e-mail: the id of an existing Chatra agent.' },
      ru: { label: 'ID агента в Chatra', help: 'Вместо e-mail: ID уже существующего агента Chatra.' },
      uk: { label: 'ID агента в Chatra', help: 'Замість e-mail: ID наявного агента Chatra.' },
    },
    apiUrl: {
      advanced: true,
      en: { label: 'Chatra API address', help: 'Only for tests or a proxy; empty: https://app.chatra.io/api.' },
      ru: { label: 'Адрес API Chatra', help: 'Только для тестов или прокси; пусто — https://app.chatra.io/api.' },
      uk: { label: 'Адреса API Chatra', help: 'Лише для тестів або проксі; порожньо — https://app.chatra.io/api.' },
    },
    sendAsEmployee: {
      en: { label: 'Reply as the employee', help: 'Replies show the Planfix employee\'s name instead of the agent\'s; needs the employees list below.' },
      ru: { label: 'Отвечать от имени сотрудника', help: 'В ответах видно имя сотрудника ПланФикса, а не агента; нужен список сотрудников ниже.' },
      uk: { label: 'Відповідати від імені співробітника', help: 'У відповідях видно ім\'я співробітника ПланФікса, а не агента; потрібен список співробітників нижче.' },
    },
    closeTaskOnChatEnd: {
      en: { label: 'Complete the task when the chat ends', help: 'When Chatra sends the chat transcript, the task moves to a completed status (needs the REST token).' },
      ru: { label: 'Завершать задачу, когда чат закончен', help: 'Когда Chatra присылает стенограмму чата, задача переходит в завершённый статус (нужен REST-токен).' },
      uk: { label: 'Завершувати задачу, коли чат закінчено', help: 'Коли Chatra надсилає стенограму чату, задача переходить у завершений статус (потрібен REST-токен).' },
    },
    employees: {
      en: { label: 'Employees ↔ Chatra agents', help: 'A row per employee who replies from Planfix: their replies go out in Chatra as that agent.' },
      ru: { label: 'Сотрудники ↔ агенты Chatra', help: 'Строка на каждого сотрудника, отвечающего из ПланФикса: его ответы уходят в Chatra от имени этого агента.' },
      uk: { label: 'Співробітники ↔ агенти Chatra', help: 'Рядок на кожного співробітника, який відповідає з ПланФікса: його відповіді йдуть у Chatra від імені цього агента.' },
      columns: {
        key: {
          picker: { list: 'users', value: 'name' },
          en: { label: 'Planfix employee', help: 'Full name exactly as Planfix shows it, e.g. Ivan Petrov.' },
          ru: { label: 'Сотрудник ПланФикса', help: 'Полное имя точно как в ПланФиксе, например Иван Петров.' },
          uk: { label: 'Співробітник ПланФікса', help: 'Повне ім\'я точно як у ПланФіксі, наприклад Іван Петренко.' },
        },
        value: {
          picker: { list: 'users', value: 'email' },
          en: { label: 'Chatra agent e-mail', help: 'The e-mail the agent signs in to Chatra with.' },
          ru: { label: 'E-mail агента Chatra', help: 'E-mail, с которым агент входит в Chatra.' },
          uk: { label: 'E-mail агента Chatra', help: 'E-mail, з яким агент входить у Chatra.' },
        },
      },
    },
  },
  warnings: {
    agent_missing: {
      en: 'Replies from Planfix cannot be sent until agentEmail (or agentId) is set.',
      ru: 'Ответы из ПланФикса не будут отправляться, пока не указан e-mail агента для ответов (или ID агента).',
      uk: 'Відповіді з ПланФікса не надсилатимуться, доки не вказано e-mail агента для відповідей (або ID агента).',
    },
    employees_missing: {
      en: '"Reply as the employee" is on, but no employee is mapped to a Chatra agent: replies go as the channel\'s agent until "Employees ↔ Chatra agents" is filled in.',
      ru: '«Отвечать от имени сотрудника» включено, но ни один сотрудник не сопоставлен с агентом Chatra: ответы уходят от агента канала, пока не заполнен список «Сотрудники ↔ агенты Chatra».',
      uk: '«Відповідати від імені співробітника» увімкнено, але жодного співробітника не зіставлено з агентом Chatra: відповіді йдуть від агента каналу, доки не заповнено список «Співробітники ↔ агенти Chatra».',
    },
  },
  checks: {
    keys_ok: {
      en: { message: 'Chatra accepted the API keys.' },
      ru: { message: 'Chatra приняла ключи API.' },
      uk: { message: 'Chatra прийняла ключі API.' },
    },
    keys_refused: {
      en: { message: 'Chatra refused the API keys ({status}).', fix: 'Copy the public and secret keys from Chatra (Settings → Integrations → API) and check that your Chatra plan includes the API.' },
      ru: { message: 'Chatra не приняла ключи API ({status}).', fix: 'Скопируйте публичный и секретный ключи из Chatra (Настройки → Интеграции → API) и проверьте, что тариф Chatra включает API.' },
      uk: { message: 'Chatra не прийняла ключі API ({status}).', fix: 'Скопіюйте публічний і секретний ключі з Chatra (Налаштування → Інтеграції → API) і перевірте, що тариф Chatra містить API.' },
    },
  },
} satisfies ChannelTexts;
