/**
 * Conv3DBackpropFilterV2 and Conv3DBackpropInputV2 for the wasm backend. tfjs-backend-wasm 4.22 has
 * both, but they disagree with the cpu backend (the filter gradient for strides above 1, the input
 * gradient even for stride 1; see kernels.test.ts), so these loops replace them. NDHWC, any stride,
 * 'same' or 'valid'. No Netloom layer uses 3D convolutions today; they are here so no kernel of the
 * wasm backend silently computes a wrong gradient.
 */
import * as tf from '@tensorflow/tfjs';
import { asWasm, f32 } from './wasm';

type Info = tf.backend_util.Conv3DInfo;

/** Calls `f(xOffset, dyOffset, wOffset)` for every (image, output position, tap) inside the input. */
function forEachTap(c: Info, f: (xo: number, dyo: number, wo: number) => void): void {
  const { batchSize: B, inDepth: D, inHeight: H, inWidth: W, inChannels: C } = c;
  const { outDepth: OD, outHeight: OH, outWidth: OW, outChannels: CO } = c;
  const { filterDepth: KD, filterHeight: KH, filterWidth: KW } = c;
  const { strideDepth: sd, strideHeight: sh, strideWidth: sw } = c;
  const { dilationDepth: dd, dilationHeight: dh, dilationWidth: dw } = c;
  const { front, top, left } = c.padInfo;
  for (let b = 0; b < B; b++)
    for (let od = 0; od < OD; od++)
      for (let oh = 0; oh < OH; oh++)
        for (let ow = 0; ow < OW; ow++) {
          const dyo = (((b * OD + od) * OH + oh) * OW + ow) * CO;
          for (let kd = 0; kd < KD; kd++) {
            const id = od * sd - front + kd * dd;
            if (id < 0 || id >= D) continue;
            for (let kh = 0; kh < KH; kh++) {
              const ih = oh * sh - top + kh * dh;
              if (ih < 0 || ih >= H) continue;
              for (let kw = 0; kw < KW; kw++) {
                const iw = ow * sw - left + kw * dw;
                if (iw < 0 || iw >= W) continue;
                f((((b * D + id) * H + ih) * W + iw) * C, dyo, ((kd * KH + kh) * KW + kw) * C * CO);
              }
            }
          }
        }
}

type Shape5 = [number, number, number, number, number];

export const conv3dBackpropFilter: tf.KernelFunc = ({ inputs, backend: b, attrs }) => {
  const backend = asWasm(b);
  const a = attrs as unknown as tf.Conv3DBackpropFilterV2Attrs;
  const { x, dy } = inputs as unknown as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const c = tf.backend_util.computeConv3DInfo(x.shape as Shape5, a.filterShape, a.strides, 1, a.pad);
  const out = backend.makeOutput(a.filterShape, 'float32');
  const xv = f32(backend, x);
  const dyv = f32(backend, dy);
  const C = c.inChannels;
  const CO = c.outChannels;
  const acc = new Float64Array(tf.util.sizeFromShape(a.filterShape));
  forEachTap(c, (xo, dyo, wo) => {
    for (let ci = 0; ci < C; ci++) {
      const v = xv[xo + ci]!;
      if (v === 0) continue;
      const base = wo + ci * CO;
      for (let co = 0; co < CO; co++) acc[base + co]! += v * dyv[dyo + co]!;
    }
  });
  f32(backend, out).set(acc);
  return out;
};

export const conv3dBackpropInput: tf.KernelFunc = ({ inputs, backend: b, attrs }) => {
  const backend = asWasm(b);
  const a = attrs as unknown as tf.Conv3DBackpropInputV2Attrs;
  const { dy, filter } = inputs as unknown as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const c = tf.backend_util.computeConv3DInfo(a.inputShape, filter.shape as Shape5, a.strides, 1, a.pad);
  const out = backend.makeOutput(a.inputShape, 'float32');
  const wv = f32(backend, filter);
  const dyv = f32(backend, dy);
  const C = c.inChannels;
  const CO = c.outChannels;
  const acc = new Float64Array(tf.util.sizeFromShape(a.inputShape));
  forEachTap(c, (xo, dyo, wo) => {
    for (let ci = 0; ci < C; ci++) {
      const base = wo + ci * CO;
      let s = 0;
      for (let co = 0; co < CO; co++) s += dyv[dyo + co]! * wv[base + co]!;
      acc[xo + ci]! += s;
    }
  });
  f32(backend, out).set(acc);
  return out;
};
