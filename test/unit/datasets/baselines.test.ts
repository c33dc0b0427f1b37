import { describe, expect, it } from 'vitest';
import { accuracy, regressionMetrics, runBaselines } from '../../../electron/services/datasets/baselines';
import { loadBuiltin } from '../../../electron/services/datasets/builtin';
import { importCsv } from '../../../electron/services/datasets/csv';
import { join } from 'node:path';

describe('baseline ladder', () => {
  it('iris: logistic regression, random forest and boosted trees all reach 0.9 validation accuracy', async () => {
    const iris = await loadBuiltin('iris', { validationSplit: 0.2 });
    const results = await runBaselines(iris);
    const by = Object.fromEntries(results.map((r) => [r.id, r]));
    expect(Object.keys(by)).toEqual([
      'majority',
      'logistic-regression',
      'random-forest',
      'gradient-boosting',
    ]);
    expect(by['majority']!.metrics.accuracy).toBeLessThan(0.5);
    expect(by['logistic-regression']!.metrics.accuracy).toBeGreaterThanOrEqual(0.9);
    expect(by['random-forest']!.metrics.accuracy).toBeGreaterThanOrEqual(0.9);
    expect(by['gradient-boosting']!.metrics.accuracy).toBeGreaterThanOrEqual(0.9);
    // Deterministic: the same split and seed give the same numbers.
    const again = await runBaselines(iris);
    expect(again.map((r) => r.metrics)).toEqual(results.map((r) => r.metrics));
  });

  it('regression: least squares beats the mean, the forest follows the curve', async () => {
    const sine = await loadBuiltin('sine', { validationSplit: 0.2, noise: 0.05 });
    const by = Object.fromEntries((await runBaselines(sine)).map((r) => [r.id, r.metrics]));
    expect(by['majority']!.r2).toBeLessThan(0.05);
    expect(by['linear-regression']!.r2).toBeGreaterThan(0.5);
    expect(by['random-forest']!.r2).toBeGreaterThan(0.9);
    expect(by['random-forest']!.mae).toBeLessThan(by['linear-regression']!.mae!);
    expect(by['gradient-boosting']!.r2).toBeGreaterThan(0.9);
  });

  it('spirals: the linear model fails where the forest succeeds (why depth matters)', async () => {
    const ds = await loadBuiltin('spirals', { validationSplit: 0.2, samples: 600 });
    const by = Object.fromEntries((await runBaselines(ds)).map((r) => [r.id, r.metrics.accuracy]));
    expect(by['logistic-regression']).toBeLessThan(0.7);
    expect(by['random-forest']).toBeGreaterThan(0.9);
    // Boosted trees (at least 20 rows a leaf, as LightGBM and scikit-learn default to) trace the
    // arms in coarser axis-aligned steps on 480 training rows.
    expect(by['gradient-boosting']).toBeGreaterThan(0.85);
  });

  it('MNIST (its 2,000 held-out digits): the forest and the boosted trees both reach 0.90, on every training row', async () => {
    const mnist = await loadBuiltin('mnist');
    const results = await runBaselines(mnist, { only: ['random-forest', 'gradient-boosting'] });
    for (const r of results) {
      console.log(`MNIST ${r.id}: ${r.metrics.accuracy} in ${r.trainMs} ms (${r.note})`);
      expect(r.metrics.accuracy, r.id).toBeGreaterThanOrEqual(0.9);
      expect(r.note).toContain('8,000 training rows');
    }
  }, 120_000);

  it('works on an imported CSV and on token ids (bag of words)', async () => {
    const r = await importCsv(join(__dirname, '../../fixtures/csv/iris-small.csv'), { target: 'species' });
    const res = await runBaselines(r.dataset, { only: ['logistic-regression'] });
    expect(res[0]!.metrics.accuracy).toBeGreaterThanOrEqual(0.8);
    const tokens = {
      id: 't',
      name: 't',
      task: 'classification' as const,
      x: Int32Array.from(
        { length: 200 * 5 },
        (_, k) => (Math.floor(k / 5) % 2 ? 2 : 3) + (k % 5 === 0 ? 2 : 0),
      ),
      sampleShape: [5],
      xDtype: 'int32' as const,
      y: Int32Array.from({ length: 200 }, (_, i) => i % 2),
      targetSize: 1,
      classes: ['a', 'b'],
      vocabSize: 6,
      count: 200,
    };
    const t = await runBaselines(tokens, { randomForest: { trees: 5 }, boosting: { rounds: 10 } });
    for (const b of t.slice(1)) expect(b.metrics.accuracy).toBe(1);
  });

  it('a quarter of a million rows: the ladder runs (labels are counted without spreading them into Math.max)', async () => {
    const count = 250_000;
    const big = {
      id: 'big',
      name: 'big',
      task: 'classification' as const,
      x: Float32Array.from({ length: count }, (_, i) => (i % 3) + (i % 7) / 10),
      sampleShape: [1],
      xDtype: 'float32' as const,
      y: Int32Array.from({ length: count }, (_, i) => i % 3),
      targetSize: 1,
      count,
    };
    const res = await runBaselines(big, {
      only: ['majority', 'random-forest', 'gradient-boosting'],
      randomForest: { trees: 1, maxDepth: 4 },
      boosting: { rounds: 2 },
    });
    expect(res.map((r) => r.id)).toEqual(['majority', 'random-forest', 'gradient-boosting']);
    for (const r of res.slice(1)) expect(r.metrics.accuracy, r.id).toBe(1);
  });

  it('metrics', () => {
    expect(accuracy([0, 1, 1, 2], [0, 1, 2, 2])).toBe(0.75);
    expect(regressionMetrics([1, 2, 3], [1, 2, 3])).toEqual({ mae: 0, r2: 1 });
    expect(regressionMetrics([1, 2, 3], [2, 2, 2]).r2).toBeCloseTo(0, 10);
  });

  it('refuses a dataset without validation rows, and stops on cancel', async () => {
    const iris = await loadBuiltin('iris');
    await expect(runBaselines(iris, { validationSplit: 0 })).rejects.toThrow(/validation split above 0/);
    const ac = new AbortController();
    ac.abort();
    await expect(runBaselines(iris, { signal: ac.signal })).rejects.toMatchObject({ code: 'cancelled' });
  });
});
