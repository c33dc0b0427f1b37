/**
 * Batches and gradients written straight into the wasm heap (kernels/wasm.ts `filledTensor`,
 * `hostValues`; data.ts `gatherRows`, `oneHotRows`): the same tensors as through host arrays, on wasm
 * and cpu; and tensors saved for a gradient shared without a kernel (kernels/savedTensors.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../electron/engine/backend';
import { gatherRows, oneHotRows } from '../../../electron/engine/data';
import '../../../electron/engine/kernels';
import { filledTensor, hostValues } from '../../../electron/engine/kernels/wasm';
import { rng } from './reference';

/** The rows by hand: a plain copy per row. */
function expected(
  data: ArrayLike<number>,
  per: number,
  idx: Int32Array,
  start: number,
  end: number,
): number[] {
  const out: number[] = [];
  for (let i = start; i < end; i++) for (let j = 0; j < per; j++) out.push(data[idx[i]! * per + j]!);
  return out;
}

describe.each(['wasm', 'cpu'] as const)('host memory on %s', (backend) => {
  beforeAll(async () => {
    await initBackend('wasm');
    await tf.setBackend(backend);
  });
  afterAll(async () => {
    await tf.setBackend('wasm');
  });

  it('gatherRows copies the chosen rows, float32 and int32 (also from float32 token ids)', () => {
    const r = rng(7);
    const rows = 50;
    const floats = Float32Array.from({ length: rows * 12 }, () => r() * 2 - 1);
    const tokens = Float32Array.from({ length: rows * 5 }, () => Math.floor(r() * 1000));
    const ints = Int32Array.from(tokens);
    const idx = Int32Array.from({ length: rows }, (_, i) => (i * 17) % rows);
    const before = tf.memory().numTensors;
    const a = gatherRows(floats, [3, 4], 'float32', idx, 5, 37);
    const b = gatherRows(tokens, [5], 'int32', idx, 0, rows);
    const c = gatherRows(ints, [5], 'int32', idx, 49, 50);
    const empty = gatherRows(floats, [3, 4], 'float32', idx, 3, 3);
    expect([a.shape, a.dtype]).toEqual([[32, 3, 4], 'float32']);
    expect([b.shape, b.dtype, c.shape, empty.shape]).toEqual([[rows, 5], 'int32', [1, 5], [0, 3, 4]]);
    expect(Array.from(a.dataSync())).toEqual(expected(floats, 12, idx, 5, 37));
    expect(Array.from(b.dataSync())).toEqual(expected(tokens, 5, idx, 0, rows));
    expect(Array.from(c.dataSync())).toEqual(expected(ints, 5, idx, 49, 50));
    tf.dispose([a, b, c, empty]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('oneHotRows is tf.oneHot of the labels made whole (out of range: a row of zeros)', () => {
    const ints = Int32Array.from([0, 3, 9, -1, 2, 10, 4]);
    const floats = Float32Array.from([2.7, -0.5, 9.99, 10, -3, 1, 0]);
    const idx = Int32Array.from([6, 5, 4, 3, 2, 1, 0]);
    for (const labels of [ints, floats]) {
      const got = oneHotRows(labels, idx, 1, 7, 10);
      const picked = tf.tensor(
        Array.from(idx.subarray(1, 7), (i) => labels[i]!),
        [6],
        'float32',
      );
      const want = tf.oneHot(picked.toInt(), 10).toFloat();
      expect(got.shape).toEqual([6, 10]);
      expect(Array.from(got.dataSync())).toEqual(Array.from(want.dataSync()));
      tf.dispose([got, picked, want]);
    }
  });

  it('filledTensor is tracked by tidy; hostValues reads a tensor as dataSync does', () => {
    const before = tf.memory().numTensors;
    const kept = tf.tidy(() => {
      const t = filledTensor([2, 3], 'float32', (v) => v.set([1, -2, 3.5, 0, -0, 6]));
      const dropped = filledTensor([4], 'int32', (v) => v.fill(9));
      expect(Array.from(dropped.dataSync())).toEqual([9, 9, 9, 9]);
      return t;
    });
    expect(tf.memory().numTensors).toBe(before + 1);
    const x = tf.tensor([
      [0.25, -1],
      [1e-30, 7],
    ]);
    expect(Array.from(hostValues(x))).toEqual(Array.from(x.dataSync()));
    expect(Array.from(hostValues(kept))).toEqual([1, -2, 3.5, 0, -0, 6]);
    expect(Object.is(hostValues(kept)[4], -0)).toBe(true);
    tf.dispose([kept, x]);
  });

  it('tensors saved for a gradient: no Identity kernel, the same gradient, nothing left behind', async () => {
    const w = tf.variable(
      tf.tensor([
        [0.5, -1],
        [2, 0.25],
      ]),
    );
    const x = tf.tensor([
      [1, 2],
      [-3, 4],
      [0.5, -0.5],
    ]);
    const before = tf.memory().numTensors;
    const info = await tf.profile(() => {
      const { value, grads } = tf.variableGrads(() => tf.relu(x.matMul(w)).square().sum() as tf.Scalar, [w]);
      const g = grads[w.name]!;
      // d/dW Σ relu(xW)² = xᵀ·(2·relu(xW)).
      const want = tf.tidy(() => x.transpose().matMul(tf.relu(x.matMul(w)).mul(2)));
      expect(Array.from(g.dataSync())).toEqual(Array.from(want.dataSync()));
      tf.dispose([value, g, want]);
      return [];
    });
    expect(info.kernels.length).toBeGreaterThan(5);
    expect(info.kernels.filter((k) => k.name === 'Identity')).toEqual([]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([w, x]);
  });
});
