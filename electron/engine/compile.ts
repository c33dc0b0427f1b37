/**
 * Project graph -> trainable tfjs model: the catalog's Keras JSON (`shared/keras`) loaded with
 * `tf.models.modelFromJSON`, one loss and one set of metrics per Output node, and the optimizer the
 * training config names.
 */
import { flatGraph } from '../../shared/graph/blocks';
import * as tf from '@tensorflow/tfjs';
import type { CheckGraph } from '../../shared/graph/check';
import {
  decideLoss,
  finalActivationIn,
  type LossKind,
  type OutputHead,
  type Problem,
  type TargetInfo,
} from '../../shared/graph/head';
import { GraphInvalidError, toKerasModel, type KerasModelJson } from '../../shared/keras/index';
import { NOTHING_TO_LEARN } from '../../shared/graph/check/whole';
import type { TrainingConfig } from '../../shared/training/config';
import type { TrainingErrorCode } from '../../shared/training/protocol';
import { crossEntropyLoss, EPS } from './crossEntropy';
import './layers/index';

export type { LossKind, TargetInfo } from '../../shared/graph/head';

export interface OutputPlan {
  outputNode: string;
  /** The layer whose tensor is this output. */
  layer: string;
  loss: LossKind;
  problem: Problem;
  /** Final activation feeding the Output (through shape-only layers). */
  activation: string;
  /** Size of the prediction's last axis. */
  units: number;
}

export interface CompiledModel {
  model: tf.LayersModel;
  json: KerasModelJson;
  inputs: string[];
  outputs: OutputPlan[];
}

