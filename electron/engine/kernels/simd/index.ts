/**
 * Netloom's WebAssembly SIMD kernels (kernels.wat), instantiated on the wasm backend's own memory so
 * they read and write tensors where they live: no copies in or out. One instance per backend memory
 * (the training thread and each data-parallel peer have their own backend).
 */
import type * as tf from '@tensorflow/tfjs';
import { KERNELS_WASM_BASE64 } from './kernels.generated';

/**
 * A convolution's geometry as the im2col / col2im kernels take it: input height, width, channels;
 * output height, width; filter height, width; strides, dilations (height, width); top and left pad.
 */
export type ConvGeometry = [
  H: number,
  W: number,
  C: number,
  OH: number,
  OW: number,
  KH: number,
  KW: number,
  sh: number,
  sw: number,
  dh: number,
  dw: number,
  pt: number,
  pl: number,
];

export interface SimdKernels {
  /** kernels.wat `adam`: byte offsets of x, m, v, g, x', m', v'; n floats; then the f32 constants. */
  adam(
    x: number,
    m: number,
    v: number,
    g: number,
    xo: number,
    mo: number,
    vo: number,
    n: number,
    beta1: number,
    beta2: number,
    oneMinusBeta1: number,
    oneMinusBeta2: number,
    oneMinusAccBeta1: number,
    oneMinusAccBeta2: number,
    epsilon: number,
    negLr: number,
    decay: number,
  ): void;
  /**
   * kernels.wat `gemm`: C [M, N] = A·B for B [K, N] (byte offsets a, b, c); A's (i, k) element is
   * at a + 4·(i·ars + k·aks): ars = K, aks = 1 for A [M, K]; ars = 1, aks = M for A stored as [K, M].
   */
  gemm(a: number, b: number, c: number, M: number, K: number, N: number, ars: number, aks: number): void;
  /**
   * kernels.wat `gemm_packed`: the same product as `gemm`, exactly, faster, with a scratch w (byte
   * offset) of 4·min(K, 256)·N bytes that it overwrites.
   */
  gemm_packed(
    a: number,
    b: number,
    c: number,
    M: number,
    K: number,
    N: number,
    ars: number,
    aks: number,
    w: number,
  ): void;
  /**
   * kernels.wat `im2col` (byte offsets x, col): col [rows, KH·KW·C] for images [b0, b1) of NHWC x,
   * row (b, oh, ow), column (kh, kw, c); 0 outside the image.
   */
  im2col(x: number, col: number, b0: number, b1: number, ...geometry: ConvGeometry): void;
  /**
   * kernels.wat `col2im` (byte offsets col, dx): adds the columns of images [b0, b1) back into the
   * image positions im2col reads them from (dx zeroed by the caller).
   */
  col2im(col: number, dx: number, b0: number, b1: number, ...geometry: ConvGeometry): void;
  /**
   * kernels.wat `max_pool_grad` (byte offsets x, dy, dx; NHWC): dx = each output's gradient routed to
   * its window's maximum (first in row-major order; none for a window of −∞ or NaN).
   */
  max_pool_grad(
    x: number,
    dy: number,
    dx: number,
    B: number,
    H: number,
    W: number,
    C: number,
    OH: number,
    OW: number,
    KH: number,
    KW: number,
    sh: number,
    sw: number,
    pt: number,
    pl: number,
  ): void;
  /**
   * kernels.wat `binary` (byte offsets): out [n] = a [n] + b (op 0) or a · b (op 1); b [n], or one
   * float for every element when scalar is 1.
   */
  binary(op: number, a: number, b: number, out: number, n: number, scalar: number): void;
  /**
   * kernels.wat `alea_dropout` (byte offset out): n dropout multipliers from seedrandom's alea in
   * state x0, x1, x2, c (its s0, s1, s2 × 2³², and c), keep = float32(1 − rate).
   */
  alea_dropout(out: number, n: number, x0: bigint, x1: bigint, x2: bigint, c: bigint, keep: number): void;
  /** kernels.wat `add_rows` (byte offsets): out [rows, n] = a [rows, n] + b [n] on every row. */
  add_rows(a: number, b: number, out: number, rows: number, n: number): void;
  /** kernels.wat `relu` (byte offsets): out [n] = x where x > 0 or NaN, else +0, as TensorFlow.js's Relu. */
  relu(x: number, out: number, n: number): void;
  /** kernels.wat `relu_grad` (byte offsets): out [n] = dy · step(x), as Relu's gradient in tfjs-core. */
  relu_grad(dy: number, x: number, out: number, n: number): void;
  /** kernels.wat `sum_rows` (byte offsets): out [cols] = the sum of x [rows, cols]'s rows, in order. */
  sum_rows(x: number, out: number, rows: number, cols: number): void;
  /**
   * kernels.wat `lstm_forward` (byte offsets): x [B, T, D], W [D, 4U], b [4U], R [U, 4U], scratch
   * xw and hr [B, 4U] and pack [(D + U)·4U] (the weights' panels); writes the saved gates [T·B, 4U],
   * c and tanh(c) [T·B, U] (time-major) and h [B, T, U]. Needs U ≥ 4.
   */
  lstm_forward(
    x: number,
    W: number,
    b: number,
    R: number,
    xw: number,
    hr: number,
    pack: number,
    gates: number,
    cell: number,
    tanhCell: number,
    hidden: number,
    B: number,
    T: number,
    D: number,
    U: number,
  ): void;
  /**
   * kernels.wat `lstm_backward` (byte offsets): dout (dh, [B·T, U] when seq is 1, [B, U] for the
   * last step when 0), the saved gates, c and tanh(c), Rt = Rᵀ [4U, U]; writes dz [T·B, 4U] (time-major);
   * scratch dh, dc0, dc1 [B, U]; Wt = Wᵀ [4U, D], scratch dxt [B, D]; writes dx [B·T, D]; scratch
   * pack [(D + U)·4U]. Needs U ≥ 4.
   */
  lstm_backward(
    dout: number,
    gates: number,
    cell: number,
    tanhCell: number,
    Rt: number,
    dz: number,
    dh: number,
    dc0: number,
    dc1: number,
    Wt: number,
    dxt: number,
    dx: number,
    pack: number,
    B: number,
    T: number,
    D: number,
    U: number,
    seq: number,
  ): void;
  /**
   * kernels.wat `gru_forward` (byte offsets): x [B, T, D], W [D, 3U], bx [3U], scratch xw [B, 3U];
   * R [U, 3U] (after = 1) or R_zr [U, 2U] and Rh = R_h [U, U] (after = 0); bh [3U] (zeros before);
   * scratch hr [B, 3U] and pack [(D + U)·3U]; writes the saved gates z, r, h̃ [B·T, 3U], aux (h_h after, r·h₋₁ before)
   * and h [B·T, U]. Activation tanh. Needs U ≥ 4.
   */
  gru_forward(
    x: number,
    W: number,
    bx: number,
    xw: number,
    R: number,
    Rh: number,
    bh: number,
    hr: number,
    pack: number,
    gates: number,
    aux: number,
    hidden: number,
    B: number,
    T: number,
    D: number,
    U: number,
    after: number,
  ): void;
  /**
   * kernels.wat `gru_backward` (byte offsets): dout (dh, [B·T, U] when seq is 1, [B, U] for the
   * last step when 0), the saved gates, aux and h; Rt = Rᵀ [3U, U] (after) or R_zrᵀ [2U, U], Rht =
   * R_hᵀ [U, U] (before); writes dx [B·T, 3U] (of x·W + b_x) and, after, dhr [B·T, 3U] (of
   * h₋₁·R + b_h); scratch dh, drh, c0, c1 [B, U]; Wt = Wᵀ [3U, D], scratch dit [B, D]; writes the
   * input gradient di [B·T, D]; scratch pack [(D + U)·3U]. Needs U ≥ 4.
   */
  gru_backward(
    dout: number,
    gates: number,
    aux: number,
    hidden: number,
    Rt: number,
    Rht: number,
    dx: number,
    dhr: number,
    dh: number,
    drh: number,
    c0: number,
    c1: number,
    Wt: number,
    dit: number,
    di: number,
    pack: number,
    B: number,
    T: number,
    D: number,
    U: number,
    seq: number,
    after: number,
  ): void;
  /**
   * kernels.wat `pad_nhwc` (byte offsets x, xp): xp [B, Hp, Wp, C] = x [B, H, W, C] moved by (pt, pl),
   * zeros elsewhere.
   */
  pad_nhwc(x: number, xp: number, ...g: PadGeometry): void;
  /** kernels.wat `crop_nhwc` (byte offsets xp, x): pad_nhwc's adjoint, x = xp at (h + pt, w + pl). */
  crop_nhwc(xp: number, x: number, ...g: PadGeometry): void;
  /**
   * kernels.wat `conv_forward` (byte offsets xp, w, out): Conv2D of the padded NHWC input xp
   * [B, Hp, Wp, C] by w [KH, KW, C, CO] into out [B, OH, OW, CO], each sum over (kh, kw, ci) in order
   * (XNNPACK's). Needs CO ≥ 4.
   */
  conv_forward(x: number, w: number, out: number, B: number, ...g: DirectGeometry): void;
  /**
   * kernels.wat `conv_filter_grad` (byte offsets xp, dy, out): out [KH·KW·C, CO] = the filter
   * gradient from images [b0, b1), each sum over (b, oh, ow) in order (im2col + gemm's). Needs
   * KH·KW·C ≥ 4 and CO ≥ 4.
   */
  conv_filter_grad(x: number, dy: number, out: number, b0: number, b1: number, ...g: DirectGeometry): void;
  /**
   * kernels.wat `conv_input_grad` (byte offsets dy, wt, dx): dx [B, Hp, Wp, C] (padded) = the input
   * gradient for wt = the filter as [CO, KH, KW, C], with gemm + col2im's sums in their order; no
   * dilation across (the geometry has no dw). Needs 28 ≤ KW·C ≤ 32.
   */
  conv_input_grad(
    dy: number,
    wt: number,
    dx: number,
    B: number,
    Hp: number,
    Wp: number,
    C: number,
    OH: number,
    OW: number,
    KH: number,
    KW: number,
    sh: number,
    sw: number,
    dh: number,
    CO: number,
  ): void;
  /**
   * kernels.wat `max_pool_grad_tiled` (byte offsets x, dy, dx; NHWC): max_pool_grad for windows that
   * tile the input (strides = window, no padding), written once without zeroing dx first. Needs C ≥ 4.
   */
  max_pool_grad_tiled(
    x: number,
    dy: number,
    dx: number,
    B: number,
    H: number,
    W: number,
    C: number,
    OH: number,
    OW: number,
    KH: number,
    KW: number,
  ): void;
  /**
   * kernels.wat `segment_sum` (byte offsets; float32 x, int32 ids): out [S, inner] = Σ of x [rows,
   * inner]'s rows r into row ids[r], in order of r; ids outside [0, S) are skipped.
   */
  segment_sum(x: number, ids: number, out: number, rows: number, inner: number, S: number): void;
  /**
   * kernels.wat `gather_rows` (byte offsets; 4-byte elements, int32 ids): out [n, inner] = x's rows
   * ids, and 1, when every id is in [0, rows); else 0, nothing written.
   */
  gather_rows(x: number, ids: number, out: number, n: number, inner: number, rows: number): number;
  /**
   * kernels.wat `value_stats` (byte offsets): over n floats at x, the running sum of squares, of
   * squared differences to the floats at before (when hasBefore is 1), and the finite min and max,
   * continued from the values passed in; returns the four.
   */
  value_stats(
    x: number,
    before: number,
    n: number,
    hasBefore: number,
    sumSq: number,
    distSq: number,
    min: number,
    max: number,
  ): [sumSq: number, distSq: number, min: number, max: number];
  /**
   * kernels.wat `histogram` (byte offsets): adds n floats at x to int32 counts (bins top + 1): a
   * value in [min, max] to bin trunc((v − min)·scale) capped at top.
   */
  histogram(x: number, n: number, min: number, max: number, scale: number, top: number, counts: number): void;
  /**
   * kernels.wat `weighted_sum2` (byte offsets): out [n] = f32(f32(wa·a + 0) + wb·b), in float64 (the
   * first two terms of a sharded step's gradient, parallel.ts `weightedSum`).
   */
  weighted_sum2(out: number, a: number, b: number, wa: number, wb: number, n: number): void;
  /** kernels.wat `weighted_add` (byte offsets): out [n] = f32(out + w·g), in float64 (further terms). */
  weighted_add(out: number, g: number, w: number, n: number): void;
  /**
   * kernels.wat `rnn_weight_grads` (byte offsets): from x [B·T, D], the hidden states h [B·T, U] and
   * dz [T·B, G] (time-major; G a multiple of 16), db [G] = Σ dz, dW [D, G] = xᵀ·dz and dR [U, G] = Σ h₋₁ᵀ·dz
   * (zero at each sequence's first step), every sum over rows in order; scratch w of kc·G + 1 floats.
   */
  rnn_weight_grads(
    x: number,
    h: number,
    dz: number,
    dW: number,
    dR: number,
    db: number,
    w: number,
    kc: number,
    B: number,
    T: number,
    D: number,
    U: number,
    G: number,
  ): void;
}

