/**
 * The fused Adam/AdamW update (electron/engine/kernels/adam.ts, optimizers.ts) against tfjs's own
 * AdamOptimizer on the same backend: weights and both moments bit-identical after several steps,
 * with one kernel per variable instead of tfjs's fifteen.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../electron/engine/backend';
import { FUSED_ADAM } from '../../../electron/engine/kernels/adam';
import { ADAMW_WEIGHT_DECAY, AdamWOptimizer, FusedAdamOptimizer } from '../../../electron/engine/optimizers';
import { randomArray, rng } from './reference';

const SHAPES = [[37, 5], [5], [3, 3, 2, 4], [1]];

/** tfjs's Adam, with AdamW's decay done as tfjs ops before it (how Netloom's AdamW used to run). */
class ReferenceAdamW extends tf.AdamOptimizer {
  constructor(
    lr: number,
    private readonly wd: number,
  ) {
    super(lr, 0.9, 0.999, 1e-7);
  }
  override applyGradients(g: Parameters<tf.AdamOptimizer['applyGradients']>[0]): void {
    tf.tidy(() => {
      for (const name of Object.keys(g)) {
        const v = tf.engine().registeredVariables[name]!;
        v.assign(v.mul(1 - this.learningRate * this.wd));
      }
    });
    super.applyGradients(g);
  }
}

/** Trains variables of SHAPES for `steps` steps with seeded gradients; returns weights and moments. */
async function run(make: () => tf.Optimizer, steps: number, seed: number) {
  const r = rng(seed);
  const vars = SHAPES.map((s, i) =>
    tf.variable(
      tf.tensor(randomArray(tf.util.sizeFromShape(s), r), s),
      true,
      `w${seed}_${i}_${Math.random()}`,
    ),
  );
  const opt = make();
  for (let step = 0; step < steps; step++) {
    const grads: tf.NamedTensorMap = {};
    // Gradients of every size, some exactly zero, one large.
    vars.forEach((v, i) => {
      const a = randomArray(v.size, r).map((x, j) => (j % 7 === 0 ? 0 : x * (i === 2 ? 1e3 : 1)));
      grads[v.name] = tf.tensor(a, v.shape);
    });
    opt.applyGradients(grads);
    tf.dispose(Object.values(grads));
  }
  const weights = vars.map((v) => Float32Array.from(v.dataSync()));
  const moments = (await opt.getWeights()).slice(1).map((w) => Float32Array.from(w.tensor.dataSync()));
  opt.dispose();
  tf.dispose(vars);
  return { weights, moments };
}

function expectBitIdentical(a: Float32Array[], b: Float32Array[]): void {
  expect(a.length).toBe(b.length);
  a.forEach((x, i) => expect(Buffer.from(x.buffer).equals(Buffer.from(b[i]!.buffer))).toBe(true));
}

describe.each(['cpu', 'wasm'] as const)('fused Adam on %s', (backend) => {
  beforeAll(async () => {
    await initBackend(backend);
    await tf.setBackend(backend);
  });

  it('is bit-identical to tfjs Adam (weights and moments) over 6 steps', async () => {
    for (const lr of [1e-3, 0.05]) {
      const want = await run(() => tf.train.adam(lr), 6, 11);
      const got = await run(() => new FusedAdamOptimizer(lr, 0.9, 0.999), 6, 11);
      expectBitIdentical(got.weights, want.weights);
      expectBitIdentical(got.moments, want.moments);
    }
  });

  it('AdamW is bit-identical to decay-then-tfjs-Adam', async () => {
    const want = await run(() => new ReferenceAdamW(0.01, ADAMW_WEIGHT_DECAY), 5, 12);
    const got = await run(() => new AdamWOptimizer(0.01), 5, 12);
    expectBitIdentical(got.weights, want.weights);
    expectBitIdentical(got.moments, want.moments);
  });

  it('runs one kernel per variable (plus the two accumulated betas)', () => {
    const vars = SHAPES.map((s) => tf.variable(tf.ones(s)));
    const opt = new FusedAdamOptimizer(1e-3, 0.9, 0.999);
    const step = () => {
      const grads = Object.fromEntries(vars.map((v) => [v.name, tf.onesLike(v)]));
      opt.applyGradients(grads);
      tf.dispose(Object.values(grads));
    };
    step(); // first step creates the moments
    const kernels: string[] = [];
    const spy = tf.engine().runKernel.bind(tf.engine());
    tf.engine().runKernel = ((name: string, ...rest: unknown[]) => {
      kernels.push(name);
      return (spy as (...a: unknown[]) => unknown)(name, ...rest);
    }) as typeof spy;
    try {
      step();
    } finally {
      tf.engine().runKernel = spy;
    }
    expect(kernels.filter((k) => k === FUSED_ADAM)).toHaveLength(SHAPES.length);
    // The accumulated betas: β1^t, β2^t, one product each.
    expect(kernels.filter((k) => k !== FUSED_ADAM && k !== 'OnesLike')).toEqual(['Multiply', 'Multiply']);
    opt.dispose();
    tf.dispose(vars);
  });
});
