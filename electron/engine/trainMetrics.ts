/**
 * What a training run measures: the loss and accuracy (or regression metrics) of an epoch or of a
 * validation pass, over the first output, and the probe's predictions at an epoch's end.
 */
import * as tf from '@tensorflow/tfjs';
import type { Metrics, Probe } from '../../shared/training/protocol';
import { type CompiledModel, type OutputPlan, RegressionAccumulator } from './compile';
import type { TrainData } from './data';
import { batchLoss, batchMetrics, forward, makeBatch } from './step';

/** Predicts the probe inputs with the current weights (inference mode). */
export function runProbe(c: CompiledModel, p: Probe): number[] {
  // The tensor leaves the tidy, not its values: tidy walks a returned array element by element.
  const out = tf.tidy(() => {
    const x = tf.tensor(p.data, [p.count, ...p.sampleShape], p.dtype);
    return forward(
      c,
      c.model.inputs.map(() => x),
      false,
    )[0]!;
  });
  try {
    return Array.from(out.dataSync());
  } finally {
    out.dispose();
  }
}

/** Metric accumulator for one epoch (or one validation pass), over the first output. */
export class EpochMetrics {
  private lossSum = 0;
  private correct = 0;
  private n = 0;
  private reg = new RegressionAccumulator();
  constructor(private readonly plan: OutputPlan) {}
  add(loss: number, size: number, correct: number | undefined, sums: ArrayLike<number> | undefined) {
    this.lossSum += loss * size;
    this.n += size;
    if (correct !== undefined) this.correct += correct;
    if (sums) this.reg.add(sums, size);
  }
  result(): Metrics {
    if (this.n === 0) return {};
    const m: Metrics = { loss: this.lossSum / this.n };
    if (this.plan.problem === 'classification') m.accuracy = this.correct / this.n;
    else Object.assign(m, this.reg.result());
    return m;
  }
}

export function evaluate(c: CompiledModel, data: TrainData, idx: Int32Array, batchSize: number): Metrics {
  const acc = new EpochMetrics(c.outputs[0]!);
  for (let start = 0; start < idx.length; start += batchSize) {
    const end = Math.min(idx.length, start + batchSize);
    let r: { loss: number; correct: number | undefined; sums: Float64Array | undefined } | undefined;
    tf.tidy(() => {
      const b = makeBatch(c, data, idx, start, end);
      const preds = forward(c, b.xs, false);
      const { correct, sums } = batchMetrics(c, preds, b.ys);
      r = { loss: batchLoss(c, preds, b.ys).dataSync()[0]!, correct, sums };
    });
    if (!r) continue;
    acc.add(r.loss, end - start, r.correct, r.sums);
  }
  return acc.result();
}
