/**
 * A node's learned weights, read straight from the project's weight files (`weights/model.json`'s
 * manifest and `weights/weights.bin`): each tensor with its shape, statistics, histogram and (up to
 * MAX_WEIGHT_VALUES) its values; for an Embedding also its vectors projected on their first two
 * principal components. The inspector draws them (heatmaps, first-layer filters as images, the
 * embedding map); nothing runs the model.
 */
import type { WeightEntry } from '../graph/weights';
import { histogram, type Histogram } from './layerStats';
import { activationStats, type ActivationStats } from './types';

export interface WeightTensor {
  /** The tensor's name without the node id (`kernel`, `bias`, `q/kernel`...). */
  name: string;
  shape: number[];
  stats: ActivationStats;
  histogram: Histogram;
  /** Row-major, when at most MAX_WEIGHT_VALUES values. */
  values?: number[];
}

/** An Embedding's vectors on their first two principal components, the first MAX_PCA_TOKENS of them. */
export interface EmbeddingMap {
  /** [x, y] per token shown (the vocabulary's first ids: the most frequent words). */
  points: [number, number][];
  tokens: string[];
  /** Fraction of the vectors' variance each of the two components explains. */
  explained: [number, number];
  /** Rows of the embedding matrix (the vocabulary size). */
  total: number;
}

export interface NodeWeights {
  id: string;
  tensors: WeightTensor[];
  embedding?: EmbeddingMap;
}

export const MAX_PCA_TOKENS = 300;

/** Tensors up to this many values carry them (a 784×128 first layer, drawn as 28×28 templates, fits). */
export const MAX_WEIGHT_VALUES = 250_000;

/**
 * The tensors of node `id` (names `<id>/...`), in the manifest's order; an Embedding node's first
 * (or PositionalEmbedding) node's word vectors also as a map (`words`: the vocabulary, id = index).
 */
export function nodeWeights(
  entries: readonly WeightEntry[],
  bin: Uint8Array,
  id: string,
  kind: string,
  words?: readonly string[],
): NodeWeights {
  const out: WeightTensor[] = [];
  let embedding: EmbeddingMap | undefined;
  let offset = 0;
  for (const e of entries) {
    const count = e.shape.reduce((a, d) => a * d, 1);
    if (e.name.startsWith(`${id}/`)) {
      const data = new Float32Array(count);
      const view = new DataView(bin.buffer, bin.byteOffset + offset, count * 4);
      for (let i = 0; i < count; i++) data[i] = view.getFloat32(i * 4, true);
      out.push({
        name: e.name.slice(id.length + 1),
        shape: [...e.shape],
        stats: activationStats(data),
        histogram: histogram(data),
        ...(count <= MAX_WEIGHT_VALUES ? { values: Array.from(data) } : {}),
      });
      // The word vectors: an Embedding's table, a PositionalEmbedding's token (not position) table.
      const wordTable =
        kind === 'Embedding' ||
        (kind === 'PositionalEmbedding' && !e.name.slice(id.length).includes('position'));
      if (wordTable && !embedding) embedding = embeddingMap(e.shape, words, data);
    }
    offset += count * 4;
  }
  return { id, tensors: out, ...(embedding ? { embedding } : {}) };
}

/**
 * The rows of `m` ([rows, cols], row-major) projected on the first two principal components of all
 * rows (power iteration on the covariance with deflation, deterministic start), and the fraction of
 * variance each explains.
 */
export function pca2(
  m: Float32Array,
  rows: number,
  cols: number,
): { points: Float32Array; explained: [number, number] } {
  const mean = new Float64Array(cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) mean[c]! += m[r * cols + c]! / rows;
  const cov = new Float64Array(cols * cols);
  for (let r = 0; r < rows; r++)
    for (let i = 0; i < cols; i++) {
      const a = m[r * cols + i]! - mean[i]!;
      if (a === 0) continue;
      for (let j = i; j < cols; j++) cov[i * cols + j]! += (a * (m[r * cols + j]! - mean[j]!)) / rows;
    }
  for (let i = 0; i < cols; i++) for (let j = 0; j < i; j++) cov[i * cols + j] = cov[j * cols + i]!;
  let trace = 0;
  for (let i = 0; i < cols; i++) trace += cov[i * cols + i]!;
  const comps: Float64Array[] = [];
  for (let k = 0; k < 2; k++) {
    let v: Float64Array = Float64Array.from(
      { length: cols },
      (_, i) => 1 + ((i * 7919 + k * 104729) % 97) / 97,
    );
    let lambda = 0;
    for (let it = 0; it < 300; it++) {
      const w = new Float64Array(cols);
      for (let i = 0; i < cols; i++) {
        let s = 0;
        for (let j = 0; j < cols; j++) s += cov[i * cols + j]! * v[j]!;
        w[i] = s;
      }
      for (const c of comps) {
        const d = c.reduce((a, x, i) => a + x * w[i]!, 0);
        for (let i = 0; i < cols; i++) w[i]! -= d * c[i]!;
      }
      const norm = Math.hypot(...w);
      if (norm === 0) break;
      for (let i = 0; i < cols; i++) w[i]! /= norm;
      const delta = w.reduce((a, x, i) => a + Math.abs(x - v[i]!), 0);
      v = w;
      lambda = norm;
      if (delta < 1e-10) break;
    }
    // Remove the found component from the covariance's range for the next one.
    comps.push(v);
    for (let i = 0; i < cols; i++)
      for (let j = 0; j < cols; j++) cov[i * cols + j]! -= lambda * v[i]! * v[j]!;
  }
  const points = new Float32Array(rows * 2);
  for (let r = 0; r < rows; r++)
    for (let k = 0; k < 2; k++) {
      let s = 0;
      for (let c = 0; c < cols; c++) s += (m[r * cols + c]! - mean[c]!) * comps[k]![c]!;
      points[r * 2 + k] = s;
    }
  // What each axis explains: the variance of the points along it (exact, where the power
  // iteration's eigenvalue is an estimate), the larger first (near-equal eigenvalues may be found
  // in either order).
  const variance = [0, 0];
  for (let r = 0; r < rows; r++) for (let k = 0; k < 2; k++) variance[k]! += points[r * 2 + k]! ** 2 / rows;
  if (variance[1]! > variance[0]!) {
    for (let r = 0; r < rows; r++) [points[r * 2], points[r * 2 + 1]] = [points[r * 2 + 1]!, points[r * 2]!];
    variance.reverse();
  }
  const ex = (l: number) => (trace > 0 ? Math.max(0, l) / trace : 0);
  return { points, explained: [ex(variance[0]!), ex(variance[1]!)] };
}

/** An Embedding's map: PCA over the whole matrix, the first MAX_PCA_TOKENS tokens shown. */
function embeddingMap(
  shape: readonly number[],
  words: readonly string[] | undefined,
  data: Float32Array,
): EmbeddingMap | undefined {
  if (shape.length !== 2) return undefined;
  const [rows, cols] = shape as [number, number];
  if (rows < 3 || cols < 2) return undefined;
  const { points, explained } = pca2(data, rows, cols);
  const shown = Math.min(rows, MAX_PCA_TOKENS);
  return {
    points: Array.from({ length: shown }, (_, r): [number, number] => [points[r * 2]!, points[r * 2 + 1]!]),
    tokens: Array.from({ length: shown }, (_, r) => words?.[r] ?? `#${r}`),
    explained,
    total: rows,
  };
}
