/**
 * The computations shared by Netloom's custom layers, written once so the layers and their tests use
 * the same code: multi-head attention (Keras 3 semantics), layer normalisation and GELU.
 *
 * Plain tfjs only: this module and the three layer classes are also what the TF.js export ships as
 * netloom-layers.js (scripts/write-tfjs-layers.ts). Their dropout is tf.dropout until the engine
 * installs its own (index.ts: dropout.ts, the same numbers drawn faster, with SIMD on wasm).
 */
import * as tf from '@tensorflow/tfjs';

type Dropout = (x: tf.Tensor, rate: number) => tf.Tensor;

let dropout: Dropout = (x, rate) => tf.dropout(x, rate);

/** Replaces the layers' dropout with one that computes exactly what tf.dropout does (the engine's). */
export function useDropout(fn: Dropout): void {
  dropout = fn;
}

export interface AttentionWeights {
  queryKernel: tf.Tensor; // [dq, h, k]
  queryBias?: tf.Tensor | undefined; // [h, k]
  keyKernel: tf.Tensor; // [dk, h, k]
  keyBias?: tf.Tensor | undefined; // [h, k]
  valueKernel: tf.Tensor; // [dv, h, v]
  valueBias?: tf.Tensor | undefined; // [h, v]
  outputKernel: tf.Tensor; // [h, v, dq]
  outputBias?: tf.Tensor | undefined; // [dq]
}

export interface AttentionOptions {
  numHeads: number;
  keyDim: number;
  valueDim: number;
  causal: boolean;
  dropout: number;
  training: boolean;
  /** Called with the attention weights [B, heads, Tq, Tk] (after the softmax, before dropout). */
  observe?: ((weights: tf.Tensor) => void) | null | undefined;
}

/** Large negative number Keras 3 adds to masked scores before the softmax (float32). */
export const MASK_VALUE = -1e9;

/** [B, T, d] x kernel [d, h, k] (+ bias [h, k]) -> [B, h, T, k]. */
function project(x: tf.Tensor, kernel: tf.Tensor, bias: tf.Tensor | undefined, h: number, k: number) {
  const [b, t, d] = x.shape as [number, number, number];
  let y = tf.matMul(x.reshape([b * t, d]), kernel.reshape([d, h * k]));
  if (bias) y = y.add(bias.reshape([h * k]));
  return y.reshape([b, t, h, k]).transpose([0, 2, 1, 3]);
}

/** Lower-triangular additive mask [Tq, Tk]: 0 where position j <= i, MASK_VALUE after. */
function causalMask(tq: number, tk: number): tf.Tensor2D {
  const values = new Float32Array(tq * tk);
  for (let i = 0; i < tq; i++) for (let j = i + 1; j < tk; j++) values[i * tk + j] = MASK_VALUE;
  return tf.tensor2d(values, [tq, tk]);
}

/**
 * Multi-head attention: query [B, Tq, dq], key [B, Tk, dk], value [B, Tk, dv] -> [B, Tq, dq].
 * softmax(q·kᵀ / √keyDim + mask) · v per head, heads concatenated and projected back to dq.
 */
export function multiHeadAttention(
  query: tf.Tensor,
  key: tf.Tensor,
  value: tf.Tensor,
  w: AttentionWeights,
  o: AttentionOptions,
): tf.Tensor {
  return tf.tidy(() => {
    const h = o.numHeads;
    const [b, tq, dq] = query.shape as [number, number, number];
    const tk = key.shape[1]!;
    const q = project(query, w.queryKernel, w.queryBias, h, o.keyDim).mul(1 / Math.sqrt(o.keyDim));
    const k = project(key, w.keyKernel, w.keyBias, h, o.keyDim);
    const v = project(value, w.valueKernel, w.valueBias, h, o.valueDim);
    let scores = tf.matMul(q, k, false, true); // [B, h, Tq, Tk]
    if (o.causal) scores = scores.add(causalMask(tq, tk));
    let attn = tf.softmax(scores, -1);
    o.observe?.(attn);
    if (o.training && o.dropout > 0) attn = dropout(attn, o.dropout);
    const ctx = tf
      .matMul(attn, v)
      .transpose([0, 2, 1, 3])
      .reshape([b * tq, h * o.valueDim]);
    let out = tf.matMul(ctx, w.outputKernel.reshape([h * o.valueDim, dq]));
    if (w.outputBias) out = out.add(w.outputBias);
    return out.reshape([b, tq, dq]);
  });
}

/** Normalises over the last axis, then scales and shifts. */
export function layerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, epsilon: number): tf.Tensor {
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(x, -1, true);
    return x
      .sub(mean)
      .mul(tf.rsqrt(variance.add(epsilon)))
      .mul(gamma)
      .add(beta);
  });
}

/** Exact GELU: x · Φ(x) = 0.5 x (1 + erf(x / √2)), as Keras's default (approximate=False). */
export function gelu(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => x.mul(0.5).mul(tf.erf(x.mul(Math.SQRT1_2)).add(1)));
}

export function dropoutIf(x: tf.Tensor, rate: number, training: boolean): tf.Tensor {
  return training && rate > 0 ? dropout(x, rate) : x;
}
