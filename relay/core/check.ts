/** The answer of a "test connection": what works, and when something does not, what to change where. */
export interface CheckResult {
  ok: boolean;
  message: string;
  fix?: string;
  details?: Record<string, unknown>;
}
