import { api, type ApiError } from './api.ts';
import { clear, copyField, h } from './dom.ts';
import { checkRequired, clearErrors, collect, fieldGroup, fieldsOf, showError } from './forms.ts';
import { checkLine } from './checks.ts';
import { chatTokenField, pbxTokenField, widgetField } from './rotate.ts';
import { t } from './i18n.ts';
import { ALERT_TEXTS, ALERTS_SCHEMA } from './alert-fields.ts';
import { ACCOUNT_FIELDS, ACCOUNT_TEXTS, accountSchema, PLANFIX_SCHEMA, PLANFIX_SECRETS } from './account-fields.ts';
import { tableValue } from './table-editor.ts';
import { TASK_FIELDS_SCHEMA, TASK_FIELDS_TEXT } from './task-fields.ts';
import type { Account, Check } from './types.ts';

// An account's own parts of its page: the form of its settings and Planfix keys, what to paste
// into Planfix, and the test of its Planfix connection.

/** Create (no account) or edit an account; `saved` shows the account the API answered. */
export function accountForm(a: Account | undefined, saved: (id: string) => Promise<void>): HTMLElement {
  const words = t();
  // The API validates and names the wrong field: the browser's own checks would hide that.
  const form = h('form', { class: 'card', id: a ? 'account-edit' : 'account-create', novalidate: true },
    h('h2', {}, a ? words.accountSettings : words.newAccount),
    ...fieldGroup(fieldsOf('', accountSchema(a), a ? { name: a.name, defaultCountry: a.defaultCountry, language: a.language, timeZone: a.timeZone } : {}, [], ACCOUNT_TEXTS)),
    a ? h('p', { class: 'muted', id: 'locale' }, words.locale({
      language: a.locale.language, languageChosen: a.locale.chosen.language, timeZone: a.locale.timeZone, timeZoneChosen: a.locale.chosen.timeZone,
    })) : undefined,
    h('h3', {}, words.planfixSection),
    ...fieldGroup([...fieldsOf('planfix', PLANFIX_SCHEMA, a?.planfix, PLANFIX_SECRETS, ACCOUNT_TEXTS),
      ...fieldsOf('', TASK_FIELDS_SCHEMA, { taskFields: a?.taskFields }, [], { taskFields: TASK_FIELDS_TEXT })]),
    h('h3', {}, words.alertsSection),
    h('p', { class: 'muted' }, words.alertsHint),
    ...fieldGroup(fieldsOf('alerts', ALERTS_SCHEMA, a?.alerts, [], ALERT_TEXTS)),
    h('div', { class: 'form-error', role: 'alert' }),
    h('button', { type: 'submit' }, a ? words.save : words.createAccount));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    if (!checkRequired(form)) return;
    try {
      const top: Record<string, unknown> = {};
      for (const k of ACCOUNT_FIELDS) {
        const v = (form.querySelector<HTMLInputElement>(`.field[data-path="${k}"] :is(input, select)`)!).value.trim();
        if (v) top[k] = v;
        // Emptied on an existing account: back to the Planfix domain's default.
        else if (a && (k === 'language' || k === 'timeZone')) top[k] = null;
      }
      const taskFields = tableValue(form.querySelector<HTMLElement>('.field[data-path="taskFields"] [data-kind="table"]')!);
      const body = { ...top, planfix: collect(form, 'planfix'), alerts: collect(form, 'alerts'), ...(taskFields !== undefined ? { taskFields } : {}) };
      const answer = a ? await api<Account>('PATCH', `/accounts/${a.id}`, body) : await api<Account>('POST', '/accounts', body);
      await saved(answer.id);
    } catch (err) {
      showError(form, err as ApiError);
    }
  });
  return form;
}

export function connectPanel(a: Account): HTMLElement {
  const words = t().connect;
  return h('section', { class: 'card', id: 'connect' }, h('h2', {}, words.title),
    h('h3', {}, words.chat),
    copyField(words.chatUrl, a.connect.planfixChat.url),
    chatTokenField(a),
    copyField(words.providerId, a.connect.planfixChat.providerId),
    h('h3', {}, words.telephony),
    copyField(words.pbxUrl, a.connect.planfixTelephony.url),
    pbxTokenField(a),
    h('h3', {}, words.widget),
    widgetField(a));
}

export function checkPanel(a: Account): HTMLElement {
  const words = t().check;
  const out = h('ul', { class: 'checks' });
  const button = h('button', {
    type: 'button', id: 'test-planfix', onclick: async () => {
      button.setAttribute('disabled', '');
      clear(out, h('li', { class: 'muted' }, words.testing));
      try {
        const r = await api<Record<string, Check>>('POST', `/accounts/${a.id}/check`);
        clear(out, ...Object.entries(r).map(([k, c]) => checkLine(k, c)));
      } catch (err) {
        clear(out, h('li', { class: 'bad' }, (err as Error).message));
      }
      button.removeAttribute('disabled');
    },
  }, words.button);
  return h('section', { class: 'card', id: 'check' }, h('h2', {}, words.title), button, out);
}
