/**
 * The baseline ladder ("when is a neural network overkill?"): on the SAME train/validation split as
 * the network (split.ts), the simple models a data scientist would try first.
 *
 * - majority class (classification) / mean of the training targets (regression): the floor;
 * - multinomial logistic regression, trained by plain mini-batch gradient descent on standardised
 *   Float32 features (seeded order, so deterministic) / linear regression by least squares (ridge
 *   1e-6, Cholesky) — falls back to gradient descent beyond 400 features;
 * - a random forest and gradient-boosted trees (ensembles.ts), on histogram trees over binned
 *   features (bins.ts, trees.ts), every training row, sized to an operations budget (said in each
 *   result's `note`).
 *
 * - data whose targets are its inputs (an autoencoder): the mean sample and PCA with as many
 *   components as the network's bottleneck (pca.ts), instead of the above.
 *
 * Token-id data (text) is turned into a bag of words: logistic regression sees every word of the
 * vocabulary (sparse), the trees see whether each of the 300 most frequent words is present (ids are
 * ranked by training frequency).
 *
 * Metrics on the validation rows: accuracy for classification; MAE and R² for regression.
 *
 * One module a part: features.ts, metrics.ts, linear.ts (logistic and linear regression), bins.ts,
 * trees.ts, ensembles.ts; types.ts holds the public types. This file runs the ladder.
 */
import type { ArrayDataset } from '../../../../shared/training/data';
import { DatasetError } from '../errors';
import { splitCounts } from '../split';
import { features } from './features';
import { binFeatures } from './bins';
import { gradientBoosting, randomForest } from './ensembles';
import { linearRegression, logisticRegression } from './linear';
import { MAX_PCA_VALUES, pcaReconstruction } from './pca';
import { accuracy, argmax, classCount, regressionMetrics } from './metrics';
import type { BaselineId, BaselineOptions, BaselineResult, BaselineRun, Rung } from './types';

export { accuracy, regressionMetrics } from './metrics';
export type { BaselineOptions, BaselineResult } from './types';

/** Runs the baselines on the dataset's own split. Throws `DatasetError('cancelled')` on abort. */
export async function runBaselines(
  ds: ArrayDataset,
  options: BaselineOptions = {},
): Promise<BaselineResult[]> {
  const { trainCount, validationCount } = splitCounts(ds, options.validationSplit ?? 0.2);
  if (trainCount < 2 || validationCount < 1)
    throw new DatasetError(
      'unusable',
      `The baselines need training and validation rows; ${ds.id} has ${trainCount} and ${validationCount}. Set a validation split above 0.`,
    );
  const seed = options.seed ?? 42;
  const want = (id: BaselineId) => !options.only || options.only.includes(id);
  const results: BaselineResult[] = [];
  const run: BaselineRun = { ds, f: features(ds, trainCount), trainCount, validationCount, seed, options };
  const timed = async (rung: () => Promise<Rung>) => {
    const t0 = performance.now();
    const r = await rung();
    results.push({ ...r, trainMs: Math.round(performance.now() - t0) });
  };

  if (ds.reconstruction) {
    // Rebuilding the inputs: the mean sample, and PCA as narrow as the network's bottleneck. Not a
    // linear regression (with every value as input it learns the identity) nor trees (one per value).
    if (want('majority')) await timed(async () => meanTarget(run));
    // Larger samples (a 64×64 colour image has 12,288 values) would need a covariance of gigabytes.
    if (want('pca') && ds.targetSize <= MAX_PCA_VALUES)
      await timed(() => pcaReconstruction(run, options.components ?? 32));
    return results;
  }
  if (ds.task === 'classification') {
    const k = classCount(ds, trainCount);
    if (want('majority')) await timed(async () => majorityClass(run, k));
    if (want('logistic-regression')) await timed(() => logisticRegression(run, k));
  } else {
    if (want('majority')) await timed(async () => meanTarget(run));
    if (want('linear-regression')) await timed(() => linearRegression(run));
  }

  const trees = ['random-forest', 'gradient-boosting'] as const;
  if (trees.some(want)) {
    const binned = binFeatures(run.f);
    if (want('random-forest')) await timed(() => randomForest(run, binned));
    if (want('gradient-boosting')) await timed(() => gradientBoosting(run, binned));
  }
  return results;
}

/** The floor for classification: the most frequent training class, predicted for every row. */
function majorityClass({ ds, trainCount, validationCount }: BaselineRun, k: number): Rung {
  const y = ds.y;
  const counts = new Int32Array(k);
  for (let i = 0; i < trainCount; i++) counts[y[i]!]!++;
  const best = argmax(counts);
  return {
    id: 'majority',
    label: `Majority class (${ds.classes?.[best] ?? best})`,
    task: 'classification',
    metrics: { accuracy: accuracy(y.subarray(trainCount), new Int32Array(validationCount).fill(best)) },
  };
}

/** The floor for regression: the mean of the training targets, predicted for every row. */
function meanTarget({ ds, trainCount }: BaselineRun): Rung {
  const k = ds.targetSize;
  const y = ds.y as Float32Array;
  const yVal = y.subarray(trainCount * k);
  const mean = new Float64Array(k);
  for (let i = 0; i < trainCount; i++) for (let c = 0; c < k; c++) mean[c]! += y[i * k + c]! / trainCount;
  const pred = Float32Array.from({ length: yVal.length }, (_, i) => mean[i % k]!);
  return {
    id: 'majority',
    label: ds.reconstruction ? 'Mean of the training samples' : 'Mean of the training targets',
    task: 'regression',
    metrics: regressionMetrics(yVal, pred, k),
  };
}
