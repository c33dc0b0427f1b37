/** Inference with trained weights: the model built from the graph and its weights, run over rows of x. */
import * as tf from '@tensorflow/tfjs';
import type { CheckGraph } from '../../shared/graph/check';
import type { WeightArtifacts } from '../../shared/training/protocol';
import { loadTrainedModel } from './artifacts';
import { activeBackend, initBackend } from './backend';

/** Rows per predict call. */
const BATCH = 256;

/**
 * The models of the latest graphs and weights predicted with, newest first. Building a model runs
 * its initialisers (an LSTM's orthogonal one takes ~100 ms) and then sets every weight: far more
 * than predicting one sample, which the app does again and again with the same weights (the
 * prediction box, the decision boundary, inspecting samples). Weight artifacts are values: nothing
 * changes one in place, so the same object with the same graph is the same model.
 */
const kept: { graph: string; weights: WeightArtifacts; backend: string; model: tf.LayersModel }[] = [];
/** Models kept: a project's weights and a checkpoint's (the scrubber), or two open documents. */
const KEEP = 2;

/** False once anything disposed the model's variables (tf.disposeVariables, model.dispose). */
function usable(model: tf.LayersModel): boolean {
  // tf.disposeVariables frees a variable without marking it disposed: it leaves the registry.
  const registered = tf.engine().state.registeredVariables;
  try {
    return model.weights.every((w) => {
      const v = w.read() as tf.Variable;
      return !v.isDisposed && registered[v.name] === v;
    });
  } catch {
    return false;
  }
}

/**
 * Runs `use` with the model of `graph` and `weights` (built and loaded once, then kept for the next
 * calls). `use` must be synchronous: a kept model is disposed only when a newer one pushes it out,
 * which happens between calls, never during one. Throws `WeightsMisfitError` when the weights do
 * not fit the graph.
 */
export async function withTrainedModel<T>(
  graph: CheckGraph,
  weights: WeightArtifacts,
  use: (model: tf.LayersModel) => T,
): Promise<T> {
  await initBackend();
  const key = JSON.stringify(graph);
  const find = () => {
    const backend = activeBackend();
    const at = kept.findIndex((k) => k.weights === weights && k.graph === key && k.backend === backend);
    if (at < 0) return undefined;
    const [k] = kept.splice(at, 1);
    if (!usable(k!.model)) return undefined;
    kept.unshift(k!);
    return k!.model;
  };
  let model = find();
  if (!model) {
    const loaded = await loadTrainedModel(graph, weights);
    // Another call may have loaded the same meanwhile: keep one.
    model = find();
    if (model) loaded.dispose();
    else {
      model = loaded;
      kept.unshift({ graph: key, weights, backend: activeBackend(), model });
      for (const old of kept.splice(KEEP)) old.model.dispose();
    }
  }
  return use(model);
}

/**
 * Runs the model on `count` rows of x (each of `sampleShape`, fed to every input) and returns the
 * first output's values, row-major. Throws `WeightsMisfitError` when the weights do not fit the graph.
 */
export async function predictArrays(
  graph: CheckGraph,
  weights: WeightArtifacts,
  x: Float32Array | Int32Array,
  sampleShape: readonly number[],
  dtype: 'float32' | 'int32',
  count: number,
): Promise<{ outputs: Float32Array; outputSize: number; backend: string }> {
  const outputs = await withTrainedModel(graph, weights, (model) =>
    predictWith(model, x, sampleShape, dtype, count),
  );
  return { ...outputs, backend: activeBackend() };
}

/** `predictArrays` with a model at hand. */
function predictWith(
  model: tf.LayersModel,
  x: Float32Array | Int32Array,
  sampleShape: readonly number[],
  dtype: 'float32' | 'int32',
  count: number,
): { outputs: Float32Array; outputSize: number } {
  const per = sampleShape.reduce((a, d) => a * d, 1);
  const outShape = model.outputs[0]!.shape.slice(1) as number[];
  const outputSize = outShape.reduce((a, d) => a * (d ?? 1), 1);
  const out = new Float32Array(count * outputSize);
  for (let start = 0; start < count; start += BATCH) {
    const n = Math.min(BATCH, count - start);
    const slice = x.subarray(start * per, (start + n) * per);
    // The tensor leaves the tidy, not its values: tidy walks a returned typed array element by element.
    const first = tf.tidy(() => {
      const input = tf.tensor(slice, [n, ...sampleShape], dtype);
      // One pass over the slice (predict's default cuts it into batches of 32: 3× slower here).
      const y = model.predict(model.inputs.length > 1 ? model.inputs.map(() => input) : input, {
        batchSize: n,
      });
      return Array.isArray(y) ? y[0]! : (y as tf.Tensor);
    });
    out.set(first.dataSync(), start * outputSize);
    first.dispose();
  }
  return { outputs: out, outputSize };
}
