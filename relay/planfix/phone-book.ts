import type { Account } from '../core/account.ts';
import { toE164 } from '../core/identity.ts';
import { adapters } from '../channels/index.ts';
import { RetryableError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { AccountStore } from '../store/accounts.ts';
import type { PhoneBookState, PlanfixContact } from '../store/records.ts';
import type { Store } from '../store/store.ts';
import { CONTACT_PAGE, RestError, type RestApi, type RestContact } from './rest.ts';

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
/** A server that ignores `offset` answers full pages for ever: a pass ends here, and says so. */
const MAX_CONTACTS = 500_000;

/** The pass the account's mirror should run now: the one under way, a full one when due, the changes when due. */
export function nextPass(s: PhoneBookState, now: number, p: PhoneBookPolicy): PhoneBookState['pass'] {
  if (s.pass) return s.pass;
  if (s.fullAt === undefined || now - s.fullAt >= p.fullEveryMs) return { kind: 'full', offset: 0, startedAt: now, contacts: 0 };
  if (!s.changesRefused && now - (s.syncedAt ?? 0) >= p.changesEveryMs) return { kind: 'changes', offset: 0, startedAt: now, contacts: 0 };
  return undefined;
}

/** Days a changes pass reaches back: since the last pass began, and one more, as Planfix reads dates in its user's time zone. */
export function changedDays(syncedAt: number, now: number): number {
  return Math.max(1, Math.ceil((now - syncedAt) / DAY)) + 1;
}

/** A page's numbers in E.164, each with its contact and the spelling Planfix stores. */
export function pageEntries(contacts: RestContact[], defaultCountry: string): { e164: string; contact: PlanfixContact }[] {
  return contacts.flatMap((c) => (Number.isInteger(c.id) && c.id > 0 ? c.phones : []).flatMap((phone) => {
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
    private readonly deps: { rest: RestApi; store: Store; accounts: AccountStore; log: Logger },
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
    for (const a of this.deps.accounts.list()) {
      if (this.stopped || this.running.has(a.id) || !mirrored(a)) continue;
      const run = this.pass(a.id).finally(() => this.running.delete(a.id));
      this.running.set(a.id, run);
    }
  }

  private async pass(id: string): Promise<void> {
    const state = this.deps.store.state(id);
    let s = (await state.phoneBook()).state;
    let pass = nextPass(s, this.now(), this.policy);
    if (!pass) return;
    const log = this.deps.log.child({ account: id, phoneBook: pass.kind });
    if (pass.offset === 0) log.info('phone book pass started');
    try {
      for (;;) {
        const a = this.deps.accounts.get(id);
        if (this.stopped || !a || !mirrored(a)) return;
        await this.deps.rest.throttle(a).idle();
        if (this.stopped) return;
        const days = pass.kind === 'changes' ? changedDays(s.syncedAt ?? pass.startedAt, this.now()) : undefined;
        const contacts = await this.deps.rest.contactPhones(a, pass.offset, days);
        pass = { ...pass, offset: pass.offset + contacts.length, contacts: pass.contacts + contacts.length };
        const done = contacts.length < CONTACT_PAGE;
        if (!done && pass.offset >= MAX_CONTACTS) throw new RestError('/contact/list', undefined, `more than ${MAX_CONTACTS} contacts, or the server ignores offset`);
        s = done ? finished(s, pass) : { ...s, pass };
        const entries = pageEntries(contacts, a.defaultCountry);
        // A full pass re-reads every holder, so within it the oldest wins again; a changes pass
        // reads only some, and a number read in the last full pass stays with its oldest holder.
        const freshFrom = pass.kind === 'full' ? pass.startedAt : s.fullAt ?? 0;
        await state.putPhoneBookPage({ entries, at: pass.startedAt, freshFrom, prune: done && pass.kind === 'full' }, s);
        if (done) {
          log.info({ contacts: pass.contacts }, 'phone book pass done');
          return;
        }
      }
    } catch (err) {
      // Planfix refusing the changes filter (its semantics are unconfirmed) is not worth a retry
      // every interval: the mirror then relies on full passes and on the numbers calls teach it.
      const refused = pass.kind === 'changes' && err instanceof RestError;
      s = { ...s, ...(refused ? { pass: undefined, changesRefused: true } : { pass }), error: { at: this.now(), text: (err as Error).message.slice(0, 500) } };
      await state.putPhoneBookPage({ entries: [], at: pass.startedAt, freshFrom: 0, prune: false }, s).catch(() => undefined);
      log[err instanceof RetryableError ? 'info' : 'warn']({ err }, 'phone book pass stopped; it resumes at the next check');
    }
  }
}

function finished(s: PhoneBookState, pass: NonNullable<PhoneBookState['pass']>): PhoneBookState {
  const full = pass.kind === 'full';
  return {
    ...(full ? { fullAt: pass.startedAt, fullContacts: pass.contacts } : { fullAt: s.fullAt, fullContacts: s.fullContacts }),
    syncedAt: pass.startedAt,
    ...(s.changesRefused && !full ? { changesRefused: true } : {}),
  };
}
