/**
 * Conv2DBackpropFilter for the wasm backend (the gradient of a convolution's kernel; Conv1D, Conv2D
 * and Conv2DTranspose need it), as im2col + the wasm backend's own (XNNPACK) matrix product:
 *
 *   col[(b, oh, ow), (kh, kw, ci)] = x[b, oh*sh - padTop + kh*dh, ow*sw - padLeft + kw*dw, ci] (0 outside)
 *   dW[(kh, kw, ci), co] = sum over (b, oh, ow) of col[(b, oh, ow), (kh, kw, ci)] * dy[(b, oh, ow), co]
 *
 * Any stride, dilation and padding ('valid', 'same', a number, explicit pads), NHWC or NCHW. The
 * columns are built a few images at a time so their memory stays bounded (~16 MB).
 */
import * as tf from '@tensorflow/tfjs';
import { asWasm, dispose, f32, reshaped, runWasmKernel, transpose, type WasmBackend } from './wasm';

/** Most floats one block of columns may hold (tests lower it to exercise the blocked path). */
export const conv2dTuning = { colLimit: 1 << 22 };

type Info = tf.backend_util.Conv2DInfo;

/** The wasm BatchMatMul is fast (XNNPACK) only without transposes: its transposed paths are ~12x slower. */
const NN = { transposeA: false, transposeB: false };

/** For filter column kw: the output columns whose input column is inside the image, [lo, hi). */
function validRange(kw: number, c: Info): [number, number] {
  const off = kw * c.dilationWidth - c.padInfo.left;
  const lo = Math.max(0, Math.ceil(-off / c.strideWidth));
  const hi = Math.min(c.outWidth, Math.floor((c.inWidth - 1 - off) / c.strideWidth) + 1);
  return [lo, Math.max(lo, hi)];
}

/**
 * Fills `colT` [KH*KW*CI, rows] with the transposed columns of images [b0, b1): row (kh, kw, ci),
 * column (b, oh, ow). Laid out this way the product colT · dy needs no transpose, the only form in
 * which the wasm BatchMatMul is fast.
 */
