import { build } from 'esbuild';
import { bundleForNode } from './node-bundle.ts';

await bundleForNode('relay/main.ts', 'dist/relay.js');
console.log('built dist/relay.js');

/** A page script: one self-contained, minified IIFE for the browsers employees and admins use. */
async function browserBundle(entry: string, outfile: string): Promise<void> {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'browser',
    target: ['chrome100', 'firefox100', 'safari15.4'],
    format: 'iife',
    minify: true,
    legalComments: 'none',
    charset: 'utf8',
    logLevel: 'warning',
  });
  console.log(`built ${outfile}`);
}

// The widget runs inside Planfix pages: the userscript embeds it and the relay serves it at
// /widget.js (read from next to dist/relay.js at start).
await browserBundle('widget/main.ts', 'dist/widget.js');
// The admin page: its script and stylesheet, served at /admin.js and /admin.css.
await browserBundle('admin-ui/main.ts', 'dist/admin.js');
