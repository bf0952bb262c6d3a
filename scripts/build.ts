import { build } from 'esbuild';

// One file for the relay: `node dist/relay.js` needs node_modules only for what stays external.
await build({
  entryPoints: ['relay/main.ts'],
  outfile: 'dist/relay.js',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: true,
  packages: 'external',
  logLevel: 'warning',
});
console.log('built dist/relay.js');
