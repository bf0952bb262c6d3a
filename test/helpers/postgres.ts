import { execFile, execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ExecutionContext } from 'ava';
import pg from 'pg';

// The PostgreSQL the tests use: RELAY_TEST_DATABASE_URL (a role that may create databases), or a
// throwaway cluster that this test process initialises in a temporary directory on a free
// loopback port, once, the first time a test asks, and that goes (stopped, its directory removed)
// when the process does. Each test gets a schema or a database of its own, dropped when it ends.

/** Debian's server binaries, the newest installed. */
function binDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))) : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (!newest) throw new Error(`no PostgreSQL server in ${root}: install Debian's postgresql package (apt-get install postgresql), or set RELAY_TEST_DATABASE_URL to a server of yours`);
  return join(root, newest, 'bin');
}

/** PostgreSQL refuses to run as root: as root, its commands run as the `postgres` user the package made. */
function asServerUser(): string[] {
  return process.getuid?.() === 0 ? ['setpriv', '--reuid=postgres', '--regid=postgres', '--init-groups', '--'] : [];
}

async function run(cmd: string[]): Promise<void> {
  await promisify(execFile)(cmd[0]!, cmd.slice(1));
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as { port: number };
  await new Promise((resolve) => s.close(resolve));
  return port;
}

/** Initialises and starts a cluster; resolves with its superuser's URL. */
async function startCluster(): Promise<string> {
  const bin = binDir();
  const user = asServerUser();
  const dir = mkdtempSync(join(tmpdir(), 'relay-pg-'));
  if (user.length) {
    const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, id('-u'), id('-g'));
  }
  const data = join(dir, 'data');
  const pgCtl = [...user, join(bin, 'pg_ctl'), '-D', data];
  // Gone with this process however it ends, even killed: a watchdog outlives it by a second.
  spawn('sh', ['-c', 'pid=$1 dir=$2; shift 2; while kill -0 "$pid" 2>/dev/null; do sleep 1; done; "$@" >/dev/null 2>&1; rm -rf "$dir"',
    'sh', String(process.pid), dir, ...pgCtl, '-m', 'immediate', 'stop'], { detached: true, stdio: 'ignore' }).unref();
  // No fsync: a test's cluster never outlives a crash of the machine, and it starts in a second.
  await run([...user, join(bin, 'initdb'), '-D', data, '-U', 'postgres', '-A', 'trust', '-N', '-E', 'UTF8', '--locale=C']);
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      await run([...pgCtl, '-l', join(dir, 'log'), '-w', '-t', '60', '-o',
        `-h 127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c full_page_writes=off`, 'start']);
      return `postgres://postgres@127.0.0.1:${port}/postgres`;
    } catch (err) {
      // Another process took the port meanwhile: another one.
      if (attempt === 3) throw new Error(`the test PostgreSQL did not start: ${(err as { stderr?: Buffer }).stderr?.toString() ?? err}`);
    }
  }
}

let server: Promise<{ url: string; admin: pg.Pool }> | undefined;

/** The server, started (or connected to) the first time. */
function testServer(): Promise<{ url: string; admin: pg.Pool }> {
  server ??= (async () => {
    const url = process.env.RELAY_TEST_DATABASE_URL || await startCluster();
    // Idle, it does not keep the test process alive.
    return { url, admin: new pg.Pool({ connectionString: url, max: 2, allowExitOnIdle: true }) };
  })();
  return server;
}

let made = 0;
const fresh = () => `relay_test_${process.pid}_${++made}`;

/** `url` with another database, or with a schema that statements use unqualified. */
function urlWith(url: string, change: { database?: string; schema?: string }): string {
  const u = new URL(url);
  if (change.database) u.pathname = `/${change.database}`;
  if (change.schema) u.searchParams.set('options', `-c search_path=${change.schema}`);
  return u.toString();
}

/** A URL whose tables are in a fresh schema of their own, dropped when the test ends. */
export async function testSchema(t: ExecutionContext): Promise<string> {
  const { url, admin } = await testServer();
  const schema = fresh();
  await admin.query(`CREATE SCHEMA ${schema}`);
  t.teardown(async () => { await admin.query(`DROP SCHEMA ${schema} CASCADE`); });
  return urlWith(url, { schema });
}

/** A fresh, empty database for the test (a relay process's), dropped when it ends. */
export async function testDatabase(t: ExecutionContext): Promise<string> {
  const { url, admin } = await testServer();
  const database = fresh();
  await admin.query(`CREATE DATABASE ${database}`);
  t.teardown(async () => { await admin.query(`DROP DATABASE ${database} WITH (FORCE)`); });
  return urlWith(url, { database });
}
