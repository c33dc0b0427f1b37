/**
 * The baseline ladder ("when is a neural network overkill?"): on the SAME train/validation split as
 * the network (split.ts), the simple models a data scientist would try first.
 *
 * - majority class (classification) / mean of the training targets (regression): the floor;
 * - multinomial logistic regression, trained by plain mini-batch gradient descent on standardised
 *   Float32 features (seeded order, so deterministic) / linear regression by least squares (ridge
 *   1e-6, Cholesky) — falls back to gradient descent beyond 400 features;
 * - a random forest (ml-random-forest, seeded), trained in slices of trees so the event loop and
 *   cancellation keep running. Its tree builder is quadratic in the rows, so on big sets it is trained
 *   on a seeded sample of rows sized to a time budget (said in the result's `note`).
 *
 * Token-id data (text) is turned into a bag of words: logistic regression sees every word of the
 * vocabulary (sparse), the forest sees whether each of the 50 most frequent words is present (ids are
 * ranked by training frequency).
 *
 * Metrics on the validation rows: accuracy for classification; MAE and R² for regression.
 */
import { RandomForestClassifier, RandomForestRegression } from 'ml-random-forest';
import type { ArrayDataset, Task } from '../../../shared/training/data';
import { checkAborted, DatasetError, yieldToEventLoop } from './errors';
import { createRng, permutation } from '../../../shared/random';
import { sampleSize, splitCounts } from './split';

export type BaselineId = 'majority' | 'logistic-regression' | 'linear-regression' | 'random-forest';

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
  randomForest?: { trees?: number; maxRows?: number; maxFeatures?: number; maxDepth?: number };
}

/** Steps of ml-cart's split search a forest may take (about 2–6 s here). */
const FOREST_BUDGET = 1e8;
/** Text: the forest sees the presence of this many most frequent words. */
const FOREST_WORDS = 50;

// ---------------------------------------------------------------------------------------------------
// Metrics

export function accuracy(truth: ArrayLike<number>, predicted: ArrayLike<number>): number {
  let ok = 0;
  for (let i = 0; i < truth.length; i++) if (truth[i] === predicted[i]) ok++;
  return truth.length ? ok / truth.length : NaN;
}

/** MAE and R² over all values (multi-output targets pooled); R² = 1 − SS_res / SS_tot. */
export function regressionMetrics(
  truth: ArrayLike<number>,
  predicted: ArrayLike<number>,
): { mae: number; r2: number } {
  const n = truth.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += truth[i]!;
  mean /= n;
  let abs = 0;
  let res = 0;
  let tot = 0;
  for (let i = 0; i < n; i++) {
    const e = truth[i]! - predicted[i]!;
    abs += Math.abs(e);
    res += e * e;
    tot += (truth[i]! - mean) ** 2;
  }
  return { mae: abs / n, r2: tot > 0 ? 1 - res / tot : NaN };
}

// ---------------------------------------------------------------------------------------------------
// Features

interface Dense {
  kind: 'dense';
  /** Standardised features, row-major, `rows × d`. */
  train: Float32Array;
  val: Float32Array;
  d: number;
}

interface Sparse {
  kind: 'sparse';
  /** Per row: the distinct token ids present (bag of words), flattened with offsets. */
  trainIds: Int32Array;
  trainOff: Int32Array;
  valIds: Int32Array;
  valOff: Int32Array;
  d: number;
}

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

