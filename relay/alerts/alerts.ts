import type { AccountStore } from '../store/accounts.ts';
import type { AlertLog, Entry } from '../store/store.ts';
import { AlertLimiter, type AlertPacing } from './limiter.ts';
import { sendAlert, type AlertSenderDeps } from './send.ts';

/**
 * The dead-letter alerts of every account: `onDead` is the worker's hook. Only a customer's own
 * message counts (not an agent's echo, a visitor update, a status or a reply going out), and only
 * for an account that names someone to tell.
 */
export function deadLetterAlerts(accounts: AccountStore, store: AlertLog, pacing: AlertPacing, deps: AlertSenderDeps) {
  const limiter = new AlertLimiter(store, pacing, async (id, alert) => {
    const a = accounts.get(id);
    // Deleted, or alerts turned off since: the count goes with the alert that is not sent.
    if (a?.alerts?.employeeId || a?.alerts?.url) await sendAlert(a, alert, deps);
  }, deps.log);
  const onDead = (e: Entry) => {
    if (e.event.kind !== 'message' || e.event.echo) return;
    const a = accounts.get(e.account);
    if (a?.alerts?.employeeId || a?.alerts?.url) void limiter.dead(e.account);
  };
  return { limiter, onDead };
}
