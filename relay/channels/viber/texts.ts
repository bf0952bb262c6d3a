import type { ChannelTexts } from '../channel.ts';

// What the admin page says about a Viber channel, in each of its languages.

export const viberTexts = {
  fields: {
    authToken: {
      en: { label: 'Bot token', help: 'In Viber: Settings → Bots → Edit info → Your app key.' },
      ru: { label: 'Токен бота', help: 'В Viber: Настройки → Боты → Изменить информацию → Your app key.' },
      uk: { label: 'Токен бота', help: 'У Viber: Налаштування → Боти → Змінити інформацію → Your app key.' },
    },
    botName: {
      en: { label: 'Bot name', help: 'The sender name of replies, and the bot\'s chat URI in the link for your site.' },
      ru: { label: 'Имя бота', help: 'Имя отправителя в ответах и chat URI бота в ссылке для сайта.' },
      uk: { label: 'Ім\'я бота', help: 'Ім\'я відправника у відповідях і chat URI бота в посиланні для сайту.' },
    },
    avatar: {
      en: { label: 'Bot avatar', help: 'A link to the picture shown next to replies (optional).' },
      ru: { label: 'Аватар бота', help: 'Ссылка на картинку рядом с ответами (необязательно).' },
      uk: { label: 'Аватар бота', help: 'Посилання на зображення поруч із відповідями (необов\'язково).' },
    },
    apiUrl: {
      advanced: true,
      en: { label: 'Viber API address', help: 'Only for tests; empty: https://chatapi.viber.com/pa.' },
      ru: { label: 'Адрес API Viber', help: 'Только для тестов; пусто — https://chatapi.viber.com/pa.' },
      uk: { label: 'Адреса API Viber', help: 'Лише для тестів; порожньо — https://chatapi.viber.com/pa.' },
    },
    welcomeText: {
      en: { label: 'Welcome message', help: 'Sent when someone opens the chat with the bot, before they write.' },
      ru: { label: 'Приветствие', help: 'Отправляется, когда человек открывает чат с ботом, ещё до первого сообщения.' },
      uk: { label: 'Привітання', help: 'Надсилається, коли людина відкриває чат із ботом, ще до першого повідомлення.' },
    },
    sendAsEmployee: {
      en: { label: 'Reply as the employee', help: 'Replies show the Planfix employee\'s name and avatar instead of the bot\'s.' },
      ru: { label: 'Отвечать от имени сотрудника', help: 'В ответах видны имя и аватар сотрудника ПланФикса, а не бота.' },
      uk: { label: 'Відповідати від імені співробітника', help: 'У відповідях видно ім\'я та аватар співробітника ПланФікса, а не бота.' },
    },
  },
  card: {
    en: 'The relay sets the bot\'s webhook in Viber itself: nothing to paste there. Viber calls the webhook URL first and accepts only https with a certificate from a public authority (not self-signed), so the relay must be reachable at that address from the internet.',
    ru: 'Релей сам устанавливает вебхук бота в Viber: туда ничего вставлять не нужно. Viber сначала обращается по адресу вебхука и принимает только https с сертификатом от публичного центра (не самоподписанным), поэтому релей должен быть доступен по этому адресу из интернета.',
    uk: 'Релей сам встановлює вебхук бота у Viber: туди нічого вставляти не треба. Viber спочатку звертається за адресою вебхука і приймає лише https із сертифікатом від публічного центру (не самопідписаним), тому релей має бути доступний за цією адресою з інтернету.',
  },
  checks: {
    token_refused: {
      en: { message: 'Viber refused the bot token (status {status}: {reason}).', fix: 'Copy the token again from Viber (Settings → Bots → Edit info → Your app key) into the channel\'s bot token.' },
      ru: { message: 'Viber не принял токен бота (статус {status}: {reason}).', fix: 'Скопируйте токен заново из Viber (Настройки → Боты → Изменить информацию → Your app key) в поле «Токен бота».' },
      uk: { message: 'Viber не прийняв токен бота (статус {status}: {reason}).', fix: 'Скопіюйте токен наново з Viber (Налаштування → Боти → Змінити інформацію → Your app key) у поле «Токен бота».' },
    },
    refused: {
      en: { message: 'Viber refused the request (status {status}: {reason}).' },
      ru: { message: 'Viber отклонил запрос (статус {status}: {reason}).' },
      uk: { message: 'Viber відхилив запит (статус {status}: {reason}).' },
    },
    webhook_here: {
      en: { message: 'Bot "{name}" ({uri}) accepted the token and sends its messages to this relay.' },
      ru: { message: 'Бот «{name}» ({uri}) принял токен и присылает сообщения этому релею.' },
      uk: { message: 'Бот «{name}» ({uri}) прийняв токен і надсилає повідомлення цьому релею.' },
    },
    webhook_elsewhere: {
      en: { message: 'Bot "{name}" ({uri}) accepted the token, but sends its messages to another address: {webhook}.', fix: 'Press "Connect again": the relay sets the bot\'s webhook to this channel\'s address.' },
      ru: { message: 'Бот «{name}» ({uri}) принял токен, но присылает сообщения на другой адрес: {webhook}.', fix: 'Нажмите «Подключить снова»: релей установит боту вебхук на адрес этого канала.' },
      uk: { message: 'Бот «{name}» ({uri}) прийняв токен, але надсилає повідомлення на іншу адресу: {webhook}.', fix: 'Натисніть «Підключити знову»: релей встановить боту вебхук на адресу цього каналу.' },
    },
    no_webhook: {
      en: { message: 'Bot "{name}" ({uri}) accepted the token, but has no webhook: its messages go nowhere.', fix: 'Press "Connect again": the relay sets the bot\'s webhook to this channel\'s address.' },
      ru: { message: 'Бот «{name}» ({uri}) принял токен, но вебхук у него не установлен: сообщения никуда не приходят.', fix: 'Нажмите «Подключить снова»: релей установит боту вебхук на адрес этого канала.' },
      uk: { message: 'Бот «{name}» ({uri}) прийняв токен, але вебхук у нього не встановлено: повідомлення нікуди не надходять.', fix: 'Натисніть «Підключити знову»: релей встановить боту вебхук на адресу цього каналу.' },
    },
  },
} satisfies ChannelTexts;
