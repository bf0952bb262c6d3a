import type { Choice, Picker } from '../relay/core/picker.ts';

// Which Planfix employee a row of an employee table (Chatra agents, Ringostat numbers) means, and
// what the page offers to fill in for them. Free of the DOM: the rules are tested on their own.
// Nothing here changes a row: the admin accepts a suggestion, or does not.

/** Names compare without case, extra spaces, or ё against е: "  petrov  IVAN" is Ivan Petrov. */
export const normName = (s: string): string => s.toLowerCase().replace(/ё/g, 'е').replace(/\s+/g, ' ').trim();

/** Whether a typed name is the user's, the first name first or the last name first. */
export function sameName(typed: string, u: Choice): boolean {
  const n = normName(typed);
  if (!n) return false;
  const first = u.firstName ?? '';
  const last = u.lastName ?? '';
  return [u.name, `${first} ${last}`, `${last} ${first}`].some((x) => normName(x) === n);
}

export const sameEmail = (typed: string, u: Choice): boolean => !!u.email && typed.trim().toLowerCase() === u.email.trim().toLowerCase();

/** A row's cells that name an employee: what each holds of them, and what is typed there. */
export interface UserCell {
  value: Picker['value'];
  typed: string;
}

/**
 * The one user a row means: by a typed e-mail first (an e-mail is one person's), else by a typed
 * name. Two users that fit equally are no answer: guessing would offer the wrong one.
 */
export function matchUser(users: Choice[], cells: UserCell[]): Choice | undefined {
  const only = (test: (u: Choice) => boolean) => {
    const hits = users.filter(test);
    return hits.length === 1 ? hits[0] : undefined;
  };
  for (const c of cells) {
    const hit = c.value === 'email' && c.typed.trim() ? only((u) => sameEmail(c.typed, u)) : undefined;
    if (hit) return hit;
  }
  for (const c of cells) {
    const hit = c.value === 'name' && c.typed.trim() ? only((u) => sameName(c.typed, u)) : undefined;
    if (hit) return hit;
  }
  return undefined;
}

const valueOf = (u: Choice, v: Picker['value']): string | undefined => (v === 'id' ? String(u.id) : v === 'email' ? u.email : u.name);

/**
 * What accepting the user would write into each cell (undefined: that cell stays): an empty cell
 * gets the user's value, a name typed another way gets Planfix's spelling (Chatra compares the
 * full name exactly). A cell holding anything else is the admin's, and is left alone.
 */
export function fills(u: Choice, cells: UserCell[]): (string | undefined)[] {
  return cells.map((c) => {
    const want = valueOf(u, c.value);
    const typed = c.typed.trim();
    if (!want || typed === want) return undefined;
    if (!typed) return want;
    return c.value === 'name' && sameName(typed, u) ? want : undefined;
  });
}
