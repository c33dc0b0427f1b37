/**
 * Conv2DBackpropFilter and Conv2DBackpropInput for the wasm backend (the gradients of a
 * convolution's kernel and input; Conv1D, Conv2D and Conv2DTranspose need them), as im2col and
 * col2im (kernels.wat) around Netloom's SIMD product (`gemm`), all on tensors in the wasm memory:
 *
 *   col[(b, oh, ow), (kh, kw, ci)] = x[b, oh*sh - padTop + kh*dh, ow*sw - padLeft + kw*dw, ci] (0 outside)
 *   dW[(kh, kw, ci), co] = sum over (b, oh, ow) of col[(b, oh, ow), (kh, kw, ci)] * dy[(b, oh, ow), co]
 *   dx = col2im(dy · Wᵀ)
 *
 * Any stride, dilation and padding ('valid', 'same', a number, explicit pads), NHWC or NCHW. The
 * columns are built a few images at a time so their memory stays bounded (~16 MB). LeNet's on 32
 * images ([32, 28, 28, 1] 5×5 to 6, then [32, 14, 14, 6] 5×5 to 16): dW 5.8 -> 1.9 ms and 1.0 -> 0.8 ms
 * (the first no longer on the product's scalar edge, im2col no longer in JS), dx 2.9 -> 1.2 ms.
 */
import * as tf from '@tensorflow/tfjs';
import { type ConvGeometry, heapOffset, simdKernels } from './simd/index';
import { asWasm, dispose, f32, reshaped, transpose, type WasmBackend } from './wasm';
import {
  backpropInputDirect,
  directFilterFits,
  directGeometry,
  directInputFits,
  paddedInput,
} from './convDirect';

/** Most floats one block of columns may hold (tests lower it to exercise the blocked path). */
export const conv2dTuning = { colLimit: 1 << 22 };

type Info = tf.backend_util.Conv2DInfo;

/** The convolution's geometry as kernels.wat's im2col and col2im take it. */
const geometry = (c: Info): ConvGeometry => [
  c.inHeight,
  c.inWidth,
  c.inChannels,
  c.outHeight,
  c.outWidth,
  c.filterHeight,
  c.filterWidth,
  c.strideHeight,
  c.strideWidth,
  c.dilationHeight,
  c.dilationWidth,
  c.padInfo.top,
  c.padInfo.left,
];

/** Fills `col` [rows, KH·KW·CI] with the columns of images [b0, b1) (kernels.wat `im2col`). */
function im2col(backend: WasmBackend, x: tf.TensorInfo, col: tf.TensorInfo, c: Info, b0: number, b1: number) {
  simdKernels(backend).im2col(heapOffset(backend, x), heapOffset(backend, col), b0, b1, ...geometry(c));
}

/**
 * dW for NHWC x and dy as im2col + Netloom's SIMD product; returns a new wasm tensor [KH, KW, CI, CO].
 * The product runs in whichever orientation leaves the least to its scalar edge (it takes 8 output
 * columns at a time): colᵀ·dy [K, CO] when CO is a multiple of 8 (LeNet's second convolution,
 * K = 150, CO = 16), dyᵀ·col [CO, K] then transposed when K is closer to one (its first, K = 25,
 * CO = 6: 16.8 -> 2.1 ms a step on 32 images).
 */
export function backpropFilterMatMul(backend: WasmBackend, x: tf.TensorInfo, dy: tf.TensorInfo, c: Info) {
  const { batchSize: B, outHeight: OH, outWidth: OW, outChannels: CO } = c;
  const K = c.filterHeight * c.filterWidth * c.inChannels;
  const perImage = OH * OW * K;
  const step = Math.max(1, Math.min(B, Math.floor(conv2dTuning.colLimit / Math.max(1, perImage))));
  if (directFilterFits(c)) return backpropFilterDirect(backend, x, dy, c, step);
  const transposed = CO * (K % 8) < K * (CO % 8);
  const simd = simdKernels(backend);
  const out = backend.makeOutput(c.filterShape, 'float32');
  const prod = backend.makeOutput(transposed ? [CO, K] : [K, CO], 'float32');
  const acc = step < B ? new Float32Array(K * CO) : undefined;
  for (let b0 = 0; b0 < B; b0 += step) {
    const b1 = Math.min(B, b0 + step);
    const rows = (b1 - b0) * OH * OW;
    const col = backend.makeOutput([rows, K], 'float32');
    const pdy = heapOffset(backend, dy) + 4 * b0 * OH * OW * CO;
    im2col(backend, x, col, c, b0, b1);
    if (transposed) simd.gemm(pdy, heapOffset(backend, col), heapOffset(backend, prod), CO, rows, K, 1, CO);
    else simd.gemm(heapOffset(backend, col), pdy, heapOffset(backend, prod), K, rows, CO, 1, K);
    dispose(backend, col);
    if (acc) {
      const p = f32(backend, prod);
      for (let i = 0; i < acc.length; i++) acc[i]! += p[i]!;
    }
  }
  const sum = acc ?? f32(backend, prod);
  const o = f32(backend, out);
  if (!transposed) o.set(sum);
  else for (let co = 0; co < CO; co++) for (let k = 0; k < K; k++) o[k * CO + co] = sum[co * K + k]!;
  dispose(backend, prod);
  return out;
}

