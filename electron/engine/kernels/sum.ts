/**
 * Sum for the wasm backend, over leading axes. wasm's own reduces the last axes only, so a sum over
 * the first (every bias gradient: [batch, ..., units] -> [units]) transposes the whole tensor first:
 * 6.7 ms for an LSTM's [6400, 256] gate gradients. Here one SIMD pass adds the rows up
 * (kernels.wat `sum_rows`; [256, 128] in ~10 µs, where a product with a row of ones took ~80 µs,
 * XNNPACK packing the tensor every call). Fewer than 4 columns, or a count that is not a multiple
 * of 4 (LeNet's 6 channels), would leave most of each row to the scalar tail: then k consecutive
 * rows are summed as one row of k·cols (a multiple of 4) and the k partial sums folded, rows left
 * over added last. Other reductions go to wasm's own kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { heapOffset, simdKernels } from './simd/index';
import { asWasm, dispose, f32 } from './wasm';

/** Rows summed together as one: the least k with k·cols a multiple of 4, when that row stays short. */
function rowsPerLine(cols: number): number {
  const k = cols % 4 === 0 ? 1 : cols % 2 === 0 ? 2 : 4;
  return k * cols <= 64 ? k : 1;
}

export function fastSum(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const backend = asWasm(args.backend);
    const { x } = args.inputs as unknown as { x: tf.TensorInfo };
    const { axis, keepDims } = args.attrs as unknown as tf.SumAttrs;
    const rank = x.shape.length;
    const axes = tf.util
      .parseAxisParam(axis, x.shape)
      .map((a) => (a < 0 ? a + rank : a))
      .sort((p, q) => p - q);
    // Only a reduction over exactly the axes 0..k-1, leaving at least one axis.
    const leading = axes.length > 0 && axes.length < rank && axes.every((a, i) => a === i);
    const rows = tf.util.sizeFromShape(x.shape.slice(0, axes.length));
    const cols = tf.util.sizeFromShape(x.shape.slice(axes.length));
    if (x.dtype !== 'float32' || !leading || rows < 2 || cols === 0) return original(args);
    const outShape = keepDims ? x.shape.map((d, i) => (i < axes.length ? 1 : d)) : x.shape.slice(axes.length);
    const out = backend.makeOutput(outShape, 'float32');
    const simd = simdKernels(backend);
    const k = rowsPerLine(cols);
    const lines = Math.floor(rows / k);
    if (k === 1) {
      simd.sum_rows(heapOffset(backend, x), heapOffset(backend, out), rows, cols);
      return out;
    }
    const partial = backend.makeOutput([k * cols], 'float32');
    simd.sum_rows(heapOffset(backend, x), heapOffset(backend, partial), lines, k * cols);
    const p = f32(backend, partial);
    const xs = f32(backend, x);
    const o = f32(backend, out);
    for (let c = 0; c < cols; c++) {
      let s = p[c]!;
      for (let j = 1; j < k; j++) s = Math.fround(s + p[j * cols + c]!);
      for (let r = lines * k; r < rows; r++) s = Math.fround(s + xs[r * cols + c]!);
      o[c] = s;
    }
    dispose(backend, partial);
    return out;
  };
}
