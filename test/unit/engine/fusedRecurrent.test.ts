/**
 * The fused LSTM (electron/engine/layers/fusedRecurrent.ts) against tfjs-layers' own step loop, and
 * the fused GRU (fusedGru.ts) against tfjs-layers' GRU and NetloomGRU's loops: outputs and the
 * gradients of every input and weight, on cpu and on wasm, to 1e-4 relative error.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../electron/engine/backend';
import { setFusedRecurrent } from '../../../electron/engine/layers/fusedRecurrent';
import { NetloomGRU } from '../../../electron/engine/layers/classes';
import '../../../electron/engine/layers/index';
import { maxRelError, randomArray, rng } from './reference';

interface Case {
  name: string;
  batch: number;
  time: number;
  features: number;
  units: number;
  returnSequences: boolean;
  goBackwards?: boolean;
  bidirectional?: boolean;
}

const CASES: Case[] = [
  { name: 'last state', batch: 3, time: 5, features: 4, units: 6, returnSequences: false },
  { name: 'sequence', batch: 2, time: 7, features: 3, units: 5, returnSequences: true },
  { name: 'two steps', batch: 4, time: 2, features: 2, units: 3, returnSequences: true },
  { name: 'backwards', batch: 2, time: 6, features: 3, units: 4, returnSequences: true, goBackwards: true },
  { name: 'units not a multiple of 4', batch: 5, time: 9, features: 3, units: 7, returnSequences: true },
  { name: 'wide', batch: 4, time: 6, features: 5, units: 32, returnSequences: false },
  // Widths multiples of 16 (the wasm kernels' packed products: W, R, Wᵀ, Rᵀ), an odd batch, and
  // more rows (batch × time) than one chunk of the products over all steps.
  { name: 'packed widths, odd batch', batch: 5, time: 30, features: 16, units: 16, returnSequences: true },
  {
    name: 'bidirectional',
    batch: 2,
    time: 5,
    features: 3,
    units: 4,
    returnSequences: false,
    bidirectional: true,
  },
];

/** Output and gradients (input, then every weight) of sum(layer(x) · probe), fused or not. */
function run(c: Case, fused: boolean): Float32Array[] {
  setFusedRecurrent(fused);
  try {
    return tf.tidy(() => {
      const r = rng(7);
      const lstm = tf.layers.lstm({
        units: c.units,
        returnSequences: c.returnSequences,
        goBackwards: c.goBackwards ?? false,
        recurrentActivation: 'sigmoid',
        unitForgetBias: true,
      });
      const layer = c.bidirectional ? tf.layers.bidirectional({ layer: lstm, mergeMode: 'concat' }) : lstm;
      const x = tf.tensor3d(randomArray(c.batch * c.time * c.features, r), [c.batch, c.time, c.features]);
      layer.apply(x); // builds the weights
      // Deterministic weights (the initialisers draw from tfjs's own generator).
      for (const w of layer.weights)
        w.write(
          tf.tensor(
            randomArray(
              w.shape.reduce((a, d) => a! * d!, 1)!,
              r,
            ),
            w.shape as number[],
          ),
        );
      const out = layer.apply(x, { training: true }) as tf.Tensor;
      const probe = tf.tensor(randomArray(out.size, r), out.shape);
      const vars = layer.trainableWeights.map((w) => w.read() as tf.Variable);
      const xv = tf.variable(x);
      const { grads } = tf.variableGrads(
        () => tf.sum(tf.mul(layer.apply(xv, { training: true }) as tf.Tensor, probe)),
        [xv, ...vars],
      );
      const result = [out, grads[xv.name]!, ...vars.map((v) => grads[v.name]!)].map((t) =>
        Float32Array.from(t.dataSync()),
      );
      xv.dispose();
      for (const w of layer.weights) w.dispose();
      return result;
    });
  } finally {
    setFusedRecurrent(true);
  }
}

afterAll(async () => {
  await tf.setBackend('cpu');
});

