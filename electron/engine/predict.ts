/** Inference with trained weights: the model built from the graph and its weights, run over rows of x. */
import * as tf from '@tensorflow/tfjs';
import type { CheckGraph } from '../../shared/graph/check';
import type { WeightArtifacts } from '../../shared/training/protocol';
import { loadTrainedModel } from './artifacts';
import { activeBackend, initBackend } from './backend';

/** Rows per predict call. */
const BATCH = 256;

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
  await initBackend();
  const model = await loadTrainedModel(graph, weights);
  try {
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
        const y = model.predict(model.inputs.length > 1 ? model.inputs.map(() => input) : input);
        return Array.isArray(y) ? y[0]! : (y as tf.Tensor);
      });
      out.set(first.dataSync(), start * outputSize);
      first.dispose();
    }
    return { outputs: out, outputSize, backend: activeBackend() };
  } finally {
    model.dispose();
  }
}
