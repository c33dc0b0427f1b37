/** Netloom's dropout (electron/engine/layers/dropout.ts) against tf.dropout: the same numbers, bit for bit. */
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../electron/engine/backend';
import { dropout } from '../../../electron/engine/layers/dropout';
import '../../../electron/engine/layers/index';
import { seedMathRandom } from '../../../electron/engine/random';
import { randomArray, rng } from './reference';

afterAll(async () => {
  await tf.setBackend('cpu');
});

const bits = (t: tf.Tensor) => Array.from(t.dataSync());

describe.each(['cpu', 'wasm'] as const)('dropout on %s', (backend) => {
  it.each([
    [0.1, 42],
    [0.5, 'a string seed'],
    [0.9, 0.123456789],
    [0.3, undefined],
  ] as const)('rate %s, seed %s: the same output and gradient as tf.dropout', async (rate, seed) => {
    await initBackend(backend);
    const x = tf.tensor(randomArray(3 * 50 * 7, rng(3)), [3, 50, 7]);
    const probe = tf.tensor(randomArray(x.size, rng(4)), x.shape);
    const run = (f: (v: tf.Tensor) => tf.Tensor) => {
      // Without a seed both draw it from Math.random: seeded the same way for each.
      const restore = seedMathRandom(99);
      try {
        const y = f(x);
        const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(f(v), probe)));
        seedMathRandom(99);
        return [bits(y), bits(g(x))];
      } finally {
        restore();
      }
    };
    const [want, wantGrad] = run((v) => tf.dropout(v, rate, undefined, seed));
    const [got, gotGrad] = run((v) => dropout(v, rate, seed));
    expect(got).toEqual(want);
    expect(gotGrad).toEqual(wantGrad);
    // It does drop: about `rate` of the elements are zero.
    const zeros = got!.filter((v) => v === 0).length / got!.length;
    expect(Math.abs(zeros - rate)).toBeLessThan(0.06);
  });

  it('the Dropout layer while training gives what tf.dropout gives; at inference it passes its input', async () => {
    await initBackend(backend);
    const x = tf.tensor(randomArray(4 * 30, rng(5)), [4, 30]);
    const layer = tf.layers.dropout({ rate: 0.4 });
    const restore = seedMathRandom(7);
    try {
      const got = bits(layer.apply(x, { training: true }) as tf.Tensor);
      seedMathRandom(7);
      const want = bits(tf.dropout(x, 0.4));
      expect(got).toEqual(want);
      expect(bits(layer.apply(x) as tf.Tensor)).toEqual(bits(x));
    } finally {
      restore();
    }
  });

  it('of an empty tensor is the empty tensor', async () => {
    await initBackend(backend);
    expect(dropout(tf.zeros([0, 3]), 0.5).shape).toEqual([0, 3]);
  });
});
