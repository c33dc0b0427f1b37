/**
 * UnsortedSegmentSum for the wasm backend (the gradient of a gather, so of Embedding and
 * PositionalEmbedding): out[s, ...] = sum of x[i, ...] over the i with segmentIds[i] = s. `segmentIds`
 * covers the leading axes of x; ids outside [0, numSegments) are dropped, as in TensorFlow.
 */
import * as tf from '@tensorflow/tfjs';
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
