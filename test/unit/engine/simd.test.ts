/** Netloom's WebAssembly SIMD kernels: the committed bytes are the assembled kernels.wat. */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../../../electron/engine/backend';
import { KERNELS_WASM_BASE64 } from '../../../electron/engine/kernels/simd/kernels.generated';
import { simdKernels } from '../../../electron/engine/kernels/simd/index';
import { assemble, GENERATED_FILE, generatedSource } from '../../../scripts/write-wasm';
import { readFileSync } from 'node:fs';

describe('SIMD kernels', () => {
  it('kernels.generated.ts is kernels.wat assembled (run `npm run wasm` after editing the .wat)', async () => {
    const bytes = await assemble();
    expect(Buffer.from(KERNELS_WASM_BASE64, 'base64').equals(Buffer.from(bytes))).toBe(true);
    expect(readFileSync(GENERATED_FILE, 'utf8')).toBe(generatedSource(bytes));
  });

  it('bind to the wasm backend memory only', async () => {
    await initBackend('wasm');
    await tf.setBackend('wasm');
    expect(typeof simdKernels(tf.backend()).adam).toBe('function');
    await tf.setBackend('cpu');
    expect(() => simdKernels(tf.backend())).toThrow(/need the wasm backend/);
  });
});
