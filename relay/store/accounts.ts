import { mkdir, readdir, rename, rm, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Low, type Adapter } from 'lowdb';
import type { Account, ChannelConfig } from '../core/account.ts';
import { createPrivate } from './files.ts';

/** lowdb adapter writing atomically with mode 0600: account files hold Planfix and provider secrets. */
class SecretJsonFile<T> implements Adapter<T> {
  constructor(private readonly path: string) {}
  async read(): Promise<T | null> {
    try {
      return JSON.parse(await readFile(this.path, 'utf8')) as T;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }
  async write(data: T): Promise<void> {
    const tmp = `${this.path}.tmp`;
    const fh = await createPrivate(tmp);
    try {
      await fh.writeFile(JSON.stringify(data, null, 2));
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, this.path);
  }
}

/** A stored account the relay refuses to start with, and why. */
export function invalid(what: string, err: unknown): Error {
  // JSON.parse quotes the text around the fault, and the document holds secrets: only the position.
  const why = err instanceof SyntaxError ? `not JSON${/position \d+/.exec(err.message)?.[0].replace(/^/, ' at ') ?? ''}` : (err as Error).message;
  return new Error(`${what} is not valid: ${why}. Fix it, or restore it from a backup`);
}

/**
 * Where the accounts' settings are kept: JSON files in the data directory (below), or a table on
 * PostgreSQL (postgres/accounts.ts) when RELAY_DATABASE_URL is set.
 */
export interface AccountDocs {
  /**
   * Every stored account, each through `check`, which gives the account as the relay may use it or
   * throws why not. One that fails stops the start with its name and the reason: they are written
   * by the relay itself, so a failure is an edit by hand or a damaged disk, and serving the other
   * accounts meanwhile would answer this one's webhooks 404 as if its channels were deleted.
   */
  load(check: (raw: unknown) => Account): Promise<Account[]>;
  /** One stored account, through `check` as load() does; undefined when there is none. */
  read(id: string, check: (raw: unknown) => Account): Promise<Account | undefined>;
  /** Replaces the account's document; resolves once it is durable. */
  write(a: Account): Promise<void>;
  remove(id: string): Promise<void>;
}

/** One lowdb JSON file per account, in `accounts/` of the data directory. */
class AccountFiles implements AccountDocs {
  private readonly dir: string;

  constructor(dataDir: string) {
    this.dir = join(dataDir, 'accounts');
  }

  private file(id: string): string {
    return join(this.dir, `${id}.json`);
  }

  async load(check: (raw: unknown) => Account): Promise<Account[]> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const files = (await readdir(this.dir)).filter((f) => f.endsWith('.json'));
    const accounts: Account[] = [];
    // Read 16 at a time: with a thousand accounts, one after another took a second of the start.
    for (let i = 0; i < files.length; i += 16) {
      const read = await Promise.all(files.slice(i, i + 16).map(async (f) => {
        const path = join(this.dir, f);
        try {
          const raw = await new SecretJsonFile<unknown>(path).read();
          return raw === null ? undefined : check(raw);
        } catch (err) {
          throw invalid(`the account file ${path}`, err);
        }
      }));
      for (const a of read) if (a) accounts.push(a);
    }
    return accounts;
  }

  async read(id: string, check: (raw: unknown) => Account): Promise<Account | undefined> {
    const raw = await new SecretJsonFile<unknown>(this.file(id)).read();
    return raw === null ? undefined : check(raw);
  }

  write(a: Account): Promise<void> {
    return new Low<Account>(new SecretJsonFile(this.file(a.id)), a).write();
  }

  async remove(id: string): Promise<void> {
    await rm(this.file(id), { force: true });
  }
}

/** Settings: one document per account, small and rarely written, all held in memory. */
export class AccountStore {
  private readonly accounts = new Map<string, Account>();
  private readonly channelIdx = new Map<string, string>();
  private readonly docs: AccountDocs;

  /** `where`: the data directory (the accounts' files), or where else the documents are kept. */
  constructor(where: string | AccountDocs) {
    this.docs = typeof where === 'string' ? new AccountFiles(where) : where;
  }

  /** Told the id of each account saved or removed here (other relay processes read it again). */
  onChange: ((id: string) => void) | undefined;

  /** Reads every stored account (see AccountDocs.load). */
  async open(check: (raw: unknown) => Account): Promise<void> {
    for (const a of await this.docs.load(check)) {
      this.accounts.set(a.id, a);
      this.index(a);
    }
  }

  /** Reloads one after another: two reads finishing out of order would keep the older. */
  private reloading: Promise<void> = Promise.resolve();

  /**
   * Reads one account again (`*`: all of them), after another relay process on the same database
   * changed it. An account this process saved or removed while the read was under way keeps what
   * it has: that is newer, and the others hear of it. One that no longer checks is kept as it was,
   * and the error thrown.
   */
  reload(id: string, check: (raw: unknown) => Account): Promise<void> {
    const run = this.reloading.then(async () => {
      const before = new Map(this.accounts);
      const fresh = id === '*' ? await this.docs.load(check) : [await this.docs.read(id, check)].filter((a): a is Account => a !== undefined);
      const untouched = (k: string) => this.accounts.get(k) === before.get(k);
      const gone = id === '*' ? [...before.keys()].filter((k) => !fresh.some((a) => a.id === k)) : fresh.length ? [] : [id];
      for (const a of fresh) if (untouched(a.id)) this.replace(a);
      for (const k of gone) if (untouched(k)) this.drop(k);
    });
    this.reloading = run.catch(() => undefined);
    return run;
  }

  private replace(a: Account): void {
    this.accounts.set(a.id, a);
    for (const [ch, acc] of this.channelIdx) if (acc === a.id && !a.channels.some((c) => c.id === ch)) this.channelIdx.delete(ch);
    this.index(a);
  }

  private drop(id: string): void {
    const a = this.get(id);
    if (!a) return;
    this.accounts.delete(id);
    for (const c of a.channels) this.channelIdx.delete(c.id);
  }

  private index(a: Account): void {
    for (const c of a.channels) this.channelIdx.set(c.id, a.id);
  }

  list(): Account[] {
    return [...this.accounts.values()].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  get(id: string): Account | undefined {
    return this.accounts.get(id);
  }

  channel(channelId: string): { account: Account; channel: ChannelConfig } | undefined {
    const account = this.get(this.channelIdx.get(channelId) ?? '');
    const channel = account?.channels.find((c) => c.id === channelId);
    return account && channel ? { account, channel } : undefined;
  }

  async save(a: Account): Promise<void> {
    const before = this.accounts.get(a.id);
    this.accounts.set(a.id, a);
    try {
      await this.docs.write(a);
    } catch (err) {
      if (before === undefined || before === a) this.accounts.delete(a.id);
      else this.accounts.set(a.id, before);
      throw err;
    }
    this.replace(a);
    this.onChange?.(a.id);
  }

  async remove(id: string): Promise<void> {
    if (!this.get(id)) return;
    await this.docs.remove(id);
    this.drop(id);
    this.onChange?.(id);
  }
}
