import type { Account } from '../core/account.ts';
import { toE164 } from '../core/identity.ts';
import { localeOf, wallClock } from '../core/locale.ts';
import { adapters } from '../channels/index.ts';
import { RetryableError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { AccountStore } from '../store/accounts.ts';
import type { PhoneBookState, PlanfixContact } from '../store/records.ts';
import type { Store } from '../store/store.ts';
import { PAGE, RestError, type RestApi, type RestContact } from './rest.ts';

// The account's Planfix phone book, mirrored into the relay's number → contact index: a call from
// a number Planfix holds goes to Telephony at once, with the spelling Planfix stores (its own lookup
// must find that, or it makes a second contact), instead of waiting for a REST search behind the
// account's 1 request a second. Numbers the relay finds or creates itself join the same index.

export interface PhoneBookPolicy {
  enabled: boolean;
  /** How often the contacts changed since the last pass are read. */
  changesEveryMs: number;
  /** How often every contact is read again: a number moved to another contact, or missed by the changes filter, is put right then. */
  fullEveryMs: number;
}

const DAY = 86_400_000;
/** A server that ignores `offset` answers full pages for ever: a full pass stops here, counts as done, and says why. */
const MAX_CONTACTS = 500_000;
/**
 * How far before the last pass's start a changes pass reaches back: Planfix reads the filter's
 * times on its user's clock, which the relay takes to be the account's time zone (unconfirmed);
 * the margin covers a user an hour or two off it, and a clock that is.
 */
export const CHANGES_MARGIN_MS = 2 * 3_600_000;

/** The pass the account's mirror should run now: the one under way, a full one when due, the changes when due. */
export function nextPass(s: PhoneBookState, now: number, p: PhoneBookPolicy, planfixUrl: string): PhoneBookState['pass'] {
  if (s.retryAt !== undefined && now < s.retryAt) return undefined;
  // Another Planfix (the account was pointed elsewhere): its phone book is read afresh, and the
  // full pass's end drops the other's numbers.
  if (s.url !== undefined && s.url !== planfixUrl) return { kind: 'full', offset: 0, startedAt: now, contacts: 0 };
  if (s.pass) return s.pass;
  if (s.fullAt === undefined || now - s.fullAt >= p.fullEveryMs) return { kind: 'full', offset: 0, startedAt: now, contacts: 0 };
  if (!s.changesRefused && now - (s.syncedAt ?? 0) >= p.changesEveryMs) return { kind: 'changes', offset: 0, startedAt: now, contacts: 0 };
  return undefined;
}

/**
 * The filter of a changes pass: contacts modified from the last pass's start (less the margin) to
 * a day ahead, as `dd-mm-yyyy hh:mm` on the account's clock (filter 38, `otherRange_withTime`).
 */
export function changesFilter(since: number, now: number, timeZone: string): Record<string, unknown> {
  return { type: 38, operator: 'equal', value: { dateType: 'otherRange_withTime', dateFrom: planfixTime(since - CHANGES_MARGIN_MS, timeZone), dateTo: planfixTime(now + DAY, timeZone) } };
}

/** `dd-mm-yyyy hh:mm` on the wall clock of `timeZone`, as Planfix's date filters take it. */
export function planfixTime(ms: number, timeZone: string): string {
  const p = wallClock(ms, timeZone);
  return `${p.day}-${p.month}-${p.year} ${p.hour}:${p.minute}`;
}

/** Longer than any spelling of a number: a note typed into the phone field, not kept as a spelling to send Planfix back. */
const MAX_SPELLING = 64;

/** A page's numbers in E.164, each with its contact and the spelling Planfix stores. */
export function pageEntries(contacts: RestContact[], defaultCountry: string): { e164: string; contact: PlanfixContact }[] {
  return contacts.flatMap((c) => (Number.isInteger(c.id) && c.id > 0 ? c.phones : []).flatMap((phone) => {
    if (phone.length > MAX_SPELLING) return [];
    const e164 = toE164(phone, defaultCountry);
    return e164 ? [{ e164, contact: { id: c.id, phone } }] : [];
  }));
}

/** An account whose calls the mirror serves: it has a REST token and a telephony channel. */
export function mirrored(a: Account): boolean {
  return !!a.planfix.restToken && a.channels.some((c) => adapters[c.kind]?.family === 'telephony');
}

export class PhoneBook {
  private timer: NodeJS.Timeout | undefined;
  private readonly running = new Map<string, Promise<void>>();
  private stopped = false;

  constructor(
    /** `leads`: several processes on one database, and whether this one mirrors (the leader). */
    private readonly deps: { rest: RestApi; store: Store; accounts: AccountStore; log: Logger; leads?: () => boolean },
    private readonly policy: PhoneBookPolicy,
    private readonly now: () => number = Date.now,
  ) {}

  /** Looks at every account now and then every minute (or every changes interval, when shorter). */
  start(): void {
    if (!this.policy.enabled) return;
    this.tick();
    this.timer = setInterval(() => this.tick(), Math.min(60_000, this.policy.changesEveryMs));
    this.timer.unref();
  }

  /** Ends the passes after their page in flight; what they read is on disk, and the next start resumes. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await Promise.all(this.running.values());
  }

  private tick(): void {
    if (this.deps.leads?.() === false) return;
    for (const a of this.deps.accounts.list()) {
      if (this.stopped || this.running.has(a.id) || !mirrored(a)) continue;
      // A pass never throws: what went wrong is the pass's error on the admin page, and the log's.
      const run = this.pass(a.id).catch((err: unknown) => this.deps.log.warn({ err, account: a.id }, 'phone book pass failed')).finally(() => this.running.delete(a.id));
      this.running.set(a.id, run);
    }
  }

  private async pass(id: string): Promise<void> {
    const state = this.deps.store.state(id);
    let s = (await state.phoneBook()).state;
    const first = this.deps.accounts.get(id);
    if (!first) return;
    let pass = nextPass(s, this.now(), this.policy, first.planfix.url);
    if (!pass) return;
    const url = first.planfix.url;
    const log = this.deps.log.child({ account: id, phoneBook: pass.kind });
    if (pass.offset === 0) log.info('phone book pass started');
    try {
      for (;;) {
        const live = () => { const a = this.deps.accounts.get(id); return !this.stopped && a && mirrored(a) && a.planfix.url === url ? a : undefined; };
        const a = live();
        if (!a) return;
        await this.deps.rest.throttle(a).idle();
        if (!live()) return;
        const filter = pass.kind === 'changes' ? changesFilter(s.syncedAt ?? pass.startedAt, this.now(), localeOf(a).timeZone) : undefined;
        const contacts = await this.deps.rest.contactPhones(a, pass.offset, filter);
        // The account may have gone (deleted, another Planfix) while Planfix answered: nothing of it is written then.
        if (!live()) return;
        pass = { ...pass, offset: pass.offset + contacts.length, contacts: pass.contacts + contacts.length };
        const capped = contacts.length === PAGE && pass.offset >= MAX_CONTACTS;
        const done = contacts.length < PAGE || capped;
        s = done ? finished(s, pass, url) : { ...s, pass, url };
        if (capped) s.error = { at: this.now(), text: `more than ${MAX_CONTACTS} contacts, or Planfix ignores offset: the rest is not mirrored` };
        const entries = pageEntries(contacts, a.defaultCountry);
        // A full pass re-reads every holder, so within it the oldest wins again; a changes pass
        // reads only some, and a number read in the last full pass stays with its oldest holder.
        const freshFrom = pass.kind === 'full' ? pass.startedAt : s.fullAt ?? 0;
        await state.putPhoneBookPage({ entries, at: pass.startedAt, freshFrom, prune: done && pass.kind === 'full' && !capped }, s);
        if (done) {
          log.info({ contacts: pass.contacts }, 'phone book pass done');
          return;
        }
      }
    } catch (err) {
      // Planfix refusing the changes filter (its form is unconfirmed) is not worth a retry every
      // interval: until the next full pass the mirror relies on those and on the numbers calls
      // teach it. Anything else lasting (a refused token, an answer of another shape) waits an
      // interval before the same page is asked again; a network failure or the quota, a minute.
      const refused = pass.kind === 'changes' && err instanceof RestError && err.status === 400;
      const lasting = !(err instanceof RetryableError);
      s = {
        ...s, ...(refused ? { pass: undefined, changesRefused: true } : { pass }),
        ...(lasting && !refused ? { retryAt: this.now() + this.policy.changesEveryMs } : {}),
        error: { at: this.now(), text: (err as Error).message.slice(0, 500) },
      };
      await state.putPhoneBookPage({ entries: [], at: pass.startedAt, freshFrom: 0, prune: false }, s);
      log[lasting ? 'warn' : 'info']({ err }, 'phone book pass stopped; it resumes at a later check');
    }
  }
}

function finished(s: PhoneBookState, pass: NonNullable<PhoneBookState['pass']>, url: string): PhoneBookState {
  const full = pass.kind === 'full';
  return {
    ...(full ? { fullAt: pass.startedAt, fullContacts: pass.contacts } : { fullAt: s.fullAt, fullContacts: s.fullContacts }),
    syncedAt: pass.startedAt,
    url,
    ...(s.changesRefused && !full ? { changesRefused: true } : {}),
  };
}
