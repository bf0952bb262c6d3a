// Data directories with stored history, for the figures that start the relay on one: made through
// the admin API of a relay started on them (accounts, a Chatra channel each), then seeded in
// processes of their own (bench/seed-host.ts), two at once. The store of 1,000,000 conversations in
// one account is needed by two figures (history and growth): it is made once per run and kept
// until no figure still to run uses it.
import { spawn } from 'node:child_process';
import { open, rm, stat } from 'node:fs/promises';
import { setPriority } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { DB_FILE } from '../relay/store/sqlite/store.ts';
import { chatraAccount, fmt, RelayProc, tempDir } from './lib.ts';
import type { SeedJob } from './seed-host.ts';

/** HISTORY_SCALE=0.01 makes every seeded size a hundredth (for working on the figures). */
export const SCALE = Number(process.env.HISTORY_SCALE ?? 1);
export const scaled = (n: number) => Math.max(1, Math.round(n * SCALE));

/** The conversations in one account that the history and growth figures both start the relay on. */
export const MILLION = scaled(1_000_000);
export const MILLION_KEY = `1 account x ${MILLION}`;

export interface SeededStore {
  key: string;
  dir: string;
  /** Each with its Chatra channel's webhook path (`/hooks/<id>/<secret>`). */
  accounts: { accountId: string; hookPath: string }[];
  perAccount: number;
  /** Visitor numbers firstVisitor … firstVisitor + accounts × perAccount − 1, account after account. */
  firstVisitor: number;
  /** Conversations figures added since seeding (new visitors of their loads). */
  added: number;
  seedMs: number;
  /** relay.db right after seeding (the store closed: no -wal). */
  seedBytes: number;
  /** The figures that use it: it is deleted once none of them is still to run. */
  users: string[];
}

export const stored = (s: SeededStore) => s.accounts.length * s.perAccount + s.added;

/** The visitor number of an account's conversation, as the seeding numbered them. */
export const visitorOf = (s: SeededStore, account: number, conversation: number) => s.firstVisitor + account * s.perAccount + conversation;

const shared = new Map<string, SeededStore>();

export function sharedStore(key: string): SeededStore | undefined {
  return shared.get(key);
}

export function keepShared(s: SeededStore): void {
  shared.set(s.key, s);
}

/** Deletes the shared stores no figure in `remaining` uses (main.ts, after each figure and at the end). */
export async function releaseStores(remaining: string[]): Promise<void> {
  for (const [key, s] of shared) {
    if (s.users.some((u) => remaining.includes(u))) continue;
    shared.delete(key);
    await rm(s.dir, { recursive: true, force: true });
  }
}

/** A data directory with `accounts` accounts whose Planfix is `planfixOrigin`, each with a Chatra channel. */
export async function makeStore(key: string, planfixOrigin: string, accounts: number, perAccount: number, firstVisitor: number, users: string[]): Promise<SeededStore> {
  const dir = await tempDir(key.replace(/\W+/g, '-'));
  const setup = await RelayProc.start(dir);
  const made: SeededStore['accounts'] = [];
  try {
    // One after another: the seeding numbers visitors in this order.
    for (let i = 0; i < accounts; i++) {
      const { accountId, webhookUrl } = await chatraAccount(setup, planfixOrigin, `Account ${i}`);
      made.push({ accountId, hookPath: new URL(webhookUrl).pathname });
    }
  } finally {
    await setup.stop();
  }
  return { key, dir, accounts: made, perAccount, firstVisitor, added: 0, seedMs: 0, seedBytes: 0, users };
}

/**
 * Seeds stores in child processes: each inner list is one process, its stores one after another;
 * the lists run at once. `done` is called as each store is finished (its seedMs and seedBytes set).
 */
