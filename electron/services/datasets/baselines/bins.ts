/**
 * Features as small integer codes for the histogram trees (trees.ts), as LightGBM and scikit-learn's
 * HistGradientBoosting do: each dense feature is cut at up to MAX_BINS − 1 quantiles of its training
 * values (fewer when it has fewer distinct values); text is the presence (0/1) of each of the
 * TEXT_WORDS most frequent words (ids are ranked by training frequency, id 2 the most frequent).
 */
import type { Features } from './features';

export const MAX_BINS = 32;
/** Text: the trees see the presence of this many most frequent words. */
export const TEXT_WORDS = 300;
/** Rows of the sample the quantiles are taken from. */
const QUANTILE_ROWS = 20_000;

export interface Binned {
  /** Row-major codes, `rows × d`, each below `bins[j]` for feature j. */
  train: Uint8Array;
  val: Uint8Array;
  trainRows: number;
  valRows: number;
  d: number;
  /** Codes each feature uses (1: constant, never split on). */
  bins: Uint8Array;
  /** How the features were made, for the ladder's note. */
  description: string;
}

/** Cut points of one feature: up to MAX_BINS − 1 distinct quantiles of its training values. */
function cuts(x: Float32Array, d: number, j: number, rows: number): Float64Array {
  const step = Math.max(1, Math.floor(rows / QUANTILE_ROWS));
  const values: number[] = [];
  for (let i = 0; i < rows; i += step) values.push(x[i * d + j]!);
  values.sort((a, b) => a - b);
  const out: number[] = [];
  for (let q = 1; q < MAX_BINS; q++) {
    const v = values[Math.floor((q * values.length) / MAX_BINS)]!;
    // A cut sends values ≤ it left; it must leave something on the right.
    if (v < values[values.length - 1]! && (out.length === 0 || v > out[out.length - 1]!)) out.push(v);
  }
  return Float64Array.from(out);
}

function encodeDense(x: Float32Array, d: number, rows: number, c: Float64Array[]): Uint8Array {
  const out = new Uint8Array(rows * d);
  for (let j = 0; j < d; j++) {
    const cj = c[j]!;
    for (let i = 0; i < rows; i++) {
      const v = x[i * d + j]!;
      let b = 0;
      while (b < cj.length && v > cj[b]!) b++;
      out[i * d + j] = b;
    }
  }
  return out;
}

function encodeWords(ids: Int32Array, off: Int32Array, words: number): Uint8Array {
  const rows = off.length - 1;
  const out = new Uint8Array(rows * words);
  for (let i = 0; i < rows; i++)
    for (let k = off[i]!; k < off[i + 1]!; k++) {
      const w = ids[k]! - 2;
      if (w >= 0 && w < words) out[i * words + w] = 1;
    }
  return out;
}

export function binFeatures(f: Features): Binned {
  if (f.kind === 'sparse') {
    const words = Math.max(1, Math.min(TEXT_WORDS, f.d - 2));
    return {
      train: encodeWords(f.trainIds, f.trainOff, words),
      val: encodeWords(f.valIds, f.valOff, words),
      trainRows: f.trainOff.length - 1,
      valRows: f.valOff.length - 1,
      d: words,
      bins: new Uint8Array(words).fill(2),
      description: `presence of the ${words} most frequent words`,
    };
  }
  const trainRows = f.train.length / f.d;
  const c = Array.from({ length: f.d }, (_, j) => cuts(f.train, f.d, j, trainRows));
  return {
    train: encodeDense(f.train, f.d, trainRows, c),
    val: encodeDense(f.val, f.d, f.val.length / f.d, c),
    trainRows,
    valRows: f.val.length / f.d,
    d: f.d,
    bins: Uint8Array.from(c, (cj) => cj.length + 1),
    description: `features in up to ${MAX_BINS} quantile bins`,
  };
}
