/**
 * GatherV2 for the wasm backend, along axis 0 (an embedding lookup). wasm's own computes every
 * output element's source index separately: 10-12 ms to look up 6,400 rows of a [10000, 32] table,
 * ~6% of an LSTM or transformer training step. This one copies whole rows: kernels.wat `gather_rows`
 * (ids checked, then a memory.copy per row; a JS loop of copyWithin took 0.3-0.7 ms for 3,200 rows of
 * 32). Other gathers, and any index out of range (left to wasm's own handling), go to wasm's kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { heapOffset, simdKernels } from './simd/index';
import { asWasm } from './wasm';

export function fastGather(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const backend = asWasm(args.backend);
    const { x, indices } = args.inputs as unknown as { x: tf.TensorInfo; indices: tf.TensorInfo };
    const { axis, batchDims } = args.attrs as unknown as tf.GatherV2Attrs;
    const rank = x.shape.length;
    const along = axis < 0 ? axis + rank : axis;
    if (along !== 0 || (batchDims ?? 0) !== 0 || rank === 0 || indices.dtype !== 'int32')
      return original(args);
    if (x.dtype !== 'float32' && x.dtype !== 'int32') return original(args);
    const inner = tf.util.sizeFromShape(x.shape.slice(1));
    const out = backend.makeOutput([...indices.shape, ...x.shape.slice(1)], x.dtype);
    const at = (t: tf.TensorInfo) => heapOffset(backend, t);
    const n = tf.util.sizeFromShape(indices.shape);
    if (simdKernels(backend).gather_rows(at(x), at(indices), at(out), n, inner, x.shape[0]!) === 1)
      return out;
    backend.disposeData(out.dataId);
    return original(args);
  };
}
