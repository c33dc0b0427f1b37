/**
 * The random-forest rung (ml-random-forest, seeded), trained in slices of trees so the event loop
 * and cancellation keep running. Its tree builder is quadratic in the rows, so on big sets it is
 * trained on a seeded sample of rows sized to a time budget (said in the result's `note`). Text is
 * seen as the presence of each of the 50 most frequent words (ids are ranked by training frequency).
 */
import { RandomForestClassifier, RandomForestRegression } from 'ml-random-forest';
import { createRng, permutation } from '../../../../shared/random';
import { checkAborted, yieldToEventLoop } from '../errors';
import type { Features } from './features';
import { accuracy, argmax, regressionMetrics } from './metrics';
import type { BaselineRun, Rung } from './types';

/** Steps of ml-cart's split search a forest may take (about 2–6 s here). */
const FOREST_BUDGET = 1e8;
/** Text: the forest sees the presence of this many most frequent words. */
const FOREST_WORDS = 50;

/** Dense rows for the forest: the features themselves, or presence of the 50 most frequent words. */
function forestRows(f: Features, which: 'train' | 'val'): number[][] {
  if (f.kind === 'dense') {
    const x = which === 'train' ? f.train : f.val;
    return Array.from({ length: x.length / f.d }, (_, i) => Array.from(x.subarray(i * f.d, (i + 1) * f.d)));
  }
  const TOP = Math.min(FOREST_WORDS, f.d - 2);
  const ids = which === 'train' ? f.trainIds : f.valIds;
  const off = which === 'train' ? f.trainOff : f.valOff;
  return Array.from({ length: off.length - 1 }, (_, i) => {
    const row = new Array<number>(TOP).fill(0);
    for (let k = off[i]!; k < off[i + 1]!; k++) {
      const id = ids[k]!;
      if (id >= 2 && id < 2 + TOP) row[id - 2] = 1;
    }
    return row;
  });
}

/** A random forest: votes (classification) or the mean of the trees (one regression target). */
export async function randomForest(run: BaselineRun): Promise<Rung> {
  const { ds, f, trainCount, validationCount, seed, options } = run;
  const ro = options.randomForest ?? {};
  const trees = ro.trees ?? 30;
  const classification = ds.task === 'classification';
  let train = forestRows(f, 'train');
  let yTrain = Array.from(ds.y.subarray(0, trainCount));
  const d = train[0]!.length;
  // ml-random-forest draws the feature subset once per tree (not per split): all features for
  // small inputs, √d (at least 8) for wide ones, as a classic forest uses per split.
  const maxFeatures = Math.min(d, ro.maxFeatures ?? (d <= 16 ? d : Math.max(8, Math.round(Math.sqrt(d)))));
  // ml-cart (under ml-random-forest) tries every split point with a full pass over the node's rows:
  // a tree costs about 2 × features × rows² steps. Keep the whole forest near FOREST_BUDGET steps
  // (a few seconds) by training on a seeded sample of the rows.
  const budgetRows = Math.floor(Math.sqrt(FOREST_BUDGET / (2 * trees * maxFeatures)));
  const maxRows = Math.max(50, ro.maxRows ?? budgetRows);
  const notes: string[] = [];
  if (train.length > maxRows) {
    const keep = permutation(train.length, createRng(seed, 'baseline:forest-rows').next).subarray(0, maxRows);
    train = Array.from(keep, (i) => train[i]!);
    yTrain = Array.from(keep, (i) => yTrain[i]!);
    notes.push(
      `trained on a sample of ${maxRows.toLocaleString('en-US')} of the ${trainCount.toLocaleString('en-US')} training rows (ml-random-forest's cost grows with the square of the rows)`,
    );
  }
  if (f.kind === 'sparse') notes.push(`presence of the ${d} most frequent words`);
  notes.push(`${trees} trees, ${maxFeatures} of ${d} features each`);
  const val = forestRows(f, 'val');
  // Train in slices of 5 trees, yielding between them; vote (or average) over all trees.
  const k = classification ? Math.max(ds.classes?.length ?? 0, ...yTrain.map((v) => v + 1)) : 1;
  const tally = classification ? new Int32Array(validationCount * k) : undefined;
  const sums = classification ? undefined : new Float64Array(validationCount);
  const SLICE = 5;
  for (let start = 0; start < trees; start += SLICE) {
    checkAborted(options.signal, 'Baselines');
    const n = Math.min(SLICE, trees - start);
    const common = {
      nEstimators: n,
      maxFeatures,
      replacement: false,
      useSampleBagging: true,
      noOOB: true,
      seed: (seed * 7919 + start) % 2 ** 31,
      treeOptions: { maxDepth: ro.maxDepth ?? 20 },
    };
    const forest = classification
      ? new RandomForestClassifier({ ...common, isClassifier: true })
      : new RandomForestRegression({ ...common, isClassifier: false, selectionMethod: 'mean' });
    forest.train(train, yTrain);
    const values = forest.predictionValues(val);
    for (let i = 0; i < validationCount; i++)
      for (let tIdx = 0; tIdx < n; tIdx++) {
        const v = values.get(i, tIdx);
        if (tally) tally[i * k + Math.round(v)]!++;
        else sums![i]! += v;
      }
    await yieldToEventLoop();
  }
  if (tally) {
    const pred = new Int32Array(validationCount);
    for (let i = 0; i < validationCount; i++) pred[i] = argmax(tally.subarray(i * k, (i + 1) * k));
    return {
      id: 'random-forest',
      label: 'Random forest',
      task: 'classification',
      metrics: { accuracy: accuracy(ds.y.subarray(trainCount), pred) },
      note: notes.join('; '),
    };
  }
  const pred = Float32Array.from(sums!, (s) => s / trees);
  return {
    id: 'random-forest',
    label: 'Random forest',
    task: 'regression',
    metrics: regressionMetrics(ds.y.subarray(trainCount), pred),
    note: notes.join('; '),
  };
}
