/** The histogram trees under the forest and the boosted trees: binning, splits, leaves, limits. */
import { describe, expect, it } from 'vitest';
import { binFeatures, MAX_BINS } from '../../../electron/services/datasets/baselines/bins';
import { addTree, growTree } from '../../../electron/services/datasets/baselines/trees';
import { mulberry32 } from '../../../shared/random';

/** Dense features → binned, as the ladder makes them (train rows = all rows here). */
function binned(x: number[][], valRows = 0) {
  const d = x[0]!.length;
  const flat = Float32Array.from(x.flat());
  return binFeatures({
    kind: 'dense',
    train: flat.subarray(0, (x.length - valRows) * d),
    val: flat.subarray((x.length - valRows) * d),
    d,
  });
}

describe('binning', () => {
  it('cuts at quantiles, at most MAX_BINS codes, a constant feature gets one', () => {
    const rows = Array.from({ length: 1000 }, (_, i) => [i, 7, i % 3]);
    const b = binned(rows);
    expect(b.bins[0]).toBe(MAX_BINS);
    expect(b.bins[1]).toBe(1);
    expect(b.bins[2]).toBe(3);
    // Codes are monotone in the value.
    for (let i = 1; i < 1000; i++) expect(b.train[i * 3]!).toBeGreaterThanOrEqual(b.train[(i - 1) * 3]!);
    expect(b.train[999 * 3]).toBe(MAX_BINS - 1);
  });
});

describe('growTree', () => {
  it('finds the one informative feature and its threshold; leaves hold class frequencies', () => {
    const random = mulberry32(1);
    const x = Array.from({ length: 400 }, () => [random(), random()]);
    const y = x.map(([, b]) => (b! > 0.5 ? 1 : 0));
    const b = binned(x);
    const k = 2;
    const g = new Float32Array(400 * k);
    y.forEach((c, i) => (g[i * k + c] = -1)); // −one-hot: leaves are the mean of the one-hot rows
    const tree = growTree(
      b,
      Int32Array.from({ length: 400 }, (_, i) => i),
      Int32Array.from([0, 1]),
      { g, h: null, k },
      { maxDepth: 1, minLeaf: 1, lambda: 0, featuresPerSplit: 2 },
      random,
    );
    expect(tree.feature[0]).toBe(1);
    const out = new Float32Array(400 * k);
    addTree(tree, b.train, b.d, 400, 1, out);
    let correct = 0;
    for (let i = 0; i < 400; i++) {
      expect(out[i * k]! + out[i * k + 1]!).toBeCloseTo(1, 5); // frequencies
      if ((out[i * k + 1]! > 0.5 ? 1 : 0) === y[i]) correct++;
    }
    expect(correct / 400).toBeGreaterThan(0.95); // only a quantile bin's width from the true cut
  });

  it('respects depth and the fewest rows a leaf may hold', () => {
    const random = mulberry32(2);
    const x = Array.from({ length: 200 }, () => [random()]);
    const b = binned(x);
    const g = Float32Array.from(x, ([v]) => -Math.sin(10 * v!));
    const grow = (maxDepth: number, minLeaf: number) =>
      growTree(
        b,
        Int32Array.from({ length: 200 }, (_, i) => i),
        Int32Array.from([0]),
        { g, h: null, k: 1 },
        { maxDepth, minLeaf, lambda: 0, featuresPerSplit: 1 },
        random,
      );
    const leaves = (t: ReturnType<typeof grow>) => Array.from(t.feature).filter((f) => f < 0).length;
    expect(leaves(grow(3, 1))).toBeLessThanOrEqual(8);
    expect(leaves(grow(20, 50))).toBeLessThanOrEqual(4); // 200 rows, ≥ 50 a leaf
    expect(leaves(grow(0, 1))).toBe(1);
  });

  it("leaf values are −G/(H+λ) with each output's own hessians", () => {
    const b = binned([[0], [1]]);
    const tree = growTree(
      b,
      Int32Array.from([0, 1]),
      Int32Array.from([0]),
      { g: Float32Array.from([1, 2, 3, 4]), h: Float32Array.from([1, 1, 3, 1]), k: 2 },
      { maxDepth: 0, minLeaf: 1, lambda: 1, featuresPerSplit: 1 },
      Math.random,
    );
    expect(Array.from(tree.value)).toEqual(
      [-(1 + 3) / (1 + 3 + 1), -(2 + 4) / (1 + 1 + 1)].map((v) => expect.closeTo(v, 6)),
    );
  });
});
