/**
 * Sum for the wasm backend, over leading axes. wasm's own reduces the last axes only, so a sum over
 * the first (every bias gradient: [batch, ..., units] -> [units]) transposes the whole tensor first:
 * 6.7 ms for an LSTM's [6400, 256] gate gradients. Here one SIMD pass adds the rows up in order
 * (kernels.wat `sum_rows`; [256, 128] in ~40 µs, where the product with a row of ones it replaces
 * took ~80 µs, XNNPACK packing the tensor every call). The same sums in the same order as that
 * product, bit for bit: training runs are unchanged (a run is chaotic enough that summing pairs of
 * rows first, tried for column counts not a multiple of 4, moved the CNN acceptance run on MNIST
 * from 0.979 to 0.969). Other reductions go to wasm's own kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { heapOffset, simdKernels } from './simd/index';
import { asWasm } from './wasm';

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
    simdKernels(backend).sum_rows(heapOffset(backend, x), heapOffset(backend, out), rows, cols);
    return out;
  };
}
