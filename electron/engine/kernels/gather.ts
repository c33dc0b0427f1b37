/**
 * GatherV2 for the wasm backend, along axis 0 (an embedding lookup). wasm's own computes every
 * output element's source index separately: 10-12 ms to look up 6,400 rows of a [10000, 32] table,
 * ~6% of an LSTM or transformer training step. This one copies whole rows. Other gathers, and any
 * index out of range (left to wasm's own handling), go to wasm's kernel.
 */
import * as tf from '@tensorflow/tfjs';
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
    const rows = x.shape[0]!;
    const idx = backend.typedArrayFromHeap(indices) as Int32Array;
    for (let i = 0; i < idx.length; i++) if (!(idx[i]! >= 0 && idx[i]! < rows)) return original(args);
    const inner = tf.util.sizeFromShape(x.shape.slice(1));
    const out = backend.makeOutput([...indices.shape, ...x.shape.slice(1)], x.dtype);
    // Views after the allocation (it may grow the heap and detach earlier views).
    const src = backend.typedArrayFromHeap(x);
    const dst = backend.typedArrayFromHeap(out);
    const ids = backend.typedArrayFromHeap(indices) as Int32Array;
    if (inner === 1) for (let i = 0; i < ids.length; i++) dst[i] = src[ids[i]!]!;
    else {
      // Rows copied within one view of the heap (copyWithin copies the bytes, whatever the dtype),
      // with no view made per row: 2.4x faster than set(subarray) for 3,200-12,800 rows of 32.
      const heap = new Int32Array(src.buffer);
      const s0 = src.byteOffset >> 2;
      const d0 = dst.byteOffset >> 2;
      for (let i = 0; i < ids.length; i++) {
        const r = s0 + ids[i]! * inner;
        heap.copyWithin(d0 + i * inner, r, r + inner);
      }
    }
    return out;
  };
}
