/**
 * Add for the wasm backend, wrapping wasm's own. A bias added to every row ([..., n] + [n], or
 * [1, ..., 1, n]: every Conv2D and Dense bias, LayerNormalization's β) goes through wasm's general
 * broadcasting loop, an index computation per element: LeNet's first bias, [32, 28, 28, 6] + [6],
 * took 0.53 ms. Here it is kernels.wat `add_rows`, the same float32 additions four at a time.
 * Anything else (same shapes, other broadcasts, other dtypes) goes to wasm's own kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { heapOffset, simdKernels } from './simd/index';
import { asWasm } from './wasm';

/**
 * The row length n when `small` is added to every row of `big`: small's shape, leading 1s aside, is
 * big's last dimensions, and small has no more dimensions than big (so the result has big's shape).
 */
function rowLength(big: readonly number[], small: readonly number[]): number | undefined {
  if (small.length > big.length) return undefined;
  let i = 0;
  while (i < small.length - 1 && small[i] === 1) i++;
  const row = small.slice(i);
  const tail = big.slice(big.length - row.length);
  return tail.every((d, k) => d === row[k]) ? tf.util.sizeFromShape(row) : undefined;
}

export function fastAdd(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { a, b } = args.inputs as unknown as { a: tf.TensorInfo; b: tf.TensorInfo };
    if (a.dtype !== 'float32' || b.dtype !== 'float32') return original(args);
    const aSize = tf.util.sizeFromShape(a.shape);
    const bSize = tf.util.sizeFromShape(b.shape);
    if (aSize === bSize || aSize === 0 || bSize === 0) return original(args);
    const [big, small] = aSize > bSize ? [a, b] : [b, a];
    const n = rowLength(big.shape, small.shape);
    if (n === undefined) return original(args);
    const backend = asWasm(args.backend);
    const out = backend.makeOutput(big.shape, 'float32');
    const rows = Math.max(aSize, bSize) / n;
    // a + b = b + a exactly in float32: which operand is the row does not matter.
    simdKernels(backend).add_rows(
      heapOffset(backend, big),
      heapOffset(backend, small),
      heapOffset(backend, out),
      rows,
      n,
    );
    return out;
  };
}
