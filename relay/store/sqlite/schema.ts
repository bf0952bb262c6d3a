import type Database from 'better-sqlite3';

/**
 * The schema, one step per version (PRAGMA user_version): a database written by an older relay is
 * brought up to date at start, a newer one is refused rather than misread.
 *
 * Rows that are the relay's own structured data (a conversation's routing, a contact's details, a
 * call) are JSON in one column: they are read and written whole, and only what is looked up or
 * pruned by is a column of its own. Retention goes by `touched`, when the relay last wrote the row,
 * never by a provider's time (a call's time is Ringostat's clock, and may be anything).
 */
const STEPS: string[] = [
  `
  CREATE TABLE events (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    account TEXT NOT NULL,
    channel TEXT NOT NULL,
    key TEXT NOT NULL,
    at INTEGER NOT NULL,
    event TEXT,
    plan TEXT,
    step INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_at INTEGER,
    dead_reason TEXT,
    dead_at INTEGER,
    done_at INTEGER
  );
  CREATE INDEX events_open ON events (seq) WHERE done_at IS NULL;
  CREATE INDEX events_done ON events (done_at) WHERE done_at IS NOT NULL;

  CREATE TABLE contacts (
    account TEXT NOT NULL,
    key TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (account, key)
  ) WITHOUT ROWID;

  CREATE TABLE identities (
    account TEXT NOT NULL,
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    contact TEXT NOT NULL,
    PRIMARY KEY (account, kind, value)
  ) WITHOUT ROWID;

  CREATE TABLE conversations (
    account TEXT NOT NULL,
    chat_id TEXT NOT NULL,
    contact TEXT NOT NULL,
    touched INTEGER NOT NULL,
    data TEXT NOT NULL,
    meta TEXT,
    PRIMARY KEY (account, chat_id)
  );
  CREATE INDEX conversations_contact ON conversations (account, contact);
  CREATE INDEX conversations_touched ON conversations (touched);

  CREATE TABLE tasks (
    account TEXT NOT NULL,
    number INTEGER NOT NULL,
    chat_id TEXT NOT NULL,
    PRIMARY KEY (account, number)
  );
  CREATE INDEX tasks_chat ON tasks (account, chat_id);

  CREATE TABLE calls (
    account TEXT NOT NULL,
    call_id TEXT NOT NULL,
    task INTEGER,
    contact TEXT,
    at INTEGER NOT NULL,
    touched INTEGER NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (account, call_id)
  );
  CREATE INDEX calls_task ON calls (account, task, at) WHERE task IS NOT NULL;
  CREATE INDEX calls_contact ON calls (account, contact, at) WHERE contact IS NOT NULL;
  CREATE INDEX calls_touched ON calls (touched);

  CREATE TABLE planfix_contacts (
    account TEXT NOT NULL,
    phone TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (account, phone)
  ) WITHOUT ROWID;

  CREATE TABLE outbound (
    account TEXT NOT NULL,
    provider_key TEXT NOT NULL,
    message_id TEXT NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (account, provider_key)
  );
  CREATE INDEX outbound_at ON outbound (at);

  CREATE TABLE statuses (
    account TEXT NOT NULL,
    message_id TEXT NOT NULL,
    status TEXT NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (account, message_id)
  );
  CREATE INDEX statuses_at ON statuses (at);

  CREATE TABLE activity (
    id INTEGER PRIMARY KEY,
    account TEXT NOT NULL,
    at INTEGER NOT NULL,
    item TEXT NOT NULL
  );
  CREATE INDEX activity_account ON activity (account, id);

  CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  `,
  // A finished event leaves \`events\` for \`seen\`, which keeps only its id (a resend is still a
  // duplicate) until retention: emptied in place, its row kept ~3.9 KB of a page unused for as long.
  // The pending rows are copied to a new table and the old one dropped: deleting the finished rows
  // one by one would rewrite nearly every page of the table into the WAL (gigabytes at a million).
  // seq is AUTOINCREMENT: finished rows now leave the table, and a seq given again would put a new
  // event before older ones still queued (the worker orders a queue by seq).
  `
  CREATE TABLE seen (
    id TEXT PRIMARY KEY,
    at INTEGER NOT NULL
  ) WITHOUT ROWID;
  INSERT INTO seen (id, at) SELECT id, done_at FROM events WHERE done_at IS NOT NULL;
  CREATE INDEX seen_at ON seen (at);
  CREATE TABLE events2 (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    account TEXT NOT NULL,
    channel TEXT NOT NULL,
    key TEXT NOT NULL,
    at INTEGER NOT NULL,
    event TEXT,
    plan TEXT,
    step INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_at INTEGER,
    dead_reason TEXT,
    dead_at INTEGER
  );
  INSERT INTO events2 SELECT seq, id, account, channel, key, at, event, plan, step, attempts, next_at, dead_reason, dead_at
    FROM events WHERE done_at IS NULL;
  DROP TABLE events;
  ALTER TABLE events2 RENAME TO events;
  `,
  // The admin page's traffic charts: \`seen\` keeps no account, channel or latency and \`activity\`
  // only the last 100 outcomes, so counts are rolled up per account, hour and channel as they
  // happen. The key serves an account's range (all channels, or one filtered in the range); \`hour\`
  // serves retention. l0…l16 count deliveries per latency bucket (core/traffic.ts).
  `
  CREATE TABLE traffic (
    account TEXT NOT NULL,
    hour INTEGER NOT NULL,
    channel TEXT NOT NULL,
    received INTEGER NOT NULL DEFAULT 0,
    delivered INTEGER NOT NULL DEFAULT 0,
    retried INTEGER NOT NULL DEFAULT 0,
    refused INTEGER NOT NULL DEFAULT 0,
    dead INTEGER NOT NULL DEFAULT 0,
    backlog INTEGER NOT NULL DEFAULT 0,
    ${Array.from({ length: 17 }, (_, i) => `l${i} INTEGER NOT NULL DEFAULT 0`).join(',\n    ')},
    PRIMARY KEY (account, hour, channel)
  );
  CREATE INDEX traffic_hour ON traffic (hour);
  `,
  // A dead letter's reason sorted for the admin page (delivery/dead-reason.ts), and the dead-letter
  // alerts' pacing per account (alerts/): one row an account, kept until the account is deleted.
  `
  ALTER TABLE events ADD COLUMN dead_code TEXT;
  CREATE TABLE alerts (
    account TEXT PRIMARY KEY,
    unsent INTEGER NOT NULL DEFAULT 0,
    first_at INTEGER,
    last_sent_at INTEGER
  ) WITHOUT ROWID;
  `,
  // The Planfix phone book mirror's progress per account (planfix/phone-book.ts). Its numbers go
  // into planfix_contacts beside those the relay found or created, with the start of the pass that
  // read them last or when the relay learnt them (\`synced\`; NULL: before this step): a full pass
  // deletes what it did not see and was not learnt since it began.
  `
  ALTER TABLE planfix_contacts ADD COLUMN synced INTEGER;
  CREATE TABLE phone_book (
    account TEXT PRIMARY KEY,
    data TEXT NOT NULL
  ) WITHOUT ROWID;
  `,
  // Reconciliation with the providers' logs (delivery/recovery.ts): per channel, how far its log
  // was read and what the last run found. One row a channel, deleted with the channel's account.
  `
  CREATE TABLE recovery (
    channel TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    covered_to INTEGER NOT NULL,
    last TEXT
  ) WITHOUT ROWID;
  `,
  // The widget's customer history (history.ts) reads a contact's conversations and calls
  // newest first a page at a time, and a Planfix contact's numbers: each through an index that ends
  // in the order and cursor it pages by, so a page costs the same after years of calls. The two
  // indexes by contact they replace were their prefixes (nothing else reads calls by contact).
  `
  DROP INDEX conversations_contact;
  CREATE INDEX conversations_contact ON conversations (account, contact, json_extract(data, '$.updatedAt'), chat_id);
  DROP INDEX calls_contact;
  CREATE INDEX calls_contact ON calls (account, contact, at, call_id) WHERE contact IS NOT NULL;
  CREATE INDEX planfix_contacts_id ON planfix_contacts (account, json_extract(data, '$.id'));
  `,
];

export const SCHEMA_VERSION = STEPS.length;

/** Brings the database up to this relay's schema (`to`: an older one, for the upgrade's tests). */
export function migrate(db: Database.Database, to = SCHEMA_VERSION): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    throw new Error(`the database was written by a newer relay (schema ${version}, this one knows up to ${SCHEMA_VERSION}): run that version or restore a backup`);
  }
  db.transaction(() => {
    for (let v = version; v < to; v++) db.exec(STEPS[v]!);
    if (to > version) db.pragma(`user_version = ${to}`);
  })();
}
