/**
 * Direct convolutions on the wasm backend (kernels.wat `conv_forward`, `conv_filter_grad`,
 * `conv_input_grad`): no column matrix, each sum in the same order as the kernel it replaces, so the
 * results are the same bits:
 *
 * - Conv2D (NHWC): wasm's own runs XNNPACK, whose sums are over the taps (kh, kw, ci) in order from
 *   0; `conv_forward` makes the same sums. LeNet's first convolution ([128, 28, 28, 1], 5×5 to 6,
 *   'same') is a 1-channel input XNNPACK is slow on: 3.3 -> 1.6 ms.
 * - Conv2DBackpropFilter: im2col + gemm summed over the rows (b, oh, ow) in order, from 0;
 *   `conv_filter_grad` makes those sums without the 10 MB of columns LeNet's first needed per 128
 *   images (called for the same blocks of images, added in the same order, by conv2d.ts): 5.6 ->
 *   1.7 ms.
 * - Conv2DBackpropInput: gemm (Σ over co in order, from 0) then col2im (added into dx row by row);
 *   `conv_input_grad` computes a row's values for one filter row (KW·C of them, 28 to 32: 8 vectors)
 *   and adds them at once.
 *
 * The first two for few input channels only (MAX_CHANNELS): on more, XNNPACK and im2col + gemm are as fast or
 * faster. Padding is made explicit (a zero-padded copy of the input, or of dx then cropped) so the
 * kernels read and write without bounds tests.
 */
import * as tf from '@tensorflow/tfjs';
import { type DirectGeometry, heapOffset, inHeap, type PadGeometry, simdKernels } from './simd/index';
import { asWasm, dispose, transpose, type WasmBackend } from './wasm';

type Info = tf.backend_util.Conv2DInfo;

/** Switches for tests and benchmarks: false runs the kernels these replace. */
export const directConv = { enabled: true };

/** Height and width of the padded input the output reads (the padding made explicit). */
function paddedExtent(c: Info): [number, number] {
  return [
    (c.outHeight - 1) * c.strideHeight + (c.filterHeight - 1) * c.dilationHeight + 1,
    (c.outWidth - 1) * c.strideWidth + (c.filterWidth - 1) * c.dilationWidth + 1,
  ];
}

/**
 * The input as the direct kernels read it: itself when nothing of the output reads padding (with
 * its own height and width as the padded ones), else a zero-padded copy (`owned`: dispose it).
 */
export function paddedInput(backend: WasmBackend, x: tf.TensorInfo, c: Info) {
  const [Hn, Wn] = paddedExtent(c);
  const { top, left } = c.padInfo;
  if (top === 0 && left === 0 && Hn <= c.inHeight && Wn <= c.inWidth)
    return { xp: x, Hp: c.inHeight, Wp: c.inWidth, owned: false };
  const xp = backend.makeOutput([c.batchSize, Hn, Wn, c.inChannels], 'float32');
  simdKernels(backend).pad_nhwc(heapOffset(backend, x), heapOffset(backend, xp), ...padGeometry(c, Hn, Wn));
  return { xp, Hp: Hn, Wp: Wn, owned: true };
}

function padGeometry(c: Info, Hp: number, Wp: number): PadGeometry {
  return [c.batchSize, c.inHeight, c.inWidth, c.inChannels, Hp, Wp, c.padInfo.top, c.padInfo.left];
}

export function directGeometry(c: Info, Hp: number, Wp: number): DirectGeometry {
  return [
    Hp,
    Wp,
    c.inChannels,
    c.outHeight,
    c.outWidth,
    c.filterHeight,
    c.filterWidth,
    c.strideHeight,
    c.strideWidth,
    c.dilationHeight,
    c.dilationWidth,
    c.outChannels,
  ];
}

/**
 * Most input channels the direct kernels take (forward, filter gradient). On LeNet's second
 * convolution (6 channels) they only tie with XNNPACK and im2col + gemm; on 3×3×32 to 64 they are
 * slower (filter gradient 5.4 -> 7.4 ms on [16, 16, 16, 32]).
 */
