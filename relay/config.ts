import { z } from 'zod';

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().default('0.0.0.0'),
  RELAY_DATA_DIR: z.string().default('./data'),
  RELAY_PUBLIC_URL: z.string().url().optional(),
  RELAY_ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  RELAY_ALLOW_HOSTS: z.string().default(''),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // Retry pacing is configurable so that tests can run an outage in seconds instead of hours.
  RELAY_RETRY_BASE_MS: z.coerce.number().int().positive().default(1000),
  RELAY_RETRY_MAX_MS: z.coerce.number().int().positive().default(3_600_000),
  RELAY_GIVE_UP_AFTER_MS: z.coerce.number().int().positive().default(48 * 3_600_000),
  RELAY_HTTP_TIMEOUT_MS: z.coerce.number().int().positive().default(15_000),
});

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** Set when RELAY_PUBLIC_URL was given; otherwise derived from the listening address at start. */
  publicUrl: string | undefined;
  adminToken: string | undefined;
  allowHosts: string[];
  logLevel: string;
  retry: { baseMs: number; maxMs: number; giveUpAfterMs: number };
  httpTimeoutMs: number;
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
    publicUrl: e.RELAY_PUBLIC_URL?.replace(/\/+$/, ''),
    adminToken: e.RELAY_ADMIN_TOKEN,
    allowHosts: e.RELAY_ALLOW_HOSTS.split(',').map((h) => h.trim().toLowerCase()).filter(Boolean),
    logLevel: e.LOG_LEVEL,
    retry: { baseMs: e.RELAY_RETRY_BASE_MS, maxMs: e.RELAY_RETRY_MAX_MS, giveUpAfterMs: e.RELAY_GIVE_UP_AFTER_MS },
    httpTimeoutMs: e.RELAY_HTTP_TIMEOUT_MS,
  };
}
