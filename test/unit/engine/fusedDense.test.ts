/**
 * tfjs-layers' Dense as one op (electron/engine/kernels/dense.ts, layers/fusedDense.ts): on wasm the
 * layer's output and every gradient are bit for bit those of the layer's own code (BatchMatMul, Add,
 * Relu or _FusedMatMul and their gradients), in fewer kernel calls; the input's gradient only runs
 * when something needs it.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../electron/engine/backend';
import { DENSE } from '../../../electron/engine/kernels/dense';
import { setFusedDense } from '../../../electron/engine/layers/fusedDense';
import '../../../electron/engine/layers/index';
import { randomArray, rng } from './reference';

interface Case {
  rows: number;
  n: number;
  units: number;
  activation: 'relu' | 'linear';
  useBias: boolean;
}

const CASES: Case[] = [
  { rows: 37, n: 300, units: 29, activation: 'relu', useBias: true },
  { rows: 256, n: 128, units: 10, activation: 'linear', useBias: true },
  { rows: 5, n: 7, units: 3, activation: 'relu', useBias: false },
  { rows: 64, n: 33, units: 16, activation: 'linear', useBias: false },
];

/** Output, then the gradients of sum(layer(x) · probe) for x, the kernel and the bias. */
function run(c: Case, fused: boolean): number[][] {
  setFusedDense(fused);
  try {
    return tf.tidy(() => {
      const r = rng(c.rows + c.n);
      const layer = tf.layers.dense({ units: c.units, activation: c.activation, useBias: c.useBias });
      layer.build([null, c.n]);
      // Negative pre-activations and exact zeros, so ReLU's every case is met.
      const w: tf.Tensor[] = [tf.tensor2d(randomArray(c.n * c.units, r), [c.n, c.units])];
      if (c.useBias) w.push(tf.tensor1d(randomArray(c.units, r)));
      layer.setWeights(w);
      const xs = randomArray(c.rows * c.n, r).map((v, i) => (i % 11 === 4 ? 0 : v));
      const x = tf.variable(tf.tensor2d(xs, [c.rows, c.n]));
      const probe = tf.tensor2d(randomArray(c.rows * c.units, r), [c.rows, c.units]);
      const out = layer.apply(x) as tf.Tensor;
      const { grads } = tf.variableGrads(() => tf.sum(tf.mul(layer.apply(x) as tf.Tensor, probe)));
      const wanted = [x, ...layer.trainableWeights.map((v) => v.read() as tf.Variable)];
      const result = [out, ...wanted.map((v) => grads[v.name]!)].map((t) => Array.from(t.dataSync()));
      x.dispose();
      layer.weights.forEach((v) => v.dispose());
      return result;
    });
  } finally {
    setFusedDense(true);
  }
}

/** The kernels one training step of a one-layer model runs (x a constant: no gradient for it). */
async function stepKernels(c: Case, fused: boolean): Promise<string[]> {
  setFusedDense(fused);
  try {
    const layer = tf.layers.dense({ units: c.units, activation: c.activation, useBias: c.useBias });
    layer.build([null, c.n]);
    const x = tf.ones([c.rows, c.n]);
    const profile = await tf.profile(() => {
      const { value, grads } = tf.variableGrads(() => tf.sum(layer.apply(x) as tf.Tensor));
      tf.dispose([value, ...Object.values(grads)]);
    });
    x.dispose();
    layer.weights.forEach((v) => v.dispose());
    return profile.kernels.map((k) => k.name);
  } finally {
    setFusedDense(true);
  }
}

describe('Dense as one op', () => {
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it.each(
    CASES.map(
      (c) => [`${c.rows}×${c.n} → ${c.units} ${c.activation}${c.useBias ? '' : ', no bias'}`, c] as const,
    ),
  )('%s: output and gradients on wasm bit for bit the layer’s own', async (_, c) => {
    await initBackend('wasm');
    const fused = run(c, true);
    const own = run(c, false);
    expect(fused.length).toBe(c.useBias ? 4 : 3);
    fused.forEach((f, i) => expect(f, `result ${i}`).toEqual(own[i]));
  });

  it('one kernel forward, fewer calls per step, and no input gradient when nothing needs it', async () => {
    await initBackend('wasm');
    const c = CASES[0]!;
    const fused = await stepKernels(c, true);
    const own = await stepKernels(c, false);
    expect(fused.filter((k) => k === DENSE)).toHaveLength(1);
    expect(fused).not.toContain('Add');
    expect(fused).not.toContain('Relu');
    // dW only: the input is a constant.
    expect(fused.filter((k) => k === 'BatchMatMul')).toHaveLength(1);
    expect(fused.length).toBeLessThan(own.length);
  });

  it('other backends run the layer’s own code', async () => {
    await initBackend('cpu');
    const kernels = await stepKernels(CASES[0]!, true);
    expect(kernels).not.toContain(DENSE);
  });
});
