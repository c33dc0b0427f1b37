// Builds everything: the renderer with Vite (dist/renderer) and the Node side with esbuild
// (dist/cli.js, dist/electron/main.cjs + preload.cjs). npm dependencies stay external.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { build as viteBuild } from 'vite';

const nodeOnly = process.argv.includes('--node');

/**
 * TensorFlow.js loaded through `require` (its CommonJS build) instead of `import`: Node's ESM loader
 * takes ~1.1 s to import @tensorflow/tfjs (it scans every CommonJS module the package re-exports for
 * its export names) where `require` takes ~0.2 s — paid by the CLI, the training worker and every
 * data-parallel peer at start. The bundles import a small module that requires the package and
 * re-exports its names (listed here, at build time, from the same installed package).
 */
const requireFromRoot = createRequire(import.meta.url);
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
const viaRequire = {
  name: 'tfjs-via-require',
  setup(b) {
    b.onResolve({ filter: /^@tensorflow\/tfjs(-backend-wasm)?$/ }, (args) => ({
      path: args.path,
      namespace: 'via-require',
    }));
    b.onLoad({ filter: /.*/, namespace: 'via-require' }, (args) => {
      const names = Object.keys(requireFromRoot(args.path)).filter(
        (n) => IDENTIFIER.test(n) && n !== 'default',
      );
      return {
        contents:
          `import { createRequire } from 'node:module';\n` +
          `const m = createRequire(import.meta.url)(${JSON.stringify(args.path)});\n` +
          `export const { ${names.join(', ')} } = m;\n` +
          `export default m;\n`,
        loader: 'js',
        resolveDir: process.cwd(),
      };
    });
  },
};

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  packages: 'external',
  logLevel: 'warning',
  plugins: [viaRequire],
};

const esm = [
  { in: 'electron/cli.ts', out: 'cli' },
  { in: 'electron/engine/worker.ts', out: 'worker' },
  { in: 'electron/engine/peer.ts', out: 'peer' },
].filter((e) => existsSync(e.in));
await build({ ...common, format: 'esm', entryPoints: esm, outdir: 'dist' });

// Electron's main process runs as an ES module (dist/electron/main.mjs); the sandboxed preload
// must be CommonJS (dist/electron/preload.cjs).
if (existsSync('electron/main.ts'))
  await build({
    ...common,
    format: 'esm',
    entryPoints: [{ in: 'electron/main.ts', out: 'electron/main' }],
    outdir: 'dist',
    outExtension: { '.js': '.mjs' },
    external: ['electron'],
  });
if (existsSync('electron/preload.ts'))
  await build({
    ...common,
    format: 'cjs',
    entryPoints: [{ in: 'electron/preload.ts', out: 'electron/preload' }],
    outdir: 'dist',
    outExtension: { '.js': '.cjs' },
    external: ['electron'],
  });
const electron = [{ out: 'electron/main' }, { out: 'electron/preload' }];

// Vite's programmatic build() takes NODE_ENV as it finds it, and React then ships its development
// build (2x slower renders in the 1,000-node editor benchmark): unset here, 'test' under Vitest
// (whose global setup builds). Production unless a developer asks for 'development'.
if (process.env.NODE_ENV !== 'development') process.env.NODE_ENV = 'production';
if (!nodeOnly) await viteBuild({ logLevel: 'warn', configFile: 'vite.config.ts' });
console.log(`built ${[...esm, ...electron].map((e) => e.out).join(', ')}${nodeOnly ? '' : ', renderer'}`);
