/** An error with the HTTP status and public reason the relay answers with. */
export class HttpError extends Error {
  constructor(readonly status: number, message: string, readonly body?: Record<string, unknown>, readonly headers?: Record<string, string>) {
    super(message);
  }
}

/** A delivery that may succeed later (network, 429, 5xx, quota): the worker backs off and tries again. */
export class RetryableError extends Error {
  constructor(message: string, readonly retryAfterMs?: number) {
    super(message);
  }
}

/** A delivery the other side refused for good (4xx other than 429): it goes to the dead letters. */
export class TerminalError extends Error {}
