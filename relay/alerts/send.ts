import type { Account } from '../core/account.ts';
import { formatTime, localeOf } from '../core/locale.ts';
import type { Logger } from '../log.ts';
import { send, type OutboundPolicy } from '../net/outbound.ts';
import type { RestApi } from '../planfix/rest.ts';
import { plural } from '../core/ui-text.ts';
import type { Alert } from './limiter.ts';

// Where an alert goes: a new Planfix task assigned to the chosen employee (REST `POST /task/`,
// docs/reference/planfix-api.md §3.7), and/or a JSON POST to the admin's own URL. A new task,
// rather than a comment on a chosen task: it needs one setting (the employee) instead of two, a
// task that may have been closed or deleted since cannot swallow it, and Planfix itself tells the
// assignee of a new task. At most one an interval (limiter.ts), so tasks do not pile up.

const TEXTS = {
  ru: {
    name: (n: number, account: string) => `planfix-relay: ${n} ${plural('ru', n, ['сообщение клиента не доставлено', 'сообщения клиентов не доставлены', 'сообщений клиентов не доставлено'])} (${account})`,
    body: (since: string, page: string) => `ПланФикс отказал в доставке с ${since}. Причины, «Повторить все» и «Удалить» — на странице администратора: ${page}`,
  },
  uk: {
    name: (n: number, account: string) => `planfix-relay: ${n} ${plural('uk', n, ['повідомлення клієнта не доставлено', 'повідомлення клієнтів не доставлено', 'повідомлень клієнтів не доставлено'])} (${account})`,
    body: (since: string, page: string) => `Доставку відхилено з ${since}. Причини, «Повторити всі» та «Видалити» — на сторінці адміністратора: ${page}`,
  },
  en: {
    name: (n: number, account: string) => `planfix-relay: ${n} customer ${n === 1 ? 'message' : 'messages'} not delivered (${account})`,
    body: (since: string, page: string) => `Refused for good since ${since}. The reasons, "Retry all" and "Dismiss" are on the admin page: ${page}`,
  },
};

export interface AlertSenderDeps {
  rest: RestApi;
  policy: OutboundPolicy;
  timeoutMs: number;
  publicUrl(): string;
  log: Logger;
}

/** Sends one alert to everyone the account names; each target fails on its own, logged (its host, never its URL). */
export async function sendAlert(a: Account, alert: Alert, deps: AlertSenderDeps): Promise<void> {
  const { employeeId, url } = a.alerts ?? {};
  const page = `${deps.publicUrl()}/admin`;
  const locale = localeOf(a);
  const words = TEXTS[locale.language === 'ru' || locale.language === 'uk' ? locale.language : 'en'];
  const log = deps.log.child({ account: a.id, count: alert.count });
  const jobs: Promise<void>[] = [];
  if (employeeId) {
    jobs.push(deps.rest.createTask(a, {
      name: words.name(alert.count, a.name),
      description: words.body(formatTime(alert.since, locale), page),
      assignees: { users: [{ id: `user:${employeeId}` }] },
    }).then((task) => log.info({ task, employee: employeeId }, 'dead-letter alert sent to Planfix')));
  }
  if (url) {
    const body = JSON.stringify({
      event: 'dead_letters', account: { id: a.id, name: a.name }, count: alert.count,
      since: new Date(alert.since).toISOString(), at: new Date().toISOString(), adminPage: page,
    });
    jobs.push(send(deps.policy, 'alert', url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, timeoutMs: deps.timeoutMs }).then((res) => {
      if (res.status < 200 || res.status >= 300) throw new Error(`answered ${res.status}`);
      log.info({ host: new URL(url).host }, 'dead-letter alert posted');
    }).catch((err: unknown) => { throw Object.assign(new Error(`alert URL on ${new URL(url).host}: ${(err as Error).message}`), { cause: undefined }); }));
  }
  const failed = (await Promise.allSettled(jobs)).filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  for (const f of failed) log.warn({ err: f.reason }, 'dead-letter alert failed; not tried again');
}
