// Builds the Node side (CLI, serve, Electron main/preload, training worker) with esbuild.
// npm dependencies stay external (resolved from node_modules at run time).
import { build } from 'esbuild';
import { existsSync } from 'node:fs';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  packages: 'external',
  logLevel: 'warning',
};

const entries = [{ in: 'electron/cli.ts', out: 'cli' }].filter((e) => existsSync(e.in));

await build({
  ...common,
  format: 'esm',
  entryPoints: entries,
  outdir: 'dist',
  outExtension: { '.js': '.js' },
});
console.log(`built ${entries.map((e) => `dist/${e.out}.js`).join(', ')}`);
