/**
 * TF.js layers import: models built and saved by TF.js itself (`tf.LayersModel.save`, sequential and
 * functional, weights in one or two shards) import as projects that predict within 1e-4 of TF.js on
 * the same inputs, through `netloom predict`'s row reader; every template's TF.js export imports back
 * and predicts as the original; unsupported layers are all listed; shard names cannot leave the
 * model's folder.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../electron/engine/backend';
import { exportProject } from '../../../electron/export/index';
import { importModelFile, readModel } from '../../../electron/import/index';
import { ImportError, UnsupportedModelError } from '../../../electron/import/types';
import { predictCsv } from '../../../electron/services/training';
import { checkGraph } from '../../../shared/graph/check';
import { TEMPLATE_IDS } from '../../../shared/templates/index';
import { everyKindProject } from '../export/everyKind';
import { enginePredict, maxAbsDiff, tempDir, trainedTemplate } from '../export/helpers';
import { loadTrainedModel } from '../../../electron/engine/artifacts';

beforeAll(async () => {
  await initBackend();
});

/** Saves a model as tfjs-node's file:// handler does (model.json + weights), optionally in two shards. */
async function saveModel(model: tf.LayersModel, dir: string, shards = 1): Promise<string> {
  mkdirSync(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      const bytes = new Uint8Array(a.weightData as ArrayBuffer);
      const cut = shards === 2 ? Math.floor(bytes.byteLength / 8) * 4 : bytes.byteLength;
      const paths = shards === 2 ? ['group1-shard1of2.bin', 'group1-shard2of2.bin'] : ['weights.bin'];
      writeFileSync(path.join(dir, paths[0]!), bytes.subarray(0, cut));
      if (shards === 2) writeFileSync(path.join(dir, paths[1]!), bytes.subarray(cut));
      const json = {
        modelTopology: a.modelTopology,
        format: a.format,
        generatedBy: a.generatedBy,
        convertedBy: a.convertedBy ?? null,
        weightsManifest: [{ paths, weights: a.weightSpecs }],
      };
      writeFileSync(path.join(dir, 'model.json'), JSON.stringify(json));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(a) };
    }),
  );
  return path.join(dir, 'model.json');
}

function randomRows(count: number, per: number, tokens?: number): number[][] {
  return Array.from({ length: count }, (_, r) =>
    Array.from({ length: per }, (_, i) =>
      tokens ? (r * 31 + i * 7) % tokens : Math.sin(r * 1.7 + i * 0.31) * 1.5,
    ),
  );
}

/** Imports `modelJson`, predicts `rows` through predict's CSV reader, and compares with TF.js. */
async function importAndCompare(model: tf.LayersModel, modelJson: string, rows: number[][], shape: number[]) {
  const bundle = await importModelFile(modelJson);
  expect(checkGraph(bundle.project.graph).valid).toBe(true);
  expect(checkGraph(bundle.project.graph).totals.params).toBe(model.countParams());
  const csv = path.join(path.dirname(modelJson), 'rows.csv');
  writeFileSync(csv, rows.map((r) => r.join(',')).join('\n') + '\n');
  const ours = await predictCsv(bundle, csv, { projectFile: path.join(path.dirname(modelJson), 'p.nnproj') });
  const x = tf.tensor(rows.flat(), [rows.length, ...shape]);
  const y = model.predict(x) as tf.Tensor;
  const theirs = y.reshape([rows.length, -1]).arraySync() as number[][];
  tf.dispose([x, y]);
  const diff = maxAbsDiff(ours.rows, theirs);
  expect(diff).toBeLessThanOrEqual(1e-4);
  return { bundle, diff };
}

