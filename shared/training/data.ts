/**
 * Datasets as plain typed arrays: what the dataset service produces and the engine consumes. No
 * tfjs here (shared/ is tfjs-free); the engine turns these into tensors.
 */

export type Task = 'classification' | 'regression';

export interface ArrayDataset {
  /** Stable id (`iris`, `spirals`, `csv:my-file.csv`). */
  id: string;
  /** Human name shown in the data panel. */
  name: string;
  task: Task;
  /** Features, row-major: `count × product(sampleShape)` values. */
  x: Float32Array | Int32Array;
  /** Shape of one sample without the batch axis ([4] for iris, [8, 8, 1] for digits, [maxLen] for token ids). */
  sampleShape: number[];
  /** `int32` for token ids, `float32` otherwise. */
  xDtype: 'float32' | 'int32';
  /** Targets: class index per sample (classification) or `count × targetSize` values (regression). */
  y: Float32Array | Int32Array;
  /** Number of values per target for regression (1 for a single value); 1 for classification. */
  targetSize: number;
  /** Class names, index = class id (classification only). */
  classes?: string[];
  /** Feature names (tabular data), for previews and for the predict box. */
  featureNames?: string[];
  /** Vocabulary size for token-id data (ids are in [0, vocabSize)); 0 is padding, 1 unknown. */
  vocabSize?: number;
  count: number;
  /** Where it comes from and its licence (shown in the UI and the README). */
  source?: string;
  /**
   * Rows reserved for validation/testing by the dataset itself (e.g. MNIST's held-out set): the last
   * `holdout` samples. When 0 the training config's validation split applies.
   */
  holdout?: number;
  /**
   * The targets are the inputs themselves (an autoencoder): `y` is `x` (the same array, never written
   * to), the task is regression over every value of a sample.
   */
  reconstruction?: boolean;
}

export interface DatasetDescriptor {
  id: string;
  name: string;
  description: string;
  task: Task;
  /** Approximate number of samples with default options. */
  size: number;
  sampleShape: number[];
  classes?: number;
  /** Options the user can set (synthetic sets: `samples`, `noise`). */
  options?: Record<string, { default: number; min: number; max: number; help: string }>;
  licence?: string;
}
