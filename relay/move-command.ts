import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from './config.ts';
import { databaseHost } from './store/postgres/where.ts';

// `node dist/relay.js move-to-postgres [--data DIR] [--to URL]`: moves a data directory's store
// (relay.db and accounts/) into an empty PostgreSQL database, then says what it moved. Both default
// to what the relay itself reads (RELAY_DATA_DIR, RELAY_DATABASE_URL), so that the service's
// environment file serves, and the password need not be typed where `ps` and the shell history see it.

export const MOVE_COMMAND = 'move-to-postgres';

const USAGE = `usage: node dist/relay.js ${MOVE_COMMAND} [--data <dir>] [--to postgres://user:password@host:5432/database]
  --data  the data directory to move (default: RELAY_DATA_DIR, or ./data)
  --to    an empty PostgreSQL database (default: RELAY_DATABASE_URL)
Stop the relay first. The data directory is only read; the database gets everything in one transaction.`;

const n = (v: number) => v.toLocaleString('en-US');

/** Runs the command; resolves with the process's exit code (0 moved, 1 refused or failed, 2 usage). */
export async function moveCommand(args: string[]): Promise<number> {
  let flags: { data?: string; to?: string; help?: boolean };
  try {
    flags = parseArgs({ args, options: { data: { type: 'string' }, to: { type: 'string' }, help: { type: 'boolean', short: 'h' } } }).values;
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (flags.help) {
    console.log(USAGE);
    return 0;
  }
  let dataDir: string;
  let url: string | undefined;
  try {
    ({ dataDir, databaseUrl: url } = loadConfig({
      ...process.env,
      ...(flags.data !== undefined ? { RELAY_DATA_DIR: flags.data } : {}),
      ...(flags.to !== undefined ? { RELAY_DATABASE_URL: flags.to } : {}),
    }));
  } catch (err) {
    console.error(`${(err as Error).message.replace(/RELAY_DATABASE_URL/, '--to (or RELAY_DATABASE_URL)')}\n${USAGE}`);
    return 2;
  }
  if (!url) {
    console.error(`no database: give --to postgres://… or set RELAY_DATABASE_URL\n${USAGE}`);
    return 2;
  }

  const where = `PostgreSQL at ${databaseHost(url)}`;
  console.log(`Moving ${dataDir} to ${where}, in one transaction:`);
  try {
    // Loaded here: pg is needed by this command and by PostgreSQL's store, not by every start.
    const { moveToPostgres } = await import('./store/move/move.ts');
    const report = await moveToPostgres(dataDir, url, (table, rows) => console.log(`  ${table}: ${n(rows)} rows`));
    const rows = report.tables.reduce((sum, t) => sum + t.rows, 0);
    console.log(`Committed to ${where}: accounts ${n(report.accounts)}, pending events ${n(report.pending)}, dead letters ${n(report.dead)}; ${n(rows)} rows in ${report.tables.length} tables.`);
    if (report.relayMayRun) {
      console.log(`Warning: relay.db-wal was beside relay.db: if a relay was still running on ${dataDir}, what it took after the move began is not on PostgreSQL. `
        + 'Stop it, empty the database (drop its tables) and move again.');
    }
    console.log(`Next: start the relay with RELAY_DATABASE_URL set to this database. ${dataDir} was not changed; keep it as a backup until the relay runs well, then remove relay.db and accounts/ from it.`);
    if (!process.env.RELAY_ADMIN_TOKEN && await stat(join(dataDir, 'admin-token')).then(() => true, () => false)) {
      console.log(`The admin token stays in ${join(dataDir, 'admin-token')}, not in the database: give every relay on this database that token (RELAY_ADMIN_TOKEN, or the same file).`);
    }
    return 0;
  } catch (err) {
    // A driver's message may quote what it was given: never the URL with its password.
    console.error(`Not moved: ${(err as Error).message.split(url).join(databaseHost(url))}`);
    return 1;
  }
}
