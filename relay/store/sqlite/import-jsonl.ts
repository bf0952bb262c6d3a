import { createReadStream } from 'node:fs';
import { readdir, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Logger } from '../../log.ts';
import type { SqliteStore } from './store.ts';

// The data directory of relays before the SQLite store: journal.jsonl, and state/<account>/state.jsonl,
// each an append-only log of JSON records (later records replace earlier ones; a compaction
// rewrote a file as one record per live object). Imported once, then renamed to *.before-sqlite.

const SUFFIX = '.before-sqlite';

const MARK = 'imported-jsonl';

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}

/** Moves an imported file aside under the first free name: a backup is never overwritten. */
async function keepAside(path: string): Promise<string> {
  for (let n = 0; ; n++) {
    const to = `${path}${SUFFIX}${n ? `.${n}` : ''}`;
    if (!(await exists(to))) {
      await rename(path, to);
      return to;
    }
  }
}

/** Feeds each parsable line to `each`; returns how many lines were torn or corrupt (skipped). */
async function eachLine(path: string, each: (r: Record<string, unknown>) => void): Promise<number> {
  let skipped = 0;
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line.trim()) continue;
    let r: unknown;
    try {
      r = JSON.parse(line);
    } catch {
      skipped++;
      continue;
    }
    if (r && typeof r === 'object' && typeof (r as { t?: unknown }).t === 'string') each(r as Record<string, unknown>);
    else skipped++;
  }
  return skipped;
}

const json = (v: unknown) => JSON.stringify(v);

/**
 * Imports an old data directory into the store, in one transaction: a crash in the middle imports
 * nothing, and the next start begins again. The database records the import in that transaction,
 * so the files are never imported twice. Runs before the relay takes requests. Returns what it
 * did, or undefined when there was nothing to import.
 */
