import { join } from 'node:path';
import { AccountState } from './state.ts';

/** The AccountState of every account, opened once and shared by the worker and the HTTP faces. */
export class StateRegistry {
  private readonly states = new Map<string, AccountState>();
  private readonly opening = new Map<string, Promise<AccountState>>();

  constructor(private readonly dataDir: string) {}

  async get(accountId: string): Promise<AccountState> {
    const s = this.states.get(accountId);
    if (s) return s;
    let p = this.opening.get(accountId);
    if (!p) {
      const st = new AccountState(join(this.dataDir, 'state', accountId));
      p = st.open().then(() => { this.states.set(accountId, st); this.opening.delete(accountId); return st; });
      this.opening.set(accountId, p);
    }
    return p;
  }

  /** The account's state if it is loaded; undefined while it loads (it is never waited for here). */
  peek(accountId: string): AccountState | undefined {
    return this.states.get(accountId);
  }

  get healthy(): boolean {
    return [...this.states.values()].every((s) => s.healthy);
  }

  get compactionError(): string | undefined {
    for (const s of this.states.values()) if (s.compactionError) return s.compactionError;
    return undefined;
  }

  async remove(accountId: string): Promise<void> {
    const s = await this.get(accountId);
    this.states.delete(accountId);
    await s.destroy();
  }

  async close(): Promise<void> {
    await Promise.all([...this.states.values()].map((s) => s.close()));
  }
}
