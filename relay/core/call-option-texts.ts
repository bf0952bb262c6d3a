import type { callOptionsShape } from './call-options.ts';
import type { FieldText } from './ui-text.ts';

// The admin page's words for the call options every telephony channel shares (call-options.ts);
// a telephony channel puts them among its own field texts.

const where = {
  contact: { en: 'On the contact', ru: 'На контакт', uk: 'На контакт' },
  lastActiveTask: { en: 'In the contact\'s last active task', ru: 'В последнюю активную задачу контакта', uk: 'В останню активну задачу контакту' },
};

export const CALL_OPTION_TEXTS: Record<keyof typeof callOptionsShape, FieldText> = {
  employees: {
    en: { label: 'Employees', help: 'A row per employee who takes calls: how the telephony names them and their Planfix short number.' },
    ru: { label: 'Сотрудники', help: 'Строка на каждого сотрудника, принимающего звонки: как его называет телефония и его короткий номер в ПланФиксе.' },
    uk: { label: 'Співробітники', help: 'Рядок на кожного співробітника, який приймає дзвінки: як його називає телефонія та його короткий номер у ПланФіксі.' },
    columns: {
      id: {
        en: { label: 'Number or SIP login', help: 'How the telephony names the employee: phone number, extension or SIP login, e.g. 380671112233.' },
        ru: { label: 'Номер или SIP-логин', help: 'Как телефония называет сотрудника: номер телефона, внутренний номер или SIP-логин, например 380671112233.' },
        uk: { label: 'Номер або SIP-логін', help: 'Як телефонія називає співробітника: номер телефону, внутрішній номер або SIP-логін, наприклад 380671112233.' },
      },
      ext: {
        en: { label: 'Planfix short number', help: 'The employee\'s short number in Planfix\'s telephony settings, e.g. 101.' },
        ru: { label: 'Короткий номер в ПланФиксе', help: 'Короткий номер сотрудника в настройках телефонии ПланФикса, например 101.' },
        uk: { label: 'Короткий номер у ПланФіксі', help: 'Короткий номер співробітника в налаштуваннях телефонії ПланФікса, наприклад 101.' },
      },
      email: {
        picker: { list: 'users', value: 'email' },
        en: { label: 'E-mail', help: 'The employee\'s e-mail in Planfix: the call is recorded as theirs (optional).' },
        ru: { label: 'E-mail сотрудника', help: 'E-mail сотрудника в ПланФиксе: звонок записывается на него (необязательно).' },
        uk: { label: 'E-mail співробітника', help: 'E-mail співробітника в ПланФіксі: дзвінок записується на нього (необов\'язково).' },
      },
      name: {
        picker: { list: 'users', value: 'name' },
        en: { label: 'Name', help: 'The name written in the call\'s comment when the telephony gives none (optional).' },
        ru: { label: 'Имя', help: 'Имя в комментарии о звонке, если телефония его не передала (необязательно).' },
        uk: { label: 'Ім\'я', help: 'Ім\'я в коментарі про дзвінок, якщо телефонія його не передала (необов\'язково).' },
      },
    },
  },
  defaultExt: {
    en: { label: 'Short number for missed calls', help: 'The Planfix short number calls nobody took are recorded under: Planfix records calls only under a known one.' },
    ru: { label: 'Короткий номер для пропущенных', help: 'Короткий номер в ПланФиксе, под которым записываются звонки без ответа: ПланФикс записывает звонки только под известным номером.' },
    uk: { label: 'Короткий номер для пропущених', help: 'Короткий номер у ПланФіксі, під яким записуються дзвінки без відповіді: ПланФікс записує дзвінки лише під відомим номером.' },
  },
  callTarget: {
    en: { label: 'Where answered calls go', help: 'The contact\'s newest active task (a new task when it has none), or the contact itself.' },
    ru: { label: 'Куда записывать принятые звонки', help: 'В последнюю активную задачу контакта (новую задачу, если активных нет) или на сам контакт.' },
    uk: { label: 'Куди записувати прийняті дзвінки', help: 'В останню активну задачу контакту (нову задачу, якщо активних немає) або на сам контакт.' },
    choices: where,
  },
  missedCallTarget: {
    en: { label: 'Where missed calls go', help: 'The same for calls nobody talked on; by default on the contact, as Planfix itself does.' },
    ru: { label: 'Куда записывать пропущенные звонки', help: 'То же для звонков без разговора; по умолчанию на контакт, как делает сам ПланФикс.' },
    uk: { label: 'Куди записувати пропущені дзвінки', help: 'Те саме для дзвінків без розмови; типово на контакт, як робить сам ПланФікс.' },
    choices: where,
  },
  createContacts: {
    en: { label: 'Create contacts for new numbers', help: 'A number no contact has gets a new contact.' },
    ru: { label: 'Создавать контакты для новых номеров', help: 'Для номера, которого нет ни у одного контакта, создаётся новый контакт.' },
    uk: { label: 'Створювати контакти для нових номерів', help: 'Для номера, якого немає в жодного контакту, створюється новий контакт.' },
  },
  contactTemplateId: {
    picker: { list: 'contactTemplates', value: 'id' },
    en: { label: 'Contact template', help: 'The Planfix contact template new contacts are made from: choose it from the list or type its id; empty: the first one.' },
    ru: { label: 'Шаблон контакта', help: 'Шаблон контакта ПланФикса для новых контактов: выберите из списка или введите его ID; пусто — первый шаблон.' },
    uk: { label: 'Шаблон контакту', help: 'Шаблон контакту ПланФікса для нових контактів: виберіть зі списку або введіть його ID; порожньо — перший шаблон.' },
  },
  contactName: {
    en: { label: 'Name of a new contact', help: '{phone} is the number; empty: "Client {phone}" in the account\'s language.' },
    ru: { label: 'Имя нового контакта', help: '{phone} — номер; пусто — «Клиент {phone}» на языке аккаунта.' },
    uk: { label: 'Ім\'я нового контакту', help: '{phone} — номер; порожньо — «Клієнт {phone}» мовою акаунта.' },
  },
  taskTemplateId: {
    picker: { list: 'taskTemplates', value: 'id' },
    en: { label: 'Task template', help: 'The Planfix task template a call\'s new task is made from: choose it from the list or type its id.' },
    ru: { label: 'Шаблон задачи', help: 'Шаблон задачи ПланФикса для новых задач по звонкам: выберите из списка или введите его ID.' },
    uk: { label: 'Шаблон задачі', help: 'Шаблон задачі ПланФікса для нових задач за дзвінками: виберіть зі списку або введіть його ID.' },
  },
  taskName: {
    en: { label: 'Name of a new task', help: '{phone} is the number; empty: "Call with {phone}" in the account\'s language.' },
    ru: { label: 'Название новой задачи', help: '{phone} — номер; пусто — «Звонок {phone}» на языке аккаунта.' },
    uk: { label: 'Назва нової задачі', help: '{phone} — номер; порожньо — «Дзвінок {phone}» мовою акаунта.' },
  },
  callFields: {
    advanced: true,
    en: { label: 'UTM fields of the call record', help: 'For each UTM tag, the field of Planfix\'s "Звонок" record it goes to; empty: the default name.' },
    ru: { label: 'UTM-поля записи «Звонок»', help: 'Для каждой UTM-метки — поле записи «Звонок» в ПланФиксе, куда она пишется; пусто — имя по умолчанию.' },
    uk: { label: 'UTM-поля запису «Звонок»', help: 'Для кожної UTM-мітки — поле запису «Звонок» у ПланФіксі, куди вона пишеться; порожньо — ім\'я за замовчуванням.' },
    columns: {
      key: {
        en: { label: 'UTM tag', help: 'The UTM tag of the call.' },
        ru: { label: 'UTM-метка', help: 'UTM-метка звонка.' },
        uk: { label: 'UTM-мітка', help: 'UTM-мітка дзвінка.' },
      },
      value: {
        en: { label: 'Field of the record', help: 'The field name in the "Звонок" record, e.g. source.' },
        ru: { label: 'Поле записи', help: 'Имя поля в записи «Звонок», например Источник.' },
        uk: { label: 'Поле запису', help: 'Ім\'я поля в записі «Звонок», наприклад Джерело.' },
      },
    },
  },
  taskUtmFields: {
    en: { label: 'UTM task fields', help: 'For each UTM tag, the task custom field it is written to (the list shows their names); empty: not written.' },
    ru: { label: 'UTM-поля задачи', help: 'Для каждой UTM-метки — пользовательское поле задачи, куда она пишется (в списке видны их названия); пусто — не пишется.' },
    uk: { label: 'UTM-поля задачі', help: 'Для кожної UTM-мітки — користувацьке поле задачі, куди вона пишеться (у списку видно їхні назви); порожньо — не пишеться.' },
    columns: {
      key: {
        en: { label: 'UTM tag', help: 'The UTM tag of the call.' },
        ru: { label: 'UTM-метка', help: 'UTM-метка звонка.' },
        uk: { label: 'UTM-мітка', help: 'UTM-мітка дзвінка.' },
      },
      value: {
        picker: { list: 'taskFields', value: 'id' },
        en: { label: 'Task field id', help: 'The id of a task custom field in Planfix, e.g. 201.' },
        ru: { label: 'ID поля задачи', help: 'ID пользовательского поля задачи в ПланФиксе, например 201.' },
        uk: { label: 'ID поля задачі', help: 'ID користувацького поля задачі в ПланФіксі, наприклад 201.' },
      },
    },
  },
};
