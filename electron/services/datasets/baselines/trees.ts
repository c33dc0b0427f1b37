/**
 * Histogram decision trees with vector leaves, grown on binned features (bins.ts): the one tree
 * builder behind the gradient-boosted trees and the random forest of the baseline ladder.
 *
 * A tree fits k outputs at once. Each training row brings k gradients g and, optionally, k
 * hessians h (none: every hessian is 1, so H is the row count). A split's gain is
 * Σ_c G_L,c² / (H_L + λ) + G_R,c² / (H_R + λ) − G_c² / (H + λ) (XGBoost's, summed over the outputs,
 * as CatBoost's multi-class trees do), where the split search uses one hessian per row, the mean of
 * its k (half the histogram of k separate ones); a leaf's value is exact, −G_c / (H_c + λ) with each
 * output's own. With one-hot targets as −g, no hessians and λ = 0 the gain is the reduction of
 * squared error, which for class indicators is the Gini impurity's: the random forest's criterion.
 *
 * At each node the histograms of the features tried are built in one pass over the node's rows;
 * the node's rows are then partitioned in place (a node is a range of `rows`).
 */

import { type Binned, MAX_BINS } from './bins';

export interface TreeParams {
  maxDepth: number;
  /** Fewest rows a leaf may hold. */
  minLeaf: number;
  /** L2 on leaf values. */
  lambda: number;
  /** Features tried at each split, drawn anew per node (random forest: √d); ≥ features: all. */
  featuresPerSplit: number;
}

export interface Tree {
  /** Per node: the feature split on, −1 for a leaf. */
  feature: Int32Array;
  /** Rows whose code is ≤ cut go left. */
  cut: Uint8Array;
  left: Int32Array;
  right: Int32Array;
  /** Per node, k values (leaves only). */
  value: Float32Array;
  k: number;
}

export interface Targets {
  /** `trainRows × k` gradients. */
  g: Float32Array;
  /** `trainRows × k` hessians, or null (all 1). */
  h: Float32Array | null;
  k: number;
}

/** Grows one tree on `rows` (indices of training rows; reordered in place) over `features`. */
export function growTree(
  b: Binned,
  rows: Int32Array,
  features: Int32Array,
  t: Targets,
  p: TreeParams,
  random: () => number,
): Tree {
  return new Grower(b, rows, features, t, p, random).grow();
}

const B = MAX_BINS;

/** One tree's growing: the node arrays, the histogram buffer, the features tried. */
class Grower {
  private readonly feature: number[] = [];
  private readonly cut: number[] = [];
  private readonly left: number[] = [];
  private readonly right: number[] = [];
  private readonly value: number[] = [];
  /** Per bin: G[k], the mean hessian (if any), the count. */
  private readonly S: number;
  private readonly tried: Int32Array;
  private readonly nTry: number;
  private readonly hist: Float64Array;
  /** Each row's mean hessian (the split search's), when there are hessians. */
  private readonly mean: Float32Array | null = null;
  private readonly totalG: Float64Array;
  private readonly totalH: Float64Array;
  private readonly GL: Float64Array;
  private readonly GR: Float64Array;

  constructor(
    private readonly b: Binned,
    private readonly rows: Int32Array,
    features: Int32Array,
    private readonly t: Targets,
    private readonly p: TreeParams,
    private readonly random: () => number,
  ) {
    const { k, h } = t;
    this.S = h ? k + 2 : k + 1;
    this.tried = Int32Array.from(features);
    this.nTry = Math.min(p.featuresPerSplit, this.tried.length);
    this.hist = new Float64Array(this.nTry * B * this.S);
    if (h) {
      this.mean = new Float32Array(h.length / k);
      for (let r = 0; r < this.mean.length; r++) {
        let sum = 0;
        for (let c = 0; c < k; c++) sum += h[r * k + c]!;
        this.mean[r] = sum / k;
      }
    }
    this.totalG = new Float64Array(k);
    this.totalH = new Float64Array(k);
    this.GL = new Float64Array(k);
    this.GR = new Float64Array(k);
  }

  grow(): Tree {
    const stack = [{ node: this.newNode(), start: 0, end: this.rows.length, depth: 0 }];
    while (stack.length > 0) {
      const { node, start, end, depth } = stack.pop()!;
      const totalMean = this.leaf(node, start, end);
      if (depth >= this.p.maxDepth || end - start < 2 * this.p.minLeaf) continue;
      this.pickFeatures();
      this.histogram(start, end);
      const split = this.bestSplit(end - start, totalMean);
      if (!split) continue;
      const middle = this.partition(start, end, split.feature, split.cut);
      this.feature[node] = split.feature;
      this.cut[node] = split.cut;
      const l = this.newNode();
      const r = this.newNode();
      this.left[node] = l;
      this.right[node] = r;
      stack.push(
        { node: l, start, end: middle, depth: depth + 1 },
        { node: r, start: middle, end, depth: depth + 1 },
      );
    }
    return {
      feature: Int32Array.from(this.feature),
      cut: Uint8Array.from(this.cut),
      left: Int32Array.from(this.left),
      right: Int32Array.from(this.right),
      value: Float32Array.from(this.value),
      k: this.t.k,
    };
  }

