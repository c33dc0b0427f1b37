/**
 * Sum for the wasm backend, over leading axes. wasm's own reduces the last axes only, so a sum over
 * the first (every bias gradient: [batch, ..., units] -> [units]) transposes the whole tensor first:
 * 6.7 ms for an LSTM's [6400, 256] gate gradients, where a product with a row of ones on the matrix
 * path takes 0.5 ms. Other reductions go to wasm's own kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { asWasm, dispose, f32, reshaped, runWasmKernel } from './wasm';

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
    const ones = backend.makeOutput([1, 1, rows], 'float32');
    f32(backend, ones).fill(1);
    const x3 = reshaped(backend, x, [1, rows, cols]);
    const product = runWasmKernel(
      backend,
      tf.BatchMatMul,
      { a: ones, b: x3 },
      { transposeA: false, transposeB: false },
    );
    const outShape = keepDims ? x.shape.map((d, i) => (i < axes.length ? 1 : d)) : x.shape.slice(axes.length);
    const out = reshaped(backend, product, outShape);
    dispose(backend, ones, x3, product);
    return out;
  };
}
