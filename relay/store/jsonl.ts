import { open, rename, type FileHandle } from 'node:fs/promises';

/**
 * An append-only file of JSON lines whose appends are group-committed: every append made while a
 * write+fsync is in flight joins the next one, so concurrent requests share one fsync.
 */
export class JsonlFile {
  private fh: FileHandle | undefined;
  private queue: { line: string; done: (err?: Error) => void }[] = [];
  private flushing: Promise<void> | undefined;
  private failed: Error | undefined;
  private paused = false;
  private compacting: Promise<void> | undefined;
  private compactAgainAt = 0;
  /** Size right after the last open or compaction: the measure of "grown enough to compact". */
  private liveBytes = 0;
  bytes = 0;
  /** Why the last automatic compaction failed; cleared by the next success. */
  compactionError: string | undefined;

  constructor(readonly path: string, private readonly durable: boolean) {}

  async open(): Promise<void> {
    this.fh = await open(this.path, 'a+', 0o600);
    this.bytes = (await this.fh.stat()).size;
    this.liveBytes = this.bytes;
    if (this.bytes > 0) {
      // A crash mid-write leaves a torn last line (readers skip it); end it so the next record
      // starts on a line of its own instead of being glued to the garbage and lost with it.
      const last = Buffer.alloc(1);
      await this.fh.read(last, 0, 1, this.bytes - 1);
      if (last[0] !== 0x0a) {
        await this.fh.write('\n');
        this.bytes += 1;
      }
    }
  }

  /** Resolves once the record is written (and fsync'd when durable). */
  append(record: unknown): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    return new Promise((resolve, reject) => {
      this.queue.push({ line: `${JSON.stringify(record)}\n`, done: (err) => (err ? reject(err) : resolve()) });
      if (!this.flushing && !this.paused) this.flushing = this.flushLoop();
    });
  }

  private async flushLoop(): Promise<void> {
    while (this.queue.length) {
      const batch = this.queue;
      this.queue = [];
      try {
        const buf = Buffer.from(batch.map((b) => b.line).join(''));
        await this.fh!.write(buf);
        if (this.durable) await this.fh!.datasync();
        this.bytes += buf.length;
        for (const b of batch) b.done();
      } catch (err) {
        // A failed write may have left a partial line; later appends could glue onto it, so the
        // file stays failed until reopened (readers skip a torn line on start).
        this.failed = err as Error;
        for (const b of batch) b.done(err as Error);
        for (const b of this.queue) b.done(err as Error);
        this.queue = [];
      }
    }
    this.flushing = undefined;
  }

  async drain(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  get healthy(): boolean {
    return !this.failed;
  }

  /**
   * Compacts in the background once the file is past `minBytes` and twice its size after the last
   * compaction, so the cost per append stays flat as history grows. One at a time; after a failure
   * (disk full, say) the file keeps growing and the next try waits a minute.
   */
  maybeCompact(minBytes: number, make: () => unknown[]): void {
    if (this.compacting || Date.now() < this.compactAgainAt || this.bytes < minBytes || this.bytes < 2 * this.liveBytes) return;
    this.compacting = this.rewrite(make)
      .then(() => { this.compactionError = undefined; }, (err: Error) => {
        this.compactionError = err.message;
        this.compactAgainAt = Date.now() + 60_000;
      })
      .finally(() => { this.compacting = undefined; });
  }

  /**
   * Replaces the file atomically (write aside, fsync, rename) with the records `make` returns.
   * Appends made meanwhile wait in the queue and land in the new file, after the snapshot.
   */
  async rewrite(make: () => unknown[]): Promise<void> {
    this.paused = true;
    try {
      await this.drain();
      const records = make();
      const tmp = `${this.path}.tmp`;
      const fh = await open(tmp, 'w', 0o600);
      try {
        await fh.write(Buffer.from(records.map((r) => `${JSON.stringify(r)}\n`).join('')));
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, this.path);
      await this.fh?.close();
      this.failed = undefined;
      await this.open();
    } finally {
      this.paused = false;
      if (this.queue.length && !this.flushing) this.flushing = this.flushLoop();
    }
  }

  async close(): Promise<void> {
    await this.compacting;
    await this.drain();
    await this.fh?.close();
    this.fh = undefined;
  }
}

/** Every complete record of a JSON-lines file; a torn or corrupt line is skipped and counted. */
export async function readJsonl(path: string): Promise<{ records: unknown[]; skipped: number }> {
  const records: unknown[] = [];
  const { skipped } = await eachJsonl(path, (r) => { records.push(r); });
  return { records, skipped };
}

const CHUNK = 1 << 20;

/**
 * Hands every complete record of a JSON-lines file to `each`, in file order, reading the file a
 * megabyte at a time: a large state file is never held whole, as one string and as an array of
 * lines and records, while it is loaded. A torn or corrupt line is skipped and counted.
 */
export async function eachJsonl(path: string, each: (record: unknown) => void): Promise<{ skipped: number }> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { skipped: 0 };
    throw err;
  }
  let skipped = 0;
  const line = (buf: Buffer, start: number, end: number) => {
    if (end <= start) return;
    let record: unknown;
    try {
      record = JSON.parse(buf.toString('utf8', start, end));
    } catch {
      skipped++;
      return;
    }
    each(record);
  };
  try {
    const size = (await fh.stat()).size;
    if (!size) return { skipped };
    const chunk = Buffer.allocUnsafe(Math.min(CHUNK, size));
    // The start of a line that runs past the chunk, copied out (the chunk buffer is reused).
    let carry: Buffer[] = [];
    for (;;) {
      const { bytesRead } = await fh.read(chunk, 0, chunk.length, null);
      if (!bytesRead) break;
      const view = chunk.subarray(0, bytesRead);
      let start = 0;
      for (let nl = view.indexOf(0x0a); nl !== -1; nl = view.indexOf(0x0a, start)) {
        if (carry.length) {
          carry.push(view.subarray(start, nl));
          const whole = Buffer.concat(carry);
          carry = [];
          line(whole, 0, whole.length);
        } else line(view, start, nl);
        start = nl + 1;
      }
      if (start < bytesRead) carry.push(Buffer.from(view.subarray(start)));
    }
    if (carry.length) {
      const whole = Buffer.concat(carry);
      line(whole, 0, whole.length);
    }
  } finally {
    await fh.close();
  }
  return { skipped };
}