describe('TF.js import of models TF.js saved', () => {
  it('a sequential CNN (conv, pool, batch norm, dropout, dense softmax) in two shards', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [10, 10, 2], filters: 4, kernelSize: 3, activation: 'relu' }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.batchNormalization(),
        tf.layers.conv2d({ filters: 3, kernelSize: [2, 3], padding: 'same', strides: 1 }),
        tf.layers.leakyReLU({ alpha: 0.1 }),
        tf.layers.flatten(),
        tf.layers.dropout({ rate: 0.3 }),
        tf.layers.dense({ units: 5, activation: 'softmax' }),
      ],
    });
    // Moving statistics away from 0/1, so a batch norm that ignored them would differ.
    const bn = model.layers[2]!;
    bn.setWeights(bn.getWeights().map((w, i) => tf.randomUniform(w.shape, i === 3 ? 0.5 : -0.5, 1.5)));
    const file = await saveModel(model, path.join(tempDir('tfjs-cnn'), 'cnn'), 2);
    const { bundle } = await importAndCompare(model, file, randomRows(6, 200), [10, 10, 2]);
    expect(bundle.project.origin).toEqual({ format: 'tfjs', file: 'model.json', layout: 'channels-last' });
    expect(bundle.project.data).toBeNull();
    model.dispose();
  });

  it('a functional model: embedding, bidirectional LSTM, GRU, residual add, layer norm, concat', async () => {
    const input = tf.input({ shape: [7], dtype: 'int32' });
    const emb = tf.layers.embedding({ inputDim: 20, outputDim: 6 }).apply(input) as tf.SymbolicTensor;
    // Sigmoid gates here; TF.js's default, hard_sigmoid, is the test below.
    const recurrentActivation = 'sigmoid';
    const bi = tf.layers
      .bidirectional({
        layer: tf.layers.lstm({ units: 4, returnSequences: true, recurrentActivation }) as tf.RNN,
      })
      .apply(emb) as tf.SymbolicTensor;
    const gru = tf.layers
      .gru({ units: 8, returnSequences: true, recurrentActivation })
      .apply(bi) as tf.SymbolicTensor;
    const sum = tf.layers.add().apply([bi, gru]) as tf.SymbolicTensor;
    const norm = tf.layers.layerNormalization().apply(sum) as tf.SymbolicTensor;
    const pooled = tf.layers.globalAveragePooling1d().apply(norm) as tf.SymbolicTensor;
    const last = tf.layers.simpleRNN({ units: 3 }).apply(emb) as tf.SymbolicTensor;
    const cat = tf.layers.concatenate().apply([pooled, last]) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 1, activation: 'sigmoid' }).apply(cat) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    const file = await saveModel(model, path.join(tempDir('tfjs-seq'), 'seq'));
    const rows = randomRows(5, 7, 20);
    const bundle = await importModelFile(file);
    const csv = path.join(path.dirname(file), 'rows.csv');
    writeFileSync(csv, 'a,b,c,d,e,f,g\n' + rows.map((r) => r.join(',')).join('\n'));
    const ours = await predictCsv(bundle, csv, { projectFile: file });
    const x = tf.tensor(rows.flat(), [5, 7], 'int32');
    const y = model.predict(x) as tf.Tensor;
    expect(maxAbsDiff(ours.rows, y.arraySync() as number[][])).toBeLessThanOrEqual(1e-4);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('LSTM and GRU with TF.js’s defaults (hard sigmoid gates), one bidirectional', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.lstm({ units: 5, returnSequences: true, inputShape: [6, 3] }),
        tf.layers.bidirectional({ layer: tf.layers.gru({ units: 4, returnSequences: true }) as tf.RNN }),
        tf.layers.gru({ units: 3 }),
        tf.layers.dense({ units: 2 }),
      ],
    });
    // Weights large enough that gates saturate, where the hard sigmoid clips.
    model.setWeights(model.getWeights().map((w) => tf.randomUniform(w.shape, -1.5, 1.5, 'float32', 3)));
    const file = await saveModel(model, path.join(tempDir('tfjs-hard'), 'hard'));
    const { bundle, diff } = await importAndCompare(model, file, randomRows(5, 18), [6, 3]);
    console.log(`TF.js import, LSTM/GRU with hard sigmoid gates: max abs diff ${diff.toExponential(2)}`);
    const gated = bundle.project.graph.nodes.filter((n) => n.kind === 'LSTM' || n.kind === 'GRU');
    expect(gated).toHaveLength(3);
    for (const n of gated) expect(n.params.recurrentActivation).toBe('hardSigmoid');
    model.dispose();
  });
});

