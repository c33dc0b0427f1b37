/**
 * Tile for the wasm backend. wasm's own computes every output element's source index separately
 * (tiling LayerNormalization's [1, 1, 32] scale to [64, 100, 32] took ~100 ms, 90% of a
 * LayerNormalization step); this one copies whole rows of the last axis: out row (i0, ..., i[n-2])
 * is x's row (i0 mod s0, ...) repeated reps[n-1] times.
 */
import * as tf from '@tensorflow/tfjs';
import { asWasm } from './wasm';

export function fastTile(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const backend = asWasm(args.backend);
    const { x } = args.inputs as unknown as { x: tf.TensorInfo };
    const { reps } = args.attrs as unknown as tf.TileAttrs;
    if (x.dtype === 'string' || x.dtype === 'complex64' || x.shape.length === 0) return original(args);
    const shape = x.shape;
    const n = shape.length;
    const outShape = shape.map((s, i) => s * (reps[i] ?? 1));
    const out = backend.makeOutput(outShape, x.dtype);
    const xv = backend.typedArrayFromHeap(x);
    const ov = backend.typedArrayFromHeap(out);
    const rowIn = shape[n - 1]!;
    const rowReps = reps[n - 1] ?? 1;
    const rowOut = rowIn * rowReps;
    const rows = rowOut === 0 ? 0 : ov.length / rowOut;
    const inStrides = tf.util.computeStrides(shape);
    // Odometer over the output's outer axes, tracking the source row's offset.
    const idx = new Array<number>(Math.max(0, n - 1)).fill(0);
    let src = 0;
    for (let r = 0, dst = 0; r < rows; r++, dst += rowOut) {
      if (rowIn === 1) ov.fill(xv[src]!, dst, dst + rowOut);
      else {
        const row = xv.subarray(src, src + rowIn);
        for (let k = 0; k < rowReps; k++) ov.set(row, dst + k * rowIn);
      }
      for (let d = n - 2; d >= 0; d--) {
        const stride = inStrides[d] ?? 1;
        idx[d]!++;
        const wrapped = idx[d]! % shape[d]! === 0;
        src += wrapped ? -(shape[d]! - 1) * stride : stride;
        if (idx[d]! < outShape[d]!) break;
        idx[d] = 0;
      }
    }
    return out;
  };
}
