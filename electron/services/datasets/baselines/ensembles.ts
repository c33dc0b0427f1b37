/**
 * The tree ensembles of the baseline ladder, both on histogram trees (trees.ts) over binned
 * features (bins.ts), trained in a number of trees or rounds fixed by an operations budget (a few
 * seconds here; deterministic for a seed, unlike a wall-clock budget), yielding between trees so
 * the event loop and cancellation keep running:
 *
 * - gradient-boosted trees, the family of XGBoost and LightGBM: softmax cross-entropy for classes
 *   (gradients p − y, hessians p(1 − p)), squared error for values; one tree with a leaf value per
 *   output each round (CatBoost's multi-class trees); shrinkage 0.3, depth 6, λ = 1, at least 20 rows
 *   a leaf, each tree on a seeded half of the rows and a quarter of the features (all of 16 or
 *   fewer; stochastic boosting, XGBoost's subsample and colsample_bytree);
 * - a random forest: bootstrap rows, √d features tried at each split (d/3 for values), grown deep
 *   (depth 24, 1 row a leaf); its leaves hold class frequencies, averaged over the trees.
 */
import { createRng, permutation } from '../../../../shared/random';
import { checkAborted, yieldToEventLoop } from '../errors';
import type { Binned } from './bins';
import { accuracy, argmax, classCount, regressionMetrics } from './metrics';
import { addTree, growTree, type Targets, type TreeParams } from './trees';
import type { BaselineRun, Rung } from './types';

/** Histogram additions a boosted model or a forest may make (about 2–6 s here). */
export const TREES_BUDGET = 1.5e9;

const LEARNING_RATE = 0.3;
/** Most trees (or rounds) a model gets when the budget allows more. */
const MAX_TREES = 100;

/** How the budget shaped the model, for the ladder's note. */
const budgetWords = (n: number, what: string, set: boolean): string =>
  set || n >= MAX_TREES
    ? `${n} ${what}`
    : `${n} ${what} (as many as a budget of ${TREES_BUDGET / 1e9} billion histogram additions, a few seconds, allows)`;
/** Share of the rows and of the features each boosted tree sees. */
const ROWS = 0.5;
const COLUMNS = 0.25;

/** The rows' targets as `rows × k` (one-hot classes, or the values) and k. */
function targets(run: BaselineRun): { y: Float32Array; k: number; classification: boolean } {
  const { ds, trainCount } = run;
  const classification = ds.task === 'classification';
  if (!classification)
    return {
      y: Float32Array.from(ds.y.subarray(0, trainCount * ds.targetSize)),
      k: ds.targetSize,
      classification,
    };
  const k = classCount(ds, trainCount);
  const y = new Float32Array(trainCount * k);
  for (let i = 0; i < trainCount; i++) y[i * k + ds.y[i]!] = 1;
  return { y, k, classification };
}

/** Features with more than one code (the others can never split). */
const usable = (b: Binned): Int32Array =>
  Int32Array.from(Array.from(b.bins.keys()).filter((j) => b.bins[j]! > 1));

function rung(
  run: BaselineRun,
  id: 'gradient-boosting' | 'random-forest',
  scores: Float32Array,
  k: number,
  note: string,
): Rung {
  const { ds, trainCount, validationCount } = run;
  const label = id === 'gradient-boosting' ? 'Gradient-boosted trees' : 'Random forest';
  if (ds.task === 'classification') {
    const pred = new Int32Array(validationCount);
    for (let i = 0; i < validationCount; i++) pred[i] = argmax(scores.subarray(i * k, (i + 1) * k));
    return {
      id,
      label,
      task: 'classification',
      metrics: { accuracy: accuracy(ds.y.subarray(trainCount), pred) },
      note,
    };
  }
  return {
    id,
    label,
    task: 'regression',
    metrics: regressionMetrics(ds.y.subarray(trainCount * k), scores, k),
    note,
  };
}

