/**
 * Every layer kind (in a small graph built from its catalog example) and every template compiles and
 * trains one step, on the cpu backend and on wasm. Loss resolution and data checks give located
 * messages.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { compileGraph, EngineError, resolveLoss } from '../../../electron/engine/compile';
import { fromArrayDataset, type TrainData } from '../../../electron/engine/data';
import { runTraining } from '../../../electron/engine/train';
import { type CheckGraph } from '../../../shared/graph/check';
import type { GraphEdge, GraphNode } from '../../../shared/ir/schema';
import { defaults } from '../../../shared/layers/define';
import { LAYER_KINDS, layerSpec, type LayerKind } from '../../../shared/layers/index';
import { buildTemplate, TEMPLATE_IDS, type TemplateId } from '../../../shared/templates/index';
import type { BackendName, TerminalEvent } from '../../../shared/training/protocol';
import { config, spirals } from './helpers';
import { randomArray, rng } from './reference';

const TOKEN_KINDS = new Set(['Embedding', 'PositionalEmbedding']);
const N = 8;

/** Input(s) from the catalog example -> the layer -> Flatten (if needed) -> Dense(2, softmax) -> Output. */
function kindGraph(kind: LayerKind): { graph: CheckGraph; data: TrainData } {
  const spec = layerSpec(kind);
  const params = { ...defaults(spec.params), ...(spec.example.params ?? {}) } as Record<string, unknown>;
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const r = rng(3);
  const inputs = spec.example.inputs.map((s, i) => {
    const shape = s.map((d) => d ?? 4);
    const token = TOKEN_KINDS.has(kind);
    nodes.push({
      id: `in${i}`,
      kind: 'Input',
      params: { shape, dtype: token ? 'int32' : 'float32' },
      position: { x: 0, y: 0 },
    });
    const size = N * shape.reduce((a, b) => a * b, 1);
    const data = token ? Int32Array.from({ length: size }, () => Math.floor(r() * 50)) : randomArray(size, r);
    return { data, sampleShape: shape, dtype: token ? ('int32' as const) : ('float32' as const) };
  });
  nodes.push({ id: 'layer', kind, params: params as GraphNode['params'], position: { x: 0, y: 0 } });
  const ports = spec.ports(params as never);
  inputs.forEach((_, i) =>
    edges.push({ id: `e_in${i}`, source: `in${i}`, target: 'layer', targetPort: ports[i]!.name }),
  );
  const outRank = spec.outputShape(
    spec.example.inputs.map((s) => ['batch', ...s.map((d) => d ?? 4)]),
    params as never,
  ).length;
  let last = 'layer';
  if (outRank > 2) {
    nodes.push({ id: 'flat', kind: 'Flatten', params: {}, position: { x: 0, y: 0 } });
    edges.push({ id: 'e_flat', source: last, target: 'flat', targetPort: 'in' });
    last = 'flat';
  }
  nodes.push({
    id: 'head',
    kind: 'Dense',
    params: { units: 2, activation: 'softmax' },
    position: { x: 0, y: 0 },
  });
  nodes.push({
    id: 'out',
    kind: 'Output',
    params: { targetShape: [2], loss: 'auto' },
    position: { x: 0, y: 0 },
  });
  edges.push({ id: 'e_head', source: last, target: 'head', targetPort: 'in' });
  edges.push({ id: 'e_out', source: 'head', target: 'out', targetPort: 'in' });
  const data: TrainData = {
    inputs,
    y: Int32Array.from({ length: N }, (_, i) => i % 2),
    targetShape: [],
    count: N,
    holdout: 0,
    target: { task: 'classification', numClasses: 2, targetSize: 1, classIndices: true },
  };
  return { graph: { nodes, edges }, data };
}

const TEMPLATE_OPTIONS: Record<TemplateId, { inputShape: number[]; outputs: number; vocabSize?: number }> = {
  perceptron: { inputShape: [2], outputs: 1 },
  mlp: { inputShape: [4], outputs: 3 },
  cnn: { inputShape: [8, 8, 1], outputs: 3 },
  lstm: { inputShape: [12], outputs: 2, vocabSize: 50 },
  gru: { inputShape: [12], outputs: 2, vocabSize: 50 },
  transformer: { inputShape: [12], outputs: 2, vocabSize: 50 },
  autoencoder: { inputShape: [6], outputs: 6 },
  resnet: { inputShape: [8, 8, 1], outputs: 3 },
  encoder: { inputShape: [12], outputs: 2, vocabSize: 50 },
};

function templateData(id: TemplateId): TrainData {
  const o = TEMPLATE_OPTIONS[id];
  const r = rng(4);
  const per = o.inputShape.reduce((a, b) => a * b, 1);
  const token = o.vocabSize !== undefined;
  const x = token
    ? Int32Array.from({ length: N * per }, () => Math.floor(r() * o.vocabSize!))
    : Float32Array.from({ length: N * per }, () => r());
  const input = {
    data: x,
    sampleShape: o.inputShape,
    dtype: token ? ('int32' as const) : ('float32' as const),
  };
  if (id === 'autoencoder')
    return {
      inputs: [input],
      y: x as Float32Array,
      targetShape: [per],
      count: N,
      holdout: 0,
      target: { task: 'regression', targetSize: per, classIndices: false },
    };
  const classes = Math.max(2, o.outputs);
  return {
    inputs: [input],
    y: Int32Array.from({ length: N }, (_, i) => i % classes),
    targetShape: [],
    count: N,
    holdout: 0,
    target: { task: 'classification', numClasses: classes, targetSize: 1, classIndices: true },
  };
}

