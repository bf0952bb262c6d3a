import { pino, type Logger } from 'pino';

// Secrets travel in form bodies and headers; the logger never receives bodies, and these paths
// are censored in case a caller passes an object that carries one.
const redact = [
  '*.token', '*.planfix_token', '*.chatToken', '*.restToken', '*.telephonyToken', '*.secretKey', '*.publicKey',
  '*.authToken', '*.authKey', '*.secret', '*.key', 'headers.authorization', '*.headers.authorization',
];

export function createLogger(level: string): Logger {
  return pino({ level, redact: { paths: redact, censor: '[redacted]' }, base: { svc: 'planfix-relay' } });
}

export type { Logger };