  private newNode(): number {
    this.feature.push(-1);
    this.cut.push(0);
    this.left.push(-1);
    this.right.push(-1);
    for (let c = 0; c < this.t.k; c++) this.value.push(0);
    return this.feature.length - 1;
  }

  /** The node's totals and its value as a leaf, −G_c / (H_c + λ); returns its mean-hessian total. */
  private leaf(node: number, start: number, end: number): number {
    const { k, g, h } = this.t;
    const { totalG, totalH, rows } = this;
    const n = end - start;
    totalG.fill(0);
    totalH.fill(0);
    for (let i = start; i < end; i++) {
      const r = rows[i]! * k;
      for (let c = 0; c < k; c++) {
        totalG[c]! += g[r + c]!;
        if (h) totalH[c]! += h[r + c]!;
      }
    }
    for (let c = 0; c < k; c++)
      this.value[node * k + c] = -totalG[c]! / ((h ? totalH[c]! : n) + this.p.lambda);
    if (!h) return n;
    let total = 0;
    for (let c = 0; c < k; c++) total += totalH[c]!;
    return total / k;
  }

  /** The features tried at this node: a fresh partial shuffle when fewer than all. */
  private pickFeatures(): void {
    const { tried, nTry } = this;
    if (nTry >= tried.length) return;
    for (let i = 0; i < nTry; i++) {
      const j = i + Math.floor(this.random() * (tried.length - i));
      const tmp = tried[i]!;
      tried[i] = tried[j]!;
      tried[j] = tmp;
    }
  }

  /** The node's histograms of the features tried, in one pass over its rows. */
  private histogram(start: number, end: number): void {
    const { hist, S, nTry, tried, rows, mean } = this;
    const { k, g } = this.t;
    const d = this.b.d;
    const codes = this.b.train;
    hist.fill(0);
    for (let i = start; i < end; i++) {
      const row = rows[i]!;
      const base = row * d;
      const r = row * k;
      for (let f = 0; f < nTry; f++) {
        const o = (f * B + codes[base + tried[f]!]!) * S;
        for (let c = 0; c < k; c++) hist[o + c]! += g[r + c]!;
        if (mean) hist[o + k]! += mean[row]!;
        hist[o + S - 1]! += 1;
      }
    }
  }

  private score(G: Float64Array, H: number): number {
    let s = 0;
    for (let c = 0; c < this.t.k; c++) s += G[c]! * G[c]!;
    return s / (H + this.p.lambda);
  }

  /** The split with the largest gain, if any gains anything. */
  private bestSplit(n: number, totalMean: number): { feature: number; cut: number } | undefined {
    const { hist, S, nTry, tried, GL, GR, totalG, p } = this;
    const { k, h } = this.t;
    const parent = this.score(totalG, totalMean);
    let best: { feature: number; cut: number } | undefined;
    let bestGain = 1e-9;
    for (let f = 0; f < nTry; f++) {
      const nb = this.b.bins[tried[f]!]!;
      GL.fill(0);
      let hl = 0;
      let nl = 0;
      for (let bin = 0; bin < nb - 1; bin++) {
        const o = (f * B + bin) * S;
        for (let c = 0; c < k; c++) GL[c]! += hist[o + c]!;
        if (h) hl += hist[o + k]!;
        nl += hist[o + S - 1]!;
        const nr = n - nl;
        if (nl < p.minLeaf) continue;
        if (nr < p.minLeaf) break;
        for (let c = 0; c < k; c++) GR[c] = totalG[c]! - GL[c]!;
        const gain = h
          ? this.score(GL, hl) + this.score(GR, totalMean - hl) - parent
          : this.score(GL, nl) + this.score(GR, nr) - parent;
        if (gain > bestGain) {
          bestGain = gain;
          best = { feature: tried[f]!, cut: bin };
        }
      }
    }
    return best;
  }

  /** Puts the node's rows with code ≤ cut first; returns where the others start. */
  private partition(start: number, end: number, feature: number, cut: number): number {
    const { rows } = this;
    const d = this.b.d;
    const codes = this.b.train;
    let i = start;
    let j = end - 1;
    while (i <= j) {
      if (codes[rows[i]! * d + feature]! <= cut) i++;
      else {
        const tmp = rows[i]!;
        rows[i] = rows[j]!;
        rows[j] = tmp;
        j--;
      }
    }
    return i;
  }
}

/** Adds `scale` × the tree's leaf values for each row of `codes` (`rows × d`) to `out` (`rows × k`). */
export function addTree(
  tree: Tree,
  codes: Uint8Array,
  d: number,
  rows: number,
  scale: number,
  out: Float32Array | Float64Array,
): void {
  const { feature, cut, left, right, value, k } = tree;
  for (let i = 0; i < rows; i++) {
    const base = i * d;
    let n = 0;
    while (feature[n]! >= 0) n = codes[base + feature[n]!]! <= cut[n]! ? left[n]! : right[n]!;
    for (let c = 0; c < k; c++) out[i * k + c]! += scale * value[n * k + c]!;
  }
}