/** pad_nhwc's shapes: B, H, W, C of the image; Hp, Wp of the padded one; top and left pad. */
export type PadGeometry = [
  B: number,
  H: number,
  W: number,
  C: number,
  Hp: number,
  Wp: number,
  pt: number,
  pl: number,
];

/**
 * The direct convolutions' geometry: the padded input's height, width, channels; output height,
 * width; filter height, width; strides, dilations (height, width); output channels.
 */
export type DirectGeometry = [
  Hp: number,
  Wp: number,
  C: number,
  OH: number,
  OW: number,
  KH: number,
  KW: number,
  sh: number,
  sw: number,
  dh: number,
  dw: number,
  CO: number,
];

/** What these kernels need from tfjs-backend-wasm's BackendWasm (not in its public types). */
interface BackendWasmInternals {
  wasm?: { asm?: { memory?: unknown } };
  dataIdMap?: { get(dataId: tf.DataId): { memoryOffset: number } | undefined };
}

/** The WebAssembly JS API used here (Node has it all; TypeScript types it only in its DOM lib). */
interface WasmApi {
  Memory: abstract new (...args: never[]) => object;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

let compiled: object | undefined;
const instances = new WeakMap<object, SimdKernels>();

/** The kernels bound to `backend`'s memory (a wasm backend; throws for any other). */
export function simdKernels(backend: unknown): SimdKernels {
  const memory = (backend as BackendWasmInternals).wasm?.asm?.memory;
  if (!(memory instanceof WA.Memory))
    throw new Error('Netloom SIMD kernels need the wasm backend (its memory was not found)');
  let k = instances.get(memory);
  if (!k) {
    compiled ??= new WA.Module(Buffer.from(KERNELS_WASM_BASE64, 'base64'));
    const instance = new WA.Instance(compiled, { env: { memory } });
    k = instance.exports as unknown as SimdKernels;
    instances.set(memory, k);
  }
  return k;
}

/** Byte offset of a tensor's data in the wasm backend's memory. */
export function heapOffset(backend: unknown, t: tf.TensorInfo): number {
  const entry = (backend as BackendWasmInternals).dataIdMap?.get(t.dataId);
  if (!entry || typeof entry.memoryOffset !== 'number')
    throw new Error('Netloom SIMD kernel: tensor is not in the wasm backend');
  return entry.memoryOffset;
}

/** Whether every tensor's data is in the wasm backend's memory (so heapOffset finds it). */
export function inHeap(backend: unknown, ...ts: tf.TensorInfo[]): boolean {
  const map = (backend as BackendWasmInternals).dataIdMap;
  return map !== undefined && ts.every((t) => typeof map.get(t.dataId)?.memoryOffset === 'number');
}