export async function gradientBoosting(run: BaselineRun, b: Binned): Promise<Rung> {
  const { seed, options } = run;
  const { y, k, classification } = targets(run);
  const n = b.trainRows;
  const all = usable(b);
  // Few features: all of them (a tree that sees one of two cannot model their interaction).
  const perTree = all.length <= 16 ? all.length : Math.ceil(all.length * COLUMNS);
  const sampleRows = Math.max(1, Math.floor(n * ROWS));
  const params: TreeParams = { maxDepth: 6, minLeaf: 20, lambda: 1, featuresPerSplit: perTree };
  const cost = sampleRows * perTree * (classification ? k + 2 : k + 1) * params.maxDepth;
  const rounds =
    options.boosting?.rounds ?? Math.max(5, Math.min(MAX_TREES, Math.floor(TREES_BUDGET / cost)));
  // Start from the class log-priors / the mean values.
  const base = new Float64Array(k);
  for (let i = 0; i < n; i++) for (let c = 0; c < k; c++) base[c]! += y[i * k + c]! / n;
  if (classification) for (let c = 0; c < k; c++) base[c] = Math.log(Math.max(base[c]!, 1e-6));
  const F = Float32Array.from({ length: n * k }, (_, i) => base[i % k]!);
  const V = Float32Array.from({ length: b.valRows * k }, (_, i) => base[i % k]!);
  const t: Targets = { g: new Float32Array(n * k), h: classification ? new Float32Array(n * k) : null, k };
  const rng = createRng(seed, 'baseline:boosting');
  for (let round = 0; round < rounds; round++) {
    checkAborted(options.signal, 'Baselines');
    for (let i = 0; i < n; i++) {
      const o = i * k;
      if (classification) {
        let max = -Infinity;
        for (let c = 0; c < k; c++) max = Math.max(max, F[o + c]!);
        let sum = 0;
        for (let c = 0; c < k; c++) sum += Math.exp(F[o + c]! - max);
        for (let c = 0; c < k; c++) {
          const pc = Math.exp(F[o + c]! - max) / sum;
          t.g[o + c] = pc - y[o + c]!;
          t.h![o + c] = Math.max(pc * (1 - pc), 1e-6);
        }
      } else for (let c = 0; c < k; c++) t.g[o + c] = F[o + c]! - y[o + c]!;
    }
    const rows = permutation(n, rng.next).subarray(0, sampleRows);
    const features = permutation(all.length, rng.next)
      .subarray(0, perTree)
      .map((j) => all[j]!);
    const tree = growTree(b, rows, features, t, { ...params, featuresPerSplit: features.length }, rng.next);
    addTree(tree, b.train, b.d, n, LEARNING_RATE, F);
    addTree(tree, b.val, b.d, b.valRows, LEARNING_RATE, V);
    await yieldToEventLoop();
  }
  const note = `${budgetWords(rounds, 'rounds', options.boosting?.rounds !== undefined)} of depth-6 trees, shrinkage ${LEARNING_RATE}, each on half of the ${n.toLocaleString('en-US')} training rows and ${perTree} of the ${all.length} features; ${b.description}`;
  return rung(run, 'gradient-boosting', V, k, note);
}

export async function randomForest(run: BaselineRun, b: Binned): Promise<Rung> {
  const { seed, options } = run;
  const { y, k, classification } = targets(run);
  const n = b.trainRows;
  const all = usable(b);
  const tried = Math.max(1, classification ? Math.round(Math.sqrt(all.length)) : Math.ceil(all.length / 3));
  const params: TreeParams = {
    maxDepth: options.randomForest?.maxDepth ?? 24,
    minLeaf: 1,
    lambda: 0,
    featuresPerSplit: tried,
  };
  // A deep tree's levels each pass over (most of) the rows: about log2(rows) of them.
  const cost = n * tried * (k + 1) * Math.min(params.maxDepth, Math.log2(Math.max(2, n)) + 4);
  const trees =
    options.randomForest?.trees ?? Math.max(5, Math.min(MAX_TREES, Math.floor(TREES_BUDGET / cost)));
  // Leaves hold the mean of the targets: gradients −y, no hessians, λ = 0.
  const t: Targets = { g: y.map((v) => -v), h: null, k };
  const rng = createRng(seed, 'baseline:forest');
  const V = new Float32Array(b.valRows * k);
  for (let tree = 0; tree < trees; tree++) {
    checkAborted(options.signal, 'Baselines');
    const rows = Int32Array.from({ length: n }, () => Math.floor(rng.next() * n)); // bootstrap
    const grown = growTree(b, rows, all, t, params, rng.next);
    addTree(grown, b.val, b.d, b.valRows, 1 / trees, V);
    await yieldToEventLoop();
  }
  const note = `${budgetWords(trees, 'trees', options.randomForest?.trees !== undefined)} on bootstrap samples of all ${n.toLocaleString('en-US')} training rows, ${tried} of ${all.length} features tried at each split; ${b.description}`;
  return rung(run, 'random-forest', V, k, note);
}
