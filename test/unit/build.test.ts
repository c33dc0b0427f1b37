/**
 * The built renderer (dist/renderer, built by the global setup under Vitest's NODE_ENV=test) ships
 * React's production build: the development build renders ~2x slower (1,000-node editor benchmark).
 *
 * The Node bundles (CLI, training worker, peers, Electron main) load TensorFlow.js through require.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';

it('the renderer bundle is a production build of React', () => {
  const dir = path.resolve('dist/renderer/assets');
  const js = readdirSync(dir).filter((f) => f.endsWith('.js'));
  expect(js.length).toBeGreaterThan(0);
  const code = js.map((f) => readFileSync(path.join(dir, f), 'utf8')).join('\n');
  expect(code.includes('react-flow__viewport')).toBe(true);
  // Markers only React's development build contains (booleans: the bundle is 1 MB).
  expect(code.includes('react-stack-top-frame'), 'React development build bundled').toBe(false);
  expect(code.includes('unique "key" prop'), 'React development build bundled').toBe(false);
});

it('the Node bundles load TensorFlow.js with require (its ESM import takes ~1 s more at every start)', () => {
  for (const file of ['dist/cli.js', 'dist/worker.js', 'dist/peer.js', 'dist/electron/main.mjs']) {
    const code = readFileSync(path.resolve(file), 'utf8');
    expect(code, file).toMatch(/createRequire\d*\(import\.meta\.url\)\("@tensorflow\/tfjs"\)/);
    // esbuild writes imports at the start of a line, with double quotes (exported code is text).
    expect(/^import[^\n]*from\s*"@tensorflow\/tfjs(-backend-wasm)?"/m.test(code), `${file}: ESM import`).toBe(
      false,
    );
    expect(/\bimport\(\s*"@tensorflow\/tfjs(-backend-wasm)?"\s*\)/.test(code), `${file}: import()`).toBe(
      false,
    );
  }
});