describe.each(['cpu', 'wasm'] as const)('fused LSTM on %s', (backend) => {
  it.each(CASES.map((c) => [c.name, c] as const))(
    '%s: outputs and all gradients match the step loop',
    async (_, c) => {
      await initBackend(backend);
      const want = run(c, false);
      const got = run(c, true);
      expect(got.length).toBe(want.length);
      got.forEach((g, i) => {
        const w = want[i]!;
        expect(g.length).toBe(w.length);
        expect(w.some((v) => v !== 0)).toBe(true);
        expect(maxRelError(g, w)).toBeLessThan(1e-4);
      });
    },
  );
});

describe.each(['cpu', 'wasm'] as const)('fused LSTM, one time step, on %s', (backend) => {
  it('trains where the step loop cannot (its Unpack gradient fails for one step): same output, gradients by finite differences', async () => {
    await initBackend(backend);
    const r = rng(11);
    const lstm = tf.layers.lstm({ units: 5, recurrentActivation: 'sigmoid' });
    const x = tf.tensor3d(randomArray(2 * 1 * 4, r), [2, 1, 4]);
    lstm.apply(x);
    const loss = (): tf.Scalar => tf.sum(tf.square(lstm.apply(x) as tf.Tensor));
    setFusedRecurrent(false);
    const want = loss().dataSync()[0]!;
    setFusedRecurrent(true);
    expect(loss().dataSync()[0]!).toBeCloseTo(want, 6);
    const kernel = lstm.trainableWeights[0]!.read() as tf.Variable;
    const { grads } = tf.variableGrads(loss, [kernel]);
    const g = grads[kernel.name]!.dataSync();
    // Central differences on a few kernel entries (float64 arithmetic is not available: 1e-2 step).
    const base = kernel.dataSync().slice();
    for (const idx of [0, 5, 17, 40]) {
      const at = (delta: number) => {
        const v = base.slice();
        v[idx] = v[idx]! + delta;
        kernel.assign(tf.tensor(v, kernel.shape));
        return loss().dataSync()[0]!;
      };
      const numeric = (at(1e-2) - at(-1e-2)) / 2e-2;
      expect(Math.abs(g[idx]! - numeric)).toBeLessThan(2e-3 + 1e-2 * Math.abs(numeric));
    }
    kernel.assign(tf.tensor(base, kernel.shape));
  });
});

describe('fused LSTM on wasm', () => {
  it('runs each recurrence as one SIMD kernel call: the kernels a training step runs do not grow with the sequence', async () => {
    await initBackend('wasm');
    const kernelsFor = async (time: number): Promise<string[]> => {
      const r = rng(3);
      const lstm = tf.layers.lstm({ units: 8, recurrentActivation: 'sigmoid' });
      const x = tf.tensor3d(randomArray(2 * time * 3, r), [2, time, 3]);
      lstm.apply(x);
      const vars = lstm.trainableWeights.map((w) => w.read() as tf.Variable);
      const info = await tf.profile(() => {
        const { value, grads } = tf.variableGrads(
          () => tf.sum(lstm.apply(x, { training: true }) as tf.Tensor),
          vars,
        );
        value.dispose();
        tf.dispose(Object.values(grads));
      });
      x.dispose();
      for (const w of lstm.weights) w.dispose();
      return info.kernelNames;
    };
    const short = await kernelsFor(3);
    const long = await kernelsFor(40);
    expect(long).toEqual(short);
    expect(long).not.toContain('Sigmoid');
  });
});

// The fused GRU (electron/engine/layers/fusedGru.ts) against the step loops: tfjs-layers' GRU (reset
// before, Keras's reset_after=False) and NetloomGRU's gruResetAfter (reset after).

interface GruCase {
  name: string;
  resetAfter: boolean;
  batch: number;
  time: number;
  features: number;
  units: number;
  returnSequences: boolean;
  goBackwards?: boolean;
  bidirectional?: boolean;
  activation?: string;
}

