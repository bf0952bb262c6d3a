import { TerminalError } from '../errors.ts';

export class RestError extends TerminalError {
  constructor(readonly path: string, readonly code: number | undefined, text: string, readonly status?: number) {
    super(`Planfix REST ${path} failed${code !== undefined ? ` (code ${code})` : ''}: ${text}`);
  }
}
