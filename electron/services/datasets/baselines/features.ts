/**
 * The features the baselines see: dense features standardised with the training rows' statistics;
 * token-id data (text) as a bag of words (the distinct ids in each row).
 */
import type { ArrayDataset } from '../../../../shared/training/data';
import { sampleSize } from '../split';

export interface Dense {
  kind: 'dense';
  /** Standardised features, row-major, `rows × d`. */
  train: Float32Array;
  val: Float32Array;
  d: number;
}

export interface Sparse {
  kind: 'sparse';
  /** Per row: the distinct token ids present (bag of words), flattened with offsets. */
  trainIds: Int32Array;
  trainOff: Int32Array;
  valIds: Int32Array;
  valOff: Int32Array;
  d: number;
}

export type Features = Dense | Sparse;

function standardised(x: Float32Array, d: number, trainCount: number, count: number): Dense {
  const mean = new Float64Array(d);
  const sq = new Float64Array(d);
  for (let i = 0; i < trainCount; i++)
    for (let j = 0; j < d; j++) {
      const v = x[i * d + j]!;
      mean[j]! += v;
      sq[j]! += v * v;
    }
  const std = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    mean[j]! /= trainCount;
    const variance = sq[j]! / trainCount - mean[j]! ** 2;
    std[j] = variance > 1e-12 ? Math.sqrt(variance) : 1;
  }
  const out = new Float32Array(count * d);
  for (let i = 0; i < count; i++)
    for (let j = 0; j < d; j++) out[i * d + j] = (x[i * d + j]! - mean[j]!) / std[j]!;
  return { kind: 'dense', train: out.subarray(0, trainCount * d), val: out.subarray(trainCount * d), d };
}

function bagOfWords(x: Int32Array, L: number, from: number, to: number, vocab: number) {
  const ids: number[] = [];
  const off = new Int32Array(to - from + 1);
  const seen = new Uint8Array(vocab);
  for (let i = from; i < to; i++) {
    const start = ids.length;
    for (let t = 0; t < L; t++) {
      const id = x[i * L + t]!;
      if (id <= 0 || id >= vocab || seen[id]) continue;
      seen[id] = 1;
      ids.push(id);
    }
    for (let k = start; k < ids.length; k++) seen[ids[k]!] = 0;
    off[i - from + 1] = ids.length;
  }
  return { ids: Int32Array.from(ids), off };
}

export function features(ds: ArrayDataset, trainCount: number): Features {
  const d = sampleSize(ds.sampleShape);
  if (ds.xDtype === 'int32') {
    let vocab = ds.vocabSize ?? 0;
    if (!vocab) for (const v of ds.x) vocab = Math.max(vocab, v + 1);
    const tr = bagOfWords(ds.x as Int32Array, d, 0, trainCount, vocab);
    const va = bagOfWords(ds.x as Int32Array, d, trainCount, ds.count, vocab);
    return { kind: 'sparse', trainIds: tr.ids, trainOff: tr.off, valIds: va.ids, valOff: va.off, d: vocab };
  }
  return standardised(ds.x as Float32Array, d, trainCount, ds.count);
}