const GRU_SHAPES: Omit<GruCase, 'resetAfter'>[] = [
  { name: 'last state', batch: 3, time: 5, features: 4, units: 6, returnSequences: false },
  { name: 'sequence', batch: 2, time: 7, features: 3, units: 5, returnSequences: true },
  { name: 'batch 1', batch: 1, time: 6, features: 3, units: 4, returnSequences: true },
  { name: 'two steps', batch: 4, time: 2, features: 2, units: 3, returnSequences: false },
  { name: 'odd sizes', batch: 5, time: 9, features: 3, units: 7, returnSequences: true },
  { name: 'wide', batch: 4, time: 6, features: 5, units: 32, returnSequences: false },
  { name: 'packed widths, odd batch', batch: 5, time: 30, features: 16, units: 16, returnSequences: true },
  {
    name: 'bidirectional sequence',
    batch: 3,
    time: 5,
    features: 3,
    units: 4,
    returnSequences: true,
    bidirectional: true,
  },
  {
    name: 'bidirectional last state',
    batch: 1,
    time: 4,
    features: 2,
    units: 5,
    returnSequences: false,
    bidirectional: true,
  },
  { name: 'relu', batch: 3, time: 5, features: 3, units: 4, returnSequences: true, activation: 'relu' },
  {
    name: 'sigmoid',
    batch: 2,
    time: 4,
    features: 3,
    units: 5,
    returnSequences: false,
    activation: 'sigmoid',
  },
  { name: 'linear', batch: 2, time: 4, features: 3, units: 3, returnSequences: true, activation: 'linear' },
];

const GRU_CASES: GruCase[] = [
  ...GRU_SHAPES.map((c) => ({ ...c, name: `reset before, ${c.name}`, resetAfter: false })),
  {
    name: 'reset before, backwards',
    resetAfter: false,
    batch: 2,
    time: 6,
    features: 3,
    units: 4,
    returnSequences: true,
    goBackwards: true,
  },
  ...GRU_SHAPES.map((c) => ({ ...c, name: `reset after, ${c.name}`, resetAfter: true })),
];

function gruLayer(
  c: GruCase,
  extra: { dropout?: number; recurrentActivation?: string } = {},
): tf.layers.Layer {
  if (c.resetAfter)
    return new NetloomGRU({
      units: c.units,
      returnSequences: c.returnSequences,
      bidirectional: c.bidirectional ?? false,
      activation: c.activation ?? 'tanh',
      recurrentActivation: extra.recurrentActivation ?? 'sigmoid',
      dropout: extra.dropout ?? 0,
    });
  const gru = tf.layers.gru({
    units: c.units,
    returnSequences: c.returnSequences,
    goBackwards: c.goBackwards ?? false,
    activation: (c.activation ?? 'tanh') as 'tanh',
    recurrentActivation: (extra.recurrentActivation ?? 'sigmoid') as 'sigmoid',
    dropout: extra.dropout ?? 0,
  });
  return c.bidirectional ? tf.layers.bidirectional({ layer: gru, mergeMode: 'concat' }) : gru;
}

/** Output and gradients (input, then every weight) of sum(gru(x) · probe), fused or not. */
function runGru(c: GruCase, fused: boolean, recurrentActivation = 'sigmoid'): Float32Array[] {
  setFusedRecurrent(fused);
  try {
    return tf.tidy(() => {
      const r = rng(7);
      const layer = gruLayer(c, { recurrentActivation });
      const x = tf.tensor3d(randomArray(c.batch * c.time * c.features, r), [c.batch, c.time, c.features]);
      layer.apply(x); // builds the weights
      for (const w of layer.weights) {
        const size = w.shape.reduce((a, d) => a! * d!, 1)!;
        w.write(tf.tensor(randomArray(size, r), w.shape as number[]));
      }
      const out = layer.apply(x, { training: true }) as tf.Tensor;
      const probe = tf.tensor(randomArray(out.size, r), out.shape);
      const vars = layer.trainableWeights.map((w) => w.read() as tf.Variable);
      const xv = tf.variable(x);
      const { grads } = tf.variableGrads(
        () => tf.sum(tf.mul(layer.apply(xv, { training: true }) as tf.Tensor, probe)),
        [xv, ...vars],
      );
      const result = [out, grads[xv.name]!, ...vars.map((v) => grads[v.name]!)].map((t) =>
        Float32Array.from(t.dataSync()),
      );
      xv.dispose();
      for (const w of layer.weights) w.dispose();
      return result;
    });
  } finally {
    setFusedRecurrent(true);
  }
}

