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
  const { k, g, h } = t;
  const S = h ? k + 2 : k + 1; // per bin: G[k], the mean hessian (if any), count
  const B = MAX_BINS;
  const feature: number[] = [];
  const cut: number[] = [];
  const left: number[] = [];
  const right: number[] = [];
  const value: number[] = [];
  const tried = Int32Array.from(features);
  const nTry = Math.min(p.featuresPerSplit, tried.length);

  const newNode = (): number => {
    feature.push(-1);
    cut.push(0);
    left.push(-1);
    right.push(-1);
    for (let c = 0; c < k; c++) value.push(0);
    return feature.length - 1;
  };
  const score = (G: Float64Array, H: number): number => {
    let s = 0;
    for (let c = 0; c < k; c++) s += G[c]! * G[c]!;
    return s / (H + p.lambda);
  };
  const hist = new Float64Array(nTry * B * S);
  const mean = h ? new Float32Array(h.length / k) : null;
  if (h && mean)
    for (let r = 0; r < mean.length; r++) {
      let sum = 0;
      for (let c = 0; c < k; c++) sum += h[r * k + c]!;
      mean[r] = sum / k;
    }

  const stack: { node: number; start: number; end: number; depth: number }[] = [
    { node: newNode(), start: 0, end: rows.length, depth: 0 },
  ];
  const totalG = new Float64Array(k);
  const totalH = new Float64Array(k);
  while (stack.length > 0) {
    const { node, start, end, depth } = stack.pop()!;
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
    let totalMean = n;
    if (h) {
      totalMean = 0;
      for (let c = 0; c < k; c++) totalMean += totalH[c]!;
      totalMean /= k;
    }
    for (let c = 0; c < k; c++) value[node * k + c] = -totalG[c]! / ((h ? totalH[c]! : n) + p.lambda);
    if (depth >= p.maxDepth || n < 2 * p.minLeaf) continue;

    // The features tried here: a fresh partial shuffle when fewer than all.
    for (let i = 0; i < nTry && nTry < tried.length; i++) {
      const j = i + Math.floor(random() * (tried.length - i));
      const tmp = tried[i]!;
      tried[i] = tried[j]!;
      tried[j] = tmp;
    }
    hist.fill(0);
    const d = b.d;
    const codes = b.train;
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
    const parent = score(totalG, totalMean);
    let bestGain = 1e-9;
    let bestF = -1;
    let bestCut = 0;
    const GL = new Float64Array(k);
    const GR = new Float64Array(k);
    for (let f = 0; f < nTry; f++) {
      const nb = b.bins[tried[f]!]!;
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
          ? score(GL, hl) + score(GR, totalMean - hl) - parent
          : score(GL, nl) + score(GR, nr) - parent;
        if (gain > bestGain) {
          bestGain = gain;
          bestF = tried[f]!;
          bestCut = bin;
        }
      }
    }
    if (bestF < 0) continue;
    // Partition the node's rows: code ≤ cut first.
    let i = start;
    let j = end - 1;
    while (i <= j) {
      if (codes[rows[i]! * d + bestF]! <= bestCut) i++;
      else {
        const tmp = rows[i]!;
        rows[i] = rows[j]!;
        rows[j] = tmp;
        j--;
      }
    }
    feature[node] = bestF;
    cut[node] = bestCut;
    const l = newNode();
    const rgt = newNode();
    left[node] = l;
    right[node] = rgt;
    stack.push({ node: l, start, end: i, depth: depth + 1 }, { node: rgt, start: i, end, depth: depth + 1 });
  }
  return {
    feature: Int32Array.from(feature),
    cut: Uint8Array.from(cut),
    left: Int32Array.from(left),
    right: Int32Array.from(right),
    value: Float32Array.from(value),
    k,
  };
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
