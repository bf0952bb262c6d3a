import type { PoolClient } from 'pg';

/**
 * Times: milliseconds since the epoch, exact for every whole millisecond, and a provider's time
 * with a fraction is kept as it came instead of failing the write (SQLite takes either in a column).
 */
const MS = 'double precision';

const LATENCY_COLUMNS = Array.from({ length: 17 }, (_, i) => `l${i} integer NOT NULL DEFAULT 0`).join(',\n    ');

/**
 * The schema on PostgreSQL, one step per version (the row of `relay_schema`): a database written
 * by an older relay is brought up to date at start, a newer one is refused rather than misread.
 * The tables hold what those of the SQLite store hold (sqlite/schema.ts says why each is so), in
 * its final shape; where they differ, the comments say why. The relay's own records are JSON as
 * text, as SQLite keeps them: text keeps a "\u0000" a provider sent, which jsonb refuses, and
 * nothing is looked up inside a document.
 */
const STEPS: string[] = [
  `
  -- Every id the relay took, journaled events and its own messages coming back alike, until
  -- retention: one unique key, so a resend is a duplicate even while the event is being finished
  -- (SQLite's two tables rely on its one writer for that).
  CREATE TABLE seen (
    id text PRIMARY KEY,
    at ${MS} NOT NULL
  );
  CREATE INDEX seen_at ON seen (at);

  -- Pending events and dead letters; a finished event leaves, its id staying in seen.
  CREATE TABLE events (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id text NOT NULL UNIQUE,
    account text NOT NULL,
    channel text NOT NULL,
    key text NOT NULL,
    at ${MS} NOT NULL,
    event text NOT NULL,
    plan text,
    step integer NOT NULL DEFAULT 0,
    attempts integer NOT NULL DEFAULT 0,
    next_at ${MS},
    dead_reason text,
    dead_at ${MS},
    dead_code text
  );
  CREATE INDEX events_dead ON events (account, seq) WHERE dead_at IS NOT NULL;

  CREATE TABLE contacts (
    account text NOT NULL,
    key text NOT NULL,
    data text NOT NULL,
    PRIMARY KEY (account, key)
  );

  CREATE TABLE identities (
    account text NOT NULL,
    kind text NOT NULL,
    value text NOT NULL,
    contact text NOT NULL,
    PRIMARY KEY (account, kind, value)
  );

  CREATE TABLE conversations (
    account text NOT NULL,
    chat_id text NOT NULL,
    contact text NOT NULL,
    touched ${MS} NOT NULL,
    data text NOT NULL,
    meta text,
    PRIMARY KEY (account, chat_id)
  );
  CREATE INDEX conversations_contact ON conversations (account, contact);
  CREATE INDEX conversations_touched ON conversations (touched);

  CREATE TABLE tasks (
    account text NOT NULL,
    number bigint NOT NULL,
    chat_id text NOT NULL,
    PRIMARY KEY (account, number)
  );
  CREATE INDEX tasks_chat ON tasks (account, chat_id);

  -- n orders the calls of one second as they came (SQLite's rowid); an upsert keeps it.
  CREATE TABLE calls (
    account text NOT NULL,
    call_id text NOT NULL,
    n bigint GENERATED ALWAYS AS IDENTITY,
    task bigint,
    contact text,
    at ${MS} NOT NULL,
    touched ${MS} NOT NULL,
    data text NOT NULL,
    PRIMARY KEY (account, call_id)
  );
  CREATE INDEX calls_task ON calls (account, task, at) WHERE task IS NOT NULL;
  CREATE INDEX calls_touched ON calls (touched);

  -- holder: the Planfix contact's id, which the phone book mirror compares (SQLite reads it out
  -- of data); synced: the start of the pass that read the number last, or when the relay learnt it.
  CREATE TABLE planfix_contacts (
    account text NOT NULL,
    phone text NOT NULL,
    holder bigint NOT NULL,
    data text NOT NULL,
    synced ${MS},
    PRIMARY KEY (account, phone)
  );

  CREATE TABLE outbound (
    account text NOT NULL,
    provider_key text NOT NULL,
    message_id text NOT NULL,
    at ${MS} NOT NULL,
    PRIMARY KEY (account, provider_key)
  );
  CREATE INDEX outbound_at ON outbound (at);

  CREATE TABLE statuses (
    account text NOT NULL,
    message_id text NOT NULL,
    status text NOT NULL,
    at ${MS} NOT NULL,
    PRIMARY KEY (account, message_id)
  );
  CREATE INDEX statuses_at ON statuses (at);

  CREATE TABLE activity (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account text NOT NULL,
    at ${MS} NOT NULL,
    item text NOT NULL
  );
  CREATE INDEX activity_account ON activity (account, id);

  CREATE TABLE traffic (
    account text NOT NULL,
    hour ${MS} NOT NULL,
    channel text NOT NULL,
    received integer NOT NULL DEFAULT 0,
    delivered integer NOT NULL DEFAULT 0,
    retried integer NOT NULL DEFAULT 0,
    refused integer NOT NULL DEFAULT 0,
    dead integer NOT NULL DEFAULT 0,
    backlog integer NOT NULL DEFAULT 0,
    ${LATENCY_COLUMNS},
    PRIMARY KEY (account, hour, channel)
  );
  CREATE INDEX traffic_hour ON traffic (hour);

  CREATE TABLE alerts (
    account text PRIMARY KEY,
    unsent integer NOT NULL DEFAULT 0,
    first_at ${MS},
    last_sent_at ${MS}
  );

  CREATE TABLE phone_book (
    account text PRIMARY KEY,
    data text NOT NULL
  );

  CREATE TABLE recovery (
    channel text PRIMARY KEY,
    account text NOT NULL,
    covered_to ${MS} NOT NULL,
    last text
  );

  -- The accounts' settings (store/accounts.ts), one JSON document each: what the data directory
  -- keeps in accounts/<id>.json without a database. They hold Planfix and provider secrets.
  CREATE TABLE accounts (
    id text PRIMARY KEY,
    data text NOT NULL
  );
  `,
  // A customer's history for the widget (history.ts), a page at a time: each list through an index
  // ending in its order (ids in the "C" collation, bytes, as SQLite orders them), and a Planfix
  // contact's numbers by its id.
  `
  DROP INDEX conversations_contact;
  CREATE INDEX conversations_history ON conversations (account, contact, ((data::json->>'updatedAt')::float8) DESC, chat_id COLLATE "C" DESC);
  CREATE INDEX calls_history ON calls (account, contact, at, call_id COLLATE "C") WHERE contact IS NOT NULL;
  CREATE INDEX planfix_contacts_holder ON planfix_contacts (account, holder);
  `,
  // Several relays on one database: a claimed key's events, the poll for keys nobody holds, and
  // Planfix's REST pace and quota pause per account, shared by every process (pace.ts).
  `
  CREATE INDEX events_pending ON events (key, seq) WHERE dead_at IS NULL;
  CREATE TABLE rest_pace (
    account text PRIMARY KEY,
    next_at float8 NOT NULL DEFAULT 0,
    paused_until float8 NOT NULL DEFAULT 0
  );
  `,
];

export const SCHEMA_VERSION = STEPS.length;

/** Any number, the same in every relay: the lock that lets one of several starting at once migrate. */
const MIGRATION_LOCK = 727_001;

/**
 * Brings the database up to this relay's schema, in one transaction (PostgreSQL's DDL is
 * transactional): a start that fails midway leaves the database as it was. Relays starting
 * together take turns; the later ones find it done.
 */
export async function migrate(c: PoolClient, to = SCHEMA_VERSION): Promise<void> {
  await c.query('BEGIN');
  try {
    await c.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await c.query('CREATE TABLE IF NOT EXISTS relay_schema (version integer NOT NULL)');
    const version = ((await c.query<{ version: number }>('SELECT version FROM relay_schema')).rows[0]?.version) ?? 0;
    if (version > SCHEMA_VERSION) {
      throw new Error(`the database was written by a newer relay (schema ${version}, this one knows up to ${SCHEMA_VERSION}): run that version or restore a backup`);
    }
    for (let v = version; v < to; v++) await c.query(STEPS[v]!);
    if (to > version) {
      await c.query('DELETE FROM relay_schema');
      await c.query('INSERT INTO relay_schema (version) VALUES ($1)', [to]);
    }
    await c.query('COMMIT');
  } catch (err) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}
