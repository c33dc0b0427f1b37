/**
 * BatchMatMul for the wasm backend, wrapping wasm's own. Measured here (tfjs 4.22, Node, SIMD): its
 * XNNPACK path serves only untransposed, unbatched products; with transposeA or transposeB it falls
 * to a naive loop 10-20x slower ([6400, 64]ᵀ·[6400, 32]: 22 ms against 1.3 ms). Every matMul
 * gradient (Dense, attention projections, convolutions via im2col) asks for a transposed product.
 * So: a transposed operand of an unbatched product is transposed for real first (wasm's Transpose,
 * ~0.5 ms for 200k floats) and the product runs untransposed; a batched a times one shared b is
 * folded into one unbatched product. Batched products with per-item b stay on wasm's loop.
 */
import * as tf from '@tensorflow/tfjs';
import { asWasm, dispose, reshaped, transpose } from './wasm';

export function fastBatchMatMul(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const backend = asWasm(args.backend);
    const { a, b } = args.inputs as unknown as { a: tf.TensorInfo; b: tf.TensorInfo };
    const { transposeA, transposeB } = args.attrs as unknown as tf.BatchMatMulAttrs;
    if (a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length < 2 || b.shape.length < 2)
      return original(args);
    const outerA = a.shape.slice(0, -2);
    const outerB = b.shape.slice(0, -2);
    const batchA = tf.util.sizeFromShape(outerA);
    const batchB = tf.util.sizeFromShape(outerB);
    const [aR, aC] = a.shape.slice(-2) as [number, number];
    const [bR, bC] = b.shape.slice(-2) as [number, number];
    const nn = { transposeA: false, transposeB: false };
    if (batchB === 1 && batchA > 1 && !transposeA && outerB.length <= outerA.length) {
      // [..., M, K] x [K, N]: one [batch*M, K] x [K, N] product.
      const a2 = reshaped(backend, a, [1, batchA * aR, aC]);
      const b2 = transposeB ? transposeLast(backend, b) : reshaped(backend, b, [1, bR, bC]);
      const out = original({ inputs: { a: a2, b: b2 }, attrs: nn, backend: args.backend });
      dispose(backend, a2, b2);
      const o = out as tf.TensorInfo;
      const shaped = reshaped(backend, o, [...outerA, aR, o.shape[o.shape.length - 1]!]);
      dispose(backend, o);
      return shaped;
    }
    if (batchA !== 1 || batchB !== 1 || (!transposeA && !transposeB)) return original(args);
    const a2 = transposeA ? transposeLast(backend, a) : a;
    const b2 = transposeB ? transposeLast(backend, b) : b;
    const out = original({ inputs: { a: a2, b: b2 }, attrs: nn, backend: args.backend });
    if (transposeA) dispose(backend, a2);
    if (transposeB) dispose(backend, b2);
    return out;
  };
}

/** [..., r, c] with one item -> a new [..., c, r] tensor (its leading axes kept, all of size 1). */
function transposeLast(backend: ReturnType<typeof asWasm>, t: tf.TensorInfo): tf.TensorInfo {
  const [r, c] = t.shape.slice(-2) as [number, number];
  const flat = reshaped(backend, t, [r, c]);
  const tt = transpose(backend, flat, [1, 0]);
  const out = reshaped(backend, tt, [...t.shape.slice(0, -2).map(() => 1), c, r]);
  dispose(backend, flat, tt);
  return out;
}
