/** Netloom's WebAssembly SIMD kernels: the committed bytes are the assembled kernels.wat. */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../../../electron/engine/backend';
import { KERNELS_WASM_BASE64 } from '../../../electron/engine/kernels/simd/kernels.generated';
import { heapOffset, simdKernels } from '../../../electron/engine/kernels/simd/index';
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

  it('gemm sums each element over k in order in float32, exactly, for every block edge (M, N off 4 and 8; K over several chunks; A or Aᵀ)', async () => {
    await initBackend('wasm');
    await tf.setBackend('wasm');
    const simd = simdKernels(tf.backend());
    let seed = 5;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
    for (const M of [1, 3, 4, 5, 9])
      for (const N of [1, 2, 3, 4, 5, 6, 7, 9, 10, 12, 13])
        for (const K of [1, 7, 300]) {
          for (const transposed of [false, true]) {
            const av = Float32Array.from({ length: M * K }, rand);
            const bv = Float32Array.from({ length: K * N }, rand);
            // A's (i, k) element: av[i·K + k], or av[k·M + i] stored transposed.
            const aAt = (i: number, k: number) => av[transposed ? k * M + i : i * K + k]!;
            const a = tf.tensor1d(av);
            const b = tf.tensor1d(bv);
            const c = tf.tensor1d(new Float32Array(M * N).fill(NaN));
            const be = tf.backend();
            simd.gemm(
              heapOffset(be, a),
              heapOffset(be, b),
              heapOffset(be, c),
              M,
              K,
              N,
              ...((transposed ? [1, M] : [K, 1]) as [number, number]),
            );
            const got = c.dataSync();
            const want = new Float32Array(M * N);
            for (let i = 0; i < M; i++)
              for (let j = 0; j < N; j++) {
                let sum = 0;
                for (let k = 0; k < K; k++) sum = Math.fround(sum + Math.fround(aAt(i, k) * bv[k * N + j]!));
                want[i * N + j] = sum;
              }
            expect(Array.from(got), `M ${M} N ${N} K ${K}${transposed ? ' Aᵀ' : ''}`).toEqual(
              Array.from(want),
            );
            tf.dispose([a, b, c]);
          }
        }
    await tf.setBackend('cpu');
  });
});
