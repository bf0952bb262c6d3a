import { constants } from 'node:fs';
import { chmod, open, rm, stat, type FileHandle } from 'node:fs/promises';

/**
 * A new file only the relay can read, for a temporary copy or a probe. Whatever is at `path` (a
 * leftover, or a symlink someone planted to have the relay write elsewhere) is removed first, and
 * the file is created exclusively, which never follows a symlink.
 */
export async function createPrivate(path: string): Promise<FileHandle> {
  await rm(path, { force: true });
  return open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
}

/**
 * The data directory holds every key: it is 0700 whatever made it, checked at each start (mkdir's
 * mode applies only when it creates the directory). Returns the mode it had when that was looser.
 */
export async function enforcePrivateDir(dir: string): Promise<string | undefined> {
  const mode = (await stat(dir)).mode & 0o777;
  if ((mode & 0o077) === 0) return undefined;
  await chmod(dir, mode & 0o700);
  return mode.toString(8).padStart(4, '0');
}
