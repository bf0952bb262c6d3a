import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { nanoid } from 'nanoid';
import { buildApp } from './app.ts';
import { loadConfig, type Config } from './config.ts';
import type { Relay } from './context.ts';
import { providerHosts, secretFields } from './channels/index.ts';
import { checkStoredAccount } from './channels/stored.ts';
import { createLogger, type Logger } from './log.ts';
import { OutboundPolicy } from './net/outbound.ts';
import { ChatApi } from './planfix/chat.ts';
import { RestApi } from './planfix/rest.ts';
import { TelephonyApi } from './planfix/telephony.ts';
import { Admission } from './http/admission.ts';
import { AccountStore } from './store/accounts.ts';
import { enforcePrivateDir } from './store/files.ts';
import { importJsonl } from './store/sqlite/import-jsonl.ts';
import { startRetention } from './store/retention.ts';
import { DB_FILE, SqliteStore } from './store/sqlite/store.ts';
import type { PostgresStore } from './store/postgres/store.ts';
import { databaseHost } from './store/postgres/where.ts';
import type { Store } from './store/store.ts';
import { TrafficRecorder } from './delivery/traffic.ts';
import { Inbox } from './delivery/inbox.ts';
import { Recovery } from './delivery/recovery.ts';
import { Worker } from './delivery/worker.ts';
import { deadLetterAlerts } from './alerts/alerts.ts';
import { PhoneBook } from './planfix/phone-book.ts';
import { MOVE_COMMAND, moveCommand } from './move-command.ts';

const MIN_ADMIN_TOKEN = 32;

/** RELAY_ADMIN_TOKEN, or one generated on first start, kept in the data directory (0600) and printed once. */
async function adminToken(config: Config): Promise<string> {
  if (config.adminToken) return config.adminToken;
  const file = join(config.dataDir, 'admin-token');
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    const token = nanoid(40);
    await writeFile(file, `${token}\n`, { mode: 0o600, flag: 'wx' });
    // Printed on stdout once, never through the logger, so it does not land in log collectors.
    console.log(`Generated admin token (saved in ${file}, shown only now): ${token}`);
    return token;
  }
}

/**
 * The store and the accounts' settings: on PostgreSQL when RELAY_DATABASE_URL is set, otherwise
 * the SQLite file and the account files in the data directory.
 */