export async function importJsonl(store: SqliteStore, dataDir: string, log: Logger): Promise<{ events: number; pending: number; dead: number; accounts: number; skipped: number } | undefined> {
  const journalFile = join(dataDir, 'journal.jsonl');
  const stateDir = join(dataDir, 'state');
  const hasJournal = await exists(journalFile);
  const accounts = (await exists(stateDir))
    ? (await readdir(stateDir, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name)
    : [];
  if (!hasJournal && !accounts.length) return undefined;
  const sql = store.db.sql;
  const moveAside = async () => {
    if (hasJournal) await keepAside(journalFile);
    if (accounts.length) await keepAside(stateDir);
  };
  if (sql.prepare('SELECT value FROM meta WHERE key = ?').pluck().get(MARK) !== undefined) {
    // Imported before, and the relay stopped before it moved the files aside: only that is left.
    await moveAside();
    log.info('the old data files were imported before; moved them aside');
    return undefined;
  }
  const used = sql.prepare('SELECT (SELECT count(*) FROM events) + (SELECT count(*) FROM seen) + (SELECT count(*) FROM conversations)').pluck().get() as number;
  if (used) {
    // Old files beside a database in use (moved back by hand, or copied in): importing them again
    // would make delivered events pending again and deliver them twice.
    throw new Error(`${hasJournal ? 'journal.jsonl' : 'state/'} is in the data directory, but relay.db already holds data: move the old files away to keep relay.db, or move relay.db away to import them into a new one`);
  }
  const t0 = Date.now();
  const q = (s: string) => sql.prepare(s);
  const st = {
    dropEvent: q('DELETE FROM events WHERE id = ?'),
    unsee: q('DELETE FROM seen WHERE id = ?'),
    event: q('INSERT INTO events (id, account, channel, key, at, event) VALUES (?, ?, ?, ?, ?, ?)'),
    seen: q('INSERT OR IGNORE INTO seen (id, at) VALUES (?, ?)'),
    plan: q('UPDATE events SET plan = ? WHERE id = ?'),
    step: q('UPDATE events SET step = ? WHERE id = ?'),
    done: q('INSERT OR REPLACE INTO seen (id, at) SELECT id, ? FROM events WHERE id = ?'),
    dead: q('UPDATE events SET dead_reason = ?, dead_at = ? WHERE id = ?'),
    revive: q('UPDATE events SET dead_reason = NULL, dead_at = NULL WHERE id = ?'),
    contact: q('INSERT OR REPLACE INTO contacts (account, key, data) VALUES (?, ?, ?)'),
    identity: q('INSERT OR IGNORE INTO identities (account, kind, value, contact) VALUES (?, ?, ?, ?)'),
    conversation: q('INSERT OR REPLACE INTO conversations (account, chat_id, contact, touched, data, meta) VALUES (?, ?, ?, ?, ?, ?)'),
    task: q('INSERT OR REPLACE INTO tasks (account, number, chat_id) VALUES (?, ?, ?)'),
    outbound: q('INSERT OR REPLACE INTO outbound (account, provider_key, message_id, at) VALUES (?, ?, ?, ?)'),
    status: q('INSERT OR REPLACE INTO statuses (account, message_id, status, at) VALUES (?, ?, ?, ?)'),
    call: q('INSERT OR REPLACE INTO calls (account, call_id, task, contact, at, touched, data) VALUES (?, ?, ?, ?, ?, ?, ?)'),
    planfixContact: q('INSERT OR REPLACE INTO planfix_contacts (account, phone, data) VALUES (?, ?, ?)'),
  };
  const now = Date.now();
  let skipped = 0;
  let events = 0;
  await store.db.settled();
  sql.exec('BEGIN IMMEDIATE');
  try {
    if (hasJournal) {
      skipped += await eachLine(journalFile, (r) => {
        const id = r.id as string;
        switch (r.t) {
          case 'snap':
            for (const [sid, at] of r.seen as [string, number][]) st.seen.run(sid, at);
            break;
          case 'e':
            // After a compaction the snapshot lists pending ids among the seen ones: the 'e' record
            // that follows is the event itself, queued after those before it, as it was.
            st.dropEvent.run(id);
            st.unsee.run(id);
            st.event.run(id, r.account, r.channel, r.key, r.at, json(r.event));
            events++;
            break;
          case 'p': st.plan.run(json(r.plan), id); break;
          case 's': st.step.run(r.step, id); break;
          case 'd': st.done.run(now, id); st.dropEvent.run(id); break;
          case 'x': st.dead.run(r.reason, r.at, id); break;
          case 'r': st.revive.run(id); break;
          case 'n': st.seen.run(id, r.at); break;
        }
      });
    }
    for (const account of accounts) {
      const file = join(stateDir, account, 'state.jsonl');
      if (!(await exists(file))) continue;
      skipped += await eachLine(file, (r) => {
        switch (r.t) {
          case 'k': {
            const c = r.c as { key: string; phones: string[]; emails: string[]; clients: string[] };
            st.contact.run(account, c.key, json(c));
            // The first contact to claim an identifier keeps it, as the old index did.
            for (const v of c.clients) st.identity.run(account, 'c', v, c.key);
            for (const v of c.phones) st.identity.run(account, 'p', v, c.key);
            for (const v of c.emails) st.identity.run(account, 'e', v, c.key);
            break;
          }
          case 'c': {
            // Retention counts from the import: the old files kept no time of their own for it.
            const { meta, ...data } = r.c as { chatId: string; contactKey: string; meta?: unknown };
            st.conversation.run(account, data.chatId, data.contactKey, now, json(data), meta ? json(meta) : null);
            break;
          }
          case 'tk': st.task.run(account, r.n, r.chatId); break;
          case 'o': st.outbound.run(account, r.p, (r.o as { messageId: string }).messageId, now); break;
          case 'ms': st.status.run(account, r.m, r.s, now); break;
          case 'cl': {
            const c = r.c as { callId: string; taskNumber?: number; contactKey?: string; at: number };
            st.call.run(account, c.callId, c.taskNumber ?? null, c.contactKey ?? null, c.at ?? now, now, json(c));
            break;
          }
          case 'pc': st.planfixContact.run(account, r.e, json(r.c)); break;
        }
      });
    }
    sql.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run(MARK, new Date(now).toISOString());
    sql.exec('COMMIT');
  } catch (err) {
    if (sql.inTransaction) sql.exec('ROLLBACK');
    throw new Error(`importing the old data directory failed, nothing was imported: ${(err as Error).message}`);
  }
  // Only once the import is committed: a crash before this imports again, idempotently.
  await moveAside();
  store.journal.reload();
  const dead = sql.prepare('SELECT count(*) FROM events WHERE dead_at IS NOT NULL').pluck().get() as number;
  const result = { events, pending: store.journal.pending.size, dead, accounts: accounts.length, skipped };
  log.info({ ...result, ms: Date.now() - t0, keptAs: `*${SUFFIX}` }, 'imported the data directory of an older relay into relay.db');
  if (skipped) log.warn({ skipped }, 'the old files had torn or corrupt lines; they were skipped (the originals are kept)');
  return result;
}
