/**
 * MaxPoolGrad for the wasm backend. wasm's own took 6.6 ms for LeNet's first pooling gradient
 * ([64, 28, 28, 6] -> [64, 14, 14, 6]), 22% of a CNN training step. This one (kernels.wat
 * `max_pool_grad`, four channels at a time) routes each output's gradient to the position of its
 * window's maximum (the first one in row-major window order on ties, padding excluded, a window of
 * only -inf or NaN routing nowhere: what the cpu backend does), in one pass over the outputs:
 * [32, 28, 28, 6] 1.45 ms as a JS loop, 0.56 ms here. Windows that tile the input (strides = window,
 * no padding: LeNet's 2×2 pools) take `max_pool_grad_tiled`, which writes each position once (its
 * gradient or 0) instead of zeroing dx and adding: the same values, [128, 28, 28, 6] 2.1 -> 0.8 ms.
 */
import * as tf from '@tensorflow/tfjs';
import { heapOffset, simdKernels } from './simd/index';
import { asWasm } from './wasm';

/** `tiled`: false runs the general kernel where the windows tile the input too (tests, benchmarks). */
export const maxPoolTuning = { tiled: true };

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
  const dx = backend.makeOutput(input.shape, 'float32');
  const p = info.padInfo;
  const tiles =
    maxPoolTuning.tiled &&
    info.strideHeight === info.filterHeight &&
    info.strideWidth === info.filterWidth &&
    p.top === 0 &&
    p.left === 0 &&
    info.outHeight * info.filterHeight <= info.inHeight &&
    info.outWidth * info.filterWidth <= info.inWidth &&
    info.inChannels >= 4;
  // The arguments both kernels take first: tensors, batch, input and output sizes, window.
  const common = [
    heapOffset(backend, input),
    heapOffset(backend, dy),
    heapOffset(backend, dx),
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.outHeight,
    info.outWidth,
    info.filterHeight,
    info.filterWidth,
  ] as const;
  if (tiles) simdKernels(backend).max_pool_grad_tiled(...common);
  else simdKernels(backend).max_pool_grad(...common, info.strideHeight, info.strideWidth, p.top, p.left);
  return dx;
};