function features(ds: ArrayDataset, trainCount: number): Dense | Sparse {
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

/** Dense rows for the forest: the features themselves, or presence of the 50 most frequent words. */
function forestRows(f: Dense | Sparse, which: 'train' | 'val'): number[][] {
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

// ---------------------------------------------------------------------------------------------------
// Linear models by mini-batch gradient descent (softmax or identity output)

interface LinearFit {
  w: Float64Array; // d × k
  b: Float64Array; // k
}

async function gradientDescent(
  f: Dense | Sparse,
  trainCount: number,
  k: number,
  target: (i: number, out: Float64Array) => void,
  softmax: boolean,
  o: Required<NonNullable<BaselineOptions['logistic']>>,
  seed: number,
  signal: AbortSignal | undefined,
): Promise<LinearFit> {
  const d = f.d;
  const w = new Float64Array(d * k);
  const b = new Float64Array(k);
  const gw = new Float64Array(d * k);
  const gb = new Float64Array(k);
  const z = new Float64Array(k);
  const t = new Float64Array(k);
  const rng = createRng(seed, 'baseline:logistic');
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    checkAborted(signal, 'Baselines');
    const order = permutation(trainCount, rng.next);
    const lr = o.learningRate / (1 + (4 * epoch) / o.epochs);
    for (let start = 0; start < trainCount; start += o.batchSize) {
      const end = Math.min(trainCount, start + o.batchSize);
      gw.fill(0);
      gb.fill(0);
      for (let s = start; s < end; s++) {
        const i = order[s]!;
        // Forward.
        for (let c = 0; c < k; c++) z[c] = b[c]!;
        if (f.kind === 'dense') {
          const base = i * d;
          for (let j = 0; j < d; j++) {
            const v = f.train[base + j]!;
            if (v === 0) continue;
            for (let c = 0; c < k; c++) z[c]! += v * w[j * k + c]!;
          }
        } else
          for (let q = f.trainOff[i]!; q < f.trainOff[i + 1]!; q++) {
            const j = f.trainIds[q]!;
            for (let c = 0; c < k; c++) z[c]! += w[j * k + c]!;
          }
        if (softmax) {
          let m = -Infinity;
          for (let c = 0; c < k; c++) m = Math.max(m, z[c]!);
          let sum = 0;
          for (let c = 0; c < k; c++) sum += z[c] = Math.exp(z[c]! - m);
          for (let c = 0; c < k; c++) z[c]! /= sum;
        }
        // Gradient of cross-entropy (softmax) or half squared error (identity): output − target.
        target(i, t);
        for (let c = 0; c < k; c++) z[c]! -= t[c]!;
        for (let c = 0; c < k; c++) gb[c]! += z[c]!;
        if (f.kind === 'dense') {
          const base = i * d;
          for (let j = 0; j < d; j++) {
            const v = f.train[base + j]!;
            if (v === 0) continue;
            for (let c = 0; c < k; c++) gw[j * k + c]! += v * z[c]!;
          }
        } else
          for (let q = f.trainOff[i]!; q < f.trainOff[i + 1]!; q++) {
            const j = f.trainIds[q]!;
            for (let c = 0; c < k; c++) gw[j * k + c]! += z[c]!;
          }
      }
      const scale = lr / (end - start);
      for (let q = 0; q < w.length; q++) w[q]! -= scale * gw[q]! + lr * o.l2 * w[q]!;
      for (let c = 0; c < k; c++) b[c]! -= scale * gb[c]!;
    }
    await yieldToEventLoop();
  }
  return { w, b };
}

function linearOutputs(f: Dense | Sparse, fit: LinearFit, k: number, i: number, out: Float64Array): void {
  for (let c = 0; c < k; c++) out[c] = fit.b[c]!;
  if (f.kind === 'dense') {
    const base = i * f.d;
    for (let j = 0; j < f.d; j++) {
      const v = f.val[base + j]!;
      for (let c = 0; c < k; c++) out[c]! += v * fit.w[j * k + c]!;
    }
  } else
    for (let q = f.valOff[i]!; q < f.valOff[i + 1]!; q++) {
      const j = f.valIds[q]!;
      for (let c = 0; c < k; c++) out[c]! += fit.w[j * k + c]!;
    }
}

function argmax(a: ArrayLike<number>): number {
  let best = 0;
  for (let c = 1; c < a.length; c++) if (a[c]! > a[best]!) best = c;
  return best;
}

/**
 * Epochs such that a run costs about `budget` multiply-adds (at least 3), with at least 2,000 steps on
 * small data (a few dozen rows make one batch per epoch).
 */
function epochsFor(rows: number, d: number, k: number, batchSize: number, budget = 4e8): number {
  const byBudget = Math.round(budget / Math.max(1, rows * d * k));
  const bySteps = Math.ceil(2000 / Math.ceil(rows / batchSize));
  return Math.max(3, Math.min(byBudget, Math.max(bySteps, 100)));
}

/** Least squares with a tiny ridge on standardised features: (XᵀX + λI) w = Xᵀy, bias = mean(y). */
function leastSquares(f: Dense, trainCount: number, y: Float32Array, k: number): LinearFit {
  const d = f.d;
  const ymean = new Float64Array(k);
  for (let i = 0; i < trainCount; i++) for (let c = 0; c < k; c++) ymean[c]! += y[i * k + c]!;
  for (let c = 0; c < k; c++) ymean[c]! /= trainCount;
  // Features are standardised on the training rows, so their mean is 0 and no centring is needed.
  const a = new Float64Array(d * d);
  const rhs = new Float64Array(d * k);
  for (let i = 0; i < trainCount; i++) {
    const base = i * d;
    for (let p = 0; p < d; p++) {
      const vp = f.train[base + p]!;
      if (vp === 0) continue;
      for (let q = 0; q <= p; q++) a[p * d + q]! += vp * f.train[base + q]!;
      for (let c = 0; c < k; c++) rhs[p * k + c]! += vp * (y[i * k + c]! - ymean[c]!);
    }
  }
  for (let p = 0; p < d; p++) a[p * d + p]! += 1e-6 * trainCount;
  // Cholesky: a = L Lᵀ (lower triangle in place).
  for (let j = 0; j < d; j++) {
    let s = a[j * d + j]!;
    for (let m = 0; m < j; m++) s -= a[j * d + m]! ** 2;
    const diag = Math.sqrt(Math.max(s, 1e-12));
    a[j * d + j] = diag;
    for (let i = j + 1; i < d; i++) {
      let v = a[i * d + j]!;
      for (let m = 0; m < j; m++) v -= a[i * d + m]! * a[j * d + m]!;
      a[i * d + j] = v / diag;
    }
  }
  const w = new Float64Array(d * k);
  for (let c = 0; c < k; c++) {
    const z = new Float64Array(d);
    for (let i = 0; i < d; i++) {
      let v = rhs[i * k + c]!;
      for (let m = 0; m < i; m++) v -= a[i * d + m]! * z[m]!;
      z[i] = v / a[i * d + i]!;
    }
    for (let i = d - 1; i >= 0; i--) {
      let v = z[i]!;
      for (let m = i + 1; m < d; m++) v -= a[m * d + i]! * w[m * k + c]!;
      w[i * k + c] = v / a[i * d + i]!;
    }
  }
  return { w, b: ymean };
}

// ---------------------------------------------------------------------------------------------------
// The ladder

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
  const signal = options.signal;
  const want = (id: BaselineId) => !options.only || options.only.includes(id);
  const results: BaselineResult[] = [];
  const f = features(ds, trainCount);
  const timed = async (run: () => Promise<Omit<BaselineResult, 'trainMs'>>) => {
    const t0 = performance.now();
    const r = await run();
    results.push({ ...r, trainMs: Math.round(performance.now() - t0) });
  };

  if (ds.task === 'classification') {
    const k = Math.max(ds.classes?.length ?? 0, ...Array.from(ds.y.subarray(0, trainCount), (v) => v + 1), 2);
    const y = ds.y;
    const yVal = y.subarray(trainCount);
    if (want('majority'))
      await timed(async () => {
        const counts = new Int32Array(k);
        for (let i = 0; i < trainCount; i++) counts[y[i]!]!++;
        const best = argmax(counts);
        return {
          id: 'majority',
          label: `Majority class (${ds.classes?.[best] ?? best})`,
          task: 'classification',
          metrics: { accuracy: accuracy(yVal, new Int32Array(validationCount).fill(best)) },
        };
      });
    if (want('logistic-regression'))
      await timed(async () => {
        const lo = options.logistic ?? {};
        const nnz = f.kind === 'dense' ? f.d : f.trainIds.length / Math.max(1, trainCount);
        const batchSize = lo.batchSize ?? 32;
        const o = {
          // Sparse: the L2 decay of every weight dominates a step, so fewer epochs.
          epochs:
            lo.epochs ??
            Math.min(f.kind === 'sparse' ? 40 : Infinity, epochsFor(trainCount, nnz, k, batchSize)),
          learningRate: lo.learningRate ?? (f.kind === 'dense' ? 0.2 : 0.5),
          l2: lo.l2 ?? 1e-4,
          batchSize,
        };
        const fit = await gradientDescent(
          f,
          trainCount,
          k,
          (i, t) => {
            t.fill(0);
            t[y[i]!] = 1;
          },
          true,
          o,
          seed,
          signal,
        );
        const out = new Float64Array(k);
        const pred = new Int32Array(validationCount);
        for (let i = 0; i < validationCount; i++) {
          linearOutputs(f, fit, k, i, out);
          pred[i] = argmax(out);
        }
        return {
          id: 'logistic-regression',
          label: 'Logistic regression',
          task: 'classification',
          metrics: { accuracy: accuracy(yVal, pred) },
          note: `${o.epochs} epochs of mini-batch gradient descent (batch ${o.batchSize}, learning rate ${o.learningRate}, L2 ${o.l2})${f.kind === 'sparse' ? `, on a bag of words (${f.d} words)` : ', standardised features'}`,
        };
      });
  } else {
    const k = ds.targetSize;
    const y = ds.y as Float32Array;
    const yVal = y.subarray(trainCount * k);
    if (want('majority'))
      await timed(async () => {
        const mean = new Float64Array(k);
        for (let i = 0; i < trainCount; i++)
          for (let c = 0; c < k; c++) mean[c]! += y[i * k + c]! / trainCount;
        const pred = Float32Array.from({ length: yVal.length }, (_, i) => mean[i % k]!);
        return {
          id: 'majority',
          label: 'Mean of the training targets',
          task: 'regression',
          metrics: regressionMetrics(yVal, pred),
        };
      });
    if (want('linear-regression'))
      await timed(async () => {
        let fit: LinearFit;
        let note: string;
        if (f.kind === 'dense' && f.d <= 400) {
          fit = leastSquares(f, trainCount, y, k);
          note = 'least squares on standardised features';
        } else {
          const lo = options.logistic ?? {};
          const batchSize = lo.batchSize ?? 32;
          const o = {
            epochs: lo.epochs ?? epochsFor(trainCount, f.d, k, batchSize),
            learningRate: lo.learningRate ?? 0.01,
            l2: lo.l2 ?? 1e-4,
            batchSize,
          };
          fit = await gradientDescent(
            f,
            trainCount,
            k,
            (i, t) => {
              for (let c = 0; c < k; c++) t[c] = y[i * k + c]!;
            },
            false,
            o,
            seed,
            signal,
          );
          note = `${o.epochs} epochs of mini-batch gradient descent`;
        }
        const out = new Float64Array(k);
        const pred = new Float32Array(yVal.length);
        for (let i = 0; i < validationCount; i++) {
          linearOutputs(f, fit, k, i, out);
          for (let c = 0; c < k; c++) pred[i * k + c] = out[c]!;
        }
        return {
          id: 'linear-regression',
          label: 'Linear regression',
          task: 'regression',
          metrics: regressionMetrics(yVal, pred),
          note,
        };
      });
  }

  if (want('random-forest') && (ds.task === 'classification' || ds.targetSize === 1))
    await timed(() => randomForest(ds, f, trainCount, validationCount, seed, options));
  return results;
}

async function randomForest(
  ds: ArrayDataset,
  f: Dense | Sparse,
  trainCount: number,
  validationCount: number,
  seed: number,
  options: BaselineOptions,
): Promise<Omit<BaselineResult, 'trainMs'>> {
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
