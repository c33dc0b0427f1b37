/** The baselines' public types, and `BaselineRun`, what every baseline of one run gets. */
import type { ArrayDataset, Task } from '../../../../shared/training/data';
import type { Features } from './features';

export type BaselineId =
  'majority' | 'logistic-regression' | 'linear-regression' | 'random-forest' | 'gradient-boosting' | 'pca';

export interface BaselineResult {
  id: BaselineId;
  label: string;
  task: Task;
  /** `accuracy` (classification) or `mae` and `r2` (regression), on the validation rows. */
  metrics: Record<string, number>;
  trainMs: number;
  /** How it was trained, when that differs from the obvious (subsampled rows, bag of words...). */
  note?: string;
}

export interface BaselineOptions {
  /** Used when the dataset has no `holdout` (default 0.2, as the training config). */
  validationSplit?: number;
  seed?: number;
  signal?: AbortSignal;
  /** Which baselines to run (default all that apply). */
  only?: BaselineId[];
  logistic?: { epochs?: number; learningRate?: number; l2?: number; batchSize?: number };
  randomForest?: { trees?: number; maxDepth?: number };
  boosting?: { rounds?: number };
  /** Data whose targets are its inputs: the network's bottleneck width, the PCA baseline's components (default 32). */
  components?: number;
}

/** One run of the ladder: the dataset, its features, its split, the seed and the options. */
export interface BaselineRun {
  ds: ArrayDataset;
  f: Features;
  trainCount: number;
  validationCount: number;
  seed: number;
  options: BaselineOptions;
}

/** What one baseline returns (`runBaselines` adds the time it took). */
export type Rung = Omit<BaselineResult, 'trainMs'>;
