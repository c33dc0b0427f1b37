/**
 * A trained model is rebuilt from the graph with zero initialisers (engine/artifacts.ts): its trained
 * weights replace every value, so the defaults' work (an LSTM's or GRU's orthogonal recurrent kernel,
 * a QR decomposition with a TF.js console warning) is skipped. What must hold: the loaded model has
 * exactly the trained weights and predicts exactly what the model it was saved from predicts, for
 * every template, a bidirectional LSTM and a GRU with reset after; and no orthogonal initialiser ran.
 */
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadTrainedModel, saveModelArtifacts } from '../../../electron/engine/artifacts';
import { initBackend } from '../../../electron/engine/backend';
import { compileGraph } from '../../../electron/engine/compile';
import type { CheckGraph } from '../../../shared/graph/check';
import { buildTemplate, type TemplateId, type TemplateOptions } from '../../../shared/templates/index';

beforeAll(async () => {
  await initBackend('wasm');
});

afterEach(() => {
  vi.restoreAllMocks();
});

/** The template's graph with `patch` merged into the params of every node of `kind`. */
function withParams(graph: CheckGraph, kind: string, patch: Record<string, unknown>): CheckGraph {
  let patched = 0;
  const nodes = graph.nodes.map((n) => {
    if (n.kind !== kind) return n;
    patched++;
    return { ...n, params: { ...n.params, ...patch } };
  });
  expect(patched, `no ${kind} node to patch`).toBeGreaterThan(0);
  return { ...graph, nodes };
}

const seq = { inputShape: [7], vocabSize: 30, outputs: 2 } satisfies TemplateOptions;
const CASES: [string, CheckGraph][] = [
  ...(
    [
      ['perceptron', { inputShape: [5], outputs: 1 }],
      ['mlp', { inputShape: [6], outputs: 3 }],
      ['cnn', { inputShape: [12, 12, 1], outputs: 4 }],
      ['resnet', { inputShape: [12, 12, 1], outputs: 4 }],
      ['autoencoder', { inputShape: [10] }],
      ['lstm', seq],
      ['gru', seq],
      ['transformer', { inputShape: [8], vocabSize: 30, outputs: 3 }],
      ['encoder', { inputShape: [8], vocabSize: 30, outputs: 3 }],
    ] as [TemplateId, TemplateOptions][]
  ).map(([id, o]): [string, CheckGraph] => [id, buildTemplate(id, o).graph]),
  ['bidirectional lstm', withParams(buildTemplate('lstm', seq).graph, 'LSTM', { bidirectional: true })],
  ['gru with reset after', withParams(buildTemplate('gru', seq).graph, 'GRU', { resetAfter: true })],
];

/** A batch of 5 samples for the model's one input: token ids for an int32 input, a wave otherwise. */
function batch(model: tf.LayersModel): tf.Tensor {
  const input = model.inputs[0]!;
  const shape = [5, ...input.shape.slice(1).map((d) => d ?? 7)];
  const n = shape.reduce((a, d) => a * d, 1);
  return input.dtype === 'int32'
    ? tf.tensor(
        Int32Array.from({ length: n }, (_, i) => 1 + ((i * 7919) % 29)),
        shape,
        'int32',
      )
    : tf.tensor(
        Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37)),
        shape,
        'float32',
      );
}

const outputsOf = (model: tf.LayersModel, x: tf.Tensor): Float32Array[] =>
  tf.tidy(() => {
    const y = model.predict(x);
    return (Array.isArray(y) ? y : [y]).map((t) => t.dataSync() as Float32Array);
  });

describe('loadTrainedModel', () => {
  it.each(CASES)(
    '%s: exactly the trained weights and outputs, no orthogonal initialiser run',
    async (_, graph) => {
      const trained = (await compileGraph(graph)).model;
      const artifacts = await saveModelArtifacts(trained);
      const warn = vi.spyOn(console, 'warn');
      const orthogonal = vi.spyOn(tf.initializers, 'orthogonal');
      const loaded = await loadTrainedModel(graph, artifacts);
      try {
        expect(warn.mock.calls.filter((c) => /rthogonal/.test(String(c[0])))).toEqual([]);
        expect(orthogonal).not.toHaveBeenCalled();
        expect(loaded.weights.map((w) => w.originalName)).toEqual(trained.weights.map((w) => w.originalName));
        loaded.weights.forEach((w, i) => {
          const want = trained.weights[i]!.read().dataSync();
          expect(w.read().dataSync(), w.originalName).toEqual(want);
        });
        const x = batch(trained);
        expect(outputsOf(loaded, x)).toEqual(outputsOf(trained, x));
        x.dispose();
      } finally {
        loaded.dispose();
        trained.dispose();
      }
    },
  );
});
