import type Router from '@koa/router';
import { z } from 'zod';
import { restUrl, type Account } from '../core/account.ts';
import { PICKER_LISTS, type ChoicesAnswer, type PickerList } from '../core/picker.ts';
import { readChoices } from '../planfix/choices.ts';
import { parse, type AdminContext } from './admin-context.ts';

const query = z.object({
  what: z.enum(PICKER_LISTS, { message: `one of ${PICKER_LISTS.join(', ')}` }),
}).strict();

/**
 * A page drawn again (after a save, another language) asks for the same lists: each is kept this
 * long, so the account's REST budget (1 request a second, a daily quota) is not spent on them.
 * Only lists that came: a scope added in Planfix shows on the next request.
 */
const KEEP_MS = 60_000;

interface Kept {
  /** The REST address and token the list was read with: another token may see another list. */
  key: string;
  at: number;
  answer: Promise<ChoicesAnswer>;
}

/** GET /api/accounts/:id/planfix/choices?what=…: what the admin page's pickers list, read from the account's Planfix. */
export function planfixRoutes(router: Router, admin: AdminContext): void {
  const { relay, account, logOf } = admin;
  const kept = new Map<string, Kept>();

  const load = (a: Account, what: PickerList): Promise<ChoicesAnswer> => {
    const now = Date.now();
    for (const [k, v] of kept) if (now - v.at > KEEP_MS) kept.delete(k);
    const slot = `${a.id}\n${what}`;
    const key = `${restUrl(a)}\n${a.planfix.restToken ?? ''}`;
    const hit = kept.get(slot);
    if (hit && hit.key === key) return hit.answer;
    // Shared while in flight too: two forms asking at once cost one reading.
    const answer = readChoices(relay.rest, a, what).then((r) => {
      if ('unavailable' in r) {
        if (kept.get(slot)?.answer === answer) kept.delete(slot);
        logOf(a).info({ what, reason: r.unavailable.reason }, 'Planfix list for the admin page unavailable');
      }
      return r;
    }, (err: unknown) => {
      if (kept.get(slot)?.answer === answer) kept.delete(slot);
      throw err;
    });
    kept.set(slot, { key, at: now, answer });
    return answer;
  };

  router.get('/accounts/:id/planfix/choices', async (ctx) => {
    const a = account(ctx.params.id!);
    // A repeated key comes as an array: a string is wanted, and zod says which key is wrong.
    const q = parse(query, { ...ctx.query });
    ctx.set('Cache-Control', 'no-store');
    ctx.body = await load(a, q.what);
  });
}
