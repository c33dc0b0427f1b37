/**
 * Backend selection: native TensorFlow (`@tensorflow/tfjs-node`, an optional dependency), then
 * WebAssembly (`@tensorflow/tfjs-backend-wasm`), then plain JavaScript (`cpu`). `NETLOOM_BACKEND`
 * (tensorflow | wasm | cpu) forces one; a forced backend that cannot load is an error, not a silent
 * fallback. The name actually in use is returned so every progress event and the CLI can report it.
 */
import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { BackendName } from '../../shared/training/protocol';
import { registerWasmKernels } from './kernels';

export const BACKENDS: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];

export class BackendError extends Error {
  override readonly name = 'BackendError';
}

export function isBackendName(s: unknown): s is BackendName {
  return typeof s === 'string' && (BACKENDS as readonly string[]).includes(s);
}

/** The backend `NETLOOM_BACKEND` forces, if any; an unknown value is an error. */
export function forcedBackend(env: NodeJS.ProcessEnv = process.env): BackendName | undefined {
  const v = env.NETLOOM_BACKEND?.trim();
  if (!v) return undefined;
  if (!isBackendName(v))
    throw new BackendError(`NETLOOM_BACKEND must be one of ${BACKENDS.join(', ')}; got "${v}".`);
  return v;
}

/** Where the wasm binaries live, as a file path with a trailing slash (what setWasmPaths wants in Node). */
export function wasmDirectory(): string {
  const require = createRequire(import.meta.url);
  const pkg = require.resolve('@tensorflow/tfjs-backend-wasm/package.json');
  return path.join(path.dirname(pkg), 'dist') + path.sep;
}

const loaders: Record<BackendName, () => Promise<void>> = {
  tensorflow: async () => {
    // Optional dependency: absent where libtensorflow could not be downloaded at install time.
    const name = '@tensorflow/tfjs-node';
    await import(/* @vite-ignore */ name);
    if (!(await tf.setBackend('tensorflow'))) throw new Error('tf.setBackend("tensorflow") returned false');
  },
  wasm: async () => {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    wasm.setWasmPaths(wasmDirectory());
    registerWasmKernels();
    if (!(await tf.setBackend('wasm'))) throw new Error('tf.setBackend("wasm") returned false');
  },
  cpu: async () => {
    if (!(await tf.setBackend('cpu'))) throw new Error('tf.setBackend("cpu") returned false');
  },
};

/** Checks the backend really computes (a wasm module that failed to instantiate would throw here). */
function smokeTest(): void {
  const ok = tf.tidy(() => tf.tensor1d([1, 2, 3]).square().sum().dataSync()[0]);
  if (ok !== 14) throw new Error(`smoke test computed ${ok}, expected 14`);
}

let current: Promise<BackendName> | undefined;
let currentWanted: BackendName | 'auto' | undefined;

async function tryLoad(name: BackendName): Promise<void> {
  await loaders[name]();
  smokeTest();
}

/**
 * Selects and initialises a backend. `wanted` overrides `NETLOOM_BACKEND`; without either, the best
 * one that loads is used. Calling it again with the same request returns the same answer.
 */
export function initBackend(wanted?: BackendName): Promise<BackendName> {
  const request = wanted ?? forcedBackend() ?? 'auto';
  if (current && currentWanted === request) return current;
  currentWanted = request;
  current = (async () => {
    if (request !== 'auto') {
      try {
        await tryLoad(request);
      } catch (e) {
        throw new BackendError(
          `The ${request} backend was requested but cannot load: ${e instanceof Error ? e.message : String(e)}`,
        );
      }
      return request;
    }
    const failures: string[] = [];
    for (const name of BACKENDS) {
      try {
        await tryLoad(name);
        return name;
      } catch (e) {
        failures.push(`${name}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
      }
    }
    throw new BackendError(`No TensorFlow.js backend could load (${failures.join('; ')}).`);
  })();
  current.catch(() => {
    current = undefined;
    currentWanted = undefined;
  });
  return current;
}

/** The backend in use now, as a Netloom name. */
export function activeBackend(): BackendName {
  const b = tf.getBackend();
  if (isBackendName(b)) return b;
  throw new BackendError(`unexpected active backend "${b}"`);
}