async function openStore(config: Config, log: Logger): Promise<{ store: Store; accounts: AccountStore; where: string; shared?: PostgresStore }> {
  if (config.databaseUrl) {
    // Loaded only here: pg and its modules are a part of every start that SQLite's relays never use.
    const { PostgresStore } = await import('./store/postgres/store.ts');
    const store = await PostgresStore.open(config.databaseUrl);
    // A data directory used before is not read: its events and settings would be silently left behind unless moved.
    if (await stat(join(config.dataDir, DB_FILE)).then(() => true, () => false)) {
      log.warn({ dir: config.dataDir }, `RELAY_DATABASE_URL is set, and the data directory holds ${DB_FILE} of a relay without it: that store is not read. `
        + `Not moved yet: stop the relay and run \`node dist/relay.js ${MOVE_COMMAND}\` into an empty database. Moved: remove ${DB_FILE} once the relay runs well`);
    }
    return { store, accounts: new AccountStore(store.accounts), where: `PostgreSQL at ${databaseHost(config.databaseUrl)}`, shared: store };
  }
  const store = new SqliteStore(config.dataDir);
  // A data directory written before the SQLite store (journal.jsonl, state/<account>/state.jsonl).
  await importJsonl(store, config.dataDir, log);
  return { store, accounts: new AccountStore(config.dataDir), where: config.dataDir };
}

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.logLevel, secretFields());
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  const looser = await enforcePrivateDir(config.dataDir);
  if (looser) log.warn({ dir: config.dataDir, was: looser }, 'the data directory was readable by others: set it to 0700');
  const token = await adminToken(config);

  const { store, accounts, where, shared } = await openStore(config, log);
  await accounts.open(checkStoredAccount);
  // Several relay processes may share the database: each hears the others' settings changes, and
  // the jobs that must run once per database (reconciliation, phone book, retention) run in the
  // one holding the leader's lock.
  let leads = () => true;
  let stopReconnect = () => {};
  if (shared) {
    const { claims } = shared;
    accounts.onChange = (id) => void claims.notify('relay_accounts', id).catch((err: unknown) => log.warn({ err, account: id }, 'other relay processes were not told of a settings change; they read it at their next reconnect'));
    claims.on('account', (id) => void accounts.reload(id, checkStoredAccount).catch((err: unknown) => log.error({ err, account: id }, 'settings changed by another relay process could not be read')));
    await claims.open();
    await claims.lead();
    leads = () => claims.leader;
    stopReconnect = claims.reconnect();
  }
  if (token.length < MIN_ADMIN_TOKEN) {
    // A short token already guarding accounts keeps working, so an upgrade does not lock the admin out.
    if (!accounts.list().length) throw new Error(`Invalid configuration: RELAY_ADMIN_TOKEN: must be at least ${MIN_ADMIN_TOKEN} characters (e.g. openssl rand -hex 24)`);
    log.warn({ length: token.length }, `RELAY_ADMIN_TOKEN is shorter than ${MIN_ADMIN_TOKEN} characters: replace it with a longer one (e.g. openssl rand -hex 24)`);
  }

  const policy = new OutboundPolicy(config.allowHosts, providerHosts());
  const chat = new ChatApi(policy, config.httpTimeoutMs);
  const rest = new RestApi(policy, config.httpTimeoutMs, config.restIntervalMs, shared?.pace);
  const telephony = new TelephonyApi(policy, config.httpTimeoutMs);
  const traffic: TrafficRecorder = new TrafficRecorder(store.traffic, { waiting: () => worker.waiting() });
  let publicUrl = config.publicUrl ?? '';
  const alerts = deadLetterAlerts(accounts, store.alerts, config.alerts, { rest, policy, timeoutMs: config.httpTimeoutMs, publicUrl: () => publicUrl, log });
  const worker = new Worker(accounts, store, { journal: store.journal, chat, rest, telephony, log, policy, timeoutMs: config.httpTimeoutMs },
    { retry: config.retry, traffic, onDead: alerts.onDead }, log);
  const inbox = new Inbox(store.journal, worker, traffic);
  const recovery = new Recovery({ accounts, store: store.recovery, inbox, pendingFor: (id) => worker.pendingFor(id), leads, policy, timeoutMs: config.httpTimeoutMs, log },
    { intervalMs: config.reconcileMs, retentionMs: config.retentionMs });
  const phoneBook = new PhoneBook({ rest, store, accounts, log, leads }, config.phoneBook);
  const relay: Relay = { config, log, adminToken: token, publicUrl: () => publicUrl, accounts, store, worker, inbox, policy, chat, rest, telephony,
    admission: new Admission({ accounts, store, worker, log }), traffic, recovery, phoneBook };

  // Node's defaults let a slow sender hold a connection for 5 minutes, checked every 30 s, and take
  // connections without limit: a request now has RELAY_REQUEST_TIMEOUT_MS to arrive whole (408 after).
  const server = createServer({
    requestTimeout: config.requestTimeoutMs,
    headersTimeout: Math.min(10_000, config.requestTimeoutMs),
    connectionsCheckingInterval: 1000,
  }, buildApp(relay).callback());
  server.maxConnections = config.maxConnections;
  server.listen(config.port, config.host);
  await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
  const { port } = server.address() as AddressInfo;
  if (!publicUrl) {
    publicUrl = `http://${config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host}:${port}`;
    log.warn('RELAY_PUBLIC_URL is not set: the URLs shown to admins use %s, which providers cannot reach', publicUrl);
  }
  worker.start();
  traffic.start();
  await alerts.limiter.start();
  phoneBook.start();
  // After the worker: what it journals is delivered at once.
  await recovery.start();
  log.info({ port, backlog: worker.backlog }, 'relay started');
  console.log(`planfix-relay ready: admin page at ${publicUrl}/admin, admin API at ${publicUrl}/api (listening on port ${port}, data in ${where})`);

  const stopRetention = startRetention(store, config.retentionMs, log, leads);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping: no new requests, finishing in-flight work');
    const stopAt = Date.now();
    const closed = new Promise<void>((r) => server.close(() => r()));
    server.closeIdleConnections();
    const force = setTimeout(() => server.closeAllConnections(), 10_000).unref();
    await closed;
    clearTimeout(force);
    log.info({ ms: Date.now() - stopAt }, 'stopped taking requests');
    alerts.limiter.stop();
    await recovery.stop();
    rest.stop();
    await phoneBook.stop();
    stopRetention();
    stopReconnect();
    await worker.stop();
    log.info({ ms: Date.now() - stopAt }, 'deliveries in flight finished');
    await traffic.stop().catch((err: unknown) => log.warn({ err }, 'traffic counts not saved'));
    await store.close();
    log.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  // After an uncaught exception the process is in a state no code planned for (a write half made,
  // a slot never freed, a promise that will never settle), and carrying on would serve from it.
  // Exiting is safe: every accepted event is in the journal and is delivered again from its step
  // after the restart, which systemd makes (Restart=always). The log's writes are synchronous
  // (log.ts), so the fatal line is out before exit.
  const die = (err: unknown, what: string) => {
    log.fatal({ err }, what);
    process.exit(1);
  };
  process.on('uncaughtException', (err) => die(err, 'uncaught exception: exiting'));
  // A rejection no one handles is the same kind of bug, and Node (since v15) turns it into an
  // uncaught exception when nothing listens: the relay marks every promise it may leave pending
  // as handled (deliver.ts hold()), so one that is not is a failure nobody saw, typically a write
  // the process believes made. Exiting lets the restart read the truth from the disk. Handled here
  // rather than left to Node so the log says it was a rejection, and a reason that is not an
  // Error is logged as it is.
  process.on('unhandledRejection', (reason) => die(reason, 'unhandled rejection: exiting'));
}

if (process.argv[2] === MOVE_COMMAND) {
  process.exitCode = await moveCommand(process.argv.slice(3));
} else {
  main().catch((err: Error) => {
    console.error(`planfix-relay failed to start: ${err.message}`);
    process.exit(1);
  });
}
