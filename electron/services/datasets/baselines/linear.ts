/**
 * The linear rungs of the ladder: multinomial logistic regression, trained by plain mini-batch
 * gradient descent on the standardised features (seeded order, so deterministic); linear regression
 * by least squares (ridge 1e-6, Cholesky), or by gradient descent beyond 400 features.
 */
import { createRng, permutation } from '../../../../shared/random';
import { checkAborted, yieldToEventLoop } from '../errors';
import type { Dense, Features } from './features';
import { accuracy, argmax, regressionMetrics } from './metrics';
import type { BaselineOptions, BaselineRun, Rung } from './types';

interface LinearFit {
  w: Float64Array; // d × k
  b: Float64Array; // k
}

/** Softmax (`softmax`) or identity outputs fitted to `target(i)` by mini-batch gradient descent. */
async function gradientDescent(
  run: BaselineRun,
  k: number,
  target: (i: number, out: Float64Array) => void,
  softmax: boolean,
  o: Required<NonNullable<BaselineOptions['logistic']>>,
): Promise<LinearFit> {
  const { f, trainCount, seed } = run;
  const signal = run.options.signal;
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

function linearOutputs(f: Features, fit: LinearFit, k: number, i: number, out: Float64Array): void {
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

/** Logistic regression over `k` classes, scored by accuracy on the validation rows. */
export async function logisticRegression(run: BaselineRun, k: number): Promise<Rung> {
  const { f, trainCount, validationCount } = run;
  const y = run.ds.y;
  const yVal = y.subarray(trainCount);
  const lo = run.options.logistic ?? {};
  const nnz = f.kind === 'dense' ? f.d : f.trainIds.length / Math.max(1, trainCount);
  const batchSize = lo.batchSize ?? 32;
  const o = {
    // Sparse: the L2 decay of every weight dominates a step, so fewer epochs.
    epochs:
      lo.epochs ?? Math.min(f.kind === 'sparse' ? 40 : Infinity, epochsFor(trainCount, nnz, k, batchSize)),
    learningRate: lo.learningRate ?? (f.kind === 'dense' ? 0.2 : 0.5),
    l2: lo.l2 ?? 1e-4,
    batchSize,
  };
  const fit = await gradientDescent(
    run,
    k,
    (i, t) => {
      t.fill(0);
      t[y[i]!] = 1;
    },
    true,
    o,
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
}

/** Linear regression (every target column), scored by MAE and R² on the validation rows. */
export async function linearRegression(run: BaselineRun): Promise<Rung> {
  const { f, trainCount, validationCount } = run;
  const k = run.ds.targetSize;
  const y = run.ds.y as Float32Array;
  const yVal = y.subarray(trainCount * k);
  let fit: LinearFit;
  let note: string;
  if (f.kind === 'dense' && f.d <= 400) {
    fit = leastSquares(f, trainCount, y, k);
    note = 'least squares on standardised features';
  } else {
    const lo = run.options.logistic ?? {};
    const batchSize = lo.batchSize ?? 32;
    const o = {
      epochs: lo.epochs ?? epochsFor(trainCount, f.d, k, batchSize),
      learningRate: lo.learningRate ?? 0.01,
      l2: lo.l2 ?? 1e-4,
      batchSize,
    };
    fit = await gradientDescent(
      run,
      k,
      (i, t) => {
        for (let c = 0; c < k; c++) t[c] = y[i * k + c]!;
      },
      false,
      o,
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
    metrics: regressionMetrics(yVal, pred, k),
    note,
  };
}
