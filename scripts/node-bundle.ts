import { build } from 'esbuild';

/**
 * A program for `node` as one ESM file, its packages inside it (the relay, and the bench's helper
 * processes): Node then reads one file at start instead of resolving and compiling about three
 * hundred modules of node_modules, which took about a third of a second of every relay start.
 * Left outside: better-sqlite3, a native addon loaded from its own folder, and pg-native, which pg
 * asks for only when told to and this relay never does.
 */
export async function bundleForNode(entry: string, outfile: string): Promise<void> {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    external: ['better-sqlite3', 'pg-native'],
    // The CommonJS packages inside (koa and its kin) call require() for Node's own modules.
    banner: { js: "import { createRequire as __relayRequire } from 'node:module'; const require = __relayRequire(import.meta.url);" },
    sourcemap: true,
    logLevel: 'warning',
  });
}
