/**
 * What a built-in dataset is (a descriptor, its options and a loader) and what every loader shares:
 * the context it gets (seed, split, options checked), and `finish`, the seeded order every loader
 * ends with, so the last rows (the validation rows, see split.ts) are a fair sample of all classes.
 */
import { createRng, permutation } from '../../../../shared/random';
import type { ArrayDataset, DatasetDescriptor } from '../../../../shared/training/data';
import { holdoutFor } from '../split';
import type { TokenizerState } from '../tokenizer';

/** A dataset plus what predict needs to prepare new inputs the same way. */
export interface LoadedDataset extends ArrayDataset {
  /** Token-id datasets: the vocabulary (from the training rows) and the sequence length. */
  tokenizer?: TokenizerState;
}

/**
 * Options of `loadBuiltin`: the dataset's own options (the data spec's `options`: `samples`, `noise`,
 * `classes`, `vocabSize`, `maxLength`, `holdout`) plus `seed` and `validationSplit`, which callers
 * usually take from the training config (`{ seed, validationSplit, ...spec.options }`).
 */
export interface BuiltinLoadOptions {
  [option: string]: number | string | boolean | AbortSignal | undefined;
  /** Seed for generation, order and split. Default 42. */
  seed?: number;
  /**
   * Fraction of rows to reserve as validation (`holdout`, the last rows). Omitted: `holdout` = 0 and the
   * training config decides, except for MNIST (its own 2,000) and SpamAssassin (0.2; the vocabulary is
   * built on the training rows, so the loader must know them).
   */
  validationSplit?: number;
  signal?: AbortSignal;
  /** Folder holding iris.csv and digits.bin.gz (tests); default: the app's assets/datasets. */
  assetsDir?: string;
}

/** One option of a dataset: its default, range and help (the data panel shows them). */
export interface OptionSpec {
  default: number;
  min: number;
  max: number;
  help: string;
  integer?: boolean;
}

/** What a loader gets: the options checked, defaults filled in. */
export interface Context {
  seed: number;
  validationSplit: number | undefined;
  signal: AbortSignal | undefined;
  assetsDir: string;
  /** Dataset options, checked and with defaults filled in. */
  o: Record<string, number>;
}

/** One built-in dataset: what the data panel shows, its options, and how to load it. */
export interface Entry {
  descriptor: Omit<DatasetDescriptor, 'options'>;
  options: Record<string, OptionSpec>;
  load(ctx: Context): Promise<LoadedDataset>;
}

/** Puts the rows in a seeded random order and sets `holdout` from the validation split. */
export function finish(ctx: Context, ds: LoadedDataset, holdout?: number): LoadedDataset {
  const perm = permutation(ds.count, createRng(ctx.seed, `${ds.id}:order`).next);
  const width = ds.x.length / ds.count;
  const yWidth = ds.y.length / ds.count;
  const x = ds.x instanceof Int32Array ? new Int32Array(ds.x.length) : new Float32Array(ds.x.length);
  const y = ds.y instanceof Int32Array ? new Int32Array(ds.y.length) : new Float32Array(ds.y.length);
  for (let i = 0; i < ds.count; i++) {
    const j = perm[i]!;
    x.set(ds.x.subarray(j * width, (j + 1) * width), i * width);
    y.set(ds.y.subarray(j * yWidth, (j + 1) * yWidth), i * yWidth);
  }
  const h = holdout ?? (ctx.validationSplit !== undefined ? holdoutFor(ds.count, ctx.validationSplit) : 0);
  return { ...ds, x, y, holdout: h };
}
