/**
 * BatchMatMul for the wasm backend, wrapping wasm's own. Measured here (tfjs 4.22, Node, SIMD): its
 * XNNPACK path serves only untransposed, unbatched products; with transposeA or transposeB it falls
 * to a naive loop 10-20x slower ([6400, 64]ᵀ·[6400, 32]: 22 ms against 1.3 ms). Every matMul
 * gradient (Dense, attention projections, convolutions via im2col) asks for a transposed product.
 * So: a transposed operand of an unbatched product is transposed for real first (wasm's Transpose,
 * ~0.5 ms for 200k floats) and the product runs untransposed; a batched a times one shared b is
 * folded into one unbatched product. A batched product with a b per item (attention: [64, 2, 100, 100]
 * · [64, 2, 100, 16], 22 ms on wasm's loop, 1.9 GFLOP/s) runs item by item on the fast path when the
 * items are large enough to pay for a kernel call each (10 ms for those 128 items): the operands are
 * transposed once as a whole if needed, each item copied into its own tensor (the XNNPACK operator
 * wasm caches is keyed by b's tensor, so items never share one), and the products copied out.
 */
import * as tf from '@tensorflow/tfjs';
import { asWasm, dispose, f32, reshaped, transpose } from './wasm';

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
    if (batchA > 1 && batchA === batchB && outerA.join() === outerB.join()) {
      const m = transposeA ? aC : aR;
      const k = transposeA ? aR : aC;
      const n = transposeB ? bR : bC;
      if (m * k * n >= PER_ITEM_MIN_WORK)
        return perItem(backend, original, args.backend, a, b, transposeA, transposeB);
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

/**
 * Multiply-adds per item from which item-by-item products beat wasm's batched loop: a kernel call
 * costs ~25 µs, the loop runs at ~1.9 GFLOP/s and the fast path at ~15 (break-even near 27k).
 */
export const PER_ITEM_MIN_WORK = 32_768;

/** Same-shaped batches of items: each product on the fast (untransposed, unbatched) path. */
function perItem(
  backend: ReturnType<typeof asWasm>,
  original: tf.KernelFunc,
  kernelBackend: unknown,
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
): tf.TensorInfo {
  const outer = a.shape.slice(0, -2);
  const batch = tf.util.sizeFromShape(outer);
  const a3 = transposeA
    ? transposeItems(backend, a, batch)
    : reshaped(backend, a, [batch, ...a.shape.slice(-2)]);
  const b3 = transposeB
    ? transposeItems(backend, b, batch)
    : reshaped(backend, b, [batch, ...b.shape.slice(-2)]);
  const [, m, k] = a3.shape as [number, number, number];
  const n = b3.shape[2]!;
  const out = backend.makeOutput([...outer, m, n], 'float32');
  const nn = { transposeA: false, transposeB: false };
  for (let i = 0; i < batch; i++) {
    const ai = backend.makeOutput([1, m, k], 'float32');
    const bi = backend.makeOutput([1, k, n], 'float32');
    // Views after the allocations (an allocation may grow the heap and detach earlier views).
    f32(backend, ai).set(f32(backend, a3).subarray(i * m * k, (i + 1) * m * k));
    f32(backend, bi).set(f32(backend, b3).subarray(i * k * n, (i + 1) * k * n));
    const oi = original({
      inputs: { a: ai, b: bi },
      attrs: nn,
      backend: kernelBackend as never,
    }) as tf.TensorInfo;
    f32(backend, out).set(f32(backend, oi), i * m * n);
    dispose(backend, ai, bi, oi);
  }
  dispose(backend, a3, b3);
  return out;
}

/** [..., r, c] -> a new [batch, c, r] tensor. */
function transposeItems(backend: ReturnType<typeof asWasm>, t: tf.TensorInfo, batch: number): tf.TensorInfo {
  const [r, c] = t.shape.slice(-2) as [number, number];
  const flat = reshaped(backend, t, [batch, r, c]);
  const tt = transpose(backend, flat, [0, 2, 1]);
  dispose(backend, flat);
  return tt;
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
