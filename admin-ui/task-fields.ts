import { FIELD_KEYS } from '../relay/core/field-keys.ts';
import type { FieldText } from '../relay/core/ui-text.ts';
import type { JsonSchema } from './forms.ts';

// The account's `taskFields`: which task field of Planfix each visitor detail is written to
// (`data_<name>`), a row per detail with the default name greyed, the names offered from the
// account's task fields.

export const TASK_FIELDS_SCHEMA: JsonSchema = {
  properties: {
    taskFields: {
      type: 'object', propertyNames: { enum: [...FIELD_KEYS] }, additionalProperties: { type: 'string' },
      default: Object.fromEntries(FIELD_KEYS.map((k) => [k, k])),
    },
  },
};

const detail = (en: string, ru: string, uk: string) => ({ en, ru, uk });

export const TASK_FIELDS_TEXT: FieldText = {
  // The default names work as they are: renaming is for templates that already have other fields.
  advanced: true,
  en: { label: 'Task fields', help: 'The String field of the chat task each visitor detail is written to; empty: the field named as on the left. Choose from your Planfix\'s task fields or type a name.' },
  ru: { label: 'Поля задачи', help: 'Строковое поле задачи чата, куда пишется каждая деталь о посетителе; пусто — поле с именем, как слева. Выберите из полей задач вашего ПланФикса или введите имя.' },
  uk: { label: 'Поля задачі', help: 'Рядкове поле задачі чату, куди пишеться кожна деталь про відвідувача; порожньо — поле з іменем, як ліворуч. Виберіть із полів задач вашого ПланФікса або введіть ім\'я.' },
  choices: {
    city: detail('City', 'Город', 'Місто'),
    country: detail('Country', 'Страна', 'Країна'),
    ip: detail('IP address', 'IP-адрес', 'IP-адреса'),
    browser: detail('Browser', 'Браузер', 'Браузер'),
    os: detail('Operating system', 'Операционная система', 'Операційна система'),
    device: detail('Device', 'Устройство', 'Пристрій'),
    referrer: detail('Came from', 'Откуда пришёл', 'Звідки прийшов'),
    landing: detail('Landing page', 'Страница входа', 'Сторінка входу'),
    pages: detail('Pages visited', 'Просмотренные страницы', 'Переглянуті сторінки'),
  },
  columns: {
    key: {
      en: { label: 'Visitor detail', help: 'What the relay knows of the visitor.' },
      ru: { label: 'Данные посетителя', help: 'Что релей знает о посетителе.' },
      uk: { label: 'Дані відвідувача', help: 'Що релей знає про відвідувача.' },
    },
    value: {
      picker: { list: 'taskFields', value: 'name' },
      en: { label: 'Task field', help: 'The name of a String field of the chat task template, e.g. utm_source.' },
      ru: { label: 'Поле задачи', help: 'Имя строкового поля шаблона задачи чата, например utm_source.' },
      uk: { label: 'Поле задачі', help: 'Ім\'я рядкового поля шаблону задачі чату, наприклад utm_source.' },
    },
  },
};
