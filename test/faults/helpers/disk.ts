import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, open, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

// Real filesystems that really fail, mounted for one test: a small tmpfs that fills up, and an
// ext4 image that the kernel turns read-only under the running relay, as it does on I/O errors.
// Both need root (mount); without it the disk scenarios say why they were skipped.

export interface Mounted {
  /** The mount point. */
  dir: string;
  /** Where the relay keeps its data: a directory inside the mount (the mount point itself cannot be removed). */
  dataDir: string;
  unmount(): Promise<void>;
}

export async function canMount(): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return 'not root: mounting a small filesystem needs root';
  const dir = await mkdtemp(join(tmpdir(), 'faults-probe-'));
  try {
    await run('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir]);
    await run('umount', [dir]);
    return undefined;
  } catch (err) {
    return `mount failed: ${(err as Error).message.split('\n')[0]}`;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function unmountAll(dir: string): Promise<void> {
  // Lazy: a relay killed a moment ago may still hold a file for a few milliseconds.
  await run('umount', ['-l', dir]).catch(() => undefined);
  await rm(dir, { recursive: true, force: true }).catch(() => undefined);
}

/** A tmpfs of `sizeKb`, and a way to fill it to the last byte and to free it again. */
export async function smallTmpfs(sizeKb: number): Promise<Mounted & { fill(): Promise<number>; free(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'faults-full-'));
  await run('mount', ['-t', 'tmpfs', '-o', `size=${sizeKb}k,mode=0700`, 'tmpfs', dir]);
  const dataDir = join(dir, 'data');
  await mkdir(dataDir, { mode: 0o700 });
  const filler = join(dir, 'filler');
  return {
    dir, dataDir,
    async fill() {
      const fh = await open(filler, 'a');
      let written = 0;
      try {
        // Big chunks first, then ever smaller ones, so not a byte is left for anyone else.
        for (const chunk of [65536, 4096, 512, 1]) {
          const buf = Buffer.alloc(chunk, 0x78);
          for (;;) {
            try {
              const { bytesWritten } = await fh.write(buf);
              written += bytesWritten;
              if (bytesWritten < chunk) break;
            } catch (err) {
              if ((err as NodeJS.ErrnoException).code === 'ENOSPC') break;
              throw err;
            }
          }
        }
      } finally {
        await fh.close();
      }
      return written;
    },
    async free() {
      await unlink(filler).catch(() => undefined);
    },
    unmount: () => unmountAll(dir),
  };
}

/**
 * An ext4 image on a loop device, mounted with errors=remount-ro. `breakIt` reports a filesystem
 * error to the kernel (ext4's own test hook), which turns it read-only under every open file,
 * exactly as a failing disk does. Coming back needs what an operator does: stop the process,
 * unmount, fsck, mount again.
 */
export async function ext4Image(sizeMb: number): Promise<Mounted & { breakIt(): Promise<void>; repair(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'faults-ro-'));
  const image = `${dir}.img`;
  await run('truncate', ['-s', `${sizeMb}M`, image]);
  await run('mkfs.ext4', ['-q', '-F', image]);
  const mount = async () => {
    await run('mount', ['-o', 'loop,errors=remount-ro', image, dir]);
    const { stdout } = await run('findmnt', ['-n', '-o', 'SOURCE', dir]);
    return stdout.trim().replace('/dev/', '');
  };
  let device = await mount();
  const dataDir = join(dir, 'data');
  await mkdir(dataDir, { mode: 0o700 });
  return {
    dir, dataDir,
    async breakIt() {
      await run('sh', ['-c', `echo faults-suite > /sys/fs/ext4/${device}/trigger_fs_error`]);
    },
    async repair() {
      await run('umount', [dir]);
      // e2fsck exits 1 when it fixed something: that is the point of running it.
      await run('e2fsck', ['-f', '-y', image]).catch((err: { code?: number }) => { if (err.code !== 1) throw err; });
      device = await mount();
    },
    async unmount() {
      await unmountAll(dir);
      await rm(image, { force: true });
    },
  };
}
