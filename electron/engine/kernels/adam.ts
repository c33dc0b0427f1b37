/**
 * One Adam (or AdamW) update of one variable as ONE kernel, for the wasm and cpu backends.
 *
 * tfjs's Adam runs 15 kernels per variable (multiply, add, square, divide, sqrt, ... each a pass
 * over the whole variable with its own dispatch): 90 of the MLP's 239 kernel calls per training
 * step. This kernel reads the value, both moments and the gradient once and writes the three new
 * tensors in one loop. It computes exactly what tfjs's `AdamOptimizer.applyGradients` computes, in
 * the same order, every intermediate rounded to float32 (`Math.fround`: an operation on float32
 * values done in double and rounded once is the float32 operation, for + − × ÷ and sqrt), so the
 * weights are bit-identical to tfjs's (tested in test/unit/engine/adam.test.ts).
 *
 * Inputs x (value), m, v (moments), g (gradient), all float32 of one shape. Attributes (float32
 * numbers, as tfjs makes its scalars): beta1, beta2, oneMinusBeta1, oneMinusBeta2, the bias
 * corrections oneMinusAccBeta1/2, epsilon, negLr (−learning rate) and decay (AdamW's 1 − lr·wd,
 * applied to x first; 1 for Adam). Outputs: new x, m, v (new tensors: tensor data is never written
 * in place, and wasm's cached matrix-product operators are keyed by the weights' tensor).
 */
import * as tf from '@tensorflow/tfjs';
import { heapOffset, simdKernels } from './simd/index';

export const FUSED_ADAM = 'NetloomFusedAdam';

export interface FusedAdamAttrs {
  beta1: number;
  beta2: number;
  oneMinusBeta1: number;
  oneMinusBeta2: number;
  oneMinusAccBeta1: number;
  oneMinusAccBeta2: number;
  epsilon: number;
  negLr: number;
  decay: number;
}

const fr = Math.fround;

/** The update itself, over plain arrays (`xo`, `mo`, `vo` may not alias the inputs). */
export function adamUpdate(
  x: Float32Array,
  m: Float32Array,
  v: Float32Array,
  g: Float32Array,
  xo: Float32Array,
  mo: Float32Array,
  vo: Float32Array,
  a: FusedAdamAttrs,
): void {
  const b1 = fr(a.beta1);
  const b2 = fr(a.beta2);
  const c1 = fr(a.oneMinusBeta1);
  const c2 = fr(a.oneMinusBeta2);
  const d1 = fr(a.oneMinusAccBeta1);
  const d2 = fr(a.oneMinusAccBeta2);
  const eps = fr(a.epsilon);
  const nlr = fr(a.negLr);
  const decay = fr(a.decay);
  const n = x.length;
  // x·1 is exact, so plain Adam (decay 1) takes the same loop as AdamW.
  for (let i = 0; i < n; i++) {
    const gi = g[i]!;
    const m1 = fr(fr(m[i]! * b1) + fr(gi * c1));
    const v1 = fr(fr(v[i]! * b2) + fr(fr(gi * gi) * c2));
    mo[i] = m1;
    vo[i] = v1;
    const step = fr(fr(fr(m1 / d1) / fr(fr(Math.sqrt(fr(v1 / d2))) + eps)) * nlr);
    xo[i] = fr(step + fr(x[i]! * decay));
  }
}

interface Inputs {
  x: tf.TensorInfo;
  m: tf.TensorInfo;
  v: tf.TensorInfo;
  g: tf.TensorInfo;
}

function check({ x, m, v, g }: Inputs): void {
  for (const t of [x, m, v, g])
    if (t.dtype !== 'float32' || !tf.util.arraysEqual(t.shape, x.shape))
      throw new Error(`${FUSED_ADAM}: expected float32 tensors of shape [${x.shape.join(',')}]`);
}

interface WasmLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

/** wasm: kernels.wat's `adam`, four floats at a time, in the backend's memory. */
const wasmKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const ins = inputs as unknown as Inputs;
  check(ins);
  const outs = [0, 1, 2].map(() => (backend as unknown as WasmLike).makeOutput(ins.x.shape, 'float32'));
  const at = (t: tf.TensorInfo) => heapOffset(backend, t);
  const a = attrs as unknown as FusedAdamAttrs;
  simdKernels(backend).adam(
    at(ins.x),
    at(ins.m),
    at(ins.v),
    at(ins.g),
    at(outs[0]!),
    at(outs[1]!),
    at(outs[2]!),
    tf.util.sizeFromShape(ins.x.shape),
    a.beta1,
    a.beta2,
    a.oneMinusBeta1,
    a.oneMinusBeta2,
    a.oneMinusAccBeta1,
    a.oneMinusAccBeta2,
    a.epsilon,
    a.negLr,
    a.decay,
  );
  return outs;
};

interface CpuLike {
  readSync(dataId: tf.DataId): ArrayLike<number>;
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
}

const cpuKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const ins = inputs as unknown as Inputs;
  check(ins);
  const b = backend as unknown as CpuLike;
  const read = (t: tf.TensorInfo) => b.readSync(t.dataId) as Float32Array;
  const n = tf.util.sizeFromShape(ins.x.shape);
  const [xo, mo, vo] = [0, 1, 2].map(() => new Float32Array(n)) as [Float32Array, Float32Array, Float32Array];
  adamUpdate(
    read(ins.x),
    read(ins.m),
    read(ins.v),
    read(ins.g),
    xo,
    mo,
    vo,
    attrs as unknown as FusedAdamAttrs,
  );
  return [xo, mo, vo].map((a) => b.makeTensorInfo(ins.x.shape, 'float32', a));
};

let registered = false;

/** Registers the fused update for 'wasm' and 'cpu' (idempotent). Other backends keep tfjs's Adam. */
export function registerFusedAdam(): void {
  if (registered) return;
  registered = true;
  tf.registerKernel({ kernelName: FUSED_ADAM, backendName: 'wasm', kernelFunc: wasmKernel });
  tf.registerKernel({ kernelName: FUSED_ADAM, backendName: 'cpu', kernelFunc: cpuKernel });
}

/** True when the active backend has the fused update. */
export function hasFusedAdam(): boolean {
  return tf.getKernel(FUSED_ADAM, tf.getBackend()) !== undefined;
}
