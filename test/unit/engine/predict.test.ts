/**
 * Inference with trained weights keeps the model of the latest graphs and weights between calls
 * (engine/predict.ts) and predicts a slice in one pass: the outputs are those of a model freshly
 * built and loaded from the same graph and weights (the path before the cache), row by row, for
 * the kept model as for a new one; other weights or another graph never get a kept model, models
 * pushed out are disposed, and a kept model whose variables were disposed elsewhere is rebuilt.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadTrainedModel, saveModelArtifacts } from '../../../electron/engine/artifacts';
import { initBackend } from '../../../electron/engine/backend';
import { compileGraph } from '../../../electron/engine/compile';
import { activationsOf, inspectActivations, trainedUnitGrids } from '../../../electron/engine/inspect';
import { predictArrays } from '../../../electron/engine/predict';
import type { CheckGraph } from '../../../shared/graph/check';
import { buildTemplate, type TemplateId, type TemplateOptions } from '../../../shared/templates/index';
import type { WeightArtifacts } from '../../../shared/training/protocol';

beforeAll(async () => {
  await initBackend('wasm');
});

/** A graph and a fresh set of initial weights for it, saved as a trained project stores them. */
async function trained(graph: CheckGraph): Promise<WeightArtifacts> {
  const c = await compileGraph(graph);
  try {
    return await saveModelArtifacts(c.model);
  } finally {
    c.model.dispose();
  }
}

/** What the path before the cache computed: a model built and loaded for this call, predict per 256 rows. */
async function fresh(
  graph: CheckGraph,
  weights: WeightArtifacts,
  x: Float32Array | Int32Array,
  shape: number[],
  dtype: 'float32' | 'int32',
  count: number,
): Promise<Float32Array> {
  const model = await loadTrainedModel(graph, weights);
  try {
    const per = shape.reduce((a, d) => a * d, 1);
    const parts: Float32Array[] = [];
    for (let s = 0; s < count; s += 256) {
      const n = Math.min(256, count - s);
      const y = tf.tidy(
        () => model.predict(tf.tensor(x.subarray(s * per, (s + n) * per), [n, ...shape], dtype)) as tf.Tensor,
      );
      parts.push(y.dataSync() as Float32Array);
      y.dispose();
    }
    const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  } finally {
    model.dispose();
  }
}

const samples = (n: number, dtype: 'float32' | 'int32', vocab = 0) =>
  dtype === 'int32'
    ? Int32Array.from({ length: n }, (_, i) => 1 + ((i * 7919) % (vocab - 1)))
    : Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37));

const CASES: [TemplateId, TemplateOptions, number[], 'float32' | 'int32', number][] = [
  ['mlp', { inputShape: [6], outputs: 3 }, [6], 'float32', 0],
  ['cnn', { inputShape: [12, 12, 1], outputs: 4 }, [12, 12, 1], 'float32', 0],
  ['lstm', { inputShape: [7], vocabSize: 30, outputs: 2 }, [7], 'int32', 30],
  ['gru', { inputShape: [7], vocabSize: 30, outputs: 2 }, [7], 'int32', 30],
  ['transformer', { inputShape: [8], vocabSize: 30, outputs: 3 }, [8], 'int32', 30],
];

describe('predictArrays with a kept model', () => {
  it.each(CASES)(
    '%s: every row as a freshly loaded model predicts it, first call and kept',
    async (id, options, shape, dtype, vocab) => {
      const graph = buildTemplate(id, options).graph;
      const weights = await trained(graph);
      const count = 300; // two slices, the second partial
      const x = samples(count * shape.reduce((a, d) => a * d, 1), dtype, vocab);
      const expected = await fresh(graph, weights, x, shape, dtype, count);
      const first = await predictArrays(graph, weights, x, shape, dtype, count);
      const again = await predictArrays(graph, weights, x, shape, dtype, count);
      expect(first.outputs.length).toBe(expected.length);
      for (const got of [first.outputs, again.outputs])
        for (let i = 0; i < expected.length; i++) expect(got[i]).toBeCloseTo(expected[i]!, 6);
      // One row alone: the same as in the batch.
      const one = await predictArrays(graph, weights, x.subarray(0, x.length / count), shape, dtype, 1);
      for (let i = 0; i < first.outputSize; i++) expect(one.outputs[i]).toBeCloseTo(expected[i]!, 6);
    },
  );

  it('other weights, another graph: each predicted with its own, never a kept model of others', async () => {
    const graph = buildTemplate('mlp', { inputShape: [4], outputs: 2 }).graph;
    const a = await trained(graph);
    const b = await trained(graph);
    // The same weights with another activation: they still fit, the outputs change.
    const tanh: CheckGraph = {
      ...graph,
      nodes: graph.nodes.map((n) =>
        n.id === 'dense_2' ? { ...n, params: { ...n.params, activation: 'tanh' } } : n,
      ),
    };
    const x = samples(40, 'float32');
    const run = (g: CheckGraph, w: WeightArtifacts) => predictArrays(g, w, x, [4], 'float32', 10);
    const want = {
      a: await fresh(graph, a, x, [4], 'float32', 10),
      b: await fresh(graph, b, x, [4], 'float32', 10),
      tanh: await fresh(tanh, a, x, [4], 'float32', 10),
    };
    expect(Array.from(want.a)).not.toEqual(Array.from(want.b));
    expect(Array.from(want.a)).not.toEqual(Array.from(want.tanh));
    for (const [g, w, key] of [
      [graph, a, 'a'],
      [graph, b, 'b'],
      [tanh, a, 'tanh'],
      [graph, a, 'a'],
      [tanh, a, 'tanh'],
      [graph, b, 'b'],
    ] as const) {
      const got = (await run(g, w)).outputs;
      want[key].forEach((v, i) => expect(got[i]).toBeCloseTo(v, 6));
    }
  });

  it('keeps at most two models: the ones pushed out are disposed', async () => {
    const graph = buildTemplate('mlp', { inputShape: [4], outputs: 2 }).graph;
    const x = samples(4, 'float32');
    const sets = [];
    for (let i = 0; i < 6; i++) sets.push(await trained(graph));
    await predictArrays(graph, sets[0]!, x, [4], 'float32', 1);
    await predictArrays(graph, sets[1]!, x, [4], 'float32', 1);
    const before = tf.memory().numTensors;
    for (const w of sets.slice(2)) await predictArrays(graph, w, x, [4], 'float32', 1);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a kept model whose variables were disposed elsewhere is built again', async () => {
    const graph = buildTemplate('mlp', { inputShape: [4], outputs: 2 }).graph;
    const w = await trained(graph);
    const x = samples(8, 'float32');
    const want = await fresh(graph, w, x, [4], 'float32', 2);
    await predictArrays(graph, w, x, [4], 'float32', 2);
    tf.disposeVariables();
    const got = (await predictArrays(graph, w, x, [4], 'float32', 2)).outputs;
    want.forEach((v, i) => expect(got[i]).toBeCloseTo(v, 6));
  });
});

