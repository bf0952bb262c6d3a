// The PostgreSQL of the figures that run the relay on it: one throwaway cluster per run (the tests'
// cluster start, test/helpers/pg-cluster.ts), with fsync on as a production server has it, so its
// commits cost what SQLite's fsync'd ones do. Started by the first figure that asks, stopped at
// the end of the run (main.ts). BENCH_DATABASE_URL: a server of yours instead (a role that may
// create databases).
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { startCluster, type Cluster } from '../test/helpers/pg-cluster.ts';
import { cpuMsOf } from './lib.ts';

let cluster: Promise<{ url: string; own?: Cluster }> | undefined;
let made = 0;

function server(): Promise<{ url: string; own?: Cluster }> {
  cluster ??= (async () => {
    const url = process.env.BENCH_DATABASE_URL;
    if (url) return { url };
    const own = await startCluster({ durable: true });
    return { url: own.url, own };
  })();
  return cluster;
}

/** A fresh database on the run's server, for one relay (or several sharing it); its URL. */
export async function benchDatabase(): Promise<string> {
  const { url } = await server();
  const name = `relay_bench_${process.pid}_${++made}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/**
 * CPU time the run's own cluster has used so far, in ms: the server process, what it reaped of its
 * children (backends that ended), and the children still running (the relay's connections). NaN
 * on a server of yours.
 */
export async function clusterCpuMs(): Promise<number> {
  const own = (await server()).own;
  if (!own) return NaN;
  const postmaster = Number((await readFile(join(own.dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
  const stat = async (pid: number) => {
    const s = await readFile(`/proc/${pid}/stat`, 'utf8');
    return s.slice(s.lastIndexOf(')') + 2).split(' ');
  };
  const f = await stat(postmaster);
  // Fields 16 and 17 (cutime, cstime) are the 14th and 15th after the command name, in ticks (100 Hz).
  let ms = await cpuMsOf(postmaster) + (Number(f[13]) + Number(f[14])) * 10;
  for (const d of await readdir('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const child = await stat(Number(d)).catch(() => undefined);
    if (child && Number(child[1]) === postmaster) ms += await cpuMsOf(Number(d)).catch(() => 0);
  }
  return ms;
}

/** Stops the run's cluster, if one was started. */
export async function stopPostgres(): Promise<void> {
  if (!cluster) return;
  const { own } = await cluster;
  cluster = undefined;
  await own?.stop();
}
