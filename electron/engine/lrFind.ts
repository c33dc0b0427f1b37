/**
 * The learning-rate range test (Smith 2017; the "LR finder" of fastai and PyTorch Lightning): from a
 * copy of the weights (the project's when they fit, else a fresh seeded initialisation), train one
 * batch at a time while the learning rate grows exponentially from `minLr` to `maxLr` over `steps`
 * batches, recording the loss (smoothed by an exponential moving average with bias correction).
 * It stops early when the smoothed loss passes 4× its minimum or stops being finite. The suggested
 * rate is a tenth of the rate at the lowest smoothed loss (where the loss still falls fast, safely
 * below where it blows up); see `suggest`. Nothing is saved: the copy is thrown away.
 */
import * as tf from '@tensorflow/tfjs';
import type { CheckGraph } from '../../shared/graph/check';
import type { TrainingConfig } from '../../shared/training/config';
import type { LrFindResult } from '../../shared/training/lrFind';
import type { BackendName, WeightArtifacts } from '../../shared/training/protocol';
import { readWeightsManifest } from '../../shared/graph/weights';
import { setWeightsByName } from './artifacts';
import { activeBackend, initBackend } from './backend';
import { compileGraph, trainableVariables } from './compile';
import type { TrainData } from './data';
import { makeOptimizer, regularise, setLearningRate } from './optimizers';
import { mulberry32, permutation, seedMathRandom } from './random';
import { checkInputs } from './runParts';
import { batchGradients } from './step';

export interface LrFindOptions {
  graph: CheckGraph;
  data: TrainData;
  config: TrainingConfig;
  /** The project's weights, when they fit the graph: the test starts from a copy of them. */
  weights?: WeightArtifacts | undefined;
  backend?: BackendName | undefined;
  steps?: number;
  minLr?: number;
  maxLr?: number;
  /** Called between batches (the services yield to their event loop here). */
  yieldBetweenBatches?: () => Promise<void>;
  isCancelled?: () => boolean;
}

const SMOOTHING = 0.98;
const BLOW_UP = 4;

export async function findLearningRate(o: LrFindOptions): Promise<LrFindResult> {
  const steps = o.steps ?? 100;
  const minLr = o.minLr ?? 1e-7;
  const maxLr = o.maxLr ?? 10;
  await initBackend(o.backend);
  const restoreRandom = seedMathRandom(o.config.seed);
  const c = await compileGraph(o.graph, { lossOverride: o.config.loss, target: o.data.target });
  const optimizer = makeOptimizer({ ...o.config, learningRate: minLr });
  try {
    checkInputs(c, o.data);
    if (o.weights) {
      const manifest = readWeightsManifest(o.weights.modelJson, o.weights.weightsBin.byteLength);
      if (manifest.ok) setWeightsByName(c.model, manifest.entries, o.weights.weightsBin);
    }
    const trainable = trainableVariables(c);
    const n = o.data.count - o.data.holdout;
    const batch = Math.max(1, Math.min(o.config.batchSize, n));
    let order = permutation(n, mulberry32(o.config.seed));
    let at = 0;
    const points: [number, number][] = [];
    let avg = 0;
    let best = Infinity;
    let stopped: string | undefined;
    for (let i = 0; i < steps; i++) {
      if (o.yieldBetweenBatches) await o.yieldBetweenBatches();
      if (o.isCancelled?.()) {
        stopped = 'cancelled';
        break;
      }
      const lr = minLr * (maxLr / minLr) ** (i / Math.max(1, steps - 1));
      setLearningRate(optimizer, lr);
      if (at + batch > n) {
        order = permutation(n, mulberry32(o.config.seed + i));
        at = 0;
      }
      const { grads, loss } = batchGradients(c, trainable, o.data, order, at, at + batch);
      at += batch;
      if (!Number.isFinite(loss)) {
        tf.dispose(grads);
        stopped = `the loss became ${loss} at a rate of ${lr.toExponential(1)}`;
        break;
      }
      const applied = regularise(grads, o.config);
      optimizer.applyGradients(applied);
      tf.dispose([grads, applied]);
      avg = SMOOTHING * avg + (1 - SMOOTHING) * loss;
      const smoothed = avg / (1 - SMOOTHING ** (i + 1));
      points.push([lr, smoothed]);
      best = Math.min(best, smoothed);
      if (i > 10 && smoothed > BLOW_UP * best) {
        stopped = `the loss grew past ${BLOW_UP}× its lowest at a rate of ${lr.toExponential(1)}`;
        break;
      }
    }
    const s = suggest(points);
    return {
      suggested: s?.suggested ?? null,
      points,
      ...(s ? { rule: s.rule } : {}),
      ...(stopped ? { stopped } : {}),
      backend: activeBackend(),
    };
  } finally {
    restoreRandom();
    optimizer.dispose();
    c.model.dispose();
  }
}

/**
 * The suggested rate: a tenth of the rate at the lowest smoothed loss when the loss fell by at least
 * 5% of where it started (the usual rule); when it stayed flat (a network already trained, a hard
 * problem that 100 batches barely move), a tenth of the rate past which the loss rises above where
 * it started (and 2% above its lowest); null when neither shows.
 */
export function suggest(
  points: readonly [number, number][],
): { suggested: number; rule: 'lowest-loss' | 'before-rise' } | null {
  if (points.length < 3) return null;
  let lowest = 0;
  for (let i = 1; i < points.length; i++) if (points[i]![1] < points[lowest]![1]) lowest = i;
  const start = points[0]![1];
  const min = points[lowest]![1];
  const round = (lr: number) => Number((lr / 10).toPrecision(2));
  if (start > 0 && (start - min) / start >= 0.05)
    return { suggested: round(points[lowest]![0]), rule: 'lowest-loss' };
  const limit = Math.max(start, 1.02 * min);
  // A loss that never went below its start (lowest at the first point) has no flat stretch to read.
  if (lowest === 0) return null;
  const rise = points.findIndex(([, loss], i) => i > lowest && loss > limit);
  return rise > 0 ? { suggested: round(points[rise]![0]), rule: 'before-rise' } : null;
}
