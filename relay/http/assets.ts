import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A page script built by scripts/build.ts: next to the built relay (dist/relay.js), or under the
 * working directory's dist/ when the relay runs from source. With its build time (mtime).
 */
export function readAsset(name: string): { text: string; builtAt: Date } | undefined {
  for (const path of [fileURLToPath(new URL(`./${name}`, import.meta.url)), resolve('dist', name)]) {
    try {
      return { text: readFileSync(path, 'utf8'), builtAt: statSync(path).mtime };
    } catch { /* try the next place */ }
  }
  return undefined;
}
