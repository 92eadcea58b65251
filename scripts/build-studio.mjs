// Bundles the studio's page script and Web Worker for the browser (dist/studio/). platform 'browser'
// makes any Node-only import (node:fs, ffmpeg, …) reaching these bundles a build error.
import { build } from 'esbuild';

const common = {
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  sourcemap: false,
  logLevel: 'warning',
  minify: false,
  legalComments: 'none',
};
await Promise.all([
  build({ ...common, entryPoints: ['src/studio/app.ts'], outfile: 'dist/studio/app.js' }),
  build({ ...common, entryPoints: ['src/studio/worker.ts'], outfile: 'dist/studio/worker.js' }),
]);
