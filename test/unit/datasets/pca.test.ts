/**
 * The PCA baseline finds the leading subspace (data of known rank is rebuilt exactly with that many
 * components, not with one fewer), and R² means the same in the engine and in the baselines.
 */
import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RegressionAccumulator, regressionSums } from '../../../electron/engine/compile';
import { runBaselines } from '../../../electron/services/datasets/baselines';
import { regressionMetrics } from '../../../electron/services/datasets/baselines/metrics';
import { asReconstruction } from '../../../electron/services/datasets/reconstruction';
import { createRng } from '../../../shared/random';
import type { ArrayDataset } from '../../../shared/training/data';

/** `count` samples of `d` values on a `rank`-dimensional subspace (plus a tiny noise). */
function lowRank(count: number, d: number, rank: number): ArrayDataset {
  const rng = createRng(7);
  const basis = Array.from({ length: rank * d }, () => rng.normal());
  const x = new Float32Array(count * d);
  for (let r = 0; r < count; r++) {
    const z = Array.from({ length: rank }, () => rng.normal());
    for (let i = 0; i < d; i++) {
      let v = 0.5 + 1e-4 * rng.normal();
      for (let k = 0; k < rank; k++) v += z[k]! * basis[k * d + i]!;
      x[r * d + i] = v;
    }
  }
  return {
    id: 'low-rank',
    name: 'low rank',
    task: 'classification',
    x,
    sampleShape: [d],
    xDtype: 'float32',
    y: new Int32Array(count),
    targetSize: 1,
    count,
    holdout: Math.floor(count / 5),
  };
}

describe('PCA baseline', () => {
  it('rebuilds rank-k data with k components, and not with k − 1', async () => {
    const ds = asReconstruction(lowRank(600, 30, 5));
    const [, exact] = await runBaselines(ds, { components: 5 });
    const [, short] = await runBaselines(ds, { components: 4 });
    expect(exact!.id).toBe('pca');
    expect(exact!.label).toBe('PCA, 5 components');
    expect(exact!.metrics.r2).toBeGreaterThan(0.9999);
    expect(short!.metrics.r2).toBeLessThan(0.97);
  });

  it('offers the mean sample and PCA only (no linear regression, which would learn the identity)', async () => {
    const r = await runBaselines(asReconstruction(lowRank(200, 12, 3)));
    expect(r.map((b) => b.id)).toEqual(['majority', 'pca']);
    expect(r[0]!.label).toBe('Mean of the training samples');
    expect(r[1]!.label).toBe('PCA, 12 components');
  });
});

describe('R² over several targets', () => {
  it('is the same number in the engine (batched sums) and in the baselines', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 2, max: 30 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 0, max: 1000 }),
        (cols, rows, batches, seed) => {
          const rng = createRng(seed);
          const n = rows * cols;
          // Columns of very different spread: a near-constant one must not swamp the score.
          const y = Float32Array.from(
            { length: n },
            (_, i) => rng.normal() * (i % cols === 0 ? 1e-3 : 1 + (i % cols)),
          );
          const p = Float32Array.from(y, (v) => v + 0.3 * rng.normal());
          const acc = new RegressionAccumulator();
          const step = Math.ceil(rows / batches);
          for (let r0 = 0; r0 < rows; r0 += step) {
            const r1 = Math.min(rows, r0 + step);
            const sums = tf.tidy(() =>
              regressionSums(
                tf.tensor2d(y.subarray(r0 * cols, r1 * cols), [r1 - r0, cols]),
                tf.tensor2d(p.subarray(r0 * cols, r1 * cols), [r1 - r0, cols]),
              ).dataSync(),
            );
            acc.add(sums, r1 - r0);
          }
          const engine = acc.result();
          const base = regressionMetrics(y, p, cols);
          if (!Number.isFinite(base.r2)) return;
          // float32 sums against float64 ones: equal to a relative 1e-4.
          expect(Math.abs(engine.r2 - base.r2)).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(base.r2)));
          expect(engine.mae).toBeCloseTo(base.mae, 4);
        },
      ),
      // [2, 2, 1, 2]: two rows, a near-constant column (Σy² − (Σy)²/n cancelled in float32; CI found it).
      { numRuns: 60, examples: [[2, 2, 1, 2]] },
    );
  });
});
