import { telephonyApiUrl, type Account } from '../core/account.ts';
import { RetryableError, TerminalError } from '../errors.ts';
import { countPlanfix } from '../metrics.ts';
import { errorText, send, type OutboundPolicy } from '../net/outbound.ts';
import { encodeForm, type FormParams } from './chat.ts';

/** Planfix's Telephony API (docs/reference/planfix-api.md §2.3): form POSTs to /tel/api with planfix_token. */
export class TelephonyApi {
  constructor(private readonly policy: OutboundPolicy, private readonly timeoutMs: number) {}

  async call(account: Account, cmd: 'event' | 'record' | 'contact' | 'ping', params: FormParams): Promise<unknown> {
    const token = account.planfix.telephonyToken;
    if (!token) throw new TerminalError('no Planfix telephony token configured (planfix.telephonyToken)', 'not-configured');
    return countPlanfix('telephony', async () => {
      const res = await send(this.policy, 'planfix', telephonyApiUrl(account), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: encodeForm({ cmd, ...params, planfix_token: token }),
        timeoutMs: this.timeoutMs,
      });
      if (res.status >= 200 && res.status < 300) return res.json;
      throw new TelephonyApiError(cmd, res.status, errorText(res.json, res.text));
    }, (err) => err instanceof RetryableError);
  }
}

/** A command Planfix's Telephony API refused (4xx other than 429), with its status for callers to tell refusals apart. */
export class TelephonyApiError extends TerminalError {
  constructor(readonly cmd: string, readonly status: number, text: string) {
    super(`Planfix Telephony API ${cmd} answered ${status}${text ? `: ${text}` : ''}`);
  }
}
