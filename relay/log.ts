import { pino, type Logger, type LoggerOptions } from 'pino';

// Secrets travel in form bodies and headers; the logger never receives bodies, and these paths
// are censored in case a caller passes an object that carries one: the relay's own keys here, and
// each channel's secret settings fields (`channelSecrets`, which the channels declare).
const redact = [
  '*.token', '*.planfix_token', '*.chatToken', '*.restToken', '*.telephonyToken',
  '*.secret', '*.key', 'headers.authorization', '*.headers.authorization',
];

/**
 * Where an error's text can hold a secret: a message quotes what its thrower was given or
 * answered (a provider echoing the webhook URL it was set to, whose last segment is the channel's
 * secret; a request or form with the widget's ?key= or Planfix's planfix_token=; a header), and
 * the stack repeats the message. Redaction names object paths, not text inside a string, so these
 * are cut out of the text.
 */
const SECRET_TEXT: [RegExp, string][] = [
  [/(\/hooks\/[^/\s"'?#]+\/)[^/\s"'?#&]+/g, '$1…'],
  [/((?:^|[?&\s"'(,;])[\w.-]*(?:token|key|secret|auth|password)[\w.-]*=)[^&\s"'#)]+/gi, '$1…'],
  [/("[\w.-]*(?:token|key|secret|auth|password)[\w.-]*"\s*:\s*")[^"]*/gi, '$1…'],
  [/(\bBearer\s+)[^\s"',;]+/gi, '$1…'],
  [/(\/\/)[^/\s@:]*:[^/\s@]*@/g, '$1…@'],
];

function scrubSecrets(text: string): string {
  for (const [re, to] of SECRET_TEXT) text = text.replace(re, to);
  return text;
}

// What an error may bring into the log besides its type, message and stack. The rest of what an
// error holds is its thrower's choice (a body parser's raw body, a request's headers, an HTTP
// answer's body) and may hold a secret under a name no redaction path foresees.
const ERROR_FIELDS = ['code', 'status', 'statusCode', 'errno', 'syscall', 'cmd', 'face', 'retryAfterMs'];

/** pino's standard error serializer (stack and causes included), kept to safe fields and scrubbed text. */
function errSerializer(err: unknown): unknown {
  if (err === undefined || err === null) return err;
  const std = pino.stdSerializers.err(err as Error);
  // Not error-like (a thrown string or object): logged as text, scrubbed like a message.
  if ((std as unknown) === err) return scrubSecrets((typeof err === 'string' ? err : textOf(err)).slice(0, 2000));
  // Bounded: a message quotes what its thrower was answered, which a provider makes as long as it likes.
  const out: Record<string, unknown> = { type: std.type, message: scrubSecrets(std.message.slice(0, 2000)) };
  if (std.stack) out.stack = scrubSecrets(std.stack.slice(0, 8000));
  for (const k of ERROR_FIELDS) {
    const v = (err as Record<string, unknown>)[k];
    if (typeof v === 'number' || typeof v === 'boolean') out[k] = v;
    else if (typeof v === 'string') out[k] = scrubSecrets(v.slice(0, 200));
  }
  return out;
}

function textOf(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

export function loggerOptions(level: string, channelSecrets: readonly string[] = []): LoggerOptions {
  const paths = [...new Set([...redact, ...channelSecrets.map((k) => `*.${k}`)])];
  return {
    level, redact: { paths, censor: '[redacted]' }, base: { svc: 'planfix-relay' },
    // Errors are logged as { err }: its stack says where a fault happened, its message alone did not.
    serializers: { err: errSerializer },
  };
}

export function createLogger(level: string, channelSecrets: readonly string[] = []): Logger {
  // Each line is written when it is logged, not buffered for later. The buffered destination is
  // written out at exit (and by fatal()) in a loop that retries a failed write for ever: with its
  // reader gone (journald restarted: EPIPE) the relay then never exits, neither on SIGTERM nor
  // after a fatal error. Written at once, a broken pipe is seen on the write and logging stops.
  // The relay logs little per request (nothing at info on the delivery path), so the write per line is cheap.
  return pino(loggerOptions(level, channelSecrets), pino.destination({ dest: 1, sync: true }));
}

export type { Logger };