describe.each(['cpu', 'wasm'] as const)('fused gru (GRU) on %s', (backend) => {
  it.each(GRU_CASES.map((c) => [c.name, c] as const))(
    '%s: outputs and all gradients (x, W, R, b) match the step loop',
    async (_, c) => {
      await initBackend(backend);
      const want = runGru(c, false);
      const got = runGru(c, true);
      // x, then W, R, b per direction.
      expect(got.length).toBe(want.length);
      expect(want.length).toBe(c.bidirectional ? 8 : 5);
      const worst = got.map((g, i) => {
        const w = want[i]!;
        expect(g.length).toBe(w.length);
        expect(w.some((v) => v !== 0)).toBe(true);
        return maxRelError(g, w);
      });
      console.log(`fused GRU on ${backend}, ${c.name}: max rel diff ${Math.max(...worst).toExponential(2)}`);
      for (const e of worst) expect(e).toBeLessThan(1e-4);
    },
  );
});

describe.each(['cpu', 'wasm'] as const)('fused gru (GRU), one time step, on %s', (backend) => {
  it.each([false, true])(
    'reset after %s: trains where the step loop cannot (its Unpack gradient fails for one step): same output, W, R and b gradients by finite differences',
    async (resetAfter) => {
      await initBackend(backend);
      const r = rng(11);
      const c = { name: '', resetAfter, batch: 2, time: 1, features: 4, units: 5, returnSequences: false };
      const layer = gruLayer(c);
      const x = tf.tensor3d(randomArray(2 * 1 * 4, r), [2, 1, 4]);
      layer.apply(x);
      for (const w of layer.weights) {
        const size = w.shape.reduce((a, d) => a! * d!, 1)!;
        w.write(tf.tensor(randomArray(size, r), w.shape as number[]));
      }
      const loss = (): tf.Scalar => tf.sum(tf.square(layer.apply(x) as tf.Tensor));
      setFusedRecurrent(false);
      const want = loss().dataSync()[0]!;
      setFusedRecurrent(true);
      expect(loss().dataSync()[0]!).toBeCloseTo(want, 6);
      const vars = layer.trainableWeights.map((w) => w.read() as tf.Variable);
      const { grads } = tf.variableGrads(loss, vars);
      // Central differences on a few entries of each (float64 arithmetic is not available: 1e-2 step).
      for (const v of vars) {
        const g = grads[v.name]!.dataSync();
        const base = v.dataSync().slice();
        for (const idx of [0, 5, 11, base.length - 1]) {
          const at = (delta: number) => {
            const u = base.slice();
            u[idx] = u[idx]! + delta;
            v.assign(tf.tensor(u, v.shape));
            return loss().dataSync()[0]!;
          };
          const numeric = (at(1e-2) - at(-1e-2)) / 2e-2;
          expect(Math.abs(g[idx]! - numeric)).toBeLessThan(2e-3 + 1e-2 * Math.abs(numeric));
        }
        v.assign(tf.tensor(base, v.shape));
      }
      x.dispose();
      for (const w of layer.weights) w.dispose();
    },
  );
});

