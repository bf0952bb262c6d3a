import { pino, type DestinationStream, type Logger } from 'pino';

// Secrets travel in form bodies and headers; the logger never receives bodies, and these paths
// are censored in case a caller passes an object that carries one: the relay's own keys here, and
// each channel's secret settings fields (`channelSecrets`, which the channels declare).
const redact = [
  '*.token', '*.planfix_token', '*.chatToken', '*.restToken', '*.telephonyToken',
  '*.secret', '*.key', 'headers.authorization', '*.headers.authorization',
];

export function createLogger(level: string, channelSecrets: readonly string[] = [], dest?: DestinationStream): Logger {
  const paths = [...new Set([...redact, ...channelSecrets.map((k) => `*.${k}`)])];
  const opts = { level, redact: { paths, censor: '[redacted]' }, base: { svc: 'planfix-relay' } };
  return dest ? pino(opts, dest) : pino(opts);
}

export type { Logger };