export async function seedStores(lanes: { store: SeededStore; deliver?: boolean }[][], done: (s: SeededStore) => void = () => undefined): Promise<void> {
  let last = 0;
  const progress = new Map<string, number>();
  const finished: Promise<void>[] = [];
  await Promise.all(lanes.filter((l) => l.length).map((lane) => new Promise<void>((resolve, reject) => {
    const jobs: SeedJob[] = lane.map(({ store, deliver }) => ({
      dir: store.dir, accountIds: store.accounts.map((a) => a.accountId), perAccount: store.perAccount, firstVisitor: store.firstVisitor, deliver,
    }));
    const child = spawn(process.execPath, ['--import', 'tsx', new URL('./seed-host.ts', import.meta.url).pathname, JSON.stringify(jobs)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // Below the bench's other processes: what runs meanwhile (the history figure's retention run,
    // a relay under a steady load) gets the CPU it needs, and the seeding the rest.
    try {
      setPriority(child.pid!, 10);
    } catch {
      // Not allowed here: the seeding competes as an equal.
    }
    let err = '';
    child.stderr.on('data', (d) => { err += d; });
    createInterface({ input: child.stdout }).on('line', (line) => {
      const [what, dir, n, ms] = line.split(' ');
      const store = lane.find((l) => l.store.dir === dir)?.store;
      if (!store) return;
      progress.set(dir!, Number(n));
      if (what === 'done') {
        store.seedMs = Number(ms);
        finished.push(stat(join(store.dir, DB_FILE)).then((st) => {
          store.seedBytes = st.size;
          console.log(`  seeded ${store.key}: ${fmt(Number(n), 0)} conversations in ${fmt(store.seedMs / 1000, 1)} s`);
          done(store);
        }));
      } else if (Date.now() - last > 30_000) {
        last = Date.now();
        console.log(`  seeding: ${[...progress].map(([d, k]) => `${lanes.flat().find((l) => l.store.dir === d)!.store.key} ${fmt(k, 0)}`).join(', ')}`);
      }
    });
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`seeding exited ${code}: ${err.slice(-2000)}`))));
  })));
  await Promise.all(finished);
}

export interface Disk {
  db: number;
  wal: number;
  shm: number;
  total: number;
}

/** The sizes of relay.db, relay.db-wal and relay.db-shm, in bytes. */
export async function diskOf(dir: string): Promise<Disk> {
  const size = (f: string) => stat(join(dir, f)).then((s) => s.size, () => 0);
  const [db, wal, shm] = await Promise.all([size(DB_FILE), size(`${DB_FILE}-wal`), size(`${DB_FILE}-shm`)]);
  return { db, wal, shm, total: db + wal + shm };
}

/**
 * The bytes of relay.db's pages in use (its page count less its free pages), read from the file's
 * header (SQLite file format §1.3) as a plain file read, without opening the database: in WAL mode
 * the header is the state at the last checkpoint, so it lags by at most the -wal's frames (the
 * relay's connection checkpoints every 1,000 pages, about 4 MB).
 */
export async function inUseOf(dir: string): Promise<number> {
  const fh = await open(join(dir, DB_FILE), 'r');
  try {
    const { buffer } = await fh.read({ buffer: Buffer.alloc(100), position: 0 });
    const pageSize = buffer.readUInt16BE(16) === 1 ? 65_536 : buffer.readUInt16BE(16);
    // The page count in the header is valid when the change counter matches "version-valid-for".
    if (buffer.readUInt32BE(24) !== buffer.readUInt32BE(92)) return NaN;
    const pages = buffer.readUInt32BE(28);
    const free = buffer.readUInt32BE(36);
    return (pages - free) * pageSize;
  } finally {
    await fh.close();
  }
}

export const mb = (bytes: number) => bytes / 2 ** 20;

/** Megabytes with their sign: +1.2, -0.4. */
export const signedMb = (bytes: number) => {
  const text = fmt(Math.abs(mb(bytes)), 1);
  return `${bytes < 0 && text !== '0.0' ? '-' : '+'}${text}`;
};
