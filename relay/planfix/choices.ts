import { z } from 'zod';
import type { Account } from '../core/account.ts';
import { PICKER_SCOPES, type Choice, type ChoicesAnswer, type PickerList } from '../core/picker.ts';
import { RetryableError, TerminalError } from '../errors.ts';
import { idOf, read } from './rest-answers.ts';
import { PAGE, RestError, type RestApi } from './rest.ts';

// The lists the admin page picks Planfix objects from (relay/core/picker.ts): read through the
// account's REST client, so they share its limiter with deliveries, and bounded, because a list
// of employees has no end the relay controls.

/** The most items one list answers; beyond it the page says the list is cut and the rest are typed. */
export const CHOICES_CAP = 2000;
/** Planfix's error text is shown on the page: enough to tell what went wrong, not a whole HTML error page. */
const MESSAGE_MAX = 300;

const id = z.union([z.number(), z.string()]).transform(idOf);
const text = z.string().nullish().transform((s) => (s ?? '').trim());
const named = z.object({ id, name: text });

export const choiceAnswers = {
  templates: z.object({ templates: z.array(named).default([]) }),
  customfields: z.object({ customfields: z.array(named).default([]) }),
  users: z.object({ users: z.array(z.object({ id, name: text, lastname: text, email: text })).default([]) }),
};

type User = z.infer<typeof choiceAnswers.users>['users'][number];

/** A user as the page lists and matches them: the full name as Planfix shows it ("Ivan Petrov"), its parts, the e-mail. */
export function userChoice(u: User): Choice {
  const full = [u.name, u.lastname].filter(Boolean).join(' ');
  return {
    id: u.id, name: full || u.email || `#${u.id}`,
    ...(u.email ? { email: u.email } : {}), ...(u.name ? { firstName: u.name } : {}), ...(u.lastname ? { lastName: u.lastname } : {}),
  };
}

const isId = (n: number) => Number.isInteger(n) && n > 0;

/**
 * Every page of a list, up to `cap` items. Items without a usable id are skipped; a page that
 * brings nothing new ends the reading, as a server that ignores `offset` would answer the same
 * page for ever.
 */
export async function allPages<T extends { id: number }>(page: (offset: number) => Promise<T[]>, cap: number): Promise<{ items: T[]; truncated: boolean }> {
  const seen = new Map<number, T>();
  const done = (truncated: boolean) => ({ items: [...seen.values()], truncated });
  for (let offset = 0; ; offset += PAGE) {
    const items = await page(offset);
    const before = seen.size;
    for (const item of items) {
      if (!isId(item.id) || seen.has(item.id)) continue;
      if (seen.size >= cap) return done(true);
      seen.set(item.id, item);
    }
    if (items.length < PAGE || seen.size === before) return done(false);
    // A full page at the cap: Planfix may have more.
    if (seen.size >= cap) return done(true);
  }
}

async function readList(rest: RestApi, a: Account, what: PickerList, cap: number): Promise<{ items: Choice[]; truncated: boolean }> {
  const get = async <T>(schema: z.ZodType<T>, path: string) => read(schema, await rest.call(a, 'GET', path), path.split('?')[0]!);
  const templates = (kind: 'task' | 'contact') => allPages(async (offset) => {
    const query = `offset=${offset}&pageSize=${PAGE}&fields=id,name${kind === 'contact' ? '&isCompany=false' : ''}`;
    return (await get(choiceAnswers.templates, `/${kind}/templates?${query}`)).templates;
  }, cap);
  switch (what) {
    case 'taskTemplates':
      return templates('task');
    case 'contactTemplates':
      return templates('contact');
    case 'taskFields': {
      // Not paged in Planfix's API: the whole list comes at once.
      const all = (await get(choiceAnswers.customfields, '/customfield/task?fields=id,name,type')).customfields.filter((f) => isId(f.id));
      return { items: all.slice(0, cap), truncated: all.length > cap };
    }
    case 'users': {
      const { items, truncated } = await allPages(async (offset) => {
        const json = await rest.call(a, 'POST', '/user/list', { offset, pageSize: PAGE, fields: 'id,name,lastname,email' });
        return read(choiceAnswers.users, json, '/user/list').users;
      }, cap);
      return { items: items.map(userChoice).sort((x, y) => x.name.localeCompare(y.name)), truncated };
    }
  }
}

/**
 * A list for the page, or why there is none: the token's scope, no REST token, or Planfix's own
 * words. Errors that are not about Planfix (a bug) are thrown.
 */
export async function readChoices(rest: RestApi, a: Account, what: PickerList, cap = CHOICES_CAP): Promise<ChoicesAnswer> {
  if (!a.planfix.restToken) return { unavailable: { reason: 'no_rest_token' } };
  try {
    const { items, truncated } = await readList(rest, a, what, cap);
    return { items, ...(truncated ? { truncated: true as const } : {}) };
  } catch (err) {
    if (err instanceof RestError && err.code === 5) return { unavailable: { reason: 'scope', scope: PICKER_SCOPES[what] } };
    if (err instanceof RestError || err instanceof RetryableError || err instanceof TerminalError) {
      return { unavailable: { reason: 'planfix_error', message: err.message.slice(0, MESSAGE_MAX) } };
    }
    throw err;
  }
}
