import type { ExecutionContext } from 'ava';
import pg from 'pg';
import { startCluster } from './pg-cluster.ts';

// The PostgreSQL the tests use: RELAY_TEST_DATABASE_URL (a role that may create databases), or a
// throwaway cluster (pg-cluster.ts) that this test process starts once, the first time a test
// asks, and that goes (stopped, its directory removed) when the process does. Each test gets a
// schema or a database of its own, dropped when it ends.

let server: Promise<{ url: string; admin: pg.Pool }> | undefined;

/** The server, started (or connected to) the first time. */
function testServer(): Promise<{ url: string; admin: pg.Pool }> {
  server ??= (async () => {
    const url = process.env.RELAY_TEST_DATABASE_URL || (await startCluster()).url;
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

/** Runs one statement on the database at `url` over a connection of its own; its rows. */
export async function sqlRows(url: string, text: string, params?: unknown[]): Promise<Record<string, any>[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(text, params)).rows as Record<string, any>[];
  } finally {
    await c.end();
  }
}
