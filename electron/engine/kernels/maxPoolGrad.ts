/**
 * MaxPoolGrad for the wasm backend. wasm's own took 6.6 ms for LeNet's first pooling gradient
 * ([64, 28, 28, 6] -> [64, 14, 14, 6]), 22% of a CNN training step. This one routes each output's
 * gradient to the position of its window's maximum (the first one in row-major window order on
 * ties, padding excluded, a window of only -inf or NaN routing nowhere: what the cpu backend does), in one pass over the outputs.
 */
import * as tf from '@tensorflow/tfjs';
import { asWasm, f32 } from './wasm';

export const maxPoolGrad: tf.KernelFunc = (args) => {
  const backend = asWasm(args.backend);
  const { dy, input } = args.inputs as unknown as { dy: tf.TensorInfo; input: tf.TensorInfo };
  const { filterSize, strides, pad, dimRoundingMode } = args.attrs as unknown as tf.MaxPoolGradAttrs;
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    filterSize,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth } = info;
  const { strideHeight, strideWidth, filterHeight, filterWidth } = info;
  const { top, left } = info.padInfo;
  const dx = backend.makeOutput(input.shape, 'float32');
  // Views after the allocation (it may grow the heap and detach earlier views).
  const out = f32(backend, dx);
  const x = f32(backend, input);
  const g = f32(backend, dy);
  out.fill(0);
  const C = inChannels;
  for (let b = 0; b < batchSize; b++) {
    const xBase = b * inHeight * inWidth * C;
    for (let yR = 0; yR < outHeight; yR++) {
      const r0 = yR * strideHeight - top;
      const rStart = Math.max(0, r0);
      const rEnd = Math.min(inHeight, r0 + filterHeight);
      for (let yC = 0; yC < outWidth; yC++) {
        const c0 = yC * strideWidth - left;
        const cStart = Math.max(0, c0);
        const cEnd = Math.min(inWidth, c0 + filterWidth);
        const gBase = ((b * outHeight + yR) * outWidth + yC) * C;
        for (let d = 0; d < C; d++) {
          let best = -Infinity;
          let at = -1;
          for (let r = rStart; r < rEnd; r++)
            for (let c = cStart; c < cEnd; c++) {
              const i = xBase + (r * inWidth + c) * C + d;
              const v = x[i]!;
              // Strictly greater, from -inf (as cpu): a window of only -inf or NaN routes nowhere.
              if (v > best) {
                best = v;
                at = i;
              }
            }
          if (at >= 0) out[at] = out[at]! + g[gBase + d]!;
        }
      }
    }
  }
  return dx;
};