describe('fused gru (GRU): where it applies', () => {
  /** The kernels one training step of `layer` runs. */
  const kernelsOf = async (layer: tf.layers.Layer, training: boolean): Promise<string[]> => {
    const r = rng(5);
    const x = tf.tensor3d(randomArray(2 * 4 * 3, r), [2, 4, 3]);
    layer.apply(x);
    const vars = layer.trainableWeights.map((w) => w.read() as tf.Variable);
    const info = await tf.profile(() => {
      const { value, grads } = tf.variableGrads(
        () => tf.sum(layer.apply(x, { training }) as tf.Tensor),
        vars,
      );
      value.dispose();
      tf.dispose(Object.values(grads));
    });
    x.dispose();
    for (const w of layer.weights) w.dispose();
    return info.kernelNames;
  };
  const base = { name: '', batch: 2, time: 4, features: 3, units: 4, returnSequences: true };

  it.each([false, true])(
    'reset after %s: fused (no Sigmoid kernel), the loop with dropout while training',
    async (after) => {
      await initBackend('cpu');
      const c = { ...base, resetAfter: after };
      expect(await kernelsOf(gruLayer(c), true)).not.toContain('Sigmoid');
      // Dropout: fused at inference only.
      expect(await kernelsOf(gruLayer(c, { dropout: 0.3 }), false)).not.toContain('Sigmoid');
      expect(await kernelsOf(gruLayer(c, { dropout: 0.3 }), true)).toContain('Sigmoid');
    },
  );

  it('the reset-before GRU with another recurrent activation or candidate activation runs its own loop', async () => {
    await initBackend('cpu');
    const c = { ...base, resetAfter: false };
    expect(await kernelsOf(gruLayer(c, { recurrentActivation: 'hardSigmoid' }), true)).toContain('Tanh');
    expect(await kernelsOf(gruLayer({ ...c, activation: 'elu' }), true)).toContain('Sigmoid');
  });

  it('hard sigmoid gates are not fused: NetloomGRU and the LSTM run their loops, the same with the fused op on as off', async () => {
    await initBackend('cpu');
    const hard = { recurrentActivation: 'hardSigmoid' };
    // The loops' hard sigmoid is a ClipByValue kernel; the fused ops have none.
    expect(await kernelsOf(gruLayer({ ...base, resetAfter: true }, hard), true)).toContain('ClipByValue');
    expect(await kernelsOf(gruLayer({ ...base, resetAfter: true }), true)).not.toContain('ClipByValue');
    const lstm = (recurrentActivation: 'hardSigmoid' | 'sigmoid') =>
      tf.layers.lstm({ units: 4, returnSequences: true, recurrentActivation });
    expect(await kernelsOf(lstm('hardSigmoid'), true)).toContain('ClipByValue');
    expect(await kernelsOf(lstm('sigmoid'), true)).not.toContain('ClipByValue');
    const c = { ...base, resetAfter: true, bidirectional: true };
    const on = runGru(c, true, 'hardSigmoid');
    const off = runGru(c, false, 'hardSigmoid');
    on.forEach((v, i) => expect(Array.from(v)).toEqual(Array.from(off[i]!)));
    // And hard sigmoid is not sigmoid.
    expect(maxRelError(on[0]!, runGru(c, false)[0]!)).toBeGreaterThan(1e-3);
  });
});

describe('fused gru (GRU) on wasm', () => {
  it.each([false, true])(
    'reset after %s: runs each recurrence as one SIMD kernel call: the kernels a training step runs do not grow with the sequence',
    async (resetAfter) => {
      await initBackend('wasm');
      const kernelsFor = async (time: number): Promise<string[]> => {
        const r = rng(3);
        const c = { name: '', resetAfter, batch: 2, time, features: 3, units: 8, returnSequences: false };
        const layer = gruLayer(c);
        const x = tf.tensor3d(randomArray(2 * time * 3, r), [2, time, 3]);
        layer.apply(x);
        const vars = layer.trainableWeights.map((w) => w.read() as tf.Variable);
        const info = await tf.profile(() => {
          const { value, grads } = tf.variableGrads(
            () => tf.sum(layer.apply(x, { training: true }) as tf.Tensor),
            vars,
          );
          value.dispose();
          tf.dispose(Object.values(grads));
        });
        x.dispose();
        for (const w of layer.weights) w.dispose();
        return info.kernelNames;
      };
      const short = await kernelsFor(3);
      const long = await kernelsFor(40);
      expect(long).toEqual(short);
      expect(long).not.toContain('Sigmoid');
    },
  );
});