/**
 * dW through kernels.wat `conv_filter_grad` (no columns), for the same blocks of `step` images as
 * the columns' path and their sums added in the same order: the same bits.
 */
function backpropFilterDirect(
  backend: WasmBackend,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  c: Info,
  step: number,
) {
  const B = c.batchSize;
  const K = c.filterHeight * c.filterWidth * c.inChannels;
  const { xp, Hp, Wp, owned } = paddedInput(backend, x, c);
  const out = backend.makeOutput(c.filterShape, 'float32');
  const prod = step < B ? backend.makeOutput([K, c.outChannels], 'float32') : out;
  const acc = step < B ? new Float32Array(K * c.outChannels) : undefined;
  const simd = simdKernels(backend);
  for (let b0 = 0; b0 < B; b0 += step) {
    const b1 = Math.min(B, b0 + step);
    const [px, pdy, pp] = [heapOffset(backend, xp), heapOffset(backend, dy), heapOffset(backend, prod)];
    simd.conv_filter_grad(px, pdy, pp, b0, b1, ...directGeometry(c, Hp, Wp));
    if (acc) {
      const p = f32(backend, prod);
      for (let i = 0; i < acc.length; i++) acc[i]! += p[i]!;
    }
  }
  if (acc) {
    f32(backend, out).set(acc);
    dispose(backend, prod);
  }
  if (owned) dispose(backend, xp);
  return out;
}

function dilationsOf(attrs: tf.NamedAttrMap): [number, number] | number {
  const d = attrs.dilations as [number, number] | number | undefined;
  return d ?? 1;
}

export const conv2dBackpropFilter: tf.KernelFunc = ({ inputs, backend: b, attrs }) => {
  const backend = asWasm(b);
  const a = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  let { x, dy } = inputs as unknown as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const format = tf.backend_util.convertConv2DDataFormat(a.dataFormat);
  const nchw = format === 'channelsFirst';
  if (nchw) {
    x = transpose(backend, x, [0, 2, 3, 1]);
    dy = transpose(backend, dy, [0, 2, 3, 1]);
  }
  const c = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    a.filterShape,
    a.strides,
    dilationsOf(attrs as tf.NamedAttrMap),
    a.pad,
    a.dimRoundingMode,
  );
  const out = backpropFilterMatMul(backend, x, dy, c);
  if (nchw) dispose(backend, x, dy);
  return out;
};

/**
 * Conv2DBackpropInput (wasm has one; this one is used only where it is faster or more general):
 * dcol = dy · Wᵀ on Netloom's SIMD product, then added back into the image (kernels.wat `col2im`,
 * the adjoint of im2col). Returns a new wasm tensor of the NHWC input's shape.
 */
export function backpropInputMatMul(backend: WasmBackend, dy: tf.TensorInfo, w: tf.TensorInfo, c: Info) {
  const { batchSize: B, outHeight: OH, outWidth: OW, outChannels: CO } = c;
  const K = c.filterHeight * c.filterWidth * c.inChannels;
  const step = Math.max(1, Math.min(B, Math.floor(conv2dTuning.colLimit / Math.max(1, OH * OW * K))));
  const out = backend.makeOutput(c.inShape, 'float32');
  const w2 = reshaped(backend, w, [K, CO]);
  const wT = transpose(backend, w2, [1, 0]);
  const col = backend.makeOutput([step * OH * OW, K], 'float32');
  f32(backend, out).fill(0);
  const simd = simdKernels(backend);
  for (let b0 = 0; b0 < B; b0 += step) {
    const b1 = Math.min(B, b0 + step);
    const pdy = heapOffset(backend, dy) + 4 * b0 * OH * OW * CO;
    simd.gemm(pdy, heapOffset(backend, wT), heapOffset(backend, col), (b1 - b0) * OH * OW, CO, K, CO, 1);
    simd.col2im(heapOffset(backend, col), heapOffset(backend, out), b0, b1, ...geometry(c));
  }
  dispose(backend, w2, wT, col);
  return out;
}

export const conv2dBackpropInput: tf.KernelFunc = ({ inputs, backend: b, attrs }) => {
  const backend = asWasm(b);
  const a = attrs as unknown as tf.Conv2DBackpropInputAttrs;
  let { dy } = inputs as unknown as { dy: tf.TensorInfo };
  const { filter } = inputs as unknown as { filter: tf.TensorInfo };
  const format = tf.backend_util.convertConv2DDataFormat(a.dataFormat);
  const nchw = format === 'channelsFirst';
  let inShape = a.inputShape;
  if (nchw) {
    dy = transpose(backend, dy, [0, 2, 3, 1]);
    inShape = [inShape[0], inShape[2], inShape[3], inShape[1]];
  }
  const c = tf.backend_util.computeConv2DInfo(
    inShape,
    filter.shape as [number, number, number, number],
    a.strides,
    dilationsOf(attrs as tf.NamedAttrMap),
    a.pad,
    a.dimRoundingMode,
  );
  const out = directInputFits(c)
    ? backpropInputDirect(backend, dy, filter, c)
    : backpropInputMatMul(backend, dy, filter, c);
  if (!nchw) return out;
  dispose(backend, dy);
  const t = transpose(backend, out, [0, 3, 1, 2]);
  dispose(backend, out);
  return t;
};
