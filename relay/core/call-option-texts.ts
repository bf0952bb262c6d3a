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
    en: { label: 'Employees', help: 'JSON list: for each employee their id in the telephony (number, extension or SIP login), Planfix short number, e-mail and name: [{"id": "380671112233", "ext": "101", "email": "ivan@acme.com"}].' },
    ru: { label: 'Сотрудники', help: 'JSON-список: для каждого сотрудника его ID в телефонии (номер, внутренний номер или SIP-логин), короткий номер в ПланФиксе, e-mail и имя: [{"id": "380671112233", "ext": "101", "email": "ivan@acme.ru"}].' },
    uk: { label: 'Співробітники', help: 'JSON-список: для кожного співробітника його ID у телефонії (номер, внутрішній номер або SIP-логін), короткий номер у ПланФіксі, e-mail та ім\'я: [{"id": "380671112233", "ext": "101", "email": "ivan@acme.ua"}].' },
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
    en: { label: 'Contact template (id)', help: 'The id of the Planfix contact template new contacts are made from; empty: the first one.' },
    ru: { label: 'Шаблон контакта (ID)', help: 'ID шаблона контакта ПланФикса для новых контактов; пусто — первый шаблон.' },
    uk: { label: 'Шаблон контакту (ID)', help: 'ID шаблону контакту ПланФікса для нових контактів; порожньо — перший шаблон.' },
  },
  contactName: {
    en: { label: 'Name of a new contact', help: '{phone} is the number; empty: "Client {phone}" in the account\'s language.' },
    ru: { label: 'Имя нового контакта', help: '{phone} — номер; пусто — «Клиент {phone}» на языке аккаунта.' },
    uk: { label: 'Ім\'я нового контакту', help: '{phone} — номер; порожньо — «Клієнт {phone}» мовою акаунта.' },
  },
  taskTemplateId: {
    en: { label: 'Task template (id)', help: 'The id of the Planfix task template a call\'s new task is made from.' },
    ru: { label: 'Шаблон задачи (ID)', help: 'ID шаблона задачи ПланФикса для новых задач по звонкам.' },
    uk: { label: 'Шаблон задачі (ID)', help: 'ID шаблону задачі ПланФікса для нових задач за дзвінками.' },
  },
  taskName: {
    en: { label: 'Name of a new task', help: '{phone} is the number; empty: "Call with {phone}" in the account\'s language.' },
    ru: { label: 'Название новой задачи', help: '{phone} — номер; пусто — «Звонок {phone}» на языке аккаунта.' },
    uk: { label: 'Назва нової задачі', help: '{phone} — номер; порожньо — «Дзвінок {phone}» мовою акаунта.' },
  },
  callFields: {
    advanced: true,
    en: { label: 'UTM fields of the call record', help: 'JSON: UTM key → field of Planfix\'s "Звонок" record, e.g. {"utm_source": "source"}; "" turns one off.' },
    ru: { label: 'UTM-поля записи «Звонок»', help: 'JSON: UTM-метка → поле записи «Звонок» в ПланФиксе, например {"utm_source": "Источник"}; "" отключает поле.' },
    uk: { label: 'UTM-поля запису «Звонок»', help: 'JSON: UTM-мітка → поле запису «Звонок» у ПланФіксі, наприклад {"utm_source": "Джерело"}; "" вимикає поле.' },
  },
  taskUtmFields: {
    en: { label: 'UTM task fields (ids)', help: 'JSON: UTM key → id of a task custom field, e.g. {"utm_source": 201}.' },
    ru: { label: 'UTM-поля задачи (ID)', help: 'JSON: UTM-метка → ID пользовательского поля задачи, например {"utm_source": 201}.' },
    uk: { label: 'UTM-поля задачі (ID)', help: 'JSON: UTM-мітка → ID користувацького поля задачі, наприклад {"utm_source": 201}.' },
  },
};
