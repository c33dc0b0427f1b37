/**
 * Inspection: the trained model run on one sample with every node's output as an extra output (a
 * second tf.model over the same layers), and the attention layers' own weights observed as they
 * compute them. Nothing is re-implemented: the values are those `predict` computes.
 */
import { flatGraph } from '../../shared/graph/blocks';
import * as tf from '@tensorflow/tfjs';
import { checkGraph, type CheckGraph } from '../../shared/graph/check';
import { type ModelNode, modelNodes } from '../../shared/graph/model';
import {
  activationStats,
  MAX_INSPECT_VALUES,
  MAX_UNIT_MAPS,
  nest,
  type NodeActivation,
  type UnitGrid,
} from '../../shared/inspect/types';
import type { WeightArtifacts } from '../../shared/training/protocol';
import { type RecurrentTrace, traceMatches, traceRecurrent } from './gates';
import { activeBackend } from './backend';
import { withTrainedModel } from './predict';

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
  const nodes = await withTrainedModel(graph, weights, (model) =>
    activationsOf(model, graph, x, sampleShape, dtype, opts),
  );
  return { nodes, backend: activeBackend() };
}

/**
 * How a graph's nodes are read off its model: the nodes shown, the output of the inspection model
 * (a second tf.model over the same layers) each one shows, the attention layers to observe, the
 * recurrent layers' inputs. Built once per model, graph and node filter (`plans`): building it
 * checks the graph and traces a model, which cost more than the small models' forward pass.
 */
interface InspectionPlan {
  nodes: ModelNode[];
  /** Per node: its output of `probe`, or -1 for the sample itself (an Input node). */
  slot: number[];
  /** Per node: the attention layer whose weights it shows. */
  attention: (AttentionLayer | undefined)[];
  /** Recurrent nodes: their layer and the output of `probe` that is its input. */
  recurrent: Map<string, { layer: tf.layers.Layer; input: number }>;
  probe: tf.LayersModel | null;
}

/** Per model, its plans by graph and filter; a few, for the views a model serves. */
const plans = new WeakMap<tf.LayersModel, Map<string, InspectionPlan>>();
const PLANS_PER_MODEL = 8;

function inspectionPlan(model: tf.LayersModel, graph: CheckGraph, opts: InspectOptions): InspectionPlan {
  const key = JSON.stringify([graph, opts.layers ?? null]);
  let byKey = plans.get(model);
  if (!byKey) plans.set(model, (byKey = new Map()));
  const kept = byKey.get(key);
  if (kept) return kept;
  const wanted = opts.layers ? new Set(opts.layers) : null;
  const nodes = modelNodes(graph, checkGraph(graph)).filter((n) => !wanted || wanted.has(n.id));
  const kinds = new Map(flatGraph(graph).nodes.map((n) => [n.id, n.kind]));
  // The tensor each node shows: its layer's output (an Output node shows its source's; an Input
  // node, the sample itself). Each distinct tensor is one output of the inspection model.
  const layerFor = (id: string) => model.layers.find((l) => l.name === id);
  const tensors: tf.SymbolicTensor[] = [];
  const attention: (AttentionLayer | undefined)[] = [];
  const slot = nodes.map((n, i) => {
    const source = n.kind === 'Output' ? n.sources[0]! : n.id;
    if (kinds.get(source) === 'Input') return -1;
    const layer = layerFor(source);
    if (!layer) throw new Error(`${n.id}: the compiled model has no layer for it.`);
    if (observesAttention(layer) && n.kind !== 'Output') attention[i] = layer;
    const t = layer.output as tf.SymbolicTensor;
    const at = tensors.indexOf(t);
    return at >= 0 ? at : tensors.push(t) - 1;
  });
  // Recurrent nodes: their input too, to recompute their gates over time (gates.ts).
  const recurrent = new Map<string, { layer: tf.layers.Layer; input: number }>();
  for (const n of nodes) {
    const layer = layerFor(n.id);
    if (!layer || !RECURRENT.has(layer.getClassName()) || Array.isArray(layer.input)) continue;
    const t = layer.input;
    const at = tensors.indexOf(t);
    recurrent.set(n.id, { layer, input: at >= 0 ? at : tensors.push(t) - 1 });
  }
  const probe = tensors.length ? tf.model({ inputs: model.inputs, outputs: tensors }) : null;
  const plan = { nodes, slot, attention, recurrent, probe };
  if (byKey.size >= PLANS_PER_MODEL) byKey.clear();
  byKey.set(key, plan);
  return plan;
}

/**
 * Every model node's activation for one sample with `model`'s weights now (the trained model, or
 * the one a run is training: the live probe views). `model` is the graph's compiled model.
 */
