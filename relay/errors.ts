/** An error with the HTTP status and public reason the relay answers with. */
export class HttpError extends Error {
  constructor(readonly status: number, message: string, readonly body?: Record<string, unknown>, readonly headers?: Record<string, string>) {
    super(message);
  }
}

/** Which face refused a credential; logged with the failure, never the credential itself. */
export type AuthFace = 'admin' | 'webhook' | 'planfix-chat' | 'planfix-telephony' | 'widget';

/**
 * A refused credential (admin token, webhook secret or signature, Planfix callback token, widget
 * key): answered as any HttpError, and also counted per address so repeated failures are logged
 * and slowed down (http/auth-failures.ts).
 */
export class AuthError extends HttpError {
  constructor(readonly face: AuthFace, status: 401 | 404, message: string, body?: Record<string, unknown>) {
    super(status, message, body);
  }
}

/**
 * Why a delivery waits to be tried again, where the thrower knows it (relay/delivery/retry-reason.ts):
 * the other side did not answer, answered 429 or 5xx, the Planfix REST quota is spent, or
 * something this event needs is not in Planfix yet.
 */
export type RetryKind = 'unreachable' | 'busy' | 'quota' | 'waiting';

/** A delivery that may succeed later (network, 429, 5xx, quota): the worker backs off and tries again. */
export class RetryableError extends Error {
  constructor(message: string, readonly retryAfterMs?: number, readonly kind?: RetryKind) {
    super(message);
  }
}

/**
 * Why a delivery failed for good, where the thrower knows it and no field of a typed error says it
 * (relay/delivery/dead-reason.ts reads the Planfix errors' own statuses and codes).
 */
export type TerminalKind = 'not-found' | 'provider-refused' | 'not-configured' | 'blocked-url';

/** A delivery the other side refused for good (4xx other than 429): it goes to the dead letters. */
export class TerminalError extends Error {
  constructor(message: string, readonly kind?: TerminalKind) {
    super(message);
  }
}

/**
 * A write that did not reach the disk (full, read-only, failing). Retryable: an HTTP face answers
 * 503 so the provider resends, the worker backs off and tries the delivery again.
 */
export class StorageError extends RetryableError {
  constructor(override readonly cause: Error) {
    super(`storage unavailable: ${cause.message}`);
  }
}
