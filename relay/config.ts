import { z } from 'zod';
import type { PhoneBookPolicy } from './planfix/phone-book.ts';

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().default('0.0.0.0'),
  RELAY_DATA_DIR: z.string().default('./data'),
  // The journal, the state and the accounts' settings on PostgreSQL instead of the data directory.
  RELAY_DATABASE_URL: z.string().trim().optional().transform((v) => v || undefined)
    .refine((v) => v === undefined || /^postgres(ql)?:\/\//.test(v), 'must be a postgres:// URL (postgres://user:password@host:5432/database)'),
  RELAY_PUBLIC_URL: z.string().url().optional(),
  // 32 characters for a new installation; 16–31 is still taken where it already guards accounts (main.ts).
  RELAY_ADMIN_TOKEN: z.string().trim().min(16, 'must be at least 32 characters').optional(),
  RELAY_TRUST_PROXY: z.enum(['', '0', '1', 'false', 'true']).default('').transform((v) => v === '1' || v === 'true'),
  // A request has this long to arrive whole (headers and body), so slow senders cannot hold connections.
  RELAY_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1000).default(30_000),
  RELAY_MAX_CONNECTIONS: z.coerce.number().int().positive().default(2048),
  // Failed authentications per address and minute answered at once; past them each answer waits longer.
  RELAY_AUTH_FREE_FAILURES: z.coerce.number().int().min(0).default(5),
  RELAY_ALLOW_HOSTS: z.string().default(''),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // Retry pacing is configurable so that tests can run an outage in seconds instead of hours.
  RELAY_RETRY_BASE_MS: z.coerce.number().int().positive().default(1000),
  RELAY_RETRY_MAX_MS: z.coerce.number().int().positive().default(3_600_000),
  RELAY_GIVE_UP_AFTER_MS: z.coerce.number().int().positive().default(48 * 3_600_000),
  RELAY_HTTP_TIMEOUT_MS: z.coerce.number().int().positive().default(15_000),
  // Planfix takes 1 REST request a second per account: the least time from one answer to the next
  // request. Shorter only against a Planfix that allows it (the tests' simulator).
  RELAY_REST_INTERVAL_MS: z.coerce.number().int().min(1).default(1000),
  // Dead-letter alerts: at most one per account per interval; the first waits this long for the
  // rest of a burst, so an outage's first alert already names how many.
  RELAY_ALERT_INTERVAL_MS: z.coerce.number().int().positive().default(15 * 60_000),
  RELAY_ALERT_GATHER_MS: z.coerce.number().int().min(0).default(10_000),
  // The Planfix phone book mirror (planfix/phone-book.ts): off, or how often the contacts changed
  // since the last pass are read (minutes) and every contact is read again (days). Fractions are for tests.
  RELAY_PHONE_BOOK: z.enum(['on', 'off']).default('on'),
  RELAY_PHONE_BOOK_CHANGES_MIN: z.coerce.number().positive().default(15),
  RELAY_PHONE_BOOK_FULL_DAYS: z.coerce.number().positive().default(7),
  // Finished events, conversations' widget data, calls, message ids and activity older than this
  // are deleted; contacts and the identity index are kept. Fractions are for tests and benchmarks.
  RELAY_RETENTION_DAYS: z.coerce.number().positive().default(180),
  // Reconciliation with the providers' logs (Ringostat's call log): how often; 0 turns it off for
  // every channel. Fractions are for tests.
  RELAY_RECONCILE_MINUTES: z.coerce.number().min(0).max(1440).default(10),
});

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** PostgreSQL instead of the SQLite file and the account files; it holds every secret, never logged. */
  databaseUrl: string | undefined;
  /** Set when RELAY_PUBLIC_URL was given; otherwise derived from the listening address at start. */
  publicUrl: string | undefined;
  adminToken: string | undefined;
  /** Take the client's address from X-Forwarded-For (set only behind a proxy that sets it). */
  trustProxy: boolean;
  requestTimeoutMs: number;
  maxConnections: number;
  authFreeFailures: number;
  allowHosts: string[];
  logLevel: string;
  retry: { baseMs: number; maxMs: number; giveUpAfterMs: number };
  httpTimeoutMs: number;
  restIntervalMs: number;
  retentionMs: number;
  alerts: { intervalMs: number; gatherMs: number };
  phoneBook: PhoneBookPolicy;
  /** How often each channel's provider log is read; 0: never. */
  reconcileMs: number;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`Invalid configuration: ${issue.path.join('.')}: ${issue.message}`);
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: e.RELAY_DATA_DIR,
    databaseUrl: e.RELAY_DATABASE_URL,
    publicUrl: e.RELAY_PUBLIC_URL?.replace(/\/+$/, ''),
    adminToken: e.RELAY_ADMIN_TOKEN,
    trustProxy: e.RELAY_TRUST_PROXY,
    requestTimeoutMs: e.RELAY_REQUEST_TIMEOUT_MS,
    maxConnections: e.RELAY_MAX_CONNECTIONS,
    authFreeFailures: e.RELAY_AUTH_FREE_FAILURES,
    allowHosts: e.RELAY_ALLOW_HOSTS.split(',').map((h) => h.trim().toLowerCase()).filter(Boolean),
    logLevel: e.LOG_LEVEL,
    retry: { baseMs: e.RELAY_RETRY_BASE_MS, maxMs: e.RELAY_RETRY_MAX_MS, giveUpAfterMs: e.RELAY_GIVE_UP_AFTER_MS },
    httpTimeoutMs: e.RELAY_HTTP_TIMEOUT_MS,
    restIntervalMs: e.RELAY_REST_INTERVAL_MS,
    retentionMs: e.RELAY_RETENTION_DAYS * 86_400_000,
    alerts: { intervalMs: e.RELAY_ALERT_INTERVAL_MS, gatherMs: e.RELAY_ALERT_GATHER_MS },
    phoneBook: {
      enabled: e.RELAY_PHONE_BOOK === 'on',
      changesEveryMs: e.RELAY_PHONE_BOOK_CHANGES_MIN * 60_000,
      fullEveryMs: e.RELAY_PHONE_BOOK_FULL_DAYS * 86_400_000,
    },
    reconcileMs: Math.round(e.RELAY_RECONCILE_MINUTES * 60_000),
  };
}
