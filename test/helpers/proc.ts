import { spawn, type ChildProcess } from 'node:child_process';

/** Children still running; killed when this process exits (a test that failed before its teardown, a forced exit). */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * Starts under way in this test worker. A file whose tests each start a relay starts a dozen at
 * once; on a loaded two-core machine that burst starved every one of them past its ready timeout.
 * A few at a time start as fast in all, and each within its timeout.
 */
const STARTING_AT_ONCE = 3;
let startSlots = STARTING_AT_ONCE;
const waitingToStart: (() => void)[] = [];
async function startSlot(): Promise<() => void> {
  if (startSlots > 0) startSlots--;
  else await new Promise<void>((resolve) => waitingToStart.push(resolve));
  return () => {
    const next = waitingToStart.shift();
    if (next) next();
    else startSlots++;
  };
}

/**
 * A child `node` process that prints `listening on port N` when it is ready: the relay, the bare
 * Koa baseline, the bench's simulator host. Its stdout and stderr are kept in `output`.
 */
export class Proc {
  output = '';
  port = 0;
  /** From spawn to the ready line on stdout. */
  readyMs = 0;
  private readonly exited: Promise<number | null>;

  private constructor(readonly proc: ChildProcess) {
    running.add(proc);
    this.exited = new Promise((resolve) => proc.once('exit', (code) => {
      running.delete(proc);
      resolve(code);
    }));
    proc.stdout!.on('data', (d) => { this.output += d; });
    proc.stderr!.on('data', (d) => { this.output += d; });
  }

  /** `node <args>` with only PATH and `env` in its environment; `ipc` opens a message channel. */
  static async start(args: string[], env: Record<string, string>, opts: { ipc?: boolean; readyTimeoutMs?: number } = {}): Promise<Proc> {
    const done = await startSlot();
    try {
      return await Proc.spawnReady(args, env, opts);
    } finally {
      done();
    }
  }

  private static async spawnReady(args: string[], env: Record<string, string>, opts: { ipc?: boolean; readyTimeoutMs?: number }): Promise<Proc> {
    const t0 = performance.now();
    const stdio = opts.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] as const : ['ignore', 'pipe', 'pipe'] as const;
    const p = new Proc(spawn(process.execPath, args, { env: { PATH: process.env.PATH ?? '', ...env }, stdio: [...stdio] }));
    p.port = await new Promise<number>((resolve, reject) => {
      // Nobody gets a handle to a child that did not start: stop it here, or it outlives the test run.
      const timer = setTimeout(() => {
        p.proc.kill('SIGKILL');
        reject(new Error(`${args.join(' ')} did not start:\n${p.output}`));
      }, opts.readyTimeoutMs ?? 30_000);
      const onData = () => {
        const m = /listening on port (\d+)/.exec(p.output);
        if (m) { clearTimeout(timer); p.proc.stdout!.off('data', onData); resolve(Number(m[1])); }
      };
      p.proc.stdout!.on('data', onData);
      p.proc.once('exit', (code) => { clearTimeout(timer); reject(new Error(`${args.join(' ')} exited (${code}):\n${p.output}`)); });
    });
    p.readyMs = performance.now() - t0;
    return p;
  }

  get pid(): number {
    return this.proc.pid!;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Sends the signal (unless it has exited already) and resolves with the exit code. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill(signal);
    return this.exited;
  }
}
