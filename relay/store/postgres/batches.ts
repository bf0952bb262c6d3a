interface Waiting<T, R> {
  job: T;
  resolve: (result: R) => void;
  reject: (err: Error) => void;
}

/**
 * Writes jobs one batch after another, in the order they came: the jobs that come while a batch is
 * being written go together in the next. The pool would run them at once on several connections,
 * in any order; the journal's seq and the activity's newest-first need the order they came in, and
 * a busy relay still makes one round trip per batch, not per job.
 */
export class Batches<T, R> {
  private waiting: Waiting<T, R>[] = [];
  /** The run of batches under way, until the queue is empty. */
  private running: Promise<void> | undefined;

  /**
   * `write` gets the jobs and answers each one's result in their order; `hold` is told each run of
   * batches, so that closing the store waits for the jobs still queued.
   */
  constructor(private readonly write: (jobs: T[]) => Promise<R[]>, private readonly hold: (run: Promise<void>) => void) {}

  add(job: T): Promise<R> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ job, resolve, reject });
      if (!this.running) this.hold(this.running = this.run());
    });
  }

  /** Resolves once the jobs added so far are written (or failed). */
  settled(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  private async run(): Promise<void> {
    while (this.waiting.length) {
      const batch = this.waiting;
      this.waiting = [];
      try {
        const results = await this.write(batch.map((w) => w.job));
        batch.forEach((w, i) => w.resolve(results[i]!));
      } catch (err) {
        for (const w of batch) w.reject(err as Error);
      }
    }
    this.running = undefined;
  }
}