const MAX_CHANNELS = { forward: 4, filter: 4 };

/** Whether `conv_filter_grad` takes this filter gradient (4 taps and 4 output channels at least). */
export const directFilterFits = (c: Info) =>
  directConv.enabled &&
  c.inChannels <= MAX_CHANNELS.filter &&
  c.filterHeight * c.filterWidth * c.inChannels >= 4 &&
  c.outChannels >= 4;

/**
 * Whether `conv_input_grad` takes this input gradient: no dilation across and filter rows (KW·C) of
 * 28 to 32 values (8 vectors; LeNet's second convolution, 5×5×6: 3.55 -> 3.2 ms on 128 images).
 */
export const directInputFits = (c: Info) =>
  directConv.enabled &&
  c.dilationWidth === 1 &&
  c.filterWidth * c.inChannels >= 28 &&
  c.filterWidth * c.inChannels <= 32;

/** dx for NHWC dy through `conv_input_grad`; returns a new wasm tensor of the input's shape. */
export function backpropInputDirect(backend: WasmBackend, dy: tf.TensorInfo, w: tf.TensorInfo, c: Info) {
  const [Hn, Wn] = paddedExtent(c);
  const { top, left } = c.padInfo;
  const inPlace = top === 0 && left === 0 && Hn <= c.inHeight && Wn <= c.inWidth;
  const [Hp, Wp] = inPlace ? [c.inHeight, c.inWidth] : [Hn, Wn];
  const wt = transpose(backend, w, [3, 0, 1, 2]);
  const out = backend.makeOutput(c.inShape, 'float32');
  const dxp = inPlace ? out : backend.makeOutput([c.batchSize, Hp, Wp, c.inChannels], 'float32');
  const simd = simdKernels(backend);
  const [pdy, pwt, pdx] = [heapOffset(backend, dy), heapOffset(backend, wt), heapOffset(backend, dxp)];
  const [, , C, OH, OW, KH, KW, sh, sw, dh, , CO] = directGeometry(c, Hp, Wp);
  simd.conv_input_grad(pdy, pwt, pdx, c.batchSize, Hp, Wp, C, OH, OW, KH, KW, sh, sw, dh, CO);
  if (!inPlace) {
    simd.crop_nhwc(pdx, heapOffset(backend, out), ...padGeometry(c, Hp, Wp));
    dispose(backend, dxp);
  }
  dispose(backend, wt);
  return out;
}

/**
 * Conv2D on wasm: NHWC float32 with 4 output channels or more through `conv_forward` (the same
 * bits as XNNPACK's), anything else through wasm's own kernel.
 */
export function fastConv2D(own: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const backend = asWasm(args.backend);
    const { x, filter } = args.inputs as unknown as { x: tf.TensorInfo; filter: tf.TensorInfo };
    const a = args.attrs as unknown as tf.Conv2DAttrs;
    const nhwc = tf.backend_util.convertConv2DDataFormat(a.dataFormat) === 'channelsLast';
    if (
      !directConv.enabled ||
      !nhwc ||
      x.dtype !== 'float32' ||
      filter.dtype !== 'float32' ||
      x.shape.length !== 4 ||
      !inHeap(backend, x, filter)
    )
      return own(args);
    const c = tf.backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      filter.shape as [number, number, number, number],
      a.strides,
      a.dilations ?? 1,
      a.pad,
      a.dimRoundingMode,
    );
    if (c.outChannels < 4 || c.inChannels > MAX_CHANNELS.forward || c.outShape.some((d) => d === 0))
      return own(args);
    const { xp, Hp, Wp, owned } = paddedInput(backend, x, c);
    const out = backend.makeOutput(c.outShape, 'float32');
    simdKernels(backend).conv_forward(
      heapOffset(backend, xp),
      heapOffset(backend, filter),
      heapOffset(backend, out),
      c.batchSize,
      ...directGeometry(c, Hp, Wp),
    );
    if (owned) dispose(backend, xp);
    return out;
  };
}
