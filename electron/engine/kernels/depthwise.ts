/**
 * DepthwiseConv2dNativeBackpropFilter / BackpropInput for the wasm backend, as loops over the heap
 * (a depthwise convolution does channels x multiplier times less work than a full one, so loops are
 * quick enough). Any stride, dilation and padding; NHWC, the only layout tfjs uses for depthwise.
 *
 *   y[b, oh, ow, ci*M + m] = sum over kh, kw of x[b, oh*sh - pt + kh*dh, ow*sw - pl + kw*dw, ci] * w[kh, kw, ci, m]
 */
import * as tf from '@tensorflow/tfjs';
import { asWasm, f32 } from './wasm';

type Attrs = tf.DepthwiseConv2dNativeBackpropFilterAttrs;

function info(
  xShape: number[],
  filterShape: number[],
  a: Attrs | tf.DepthwiseConv2dNativeBackpropInputAttrs,
) {
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    a.strides,
    a.dilations,
    a.pad,
    a.dimRoundingMode,
    true,
  );
}

/** Calls `f(xOffset, dyOffset, wOffset)` for every (image, output position, tap) inside the input. */
function forEachTap(c: tf.backend_util.Conv2DInfo, f: (xo: number, dyo: number, wo: number) => void): void {
  const { batchSize: B, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = c;
  const { filterHeight: KH, filterWidth: KW, strideHeight: sh, strideWidth: sw } = c;
  const { dilationHeight: dh, dilationWidth: dw, outChannels: CO } = c;
  for (let b = 0; b < B; b++)
    for (let oh = 0; oh < OH; oh++)
      for (let ow = 0; ow < OW; ow++) {
        const dyo = ((b * OH + oh) * OW + ow) * CO;
        for (let kh = 0; kh < KH; kh++) {
          const ih = oh * sh - c.padInfo.top + kh * dh;
          if (ih < 0 || ih >= H) continue;
          for (let kw = 0; kw < KW; kw++) {
            const iw = ow * sw - c.padInfo.left + kw * dw;
            if (iw < 0 || iw >= W) continue;
            f(((b * H + ih) * W + iw) * C, dyo, (kh * KW + kw) * CO);
          }
        }
      }
}

export const depthwiseBackpropFilter: tf.KernelFunc = ({ inputs, backend: b, attrs }) => {
  const backend = asWasm(b);
  const a = attrs as unknown as Attrs;
  const { x, dy } = inputs as unknown as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const c = info(x.shape, a.filterShape, a);
  const out = backend.makeOutput(a.filterShape, 'float32');
  const xv = f32(backend, x);
  const dyv = f32(backend, dy);
  const C = c.inChannels;
  const M = c.outChannels / C;
  const acc = new Float64Array(c.filterHeight * c.filterWidth * C * M);
  forEachTap(c, (xo, dyo, wo) => {
    for (let ci = 0; ci < C; ci++) {
      const v = xv[xo + ci]!;
      const base = ci * M;
      for (let m = 0; m < M; m++) acc[wo + base + m]! += v * dyv[dyo + base + m]!;
    }
  });
  f32(backend, out).set(acc);
  return out;
};

export const depthwiseBackpropInput: tf.KernelFunc = ({ inputs, backend: b, attrs }) => {
  const backend = asWasm(b);
  const a = attrs as unknown as tf.DepthwiseConv2dNativeBackpropInputAttrs;
  const { dy, filter } = inputs as unknown as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const c = info(a.inputShape, filter.shape, a);
  const out = backend.makeOutput(a.inputShape, 'float32');
  const wv = f32(backend, filter);
  const dyv = f32(backend, dy);
  const C = c.inChannels;
  const M = c.outChannels / C;
  const acc = new Float64Array(c.batchSize * c.inHeight * c.inWidth * C);
  forEachTap(c, (xo, dyo, wo) => {
    for (let ci = 0; ci < C; ci++) {
      const base = ci * M;
      let s = 0;
      for (let m = 0; m < M; m++) s += dyv[dyo + base + m]! * wv[wo + base + m]!;
      acc[xo + ci]! += s;
    }
  });
  f32(backend, out).set(acc);
  return out;
};
