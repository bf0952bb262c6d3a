import { TerminalError } from '../errors.ts';

/**
 * A Chat API command that failed for good: refused (4xx other than 429, with its status), or
 * answered in a shape the relay cannot read (no status). `notFound` is Planfix's "no such task or
 * contact yet", which getTask and getContact answer as nothing rather than as a failure.
 */
export class ChatApiError extends TerminalError {
  constructor(readonly cmd: string, readonly status: number | undefined, text: string, readonly notFound = false) {
    super(`Planfix Chat API ${cmd} ${status !== undefined ? `answered ${status}` : 'failed'}${text ? `: ${text}` : ''}`);
  }
}
