import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** How many events the relay's journal holds (records of other kinds, such as steps and done marks, not counted). */
export const journalEvents = async (dataDir: string): Promise<number> =>
  ((await readFile(join(dataDir, 'journal.jsonl'), 'utf8').catch(() => '')).match(/"t":"e"/g) ?? []).length;
