/**
 * Independent reference computations in plain JavaScript arrays (no tfjs ops), for checking the
 * engine's custom layers. Tensors are flat row-major Float64Arrays with explicit shapes.
 */

/** mulberry32 (the app's own seeded generator, shared/random.ts): a small seeded PRNG for test data. */
export { mulberry32 as rng } from '../../../shared/random';

export function randomArray(n: number, r: () => number, scale = 1): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = (r() * 2 - 1) * scale;
  return a;
}

type Arr = ArrayLike<number>;
const at = (a: Arr, i: number): number => a[i]!;

/** x [n, d] · w [d, m] + b [m] -> [n, m] */
export function linear(x: Arr, n: number, d: number, w: Arr, m: number, b?: Arr): Float64Array {
  const out = new Float64Array(n * m);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < m; j++) {
      let s = b ? at(b, j) : 0;
      for (let k = 0; k < d; k++) s += at(x, i * d + k) * at(w, k * m + j);
      out[i * m + j] = s;
    }
  return out;
}

export interface MhaRef {
  numHeads: number;
  keyDim: number;
  valueDim: number;
  causal: boolean;
  queryKernel: Arr;
  queryBias?: Arr | undefined;
  keyKernel: Arr;
  keyBias?: Arr | undefined;
  valueKernel: Arr;
  valueBias?: Arr | undefined;
  outputKernel: Arr;
  outputBias?: Arr | undefined;
}

/** query [B, Tq, dq], key [B, Tk, dk], value [B, Tk, dv] -> [B, Tq, dq] */
export function mhaReference(
  q: Arr,
  k: Arr,
  v: Arr,
  dims: { b: number; tq: number; tk: number; dq: number; dk: number; dv: number },
  w: MhaRef,
): Float64Array {
  const { b, tq, tk, dq, dk, dv } = dims;
  const h = w.numHeads;
  const kd = w.keyDim;
  const vd = w.valueDim;
  const out = new Float64Array(b * tq * dq);
  for (let bi = 0; bi < b; bi++) {
    // Projections: [T, h*kd] laid out as head-major within each row.
    const Q = linear(sliceRows(q, bi, tq, dq), tq, dq, w.queryKernel, h * kd, w.queryBias);
    const K = linear(sliceRows(k, bi, tk, dk), tk, dk, w.keyKernel, h * kd, w.keyBias);
    const V = linear(sliceRows(v, bi, tk, dv), tk, dv, w.valueKernel, h * vd, w.valueBias);
    const ctx = new Float64Array(tq * h * vd);
    for (let hi = 0; hi < h; hi++) {
      for (let i = 0; i < tq; i++) {
        const scores: number[] = [];
        for (let j = 0; j < tk; j++) {
          let s = 0;
          for (let c = 0; c < kd; c++) s += at(Q, i * h * kd + hi * kd + c) * at(K, j * h * kd + hi * kd + c);
          s /= Math.sqrt(kd);
          if (w.causal && j > i) s = -Infinity;
          scores.push(s);
        }
        const max = Math.max(...scores);
        const e = scores.map((s) => Math.exp(s - max));
        const z = e.reduce((a, x) => a + x, 0);
        for (let c = 0; c < vd; c++) {
          let s = 0;
          for (let j = 0; j < tk; j++) s += (e[j]! / z) * at(V, j * h * vd + hi * vd + c);
          ctx[i * h * vd + hi * vd + c] = s;
        }
      }
    }
    const o = linear(ctx, tq, h * vd, w.outputKernel, dq, w.outputBias);
    out.set(o, bi * tq * dq);
  }
  return out;
}

export function sliceRows(x: Arr, batch: number, t: number, d: number): Float64Array {
  const out = new Float64Array(t * d);
  for (let i = 0; i < t * d; i++) out[i] = at(x, batch * t * d + i);
  return out;
}

/** Layer normalisation over the last axis of [n, d]. */
export function layerNormReference(x: Arr, n: number, d: number, gamma: Arr, beta: Arr, eps: number) {
  const out = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    let mean = 0;
    for (let j = 0; j < d; j++) mean += at(x, i * d + j);
    mean /= d;
    let variance = 0;
    for (let j = 0; j < d; j++) variance += (at(x, i * d + j) - mean) ** 2;
    variance /= d;
    for (let j = 0; j < d; j++)
      out[i * d + j] = ((at(x, i * d + j) - mean) / Math.sqrt(variance + eps)) * at(gamma, j) + at(beta, j);
  }
  return out;
}

/** erf by Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7). */
export function erf(x: number): number {
  const s = Math.sign(x);
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const y =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t *
      Math.exp(-a * a);
  return s * y;
}

export const geluRef = (x: number) => 0.5 * x * (1 + erf(x / Math.SQRT2));
export const reluRef = (x: number) => Math.max(0, x);

export function add(a: Arr, b: Arr): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = at(a, i) + at(b, i);
  return out;
}

export function maxRelError(actual: Arr, expected: Arr): number {
  let worst = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(at(expected, i)));
  for (let i = 0; i < expected.length; i++)
    worst = Math.max(worst, Math.abs(at(actual, i) - at(expected, i)) / Math.max(scale, 1e-6));
  return worst;
}