describe('inspection and unit maps with a kept model', () => {
  it('inspectActivations equals activationsOf on a freshly loaded model, attention included, twice', async () => {
    const graph = buildTemplate('transformer', { inputShape: [8], vocabSize: 30, outputs: 3 }).graph;
    const weights = await trained(graph);
    const x = samples(8, 'int32', 30);
    const model = await loadTrainedModel(graph, weights);
    const want = activationsOf(model, graph, x, [8], 'int32');
    model.dispose();
    expect(want.some((n) => n.attention)).toBe(true);
    for (let i = 0; i < 2; i++) {
      const { nodes } = await inspectActivations(graph, weights, x, [8], 'int32');
      expect(nodes.map((n) => [n.id, n.shape, !!n.attention])).toEqual(
        want.map((n) => [n.id, n.shape, !!n.attention]),
      );
      nodes.forEach((n, k) => {
        expect(n.stats.mean).toBeCloseTo(want[k]!.stats.mean, 6);
        expect(n.stats.max).toBeCloseTo(want[k]!.stats.max, 6);
      });
    }
  });

  it('activationsOf again on the same model: new samples, new weights, a filter, each as computed afresh', async () => {
    const graph = buildTemplate('mlp', { inputShape: [2], outputs: 2 }).graph;
    const c = await compileGraph(graph);
    const firstLayer = (x: Float32Array) => {
      const [kernel, bias] = c.model
        .getLayer('dense_1')
        .getWeights()
        .map((t) => t.dataSync());
      return Array.from({ length: 128 }, (_, u) =>
        Math.max(0, x[0]! * kernel![u]! + x[1]! * kernel![128 + u]! + bias![u]!),
      );
    };
    const check = (x: Float32Array) => {
      const nodes = activationsOf(c.model, graph, x, [2], 'float32');
      expect(nodes.map((n) => n.id)).toEqual([
        'input_1',
        'dense_1',
        'dense_2',
        'dense_3',
        'activation_1',
        'output_1',
      ]);
      const got = (nodes[1]!.values as number[]).flat();
      firstLayer(x).forEach((v, u) => expect(got[u]).toBeCloseTo(v, 5));
      expect(nodes[0]!.values).toEqual(Array.from(x));
    };
    try {
      check(Float32Array.from([0.5, -1]));
      check(Float32Array.from([-2, 0.25]));
      // The weights change (as a run trains them): the next call shows the new ones.
      const doubled = c.model.getWeights().map((w) => tf.mul(w, 2));
      c.model.setWeights(doubled);
      tf.dispose(doubled);
      check(Float32Array.from([0.5, -1]));
      const only = activationsOf(c.model, graph, Float32Array.from([1, 1]), [2], 'float32', {
        layers: ['dense_2'],
      });
      expect(only.map((n) => n.id)).toEqual(['dense_2']);
      check(Float32Array.from([1, 1]));
    } finally {
      c.model.dispose();
    }
  });

  it('unit maps in one pass: the first layer is relu(x·W + b) at every point', async () => {
    const graph = buildTemplate('mlp', { inputShape: [2], outputs: 2 }).graph;
    const weights = await trained(graph);
    const model = await loadTrainedModel(graph, weights);
    const [kernel, bias] = model
      .getLayer('dense_1')
      .getWeights()
      .map((t) => t.dataSync());
    model.dispose();
    const points = Float32Array.from({ length: 400 * 2 }, (_, i) => Math.cos(i * 0.61) * 3);
    const grids = await trainedUnitGrids(graph, weights, points);
    const first = grids[0]!;
    for (let u = 0; u < first.values.length; u++)
      for (let p = 0; p < 400; p++) {
        const z = points[2 * p]! * kernel![u]! + points[2 * p + 1]! * kernel![128 + u]! + bias![u]!;
        expect(first.values[u]![p]).toBeCloseTo(Math.max(0, z), 5);
      }
  });
});