export function activationsOf(
  model: tf.LayersModel,
  graph: CheckGraph,
  x: Float32Array | Int32Array,
  sampleShape: readonly number[],
  dtype: 'float32' | 'int32',
  opts: InspectOptions = {},
): NodeActivation[] {
  const { nodes, slot, attention, recurrent, probe } = inspectionPlan(model, graph, opts);
  const observed = new Map<string, number[][][]>();
  const observers: AttentionLayer[] = [];
  try {
    attention.forEach((layer, i) => {
      if (!layer) return;
      const id = nodes[i]!.id;
      layer.attentionObserver = (w) => observed.set(id, (w.arraySync() as number[][][][])[0]!);
      observers.push(layer);
    });
    // Tensors leave the tidy, then their values: tidy would walk returned arrays element by element.
    const ys = probe
      ? tf.tidy(() => {
          const input = tf.tensor(x, [1, ...sampleShape], dtype);
          const y = probe.predict(model.inputs.length > 1 ? model.inputs.map(() => input) : input);
          return Array.isArray(y) ? y : [y];
        })
      : [];
    const outputs = ys.map((t) => ({ shape: t.shape.slice(1), data: t.dataSync() as Float32Array }));
    tf.dispose(ys);
    const sample = { shape: [...sampleShape], data: Float32Array.from(x) };
    return nodes.map((n, i): NodeActivation => {
      const s = slot[i]!;
      const { shape, data } = s < 0 ? sample : outputs[s]!;
      const weights = observed.get(n.id);
      const rec = recurrent.get(n.id);
      const trace = rec ? recurrentTrace(rec.layer, outputs[rec.input]!, data) : null;
      return {
        id: n.id,
        kind: n.kind,
        shape,
        stats: activationStats(data),
        ...(data.length <= MAX_INSPECT_VALUES ? { values: nest(data, shape) } : {}),
        ...(weights ? { attention: weights } : {}),
        ...(trace ? { gates: trace.gates, ...(shape.length === 1 ? { states: trace.hidden } : {}) } : {}),
      };
    });
  } finally {
    for (const l of observers) l.attentionObserver = null;
  }
}

/** tfjs's LSTM and GRU, and Netloom's GRU with reset after. */
const RECURRENT = new Set(['LSTM', 'GRU', 'NetloomGRU']);

/**
 * An LSTM/GRU layer's gates and hidden states over time for the sample (its input `x`), if the
 * recomputation reproduces the layer's own `output`; otherwise (or when too large to draw) none.
 */
function recurrentTrace(
  layer: tf.layers.Layer,
  x: { shape: number[]; data: Float32Array },
  output: Float32Array,
): RecurrentTrace | null {
  const config = layer.getConfig() as {
    units?: number;
    activation?: string;
    recurrentActivation?: string;
    bidirectional?: boolean;
  };
  const [kernel, recurrent, bias] = layer.getWeights();
  const steps = x.shape[0];
  if (!kernel || !recurrent || !bias || !config.units || !steps || x.shape.length !== 2) return null;
  if (steps * config.units * 4 > MAX_INSPECT_VALUES || config.bidirectional) return null;
  const resetAfter = layer.getClassName() === 'NetloomGRU';
  const trace = traceRecurrent({
    kind: resetAfter ? 'GRU' : (layer.getClassName() as 'LSTM' | 'GRU'),
    resetAfter,
    units: config.units,
    activation: config.activation ?? 'tanh',
    recurrentActivation: config.recurrentActivation ?? 'sigmoid',
    x: x.data,
    steps,
    kernel: kernel.dataSync() as Float32Array,
    recurrent: recurrent.dataSync() as Float32Array,
    bias: bias.dataSync() as Float32Array,
  });
  return trace && traceMatches(trace, output) ? trace : null;
}

/** Layer classes whose units get a heatmap over the input plane (as TensorFlow Playground's neurons). */
const UNIT_LAYERS = new Set(['Dense', 'Activation']);

/**
 * For 2-D data: each Dense/Activation layer's units evaluated at `points` ([x, y] pairs, a coarse
 * grid over the input plane), with the model's current weights (inference mode). At most
 * MAX_UNIT_MAPS units a layer.
 */
export function unitGrids(model: tf.LayersModel, points: Float32Array): UnitGrid[] {
  const layers = model.layers.filter(
    (l) => UNIT_LAYERS.has(l.getClassName()) && (l.outputShape as (number | null)[]).length === 2,
  );
  if (layers.length === 0 || model.inputs.length !== 1) return [];
  const count = points.length / 2;
  // Tensors leave the tidy, then their values: tidy would walk returned arrays element by element.
  const maps = tf.tidy(() => {
    const probe = tf.model({
      inputs: model.inputs,
      outputs: layers.map((l) => l.output as tf.SymbolicTensor),
    });
    // One pass over the points (predict's default cuts them into batches of 32).
    const y = probe.predict(tf.tensor2d(points, [count, 2]), { batchSize: count });
    const outs = Array.isArray(y) ? y : [y];
    return outs.map((t) => t.slice([0, 0], [count, Math.min(t.shape[1]!, MAX_UNIT_MAPS)]).transpose());
  });
  try {
    return layers.map((l, i) => {
      const t = maps[i]!;
      const shown = t.shape[0]!;
      const data = t.dataSync();
      const values: number[][] = [];
      for (let u = 0; u < shown; u++) values.push(Array.from(data.subarray(u * count, (u + 1) * count)));
      return { id: l.name, total: (l.outputShape as number[])[1]!, values };
    });
  } finally {
    tf.dispose(maps);
  }
}

/** `unitGrids` with trained weights (after a run, on opening a project). */
export async function trainedUnitGrids(
  graph: CheckGraph,
  weights: WeightArtifacts,
  points: Float32Array,
): Promise<UnitGrid[]> {
  return withTrainedModel(graph, weights, (model) => unitGrids(model, points));
}