export function im2colT(x: Float32Array, colT: Float32Array, c: Info, b0: number, b1: number): void {
  const { inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = c;
  const { filterHeight: KH, filterWidth: KW, strideHeight: sh, strideWidth: sw } = c;
  const { dilationHeight: dh, dilationWidth: dw } = c;
  const pt = c.padInfo.top;
  const pl = c.padInfo.left;
  const xStep = sw * C;
  let dst = 0;
  for (let kh = 0; kh < KH; kh++)
    for (let kw = 0; kw < KW; kw++) {
      const [lo, hi] = validRange(kw, c);
      const iwLo = lo * sw - pl + kw * dw;
      for (let ci = 0; ci < C; ci++)
        for (let b = b0; b < b1; b++)
          for (let oh = 0; oh < OH; oh++) {
            const ih = oh * sh - pt + kh * dh;
            if (ih < 0 || ih >= H) {
              colT.fill(0, dst, dst + OW);
              dst += OW;
              continue;
            }
            if (lo > 0) colT.fill(0, dst, dst + lo);
            let src = ((b * H + ih) * W + iwLo) * C + ci;
            for (let ow = lo; ow < hi; ow++, src += xStep) colT[dst + ow] = x[src]!;
            if (hi < OW) colT.fill(0, dst + hi, dst + OW);
            dst += OW;
          }
    }
}

/** dW for NHWC x and dy, as im2col + matrix product; returns a new wasm tensor [KH, KW, CI, CO]. */
export function backpropFilterMatMul(backend: WasmBackend, x: tf.TensorInfo, dy: tf.TensorInfo, c: Info) {
  const { batchSize: B, outHeight: OH, outWidth: OW, outChannels: CO } = c;
  const K = c.filterHeight * c.filterWidth * c.inChannels;
  const perImage = OH * OW * K;
  const step = Math.max(1, Math.min(B, Math.floor(conv2dTuning.colLimit / Math.max(1, perImage))));
  if (step >= B) {
    const colT = backend.makeOutput([1, K, B * OH * OW], 'float32');
    im2colT(f32(backend, x), f32(backend, colT), c, 0, B);
    const dy3 = reshaped(backend, dy, [1, B * OH * OW, CO]);
    const prod = runWasmKernel(backend, 'BatchMatMul', { a: colT, b: dy3 }, NN);
    dispose(backend, colT, dy3);
    const out = reshaped(backend, prod, c.filterShape);
    dispose(backend, prod);
    return out;
  }
  // Several blocks of images: accumulate each block's product.
  const out = backend.makeOutput(c.filterShape, 'float32');
  const acc = new Float32Array(K * CO);
  for (let b0 = 0; b0 < B; b0 += step) {
    const b1 = Math.min(B, b0 + step);
    const rows = (b1 - b0) * OH * OW;
    const colT = backend.makeOutput([1, K, rows], 'float32');
    const dyPart = backend.makeOutput([1, rows, CO], 'float32');
    im2colT(f32(backend, x), f32(backend, colT), c, b0, b1);
    f32(backend, dyPart).set(f32(backend, dy).subarray(b0 * OH * OW * CO, b1 * OH * OW * CO));
    const prod = runWasmKernel(backend, 'BatchMatMul', { a: colT, b: dyPart }, NN);
    const p = f32(backend, prod);
    for (let i = 0; i < acc.length; i++) acc[i]! += p[i]!;
    dispose(backend, colT, dyPart, prod);
  }
  f32(backend, out).set(acc);
  return out;
}

/** dW for NHWC x and dy with plain loops (the reference, and what the benchmark compares against). */
export function backpropFilterLoops(backend: WasmBackend, x: tf.TensorInfo, dy: tf.TensorInfo, c: Info) {
  const out = backend.makeOutput(c.filterShape, 'float32');
  const xv = f32(backend, x);
  const dyv = f32(backend, dy);
  const { batchSize: B, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = c;
  const { filterHeight: KH, filterWidth: KW, strideHeight: sh, strideWidth: sw, outChannels: CO } = c;
  const { dilationHeight: dh, dilationWidth: dw } = c;
  const acc = new Float64Array(KH * KW * C * CO);
  for (let b = 0; b < B; b++)
    for (let oh = 0; oh < OH; oh++)
      for (let ow = 0; ow < OW; ow++) {
        const g = ((b * OH + oh) * OW + ow) * CO;
        for (let kh = 0; kh < KH; kh++) {
          const ih = oh * sh - c.padInfo.top + kh * dh;
          if (ih < 0 || ih >= H) continue;
          for (let kw = 0; kw < KW; kw++) {
            const iw = ow * sw - c.padInfo.left + kw * dw;
            if (iw < 0 || iw >= W) continue;
            const xo = ((b * H + ih) * W + iw) * C;
            const wo = (kh * KW + kw) * C * CO;
            for (let ci = 0; ci < C; ci++) {
              const v = xv[xo + ci]!;
              if (v === 0) continue;
              const base = wo + ci * CO;
              for (let co = 0; co < CO; co++) acc[base + co]! += v * dyv[g + co]!;
            }
          }
        }
      }
  f32(backend, out).set(acc);
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
 * dcol = dy · Wᵀ through the wasm matrix product, then scattered back (col2im).
 */
export function col2im(col: Float32Array, dx: Float32Array, c: Info, b0: number, b1: number): void {
  const { inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = c;
  const { filterHeight: KH, filterWidth: KW, strideHeight: sh, strideWidth: sw } = c;
  const { dilationHeight: dh, dilationWidth: dw } = c;
  const pt = c.padInfo.top;
  const pl = c.padInfo.left;
  const rowW = W * C;
  let src = 0;
  for (let b = b0; b < b1; b++) {
    const xb = b * H * rowW;
    for (let oh = 0; oh < OH; oh++) {
      const ih0 = oh * sh - pt;
      for (let ow = 0; ow < OW; ow++) {
        const iw0 = ow * sw - pl;
        for (let kh = 0; kh < KH; kh++) {
          const ih = ih0 + kh * dh;
          if (ih < 0 || ih >= H) {
            src += KW * C;
            continue;
          }
          const xr = xb + ih * rowW;
          for (let kw = 0; kw < KW; kw++) {
            const iw = iw0 + kw * dw;
            if (iw < 0 || iw >= W) {
              src += C;
              continue;
            }
            const d = xr + iw * C;
            for (let ci = 0; ci < C; ci++) dx[d + ci]! += col[src++]!;
          }
        }
      }
    }
  }
}

export function backpropInputMatMul(backend: WasmBackend, dy: tf.TensorInfo, w: tf.TensorInfo, c: Info) {
  const { batchSize: B, outHeight: OH, outWidth: OW, outChannels: CO } = c;
  const K = c.filterHeight * c.filterWidth * c.inChannels;
  const step = Math.max(1, Math.min(B, Math.floor(conv2dTuning.colLimit / Math.max(1, OH * OW * K))));
  const out = backend.makeOutput(c.inShape, 'float32');
  const w3 = reshaped(backend, w, [1, K, CO]);
  const wT = transpose(backend, w3, [0, 2, 1]);
  f32(backend, out).fill(0);
  for (let b0 = 0; b0 < B; b0 += step) {
    const b1 = Math.min(B, b0 + step);
    const rows = (b1 - b0) * OH * OW;
    let dyPart: tf.TensorInfo;
    if (b0 === 0 && b1 === B) dyPart = reshaped(backend, dy, [1, rows, CO]);
    else {
      dyPart = backend.makeOutput([1, rows, CO], 'float32');
      f32(backend, dyPart).set(f32(backend, dy).subarray(b0 * OH * OW * CO, b1 * OH * OW * CO));
    }
    const col = runWasmKernel(backend, 'BatchMatMul', { a: dyPart, b: wT }, NN);
    col2im(f32(backend, col), f32(backend, out), c, b0, b1);
    dispose(backend, col, dyPart);
  }
  dispose(backend, w3, wT);
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
  const out = backpropInputMatMul(backend, dy, filter, c);
  if (!nchw) return out;
  dispose(backend, dy);
  const t = transpose(backend, out, [0, 3, 1, 2]);
  dispose(backend, out);
  return t;
};
