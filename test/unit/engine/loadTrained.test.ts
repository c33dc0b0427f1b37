/**
 * A trained model is rebuilt from the graph with zero initialisers (engine/artifacts.ts): its trained
 * weights replace every value, so the defaults' work (an LSTM's or GRU's orthogonal recurrent kernel,
 * a QR decomposition with a TF.js console warning) is skipped. What must hold: the loaded model has
 * exactly the trained weights and predicts exactly what the model it was saved from predicts, for
 * every template, a bidirectional LSTM and a GRU with reset after (and no orthogonal initialiser
 * ran), and for random valid graphs of every layer kind (a layer that refused a zero initialiser
 * named in its config, as TF.js's SeparableConv refuses a kernel initialiser, would fail here).
 */
import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadTrainedModel, saveModelArtifacts } from '../../../electron/engine/artifacts';
import { initBackend } from '../../../electron/engine/backend';
import { compileGraph, EngineError } from '../../../electron/engine/compile';
import { type CheckGraph, checkGraph } from '../../../shared/graph/check';
import { buildTemplate, type TemplateId, type TemplateOptions } from '../../../shared/templates/index';
import { graphArb } from '../helpers/graphArb';

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

/** A batch of 5 samples for each of the model's inputs: token id 1 for an int32 input, a wave otherwise. */
function batch(model: tf.LayersModel): tf.Tensor[] {
  return model.inputs.map((input) => {
    const shape = [5, ...input.shape.slice(1).map((d) => d ?? 7)];
    const n = shape.reduce((a, d) => a * d, 1);
    return input.dtype === 'int32'
      ? tf.ones(shape, 'int32')
      : tf.tensor(
          Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37)),
          shape,
          'float32',
        );
  });
}

const outputsOf = (model: tf.LayersModel, x: tf.Tensor[]): Float32Array[] =>
  tf.tidy(() => {
    const y = model.predict(x.length === 1 ? x[0]! : x);
    return (Array.isArray(y) ? y : [y]).map((t) => t.dataSync() as Float32Array);
  });

/** Saves `trained`, loads it back for `graph`: the same weights, bit for bit, and the same outputs. */
async function expectSameModel(graph: CheckGraph, trained: tf.LayersModel): Promise<void> {
  const artifacts = await saveModelArtifacts(trained);
  const loaded = await loadTrainedModel(graph, artifacts);
  const x = batch(trained);
  try {
    expect(loaded.weights.map((w) => w.originalName)).toEqual(trained.weights.map((w) => w.originalName));
    loaded.weights.forEach((w, i) => {
      expect(w.read().dataSync(), w.originalName).toEqual(trained.weights[i]!.read().dataSync());
    });
    // The same outputs, or the same refusal (TF.js's softmax refuses an int32 input fed to it directly).
    const run = (m: tf.LayersModel) => {
      try {
        return outputsOf(m, x);
      } catch (e) {
        return String(e);
      }
    };
    expect(run(loaded)).toEqual(run(trained));
  } finally {
    tf.dispose(x);
    loaded.dispose();
    trained.dispose();
  }
}

describe('loadTrainedModel', () => {
  it.each(CASES)(
    '%s: exactly the trained weights and outputs, no orthogonal initialiser run',
    async (_, graph) => {
      const trained = (await compileGraph(graph)).model;
      const warn = vi.spyOn(console, 'warn');
      const orthogonal = vi.spyOn(tf.initializers, 'orthogonal');
      await expectSameModel(graph, trained);
      expect(warn.mock.calls.filter((c) => /rthogonal/.test(String(c[0])))).toEqual([]);
      expect(orthogonal).not.toHaveBeenCalled();
    },
  );

  it('random valid graphs of every layer kind: the same weights and outputs once loaded', async () => {
    let loaded = 0;
    await fc.assert(
      fc.asyncProperty(graphArb, async (g) => {
        const report = checkGraph(g);
        if (!report.valid || report.totals.params > 200_000) return;
        let trained: tf.LayersModel;
        try {
          trained = (await compileGraph(g)).model;
        } catch (e) {
          // The one refusal compile.property.test.ts allows (a dilated convolution).
          expect(e).toBeInstanceOf(EngineError);
          return;
        }
        await expectSameModel(g, trained);
        loaded++;
      }),
      { numRuns: 300 },
    );
    expect(loaded).toBeGreaterThan(5);
  }, 300_000);
});
