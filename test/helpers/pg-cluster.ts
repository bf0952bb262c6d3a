import { execFile, execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

// A throwaway PostgreSQL cluster of Debian's `postgresql` package, initialised in a temporary
// directory and started on a free loopback port: the tests' server (helpers/postgres.ts) and the
// benchmark's (bench/postgres.ts).

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

export interface Cluster {
  /** The superuser's URL (trust authentication, loopback only). */
  url: string;
  /** The cluster's data directory: its postmaster.pid names the server process. */
  dataDir: string;
  /** Stops the server and removes its directory (it goes with this process anyway). */
  stop(): Promise<void>;
  /** Stops the server as an operator's restart does (its connections end), keeping its data. */
  down(): Promise<void>;
  /** Starts it again on the same port. */
  up(): Promise<void>;
}

/**
 * Initialises and starts a cluster. `durable`: with fsync, as a production server runs, for
 * figures that compare it with SQLite's fsync'd commits; without it (the tests), a cluster that
 * never outlives a crash of the machine starts in a second.
 */
export async function startCluster(opts: { durable?: boolean } = {}): Promise<Cluster> {
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
  await run([...user, join(bin, 'initdb'), '-D', data, '-U', 'postgres', '-A', 'trust', '-N', '-E', 'UTF8', '--locale=C']);
  const settings = opts.durable ? '' : ' -c fsync=off -c full_page_writes=off';
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const start = () => run([...pgCtl, '-l', join(dir, 'log'), '-w', '-t', '60', '-o', `-h 127.0.0.1 -p ${port} -k ${dir}${settings}`, 'start']);
    try {
      await start();
      return {
        down: () => run([...pgCtl, '-m', 'fast', '-w', 'stop']),
        up: start,
        url: `postgres://postgres@127.0.0.1:${port}/postgres`,
        dataDir: data,
        stop: async () => {
          await run([...pgCtl, '-m', 'fast', 'stop']).catch(() => undefined);
          await rm(dir, { recursive: true, force: true });
        },
      };
    } catch (err) {
      // Another process took the port meanwhile: another one.
      if (attempt === 3) throw new Error(`PostgreSQL did not start: ${(err as { stderr?: Buffer }).stderr?.toString() ?? err}`);
    }
  }
}