async function oneStep(graph: CheckGraph, data: TrainData, backend: BackendName): Promise<TerminalEvent> {
  return runTraining({
    runId: 't',
    graph,
    data,
    config: config({ epochs: 1, batchSize: N, validationSplit: 0, optimizer: 'adam', learningRate: 0.01 }),
    backend,
    emit: () => {},
    isCancelled: () => false,
  });
}

const TRAINABLE_KINDS = LAYER_KINDS.filter((k) => k !== 'Input' && k !== 'Output');

describe.each(['cpu', 'wasm'] as const)('on the %s backend', (backend) => {
  for (const kind of TRAINABLE_KINDS) {
    it(`${kind} compiles and trains one step`, async () => {
      const { graph, data } = kindGraph(kind);
      const before = tf.memory().numTensors;
      const r = await oneStep(graph, data, backend);
      expect(r.type === 'error' ? r.message : r.type).toBe('done');
      expect(r.type === 'done' && r.backend).toBe(backend);
      expect(r.type === 'done' && Number.isFinite(r.metrics.loss)).toBe(true);
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  for (const id of TEMPLATE_IDS) {
    const project = buildTemplate(id, TEMPLATE_OPTIONS[id]);
    it(`template ${id} compiles and trains one step`, async () => {
      const r = await oneStep(project.graph, templateData(id), backend);
      expect(r.type === 'error' ? r.message : r.type).toBe('done');
    });
    it(`template ${id} predicts (inference mode frees no tensor a later layer still reads)`, async () => {
      // The encoder's attention reads one tensor as query, key and value, and its Add reads it again.
      const { model } = await compileGraph(project.graph);
      const input = templateData(id).inputs[0]!;
      const per = input.sampleShape.reduce((a, b) => a * b, 1);
      const x = tf.tensor(input.data.slice(0, 4 * per), [4, ...input.sampleShape], input.dtype);
      const y = model.predict(x) as tf.Tensor;
      expect(y.shape[0]).toBe(4);
      expect([...(await y.data())].every(Number.isFinite)).toBe(true);
      tf.dispose([x, y]);
      model.dispose();
    });
  }
});

describe('loss resolution', () => {
  const classes = { task: 'classification' as const, numClasses: 3, targetSize: 1, classIndices: true };
  const plan = (activation: string, units: number, nodeLoss = 'auto') => ({
    outputNode: 'out',
    activation,
    units,
    nodeLoss,
  });
  it('chooses from the final activation and the targets', () => {
    expect(resolveLoss(plan('softmax', 3), 'auto', classes).loss).toBe('sparseCategoricalCrossentropy');
    expect(resolveLoss(plan('softmax', 3), 'auto', { ...classes, classIndices: false }).loss).toBe(
      'categoricalCrossentropy',
    );
    expect(resolveLoss(plan('sigmoid', 1), 'auto', { ...classes, numClasses: 2 }).loss).toBe(
      'binaryCrossentropy',
    );
    expect(
      resolveLoss(plan('linear', 1), 'auto', { task: 'regression', targetSize: 1, classIndices: false }),
    ).toEqual({ loss: 'meanSquaredError', problem: 'regression' });
    expect(resolveLoss(plan('linear', 1, 'meanAbsoluteError'), 'auto', undefined).loss).toBe(
      'meanAbsoluteError',
    );
  });
  it('refuses a 3-class target under a sigmoid output, naming the Output node', () => {
    expect(() => resolveLoss(plan('sigmoid', 1), 'auto', classes)).toThrow(/Output node "out".*3 classes/);
  });
  it('refuses a class-count mismatch and a classification target on a linear output', () => {
    expect(() => resolveLoss(plan('softmax', 10), 'auto', classes)).toThrow(EngineError);
    expect(() => resolveLoss(plan('softmax', 10), 'auto', classes)).toThrow(
      /predicts 10 classes but the data has 3/,
    );
    expect(() => resolveLoss(plan('linear', 3), 'auto', classes)).toThrow(/softmax/);
  });
  it('reports a data shape mismatch as DATA_MISMATCH naming the Input node', async () => {
    const graph = {
      nodes: [
        { id: 'x', kind: 'Input', params: { shape: [3], dtype: 'float32' } },
        { id: 'd', kind: 'Dense', params: { units: 2, activation: 'softmax' } },
        { id: 'o', kind: 'Output', params: { targetShape: [2], loss: 'auto' } },
      ],
      edges: [
        { id: 'a', source: 'x', target: 'd', targetPort: 'in' },
        { id: 'b', source: 'd', target: 'o', targetPort: 'in' },
      ],
    };
    const r = await oneStep(graph, fromArrayDataset(spirals(N)), 'cpu');
    expect(r.type).toBe('error');
    expect(r.type === 'error' && r.code).toBe('DATA_MISMATCH');
    expect(r.type === 'error' && r.message).toMatch(/Input node "x" expects samples of shape \[3\].*\[2\]/);
  });
});
