import { z } from 'zod';
import type { Relay } from '../context.ts';
import { isMasked, type Account, type ChannelConfig } from '../core/account.ts';
import { issueField, issueText, type FieldIssue } from '../core/issue.ts';
import { HttpError } from '../errors.ts';
import { adminViews } from './admin-views.ts';
import { BODY_LIMIT, parseBody } from './hooks.ts';

/**
 * The first zod issue as "field.path: message", so the admin sees which field is wrong, and as
 * `field` ({path, reason, …}) for the admin page to say in the admin's language.
 */
export function parse<T>(schema: z.ZodType<T>, value: unknown, prefix = ''): T {
  const r = schema.safeParse(value);
  if (!r.success) throw fieldError(issueText(r.error, prefix), issueField(r.error, value, prefix));
  return r.data;
}

/** A 400 naming the field: `error` as every API answer has it, `field` for the page. */
export function fieldError(error: string, field: FieldIssue): HttpError {
  return new HttpError(400, error, { error, field });
}

/** Drops masked values an admin page may send back unchanged, so they never overwrite the secret. */
export function unmasked(o: Record<string, unknown> | undefined): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => !isMasked(v)));
}

/**
 * What every admin route works with: the JSON body, the account or channel its path names (404
 * otherwise), saving (503 when the disk refuses), the log naming them, and the views it answers.
 */
export function adminContext(relay: Relay) {
  const body = parseBody({ json: true, urlencoded: false, text: false, multipart: false, jsonLimit: BODY_LIMIT, jsonStrict: true });

  /** The log of an account, or of one of its channels: every line about them names them the same way. */
  const logOf = (a: Account, c?: ChannelConfig) => relay.log.child(c ? { account: a.id, channel: c.id } : { account: a.id });

  const account = (id: string) => {
    const a = relay.accounts.get(id);
    if (!a) throw new HttpError(404, 'account not found');
    return a;
  };

  const channel = (a: Account, id: string) => {
    const c = a.channels.find((x) => x.id === id);
    if (!c) throw new HttpError(404, 'channel not found');
    return c;
  };

  const save = async (a: Account) => {
    try {
      await relay.accounts.save(a);
    } catch (err) {
      logOf(a).error({ err }, 'saving account failed');
      throw new HttpError(503, 'storage unavailable, retry later');
    }
  };

  return { relay, body, logOf, account, channel, save, ...adminViews(relay) };
}

export type AdminContext = ReturnType<typeof adminContext>;
