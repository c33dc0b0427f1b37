/**
 * UnsortedSegmentSum for the wasm backend (the gradient of a gather, so of Embedding and
 * PositionalEmbedding): out[s, ...] = sum of x[i, ...] over the i with segmentIds[i] = s. `segmentIds`
 * covers the leading axes of x; ids outside [0, numSegments) are dropped, as in TensorFlow.
 *
 * float32 with int32 ids: kernels.wat `segment_sum` (the output cleared, then rows added four floats
 * at a time, in the same order as the loop below: the same sums). An LSTM template's embedding
 * gradient ([3,200, 32] rows into [10,000, 32]) took 0.5-0.9 ms a step in that loop, whose typed
 * arrays are float32 or int32 (a polymorphic loop); ~0.1 ms in the kernel. Anything else: the loop.
 */
import * as tf from '@tensorflow/tfjs';
import { heapOffset, simdKernels } from './simd/index';
import { asWasm, i32 } from './wasm';

export const unsortedSegmentSum: tf.KernelFunc = ({ inputs, backend: b, attrs }) => {
  const backend = asWasm(b);
  const { x, segmentIds } = inputs as unknown as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
  const { numSegments } = attrs as unknown as tf.UnsortedSegmentSumAttrs;
  if (x.dtype !== 'float32' && x.dtype !== 'int32')
    throw new Error(`UnsortedSegmentSum: unsupported dtype ${x.dtype}`);
  const rows = tf.util.sizeFromShape(segmentIds.shape);
  const inner = rows === 0 ? 0 : tf.util.sizeFromShape(x.shape) / rows;
  const outShape = [numSegments, ...x.shape.slice(segmentIds.shape.length)];
  const out = backend.makeOutput(outShape, x.dtype);
  if (x.dtype === 'float32' && segmentIds.dtype === 'int32') {
    const at = (t: tf.TensorInfo) => heapOffset(backend, t);
    simdKernels(backend).segment_sum(at(x), at(segmentIds), at(out), rows, inner, numSegments);
    return out;
  }
  // Views only after the allocation (it can grow, and so detach, the heap).
  const ids = i32(backend, segmentIds);
  const xv = backend.typedArrayFromHeap(x) as Float32Array | Int32Array;
  const ov = backend.typedArrayFromHeap(out) as Float32Array | Int32Array;
  ov.fill(0);
  for (let i = 0; i < rows; i++) {
    const s = ids[i]!;
    if (s < 0 || s >= numSegments) continue;
    const src = i * inner;
    const dst = s * inner;
    for (let j = 0; j < inner; j++) ov[dst + j]! += xv[src + j]!;
  }
  return out;
};
