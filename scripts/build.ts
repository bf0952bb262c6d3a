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

// The widget runs inside Planfix pages: one self-contained, minified IIFE the userscript embeds
// and the relay serves at /widget.js (read from next to dist/relay.js at start).
await build({
  entryPoints: ['widget/main.ts'],
  outfile: 'dist/widget.js',
  bundle: true,
  platform: 'browser',
  target: ['chrome100', 'firefox100', 'safari15.4'],
  format: 'iife',
  minify: true,
  legalComments: 'none',
  charset: 'utf8',
  logLevel: 'warning',
});
console.log('built dist/widget.js');

// The admin page: its script and stylesheet, served at /admin.js and /admin.css.
await build({
  entryPoints: ['admin-ui/main.ts'],
  outfile: 'dist/admin.js',
  bundle: true,
  platform: 'browser',
  target: ['chrome100', 'firefox100', 'safari15.4'],
  format: 'iife',
  minify: true,
  legalComments: 'none',
  charset: 'utf8',
  logLevel: 'warning',
});
console.log('built dist/admin.js');
