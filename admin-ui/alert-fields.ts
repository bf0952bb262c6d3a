import type { FieldText } from '../relay/core/ui-text.ts';
import type { JsonSchema } from './forms.ts';

// Who hears of customers' messages that became dead letters: the account's `alerts` as the admin
// API takes them, and what the page calls them.

export const ALERTS_SCHEMA: JsonSchema = {
  properties: { employeeId: { type: 'integer' }, url: { type: 'string', format: 'uri' } },
};

export const ALERT_TEXTS: Record<string, FieldText> = {
  employeeId: {
    picker: { list: 'users', value: 'id' },
    en: { label: 'Employee to alert in Planfix', help: 'Choose the employee from the list, or type their id (the number in their profile\'s address): each alert is a new task assigned to them. Empty: none.' },
    ru: { label: 'Сотрудник ПланФикса для оповещений', help: 'Выберите сотрудника из списка или введите его ID (число в адресе его профиля): каждое оповещение — новая задача, назначенная ему. Пусто — никому.' },
    uk: { label: 'Співробітник ПланФікса для сповіщень', help: 'Виберіть співробітника зі списку або введіть його ID (число в адресі його профілю): кожне сповіщення — нова задача, призначена йому. Порожньо — нікому.' },
  },
  url: {
    en: { label: 'Address for alerts (JSON POST)', help: 'Receives each alert as JSON; its host must be listed in RELAY_ALLOW_HOSTS. Empty: none.' },
    ru: { label: 'Адрес для оповещений (JSON POST)', help: 'Получает каждое оповещение в JSON; его хост должен быть в RELAY_ALLOW_HOSTS. Пусто — никуда.' },
    uk: { label: 'Адреса для сповіщень (JSON POST)', help: 'Отримує кожне сповіщення в JSON; її хост має бути в RELAY_ALLOW_HOSTS. Порожньо — нікуди.' },
  },
};
