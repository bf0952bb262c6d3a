import { mock } from 'node:test';
import type { ExecutionContext } from 'ava';

export interface FakeTime {
  /** Lets every promise that can settle now settle (a real setImmediate: I/O and microtasks run, no time passes). */
  settle(): Promise<void>;
  /** Moves time forward `ms`, one millisecond at a time, settling after each: what a timer starts runs at its time. */
  advance(ms: number): Promise<void>;
}

/**
 * setTimeout and Date under the test's control, for code whose subject is time (spacing, waits,
 * ages) that reads the global clock: time moves only when the test moves it, so a test asserts
 * exact times and a loaded machine cannot stretch them. Node's own MockTimers (node:test), not a
 * dependency. It replaces the process's globals: only for test.serial, in a file whose tests
 * all use it or use no timers (AVA runs the serial tests of a file before its concurrent ones).
 */
export function fakeTime(t: ExecutionContext, start = Date.UTC(2024, 10, 14, 10, 0, 0)): FakeTime {
  // MockTimers announces itself as experimental on first use; that one warning is not the test's output.
  const emit = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: never[]) => {
    if (!String(warning).includes('MockTimers')) emit.call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    mock.timers.enable({ apis: ['setTimeout', 'Date'], now: start });
  } finally {
    process.emitWarning = emit;
  }
  t.teardown(() => mock.timers.reset());
  const settle = () => new Promise<void>((r) => setImmediate(r));
  return {
    settle,
    async advance(ms) {
      await settle();
      for (let i = 0; i < ms; i++) {
        mock.timers.tick(1);
        await settle();
      }
    },
  };
}
