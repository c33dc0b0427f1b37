/**
 * Inspection: the trained model run on one sample with every node's output as an extra output (a
 * second tf.model over the same layers), and the attention layers' own weights observed as they
 * compute them. Nothing is re-implemented: the values are those `predict` computes.
 */
import * as tf from '@tensorflow/tfjs';
import { checkGraph, type CheckGraph } from '../../shared/graph/check';
import { modelNodes } from '../../shared/graph/model';
import { activationStats, MAX_INSPECT_VALUES, nest, type NodeActivation } from '../../shared/inspect/types';
import type { WeightArtifacts } from '../../shared/training/protocol';
import { loadTrainedModel } from './artifacts';
import { activeBackend, initBackend } from './backend';

/** A layer that can report its attention weights (NetloomMultiHeadAttention, the encoder block). */
interface AttentionLayer {
  attentionObserver: ((weights: tf.Tensor) => void) | null;
}

const observesAttention = (l: unknown): l is AttentionLayer =>
  typeof l === 'object' && l !== null && 'attentionObserver' in l;

export interface InspectOptions {
  /** Only these node ids (model order kept); all of the model's nodes when absent. */
  layers?: readonly string[] | undefined;
}

/**
 * Every model node's activation for one sample (`x` holds one sample of `sampleShape`, fed to every
 * input), in the model's order. Throws `WeightsMisfitError` when the weights do not fit the graph.
 */
export async function inspectActivations(
  graph: CheckGraph,
  weights: WeightArtifacts,
  x: Float32Array | Int32Array,
  sampleShape: readonly number[],
  dtype: 'float32' | 'int32',
  opts: InspectOptions = {},
): Promise<{ nodes: NodeActivation[]; backend: string }> {
  await initBackend();
  const model = await loadTrainedModel(graph, weights);
  const wanted = opts.layers ? new Set(opts.layers) : null;
  const nodes = modelNodes(graph, checkGraph(graph)).filter((n) => !wanted || wanted.has(n.id));
  const observed = new Map<string, number[][][]>();
  const observers: AttentionLayer[] = [];
  try {
    // The tensor each node shows: its layer's output (an Output node shows its source's; an Input
    // node, the sample itself). Each distinct tensor is one output of the inspection model.
    const layerFor = (id: string) => model.layers.find((l) => l.name === id);
    const tensors: tf.SymbolicTensor[] = [];
    const slot = nodes.map((n) => {
      const source = n.kind === 'Output' ? n.sources[0]! : n.id;
      if (graph.nodes.find((g) => g.id === source)?.kind === 'Input') return -1;
      const layer = layerFor(source);
      if (!layer) throw new Error(`${n.id}: the compiled model has no layer for it.`);
      if (observesAttention(layer) && n.kind !== 'Output') {
        layer.attentionObserver = (w) => observed.set(n.id, (w.arraySync() as number[][][][])[0]!);
        observers.push(layer);
      }
      const t = layer.output as tf.SymbolicTensor;
      const at = tensors.indexOf(t);
      return at >= 0 ? at : tensors.push(t) - 1;
    });
    const outputs = tensors.length
      ? tf.tidy(() => {
          const probe = tf.model({ inputs: model.inputs, outputs: tensors });
          const input = tf.tensor(x, [1, ...sampleShape], dtype);
          const y = probe.predict(model.inputs.length > 1 ? model.inputs.map(() => input) : input);
          return (Array.isArray(y) ? y : [y]).map((t) => ({
            shape: t.shape.slice(1),
            data: t.dataSync() as Float32Array,
          }));
        })
      : [];
    const sample = { shape: [...sampleShape], data: Float32Array.from(x) };
    const result = nodes.map((n, i): NodeActivation => {
      const s = slot[i]!;
      const { shape, data } = s < 0 ? sample : outputs[s]!;
      const attention = observed.get(n.id);
      return {
        id: n.id,
        kind: n.kind,
        shape,
        stats: activationStats(data),
        ...(data.length <= MAX_INSPECT_VALUES ? { values: nest(data, shape) } : {}),
        ...(attention ? { attention } : {}),
      };
    });
    return { nodes: result, backend: activeBackend() };
  } finally {
    for (const l of observers) l.attentionObserver = null;
    model.dispose();
  }
}