describe('TF.js round trip', () => {
  it.each(TEMPLATE_IDS)(
    'template %s: TF.js export imports back and predicts as the original',
    async (id) => {
      const { bundle, data } = await trainedTemplate(id);
      const dir = path.join(tempDir(`tfjs-rt-${id}`), 'out');
      await exportProject(bundle, 'tfjs', dir);
      const imported = await importModelFile(path.join(dir, 'model.json'));
      expect(
        maxAbsDiff(await enginePredict(imported, data), await enginePredict(bundle, data)),
      ).toBeLessThanOrEqual(1e-6);
    },
    60_000,
  );
});

describe('TF.js round trip of every layer kind', () => {
  it('the every-kind graph (random weights, two outputs) imports back and predicts as the engine', async () => {
    const { project, weights, data, want } = await everyKindProject();
    const dir = path.join(tempDir('tfjs-rt-kinds'), 'out');
    await exportProject({ project, weights }, 'tfjs', dir);
    const imported = await importModelFile(path.join(dir, 'model.json'));
    const kinds = new Set(imported.project.graph.nodes.map((n) => n.kind));
    expect([...kinds].sort()).toEqual([...new Set(project.graph.nodes.map((n) => n.kind))].sort());
    const model = await loadTrainedModel(imported.project.graph, imported.weights!);
    const x = tf.tensor(data.x, [data.count, ...data.sampleShape]);
    const ys = model.predict(x) as tf.Tensor[];
    const got = ys.map((y) => y.reshape([data.count, -1]).arraySync() as number[][]);
    tf.dispose([x, ...ys]);
    model.dispose();
    // Outputs may come in another order: each expected one is matched by its width.
    for (const rows of want) {
      const same = got.find((g) => g[0]!.length === rows[0]!.length)!;
      expect(maxAbsDiff(same, rows)).toBeLessThanOrEqual(1e-5);
    }
  }, 60_000);
});

describe('TF.js import refuses', () => {
  it('every unsupported layer, counted and named, and writes nothing', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [4], units: 6 }),
        tf.layers.repeatVector({ n: 3 }),
        tf.layers.permute({ dims: [2, 1] }),
        tf.layers.permute({ dims: [2, 1] }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 2, activation: 'hardSigmoid' }),
      ],
    });
    const file = await saveModel(model, path.join(tempDir('tfjs-bad'), 'bad'));
    const err = await readModel(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsupportedModelError);
    const list = (err as UnsupportedModelError).unsupported;
    expect(list.find((u) => u.op === 'Permute')).toMatchObject({ count: 2 });
    expect(list.find((u) => u.op === 'RepeatVector')).toMatchObject({ count: 1 });
    expect(list.some((u) => u.op.startsWith('Dense (the activation'))).toBe(true);
    expect((err as Error).message).toMatch(/Nothing was imported/);
    model.dispose();
  });

  it('an LSTM whose gates are neither sigmoid nor hard sigmoid', async () => {
    const model = tf.sequential({
      layers: [tf.layers.lstm({ units: 2, recurrentActivation: 'tanh', inputShape: [3, 2] })],
    });
    const file = await saveModel(model, path.join(tempDir('tfjs-gate'), 'gate'));
    const err = await readModel(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsupportedModelError);
    expect((err as Error).message).toMatch(/recurrent_activation "tanh" \(only sigmoid or hard_sigmoid\)/);
    model.dispose();
  });

  it('shard names that leave the folder, and shards of the wrong size', async () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 2 })] });
    const dir = path.join(tempDir('tfjs-paths'), 'm');
    const file = await saveModel(model, dir);
    const json = JSON.parse(await import('node:fs').then((fs) => fs.readFileSync(file, 'utf8'))) as {
      weightsManifest: { paths: string[] }[];
    };
    for (const bad of ['../secret.bin', '/etc/passwd', 'sub/weights.bin', '..']) {
      json.weightsManifest[0]!.paths = [bad];
      writeFileSync(file, JSON.stringify(json));
      await expect(readModel(file)).rejects.toThrow(/not a file name beside model\.json/);
    }
    json.weightsManifest[0]!.paths = ['weights.bin'];
    writeFileSync(file, JSON.stringify(json));
    writeFileSync(path.join(dir, 'weights.bin'), new Uint8Array(4));
    await expect(readModel(file)).rejects.toBeInstanceOf(ImportError);
    model.dispose();
  });
});
