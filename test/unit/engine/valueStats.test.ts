/**
 * The layer statistics' passes (electron/engine/valueStats.ts): the wasm kernels give the very
 * numbers of the JavaScript path (cpu), float64 operation for operation, and both are the
 * definition (a plain pass over the concatenated values; shared/inspect's histogram).
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../../../electron/engine/backend';
import { copyOf, histogramValues, scanValues } from '../../../electron/engine/valueStats';
import { histogramInRange } from '../../../shared/inspect/layerStats';
import { rng } from './reference';

const SPECIAL = [0, -0, NaN, Infinity, -Infinity, 1e-30, -1e-30, 3.5, -2.25, 1e30];

/** Values of the given sizes: random normal-ish floats, some special ones and repeats. */
function parts(seed: number, sizes: number[], special: boolean): Float32Array[] {
  const r = rng(seed);
  return sizes.map((n) =>
    Float32Array.from({ length: n }, (_, i) =>
      special && i % 13 === 5 ? SPECIAL[(i * 7) % SPECIAL.length]! : i % 17 === 3 ? 0.25 : (r() - 0.5) * 0.2,
    ),
  );
}

/** The definition: one pass over all values in order, in float64. */
function definition(values: Float32Array, before?: Float32Array) {
  let sumSq = 0;
  let distSq = 0;
  let min = Infinity;
  let max = -Infinity;
  values.forEach((v, i) => {
    sumSq += v * v;
    if (before) distSq += (v - before[i]!) * (v - before[i]!);
    if (Number.isFinite(v)) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
  });
  return { sumSq, distSq, min, max };
}

const concat = (ps: Float32Array[]) => Float32Array.from(ps.flatMap((p) => Array.from(p)));

describe('layer statistics passes', () => {
  it.each([
    ['one tensor', [1000], false],
    ['kernel and bias, odd sizes', [37 * 29, 29], false],
    ['NaN, ±Infinity, ±0 among them', [4099, 7], true],
    ['an empty part', [0, 64], false],
  ] as [string, number[], boolean][])('%s: wasm = cpu = the definition', async (_, sizes, special) => {
    const now = parts(1, sizes, special);
    const before = parts(2, sizes, special);
    const results = [];
    for (const backend of ['cpu', 'wasm'] as const) {
      await initBackend(backend);
      const before0 = tf.memory().numTensors;
      const ts = now.map((p) => tf.tensor(p));
      const bs = before.map((p) => tf.tensor(p));
      const copies = ts.map(copyOf);
      const scan = scanValues(ts, bs);
      const plain = scanValues(ts);
      const hist = histogramValues(ts, scan.min, scan.max, 24);
      results.push({
        scan,
        plain,
        hist,
        copies: copies.map((c) => Array.from(c.dataSync())),
      });
      tf.dispose([...ts, ...bs, ...copies]);
      expect(tf.memory().numTensors, `${backend}: nothing left behind`).toBe(before0);
    }
    const [cpu, wasm] = results as [(typeof results)[0], (typeof results)[0]];
    expect(wasm).toEqual(cpu);
    const all = concat(now);
    const want = definition(all, concat(before));
    expect(cpu.scan).toEqual(want);
    expect(cpu.plain).toEqual({ ...want, distSq: 0 });
    expect(cpu.hist).toEqual(histogramInRange(all, want.min, want.max, 24));
    expect(cpu.hist.counts.reduce((a, b) => a + b, 0)).toBe(all.filter(Number.isFinite).length);
    expect(cpu.copies).toEqual(now.map((p) => Array.from(p)));
  });

  it('no finite value: an empty range and an empty histogram', async () => {
    for (const backend of ['cpu', 'wasm'] as const) {
      await initBackend(backend);
      const t = tf.tensor([NaN, Infinity, -Infinity]);
      const s = scanValues([t]);
      expect(s.min > s.max).toBe(true);
      expect(histogramValues([t], s.min, s.max, 4)).toEqual({ min: 0, max: 0, counts: [0, 0, 0, 0] });
      t.dispose();
    }
  });
});
