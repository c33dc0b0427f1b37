/**
 * One training step's building blocks, shared by the training loop (train.ts) and the gradient
 * replicas of data-parallel training (parallel.ts, peer.ts): forward pass, batch, loss + metrics.
 */
import * as tf from '@tensorflow/tfjs';
import { type CompiledModel, correctCount, denseTargets, lossValue, regressionSums } from './compile';
import { crossEntropyMetrics } from './crossEntropy';
import { gatherRows, oneHotRows, type TrainData } from './data';

/** Forward pass through the compiled graph with a `training` flag (model.apply does not pass it on). */
export function forward(c: CompiledModel, xs: tf.Tensor[], training: boolean): tf.Tensor[] {
  const values = forwardAll(c, xs, training);
  return c.outputs.map((o) => values.get(o.layer)!);
}

/** The same pass, with every layer's output by layer name (the layer statistics read them all). */
export function forwardAll(c: CompiledModel, xs: tf.Tensor[], training: boolean): Map<string, tf.Tensor> {
  const values = new Map<string, tf.Tensor>();
  let next = 0;
  for (const l of c.json.config.layers) {
    if (l.class_name === 'InputLayer') {
      values.set(l.name, xs[next++]!);
      continue;
    }
    const sources = ((l.inbound_nodes[0] ?? []) as unknown as [string, number, number, object][]).map(([s]) =>
      values.get(s)!,
    );
    const layer = c.model.getLayer(l.name);
    const out = layer.apply(sources.length === 1 ? sources[0]! : sources, { training }) as tf.Tensor;
    values.set(l.name, out);
  }
  return values;
}

export interface Batch {
  xs: tf.Tensor[];
  ys: tf.Tensor[];
  size: number;
}

export function makeBatch(
  c: CompiledModel,
  data: TrainData,
  idx: Int32Array,
  start: number,
  end: number,
): Batch {
  return tf.tidy(() => {
    const xs = data.inputs.map((inp) => gatherRows(inp.data, inp.sampleShape, inp.dtype, idx, start, end));
    const yDtype = data.y instanceof Int32Array ? 'int32' : 'float32';
    let y: tf.Tensor | undefined;
    // Class labels become one-hot rows in place (five kernels fewer per step).
    const ys = c.outputs.map((o) =>
      o.loss === 'sparseCategoricalCrossentropy' && data.targetShape.length === 0
        ? oneHotRows(data.y, idx, start, end, o.units)
        : denseTargets(o, (y ??= gatherRows(data.y, data.targetShape, yDtype, idx, start, end))),
    );
    return { xs, ys, size: end - start };
  });
}

/** The batch's mean loss (summed over outputs): what training differentiates. */
export function batchLoss(c: CompiledModel, preds: tf.Tensor[], ys: tf.Tensor[]): tf.Scalar {
  const losses = c.outputs.map((o, i) => lossValue(o, ys[i]!, preds[i]!));
  return losses.length === 1 ? losses[0]! : (tf.addN(losses) as tf.Scalar);
}

/** A batch's metrics: the unclipped loss, and the first output's correct count or regression sums. */
export interface BatchMetrics {
  /** The unclipped loss (infinite once the model is certain of a wrong answer: the divergence check). */
  exact: number;
  correct: number | undefined;
  sums: Float64Array | undefined;
}

const CROSS_ENTROPIES: ReadonlySet<string> = new Set([
  'categoricalCrossentropy',
  'sparseCategoricalCrossentropy',
]);

/**
 * A batch's metrics. A single cross-entropy output is read on the host (crossEntropy.ts: no
 * kernels for a few thousand numbers).
 */
export function batchMetrics(c: CompiledModel, preds: tf.Tensor[], ys: tf.Tensor[]): BatchMetrics {
  const first = c.outputs[0]!;
  if (c.outputs.length === 1 && CROSS_ENTROPIES.has(first.loss)) {
    const y = ys[0]!;
    const m = tf.tidy(() => crossEntropyMetrics(preds[0]!.reshape(y.shape), y, y.shape[0]!));
    return { ...m, sums: undefined };
  }
  const [exactT, statT] = tf.tidy(() => [
    tf.addN(c.outputs.map((o, i) => lossValue(o, ys[i]!, preds[i]!, false))),
    first.problem === 'classification'
      ? correctCount(first, ys[0]!, preds[0]!)
      : regressionSums(ys[0]!, preds[0]!),
  ]);
  try {
    const v = statT.dataSync();
    return {
      exact: exactT.dataSync()[0]!,
      ...(first.problem === 'classification'
        ? { correct: v[0]!, sums: undefined }
        : { correct: undefined, sums: Float64Array.from(v) }),
    };
  } finally {
    tf.dispose([exactT, statT]);
  }
}

/** A training step's gradients (tensors the caller disposes) and the batch's loss and metrics. */
export interface BatchGradients extends BatchMetrics {
  grads: tf.NamedTensorMap;
  loss: number;
}

/** Forward (training) + loss + gradients w.r.t. `trainable` for the rows `idx[start..end)`. */
export function batchGradients(
  c: CompiledModel,
  trainable: tf.Variable[],
  data: TrainData,
  idx: Int32Array,
  start: number,
  end: number,
): BatchGradients {
  const b = makeBatch(c, data, idx, start, end);
  let preds: tf.Tensor[] = [];
  // Only the loss is computed under the gradient tape (every op recorded there costs copies of its
  // tensors and bookkeeping); the metrics read the kept predictions after it.
  const { value, grads } = tf.variableGrads(() => {
    preds = forward(c, b.xs, true).map((p) => tf.keep(p));
    return batchLoss(c, preds, b.ys);
  }, trainable);
  const loss = value.dataSync()[0]!;
  const metrics = batchMetrics(c, preds, b.ys);
  tf.dispose([value, ...preds, ...b.xs, ...b.ys]);
  return { grads, loss, ...metrics };
}