export class EngineError extends Error {
  override readonly name = 'EngineError';
  constructor(
    readonly code: TrainingErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The loss of one output (the rules: `decideLoss` in shared/graph/head.ts), checked against the data
 * when `target` is known. Throws `EngineError` (DATA_MISMATCH) when the data does not fit.
 */
export function resolveLoss(
  plan: OutputHead,
  configLoss: TrainingConfig['loss'],
  target: TargetInfo | undefined,
): { loss: LossKind; problem: Problem } {
  const r = decideLoss(plan, configLoss, target);
  if ('mismatch' in r) throw new EngineError('DATA_MISMATCH', r.mismatch);
  return r;
}

/**
 * Compiles a graph. `target` (when known) resolves the `auto` losses and checks the outputs against
 * the data; without it, `auto` follows the final activation alone. Throws `EngineError`.
 */
export async function compileGraph(
  graph: CheckGraph,
  opts: { lossOverride?: TrainingConfig['loss']; target?: TargetInfo | undefined } = {},
): Promise<CompiledModel> {
  let compiled;
  try {
    compiled = toKerasModel(graph);
  } catch (e) {
    if (e instanceof GraphInvalidError) throw new EngineError('INVALID_GRAPH', e.message);
    throw e;
  }
  const flat = flatGraph(graph);
  const nodeById = new Map(flat.nodes.map((n) => [n.id, n]));
  // tfjs 4.22's convolution gradients refuse dilation; say so before a run fails half-way.
  for (const n of flat.nodes) {
    const d = n.params.dilationRate;
    if (
      (n.kind === 'Conv1D' || n.kind === 'Conv2D') &&
      Array.isArray(d) &&
      d.some((v) => typeof v === 'number' && v > 1)
    )
      throw new EngineError(
        'INVALID_GRAPH',
        `${n.id} (${n.kind}): TensorFlow.js cannot train a dilated convolution (dilation rate ${d.join('×')}). Set the dilation rate to 1 here; the PyTorch and Keras exports train it as designed.`,
      );
  }
  const outputs: OutputPlan[] = compiled.outputs.map((o) => {
    const shape = compiled.report.nodes.get(o.layer)?.outputShape ?? [];
    const last = shape[shape.length - 1];
    const units = typeof last === 'number' ? last : 1;
    const values = shape.slice(1).reduce<number>((a, d) => a * (typeof d === 'number' ? d : 1), 1);
    const activation = finalActivationIn(graph, o.layer);
    const nodeLoss = String(nodeById.get(o.outputNode)?.params.loss ?? 'auto');
    const r = resolveLoss(
      { outputNode: o.outputNode, activation, units, values, nodeLoss },
      opts.lossOverride ?? 'auto',
      opts.target,
    );
    return { outputNode: o.outputNode, layer: o.layer, activation, units, ...r };
  });
  let model: tf.LayersModel;
  // A scope around the build: some tfjs initialisers leak their intermediate tensors (LSTM's
  // unit-forget-bias initialiser leaves 4 behind). Variables survive the scope; the rest is freed.
  tf.engine().startScope();
  try {
    model = (await tf.models.modelFromJSON(
      compiled.model as unknown as Parameters<typeof tf.models.modelFromJSON>[0],
    )) as tf.LayersModel;
  } catch (e) {
    throw new EngineError(
      'INVALID_GRAPH',
      `TensorFlow.js could not build the model: ${e instanceof Error ? e.message : String(e)}`,
    );
  } finally {
    tf.engine().endScope();
  }
  return { model, json: compiled.model, inputs: compiled.inputs, outputs };
}

/**
 * The variables training updates. Refuses, with the reason, what TF.js would fail on deep in the
 * first step (an internal error): a model without any (the checker's 'nothing-to-learn' warning),
 * and a normalisation layer without its offset or scale.
 */
export function trainableVariables(c: CompiledModel): tf.Variable[] {
  const { model } = c;
  for (const layer of model.layers) {
    const kind = layer.getClassName();
    if (kind !== 'BatchNormalization' && kind !== 'LayerNormalization') continue;
    // TF.js 4.22 builds these without the weight, and an undefined input reaches the gradient tape
    // in the first step. They still predict (an imported model), so only training refuses them.
    const { center, scale } = layer.getConfig();
    if (center === false || scale === false)
      throw new EngineError(
        'INVALID_GRAPH',
        `${layer.name} (${kind}): TensorFlow.js cannot train it without its ${center === false ? 'offset (center)' : 'scale'}. Turn center and scale on here; the PyTorch and Keras exports train it as designed.`,
      );
  }
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  if (vars.length === 0)
    throw new EngineError(
      'INVALID_GRAPH',
      `${c.outputs[0]?.outputNode ?? 'Output'} (Output): ${NOTHING_TO_LEARN}`,
    );
  return vars;
}

// ---------------------------------------------------------------------------------------------
// Losses and metrics
// ---------------------------------------------------------------------------------------------

/** Targets in the form the loss wants: one-hot for sparse targets, float otherwise. */
export function denseTargets(plan: OutputPlan, y: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    if (plan.loss === 'sparseCategoricalCrossentropy')
      return tf.oneHot(y.flatten().toInt(), plan.units).toFloat();
    if (plan.loss === 'binaryCrossentropy' && plan.units > 1 && y.rank === 1)
      return tf.oneHot(y.toInt(), plan.units).toFloat();
    return y.toFloat();
  });
}

/**
 * Mean loss over the batch; `yDense` from `denseTargets`. Cross-entropies clip probabilities to
 * [1e-7, 1 - 1e-7] as Keras does; `clip = false` gives the true value (infinite when the model gives
 * a true label probability 0), which the divergence check uses.
 */
export function lossValue(plan: OutputPlan, yDense: tf.Tensor, pred: tf.Tensor, clip = true): tf.Scalar {
  return tf.tidy(() => {
    const p = pred.reshape(yDense.shape);
    const eps = clip ? EPS : 0;
    switch (plan.loss) {
      case 'categoricalCrossentropy':
      case 'sparseCategoricalCrossentropy': {
        // Clipped: one op with its own gradient (crossEntropy.ts); one-hot targets made here are
        // exactly 0 or 1, so every clipped log is finite and 0 · log p is already 0 (no select).
        if (clip) return crossEntropyLoss(p, yDense, plan.loss === 'categoricalCrossentropy');
        // 0 · log 0 is taken as 0 (only the true class's probability counts).
        const terms = yDense.mul(tf.log(tf.clipByValue(p, 0, 1)));
        return tf.neg(tf.mean(tf.sum(tf.where(yDense.greater(0), terms, 0), -1)));
      }
      case 'binaryCrossentropy': {
        const c = tf.clipByValue(p, eps, 1 - eps);
        const pos = tf.where(yDense.greater(0), yDense.mul(tf.log(c)), 0);
        const neg = tf.where(yDense.less(1), tf.sub(1, yDense).mul(tf.log(tf.sub(1, c))), 0);
        return tf.neg(tf.mean(pos.add(neg)));
      }
      case 'meanAbsoluteError':
        return tf.mean(tf.abs(p.sub(yDense)));
      default:
        return tf.mean(tf.squaredDifference(p, yDense));
    }
  });
}

