import type Router from '@koa/router';
import { newRouter } from './router.ts';
import { adapters } from '../channels/index.ts';
import { onOwnPlanfix, planfixOrigin } from '../core/account.ts';
import { findEmployee } from '../core/call-options.ts';
import { toE164 } from '../core/identity.ts';
import type { Relay } from '../context.ts';
import { HttpError, RetryableError, TerminalError } from '../errors.ts';
import { callbackAccount, callbackBody, field, invalid } from './callback.ts';

// Planfix → PBX commands of the Telephony API (docs/reference/planfix-api.md §2.2): the relay is the PBX URL
// pasted into Planfix, and forwards click-to-call to the account's telephony channel.

const text = (b: Record<string, unknown>, k: string): string | undefined => field(b, k)?.trim() || undefined;

export function telephonyRouter(relay: Relay): Router {
  const router = newRouter();
  router.post('/planfix/:accountId/telephony', callbackBody(), async (ctx) => {
    const { account, b } = callbackAccount(relay, ctx, 'telephony');
    const cmd = text(b, 'cmd');

    if (cmd === 'ping') {
      ctx.body = {};
      return;
    }

    if (cmd === 'setup') {
      // Planfix hands over its own endpoint and token when the integration is switched on.
      const planfixToken = text(b, 'planfix_token');
      const planfixUrl = text(b, 'planfix_url');
      if (!planfixToken) throw invalid('planfix_token is missing');
      if (planfixUrl) {
        // Whoever holds the telephony token must not be able to send this account's calls to
        // another Planfix account: only this account's own Planfix.
        const refused = relay.policy.check(planfixUrl, 'planfix')
          ?? (onOwnPlanfix(account, planfixUrl) ? undefined : `must be on this account's Planfix (${planfixOrigin(account)})`);
        if (refused) throw invalid(`planfix_url: ${refused}`);
      }
      const next = { ...account, planfix: { ...account.planfix, telephonyToken: planfixToken, ...(planfixUrl ? { telephonyApiUrl: planfixUrl } : {}) } };
      await relay.accounts.save(next);
      relay.log.info({ account: account.id }, 'Planfix telephony integration set up');
      ctx.body = {};
      return;
    }

    if (cmd !== 'makeCall') throw invalid(`unsupported cmd ${JSON.stringify(cmd ?? '')}`);
    const from = text(b, 'from');
    const to = text(b, 'to');
    if (!from || !to) throw invalid('from and to are required');
    const e164 = toE164(to, account.defaultCountry);
    if (!e164) throw invalid(`to: ${JSON.stringify(to.slice(0, 40))} is not a phone number`);
    // The call goes out through the telephony channel that knows the employee who clicked (an
    // account may have one per office or provider); the first one when none does.
    const lines = account.channels.flatMap((channel) => {
      const adapter = adapters[channel.kind];
      return adapter?.makeCall ? [{ channel, makeCall: adapter.makeCall.bind(adapter), employees: adapter.callOptions?.(channel).employees ?? [] }] : [];
    });
    if (!lines.length) throw new HttpError(409, 'no telephony channel in this account', { error: 'No telephony channel connected to the relay for this account' });
    // Planfix names the employee by short number; the provider by its own extension or SIP.
    const line = lines.find((l) => l.employees.some((e) => e.ext === from)) ?? lines.find((l) => findEmployee(l.employees, from)) ?? lines[0]!;
    const { channel } = line;
    const log = relay.log.child({ account: account.id, channel: channel.id });
    const employee = line.employees.find((e) => e.ext === from) ?? findEmployee(line.employees, from);
    if (!employee) log.warn({ ext: from }, 'makeCall: short number not in the employees map; passed on as is');
    try {
      await line.makeCall({ employee: employee?.id ?? from, destination: e164.slice(1) }, { account, channel, policy: relay.policy, timeoutMs: relay.config.httpTimeoutMs });
    } catch (err) {
      // Ringing an employee minutes later would surprise them: a failed click-to-call is not retried.
      if (err instanceof TerminalError || err instanceof RetryableError) {
        log.warn({ err }, 'makeCall failed');
        throw new HttpError(502, err.message, { error: err.message });
      }
      throw err;
    }
    ctx.body = {};
  });

  return router;
}
