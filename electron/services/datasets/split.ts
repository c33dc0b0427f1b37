/**
 * The train/validation split every part of Netloom agrees on: the validation rows are the LAST rows of a
 * dataset. A dataset that reserves its own (`holdout > 0`, e.g. MNIST's 2,000 or a tokenizer built on
 * the training rows) wins; otherwise the training config's validation split applies, rounded exactly
 * as tfjs's `fit({ validationSplit })` does (`trainCount = floor(count × (1 − split))`). Loaders
 * shuffle with a seed, so the last rows are a random sample.
 */
import type { ArrayDataset } from '../../../shared/training/data';

export interface SplitCounts {
  trainCount: number;
  validationCount: number;
}

export function holdoutFor(count: number, validationSplit: number): number {
  if (!(validationSplit > 0)) return 0;
  return count - Math.floor(count * (1 - validationSplit));
}

export function splitCounts(ds: Pick<ArrayDataset, 'count' | 'holdout'>, validationSplit = 0.2): SplitCounts {
  const validationCount =
    ds.holdout !== undefined && ds.holdout > 0 ? ds.holdout : holdoutFor(ds.count, validationSplit);
  return { trainCount: ds.count - validationCount, validationCount };
}

/** Product of a shape's sizes: the number of values in one sample. */
export const sampleSize = (shape: readonly number[]): number => shape.reduce((a, d) => a * d, 1);
