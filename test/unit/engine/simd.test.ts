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

  it('gemm_packed is gemm, exactly, and writes nothing outside C and its scratch (N off 16 and 8; K over several chunks; M over several row blocks; A or Aᵀ)', async () => {
    await initBackend('wasm');
    await tf.setBackend('wasm');
    const simd = simdKernels(tf.backend());
    let seed = 9;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
    const guard = 8;
    // M over several 64-row blocks too (65, 129: a last block of 1; 130).
    const sizes = [
      ...[1, 2, 3, 4, 5, 6, 9].flatMap((M) =>
        [1, 3, 7, 8, 9, 15, 16, 17, 24, 29, 33].flatMap((N) => [1, 5, 256, 300, 600].map((K) => [M, N, K])),
      ),
      ...[65, 129, 130].flatMap((M) => [16, 33].flatMap((N) => [5, 300].map((K) => [M, N, K]))),
    ] as [number, number, number][];
    for (const [M, N, K] of sizes) {
      for (const transposed of [false, true]) {
        const av = Float32Array.from({ length: M * K }, rand);
        const bv = Float32Array.from({ length: K * N }, rand);
        const aAt = (i: number, k: number) => av[transposed ? k * M + i : i * K + k]!;
        const scratchLength = Math.min(K, 256) * N;
        const a = tf.tensor1d(av);
        const b = tf.tensor1d(bv);
        // C and the scratch with guard floats after them, which must stay NaN.
        const c = tf.tensor1d(new Float32Array(M * N + guard).fill(NaN));
        const w = tf.tensor1d(new Float32Array(scratchLength + guard).fill(NaN));
        const be = tf.backend();
        const strides = (transposed ? [1, M] : [K, 1]) as [number, number];
        simd.gemm_packed(
          heapOffset(be, a),
          heapOffset(be, b),
          heapOffset(be, c),
          M,
          K,
          N,
          ...strides,
          heapOffset(be, w),
        );
        const got = c.dataSync();
        const want = new Float32Array(M * N);
        for (let i = 0; i < M; i++)
          for (let j = 0; j < N; j++) {
            let sum = 0;
            for (let k = 0; k < K; k++) sum = Math.fround(sum + Math.fround(aAt(i, k) * bv[k * N + j]!));
            want[i * N + j] = sum;
          }
        const label = `M ${M} N ${N} K ${K}${transposed ? ' Aᵀ' : ''}`;
        expect(Array.from(got.subarray(0, M * N)), label).toEqual(Array.from(want));
        expect(Array.from(got.subarray(M * N)).every(Number.isNaN), `${label}: after C`).toBe(true);
        expect(
          Array.from(w.dataSync().subarray(scratchLength)).every(Number.isNaN),
          `${label}: after w`,
        ).toBe(true);
        tf.dispose([a, b, c, w]);
      }
    }
    await tf.setBackend('cpu');
  });
});