/** Number of correct predictions in the batch (classification), as a scalar. */
export function correctCount(plan: OutputPlan, yDense: tf.Tensor, pred: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const p = pred.reshape(yDense.shape);
    if (plan.loss === 'binaryCrossentropy') {
      // Per-sample: all labels right (one unit: the usual binary accuracy).
      const right = p.greater(0.5).toFloat().equal(yDense).toFloat();
      const perSample = right.reshape([right.shape[0]!, -1]).min(1);
      return perSample.sum();
    }
    const a = p.reshape([-1, plan.units]).argMax(-1);
    const b = yDense.reshape([-1, plan.units]).argMax(-1);
    return a
      .equal(b)
      .toFloat()
      .sum()
      .div(a.size / p.shape[0]!) as tf.Scalar;
  });
}

/** Regression sums per target column: [sum |e|, sum e², sum y, sum y²] stacked as [4, columns]. */
export function regressionSums(yDense: tf.Tensor, pred: tf.Tensor): tf.Tensor2D {
  return tf.tidy(() => {
    const cols = yDense.size / yDense.shape[0]!;
    const y = yDense.reshape([-1, cols]);
    const e = pred.reshape([-1, cols]).sub(y);
    // Squares around the batch's own mean (not Σy² − (Σy)²/n, which cancels catastrophically for a
    // near-constant column); batches are combined exactly on the host (RegressionAccumulator).
    const mean = y.mean(0);
    return tf.stack([
      e.abs().sum(0),
      e.square().sum(0),
      y.sum(0),
      y.sub(mean).square().sum(0),
    ]) as tf.Tensor2D;
  });
}

/**
 * Accumulates regression sums over batches and gives MAE (averaged over target columns) and R²,
 * 1 − SSE / SST with SST around each column's own mean (the baselines' `regressionMetrics`).
 */
export class RegressionAccumulator {
  /** Per column: Σ|e|, Σe², then the running mean and sum of squared deviations of the targets. */
  private abs: Float64Array | undefined;
  private sq: Float64Array | undefined;
  private mean: Float64Array | undefined;
  private m2: Float64Array | undefined;
  private n = 0;
  /** Adds one batch's `regressionSums` (4 rows of `cols`), combining variances as Chan et al. do. */
  add(sums: ArrayLike<number>, count: number): void {
    const cols = sums.length / 4;
    if (!this.abs) {
      this.abs = new Float64Array(cols);
      this.sq = new Float64Array(cols);
      this.mean = new Float64Array(cols);
      this.m2 = new Float64Array(cols);
    }
    const total = this.n + count;
    for (let c = 0; c < cols; c++) {
      this.abs[c]! += sums[c]!;
      this.sq![c]! += sums[cols + c]!;
      const batchMean = sums[2 * cols + c]! / count;
      const delta = batchMean - this.mean![c]!;
      this.m2![c]! += sums[3 * cols + c]! + (delta * delta * this.n * count) / total;
      this.mean![c]! += (delta * count) / total;
    }
    this.n = total;
  }
  result(): { mae: number; r2: number } {
    if (!this.abs || this.n === 0) return { mae: NaN, r2: NaN };
    const cols = this.abs.length;
    let mae = 0;
    let sse = 0;
    let sst = 0;
    for (let c = 0; c < cols; c++) {
      mae += this.abs[c]! / this.n;
      sse += this.sq![c]!;
      sst += Math.max(0, this.m2![c]!);
    }
    return { mae: mae / cols, r2: sst > 0 ? 1 - sse / sst : sse === 0 ? 1 : 0 };
  }
}
