/**
 * The training step's cross-entropy as one op (electron/engine/crossEntropy.ts) against the chain of
 * TensorFlow.js ops it replaces: the same loss and the same gradient bit for bit (signed zeros
 * included), on wasm and cpu; and its host metrics against the kernels' (correct count equal, the
 * unclipped loss finite exactly when theirs is, and close to it).
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../electron/engine/backend';
import { crossEntropyLoss, crossEntropyMetrics, EPS } from '../../../electron/engine/crossEntropy';
import { rng } from './reference';

/** What lossValue computed before (clipped; the select only with soft targets). */
function chain(p: tf.Tensor, y: tf.Tensor, soft: boolean): tf.Scalar {
  const terms = y.mul(tf.log(tf.clipByValue(p, EPS, 1 - EPS)));
  return tf.neg(tf.mean(tf.sum(soft ? tf.where(y.greater(0), terms, 0) : terms, -1)));
}

/** Rows of probabilities (a softmax of wide logits: some far below ε, some within ε of 1), exact 0s and 1s. */
function probabilities(shape: number[], seed: number): tf.Tensor {
  const r = rng(seed);
  const k = shape.at(-1)!;
  const size = shape.reduce((a, b) => a * b, 1);
  const logits = Float32Array.from({ length: size }, () => (r() - 0.5) * 40);
  const p = tf
    .softmax(tf.tensor(logits, [size / k, k]))
    .dataSync()
    .slice();
  p[0] = 0;
  p[1] = 1;
  p[k + 2] = Math.fround(EPS);
  p[2 * k] = Math.fround(1 - EPS);
  return tf.tensor(p, shape);
}

function targets(shape: number[], seed: number, soft: boolean): tf.Tensor {
  const r = rng(seed);
  const k = shape.at(-1)!;
  const rows = shape.reduce((a, b) => a * b, 1) / k;
  const y = new Float32Array(rows * k);
  for (let i = 0; i < rows; i++) {
    if (!soft) y[i * k + Math.floor(r() * k)] = 1;
    else for (let j = 0; j < k; j++) y[i * k + j] = r() < 0.3 ? 0 : r();
  }
  return tf.tensor(y, shape);
}

const cases: [string, number[], boolean][] = [
  ['one-hot [64, 10]', [64, 10], false],
  ['one-hot [5, 7, 3] (sequence)', [5, 7, 3], false],
  ['soft targets [33, 4]', [33, 4], true],
];

describe.each(['wasm', 'cpu'] as const)('cross-entropy op on %s', (backend) => {
  beforeAll(async () => {
    await initBackend('wasm');
    await tf.setBackend(backend);
  });
  afterAll(async () => {
    await tf.setBackend('wasm');
  });

  it.each(cases)('%s: same loss, same gradient (also scaled upstream)', (_, shape, soft) => {
    const p = probabilities(shape, 11);
    const y = targets(shape, 12, soft);
    for (const scale of [1, -2.5]) {
      const want = tf.valueAndGrad((q: tf.Tensor) => chain(q, y, soft).mul(scale) as tf.Scalar)(p);
      const got = tf.valueAndGrad((q: tf.Tensor) => crossEntropyLoss(q, y, soft).mul(scale) as tf.Scalar)(p);
      expect(Array.from(got.value.dataSync())).toEqual(Array.from(want.value.dataSync()));
      expect(Array.from(got.grad.dataSync())).toEqual(Array.from(want.grad.dataSync()));
      expect(Array.from(got.grad.dataSync()).some((v) => v !== 0)).toBe(true);
      tf.dispose([want.value, want.grad, got.value, got.grad]);
    }
    tf.dispose([p, y]);
  });

  it('a NaN probability: gradient 0 there, as the chain', () => {
    const p = tf.tensor([
      [NaN, 0.5, 0.5],
      [0.2, 0.3, 0.5],
    ]);
    const y = tf.tensor([
      [1, 0, 0],
      [0, 0, 1],
    ]);
    const want = tf.grad((q: tf.Tensor) => chain(q, y, false))(p);
    const got = tf.grad((q: tf.Tensor) => crossEntropyLoss(q, y, false))(p);
    expect(Array.from(got.dataSync())).toEqual(Array.from(want.dataSync()));
    tf.dispose([p, y, want, got]);
  });

  it('host metrics: the correct count of argMax (ties: first index), the unclipped loss', () => {
    for (const [, shape, soft] of cases) {
      const p = probabilities(shape, 21);
      const y = targets(shape, 22, soft);
      const k = shape.at(-1)!;
      const n = shape[0]!;
      const m = crossEntropyMetrics(p, y, n);
      const pa = p.reshape([-1, k]).argMax(-1);
      const ya = y.reshape([-1, k]).argMax(-1);
      const correct = pa
        .equal(ya)
        .toFloat()
        .sum()
        .div(pa.size / n);
      expect(m.correct).toBe(correct.dataSync()[0]);
      const terms = y.mul(tf.log(tf.clipByValue(p, 0, 1)));
      const exact = tf.neg(tf.mean(tf.sum(tf.where(y.greater(0), terms, 0), -1))).dataSync()[0]!;
      expect(Number.isFinite(m.exact)).toBe(Number.isFinite(exact));
      if (Number.isFinite(exact)) expect(m.exact).toBeCloseTo(exact, 4);
      tf.dispose([p, y, pa, ya, correct, terms]);
    }
    // Ties and a certain wrong answer.
    const p = tf.tensor([
      [0.5, 0.5, 0],
      [0, 0, 1],
      [0.2, 0.4, 0.4],
    ]);
    const y = tf.tensor([
      [0, 1, 0],
      [1, 0, 0],
      [0, 1, 0],
    ]);
    const m = crossEntropyMetrics(p, y, 3);
    expect(m).toEqual({ exact: Infinity, correct: 1 });
    tf.dispose([p, y]);
  });
});
