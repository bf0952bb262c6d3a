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

/** Settings: one lowdb JSON file per account, small and rarely written, all held in memory. */
export class AccountStore {
  private readonly dbs = new Map<string, Low<Account>>();
  private readonly channelIdx = new Map<string, string>();
  private readonly dir: string;

  constructor(dataDir: string) {
    this.dir = join(dataDir, 'accounts');
  }

  /**
   * Reads every account file through `check`, which gives the account as the relay may use it or
   * throws why not. A file that fails stops the start with its name and the reason: these files are
   * written by the relay itself, so a failure is an edit by hand or a damaged disk, and serving the
   * other accounts meanwhile would answer this one's webhooks 404 as if its channels were deleted.
   */
  async open(check: (raw: unknown) => Account): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const files = (await readdir(this.dir)).filter((f) => f.endsWith('.json'));
    // Read 16 at a time: with a thousand accounts, one after another took a second of the start.
    for (let i = 0; i < files.length; i += 16) {
      const dbs = await Promise.all(files.slice(i, i + 16).map(async (f) => {
        const path = join(this.dir, f);
        let account: Account;
        try {
          const raw = await new SecretJsonFile<unknown>(path).read();
          if (raw === null) return undefined;
          account = check(raw);
        } catch (err) {
          // JSON.parse quotes the text around the fault, and this file holds secrets: only the position.
          const why = err instanceof SyntaxError ? `not JSON${/position \d+/.exec(err.message)?.[0].replace(/^/, ' at ') ?? ''}` : (err as Error).message;
          throw new Error(`the account file ${path} is not valid: ${why}. Fix it, or restore it from a backup`);
        }
        return new Low<Account>(new SecretJsonFile(path), account);
      }));
      for (const db of dbs) {
        if (!db) continue;
        this.dbs.set(db.data.id, db);
        this.index(db.data);
      }
    }
  }

  private index(a: Account): void {
    for (const c of a.channels) this.channelIdx.set(c.id, a.id);
  }

  list(): Account[] {
    return [...this.dbs.values()].map((d) => d.data).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  get(id: string): Account | undefined {
    return this.dbs.get(id)?.data;
  }

  channel(channelId: string): { account: Account; channel: ChannelConfig } | undefined {
    const account = this.get(this.channelIdx.get(channelId) ?? '');
    const channel = account?.channels.find((c) => c.id === channelId);
    return account && channel ? { account, channel } : undefined;
  }

  async save(a: Account): Promise<void> {
    let db = this.dbs.get(a.id);
    if (!db) {
      db = new Low<Account>(new SecretJsonFile(join(this.dir, `${a.id}.json`)), a);
      this.dbs.set(a.id, db);
    }
    const before = db.data;
    db.data = a;
    try {
      await db.write();
    } catch (err) {
      if (before === a) this.dbs.delete(a.id);
      else db.data = before;
      throw err;
    }
    for (const [ch, acc] of this.channelIdx) if (acc === a.id && !a.channels.some((c) => c.id === ch)) this.channelIdx.delete(ch);
    this.index(a);
  }

  async remove(id: string): Promise<void> {
    const a = this.get(id);
    if (!a) return;
    await rm(join(this.dir, `${id}.json`), { force: true });
    this.dbs.delete(id);
    for (const c of a.channels) this.channelIdx.delete(c.id);
  }
}
