/**
 * The other exports and the export contract: Keras model.py parses (Python's ast) and matches a
 * golden file; the TF.js export reloads with tf.loadLayersModel and predicts like the engine (and its
 * netloom-layers.js registers the custom layers in a separate Node process); the SVG is valid XML with
 * every node's label; PNG through sharp; atomic writes, refusal of a non-empty folder, invalid graphs.
 */
import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../electron/engine/backend';
import { exportProject, ExportError } from '../../../electron/export/index';
import { kerasLayerPy } from '../../../electron/export/kerasLayers';
import { BATCH, defaults, LAYER_KINDS, layerSpec } from '../../../shared/layers/index';
import { resolveParams } from '../../../shared/layers/params';
import { buildTemplate } from '../../../shared/templates/index';
import { saveModelArtifacts } from '../../../electron/engine/artifacts';
import { compileGraph } from '../../../electron/engine/compile';
import { emptyProject } from '../../../shared/ir/project';
import type { Project } from '../../../shared/ir/schema';
import type { ArrayDataset } from '../../../shared/training/data';
import { chain } from '../engine/helpers';
import { randomArray, rng } from '../engine/reference';
import { enginePredict, maxAbsDiff, PYTHON, tempDir, TEMPLATE_OPTIONS, trainedTemplate } from './helpers';

const python = spawnSync(PYTHON, ['-c', 'import ast, xml'], { stdio: 'ignore' }).status === 0;
const GOLDEN = path.join(__dirname, 'golden', 'keras-cnn-model.py');

beforeAll(async () => {
  await initBackend('wasm');
});

describe('Keras export', () => {
  it('covers every kind, parses with Python ast, and matches the golden file (cnn template)', async () => {
    // Every kind is written from its spec's Keras JSON; a custom kind needs its Keras 3 class.
    for (const kind of LAYER_KINDS) {
      const spec = layerSpec(kind);
      const config = resolveParams(spec, { ...defaults(spec.params), ...spec.example.params }).config!;
      const inputShapes = spec.example.inputs.map((s) => [BATCH, ...s.map((d) => d ?? 'seq')]);
      const node = { id: 'n', kind, py: 'n', config, inputShapes, outputShape: [BATCH, 1] };
      expect(() => kerasLayerPy(node, ['a', 'b', 'c']), kind).not.toThrow();
    }
    const project = buildTemplate('cnn', TEMPLATE_OPTIONS.cnn);
    const dir = path.join(tempDir('keras'), 'export');
    const { files } = await exportProject({ project }, 'keras', dir, { version: 'test' });
    expect(files).toEqual(['README.md', 'data.py', 'model.py', 'train.py']);
    const model = readFileSync(path.join(dir, 'model.py'), 'utf8');
    if (process.env.UPDATE_GOLDEN) {
      mkdirSync(path.dirname(GOLDEN), { recursive: true });
      writeFileSync(GOLDEN, model);
    }
    expect(model).toBe(readFileSync(GOLDEN, 'utf8'));
    for (const id of project.graph.nodes.filter((n) => n.kind !== 'Output').map((n) => n.id))
      expect(model).toContain(`name="${id}"`);
    if (!python) return console.warn('SKIPPED: ast check (no /usr/bin/python3)');
    for (const f of ['model.py', 'train.py', 'data.py']) {
      const r = spawnSync(
        PYTHON,
        ['-c', 'import ast, sys; ast.parse(open(sys.argv[1]).read())', path.join(dir, f)],
        {
          encoding: 'utf8',
        },
      );
      expect(r.status, `${f}: ${r.stderr}`).toBe(0);
    }
  });

  it('a GRU with reset after is Keras’s own GRU with reset_after=True (in Bidirectional when asked)', () => {
    const spec = layerSpec('GRU');
    const base = { ...defaults(spec.params), units: 4, resetAfter: true };
    const node = (config: object) => ({
      id: 'g',
      kind: 'GRU' as const,
      py: 'g',
      config: config as Record<string, unknown>,
      inputShapes: [[BATCH, 'seq', 3]],
      outputShape: [BATCH, 4],
    });
    expect(kerasLayerPy(node(base), ['x'])!.line).toBe(
      'g = layers.GRU(units=4, activation="tanh", recurrent_activation="sigmoid", reset_after=True, ' +
        'use_bias=True, return_sequences=False, dropout=0, recurrent_dropout=0, name="g")(x)',
    );
    const both = kerasLayerPy(node({ ...base, bidirectional: true }), ['x'])!;
    expect(both.line).toMatch(
      /^g = layers\.Bidirectional\(layer=layers\.GRU\(units=4, .*reset_after=True, .*\), merge_mode="concat", name="g"\)\(x\)$/,
    );
    expect(both.custom).toBeUndefined();
    expect(kerasLayerPy(node({ ...base, resetAfter: false }), ['x'])!.line).toContain('reset_after=False');
  });

  it('hard sigmoid gates are TF.js’s clip(0.2x + 0.5, 0, 1) as a function of model.py, not Keras 3’s hard_sigmoid', async () => {
    const hard = { recurrentActivation: 'hardSigmoid', returnSequences: true };
    const project: Project = {
      ...emptyProject('hard gates'),
      graph: chain(
        ['Input', { shape: [5, 3], dtype: 'float32' }],
        ['LSTM', { units: 4, bidirectional: true, ...hard }],
        ['GRU', { units: 3, ...hard }],
        ['GRU', { units: 3, resetAfter: true, ...hard }],
        ['GRU', { units: 2, returnSequences: false }],
        ['Output', { targetShape: [2], loss: 'meanSquaredError' }],
      ),
    };
    const dir = path.join(tempDir('keras-hard'), 'export');
    await exportProject({ project }, 'keras', dir, { version: 'test' });
    const model = readFileSync(path.join(dir, 'model.py'), 'utf8');
    expect(model.match(/^def tfjs_hard_sigmoid\(x\):$/gm)).toHaveLength(1);
    expect(model.match(/recurrent_activation=tfjs_hard_sigmoid/g)).toHaveLength(3);
    expect(model).toMatch(
      /layers\.Bidirectional\(layer=layers\.LSTM\(.*recurrent_activation=tfjs_hard_sigmoid/,
    );
    expect(model).toMatch(/layers\.GRU\(.*recurrent_activation=tfjs_hard_sigmoid, reset_after=True/);
    expect(model).toContain('recurrent_activation="sigmoid"'); // the last GRU
    expect(model).not.toContain('"hard_sigmoid"');
    if (!python) return console.warn('SKIPPED: Python checks (no /usr/bin/python3)');
    expect(spawnSync(PYTHON, ['-m', 'py_compile', path.join(dir, 'model.py')]).status).toBe(0);
    // The function itself, with stand-ins for keras (not installed here): TF.js's values.
    const fn = model.slice(model.indexOf('@keras.saving'), model.indexOf('def build_model'));
    const script = `
import types
keras = types.SimpleNamespace(saving=types.SimpleNamespace(register_keras_serializable=lambda **k: (lambda f: f)))
ops = types.SimpleNamespace(clip=lambda x, lo, hi: min(max(x, lo), hi))
${fn}
print([tfjs_hard_sigmoid(v) for v in (-3.0, -2.5, -1.0, 0.0, 1.0, 2.5, 3.0)])
`;
    const r = spawnSync(PYTHON, ['-c', script], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const got = JSON.parse(r.stdout) as number[];
    [0, 0, 0.3, 0.5, 0.7, 1, 1].forEach((v, i) => expect(got[i]).toBeCloseTo(v, 12));
  });

  it('the transformer template (custom layers) parses too', async () => {
    const dir = path.join(tempDir('keras-t'), 'export');
    await exportProject(
      { project: buildTemplate('transformer', TEMPLATE_OPTIONS.transformer) },
      'keras',
      dir,
    );
    const model = readFileSync(path.join(dir, 'model.py'), 'utf8');
    expect(model).toContain('class TransformerEncoderBlock(layers.Layer)');
    expect(model).toContain('class PositionalEmbedding(layers.Layer)');
    if (python)
      expect(
        spawnSync(PYTHON, [
          '-c',
          'import ast, sys; ast.parse(open(sys.argv[1]).read())',
          path.join(dir, 'model.py'),
        ]).status,
      ).toBe(0);
  });
});

describe('TF.js export', () => {
  it('reloads with tf.loadLayersModel and predicts like the engine; netloom-layers.js works standalone', async () => {
    const { bundle, data } = await trainedTemplate('transformer');
    const dir = path.join(tempDir('tfjs'), 'export');
    const { files } = await exportProject(bundle, 'tfjs', dir);
    expect(files).toEqual(['README.md', 'model.json', 'netloom-layers.js', 'weights.bin']);
    const json = JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8')) as {
      modelTopology: object;
      weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
    };
    expect(json.weightsManifest[0]!.paths).toEqual(['weights.bin']);
    const bin = readFileSync(path.join(dir, 'weights.bin'));
    const model = await tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: json.modelTopology,
        weightSpecs: json.weightsManifest[0]!.weights,
        weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength),
      }),
    );
    const x = tf.tensor(data.x, [data.count, ...data.sampleShape], 'int32');
    const got = (model.predict(x) as tf.Tensor).arraySync() as number[][];
    const want = await enginePredict(bundle, data);
    const diff = maxAbsDiff(got, want);
    console.log(`tfjs export (transformer): max abs diff ${diff}`);
    expect(diff).toBeLessThanOrEqual(1e-6);
    tf.dispose(x);
    model.dispose();

    const standalone = standalonePredict(dir, data.x, [data.count, ...data.sampleShape], 'int32');
    expect(maxAbsDiff(standalone[0]!, want)).toBeLessThanOrEqual(1e-5);
  });

  it('bidirectional recurrent layers load in a fresh process (their inner layers have fixed names)', async () => {
    // Trained in this process, the inner layers' weights carry a per-process counter in their names.
    const { project, weights, data, want } = await gruProject([
      ['LSTM', { units: 4, returnSequences: true, bidirectional: true }],
      ['GRU', { units: 3, bidirectional: true }],
    ]);
    // As a project trained before the names were fixed stores them: with TF.js's per-process counter.
    const old = {
      ...weights,
      modelJson: weights.modelJson.replace(/(forward|backward)_(lstm|gru)\//g, '$1_$2_X7/'),
    };
    expect(old.modelJson).toContain('n1/forward_lstm_X7/kernel');
    const dir = path.join(tempDir('tfjs-bidi'), 'export');
    await exportProject({ project, weights: old }, 'tfjs', dir);
    const names = (
      JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8')) as {
        weightsManifest: { weights: { name: string }[] }[];
      }
    ).weightsManifest[0]!.weights.map((w) => w.name);
    expect(names).toContain('n1/forward_lstm/kernel');
    expect(names).toContain('n2/backward_gru/recurrent_kernel');
    const got = standalonePredict(dir, data.x, [data.count, ...data.sampleShape], 'float32');
    expect(maxAbsDiff(got[0]!, want)).toBeLessThanOrEqual(1e-5);
  });

  it('GRUs with reset after load from netloom-layers.js and predict like the engine', async () => {
    const { project, weights, data, want } = await gruProject();
    const dir = path.join(tempDir('tfjs-gru'), 'export');
    const { files } = await exportProject({ project, weights }, 'tfjs', dir);
    expect(files).toEqual(['README.md', 'model.json', 'netloom-layers.js', 'weights.bin']);
    expect(readFileSync(path.join(dir, 'README.md'), 'utf8')).toContain('custom layers (GRU)');
    const got = standalonePredict(dir, data.x, [data.count, ...data.sampleShape], 'float32');
    const diff = maxAbsDiff(got[0]!, want);
    console.log(`tfjs export, GRUs with reset after (netloom-layers.js): max abs diff ${diff}`);
    expect(diff).toBeLessThanOrEqual(1e-5);
  });

  it('LSTM and GRUs with hard sigmoid gates: model.json says hard_sigmoid, and it predicts like the engine', async () => {
    const hard = { recurrentActivation: 'hardSigmoid', returnSequences: true };
    const { project, weights, data, want } = await gruProject([
      ['LSTM', { units: 4, bidirectional: true, ...hard }],
      ['GRU', { units: 3, ...hard }],
      ['GRU', { units: 3, resetAfter: true, ...hard, returnSequences: false }],
    ]);
    const dir = path.join(tempDir('tfjs-hard'), 'export');
    await exportProject({ project, weights }, 'tfjs', dir);
    expect(
      readFileSync(path.join(dir, 'model.json'), 'utf8').match(/"recurrent_activation":"hard_sigmoid"/g),
    ).toHaveLength(3);
    const got = standalonePredict(dir, data.x, [data.count, ...data.sampleShape], 'float32');
    const diff = maxAbsDiff(got[0]!, want);
    console.log(`tfjs export, hard sigmoid gates: max abs diff ${diff}`);
    expect(diff).toBeLessThanOrEqual(1e-5);
  });
});

/**
 * Two GRUs with reset after (by default; or `layers`) (bidirectional sequences, then relu to the last state) and a Dense, with
 * seeded random weights, and the engine's predictions for a few random sequences.
 */
async function gruProject(
  layers: Parameters<typeof chain>[number][] = [
    ['GRU', { units: 4, returnSequences: true, bidirectional: true, resetAfter: true }],
    ['GRU', { units: 3, activation: 'relu', resetAfter: true, dropout: 0.2 }],
  ],
) {
  const graph = chain(
    ['Input', { shape: [5, 3], dtype: 'float32' }],
    ...layers,
    ['Dense', { units: 2 }],
    ['Output', { targetShape: [2], loss: 'meanSquaredError' }],
  );
  const project: Project = { ...emptyProject('grus'), graph };
  const { model } = await compileGraph(graph);
  const r = rng(4);
  model.setWeights(
    model.weights.map((w) =>
      tf.tensor(
        randomArray(
          w.shape.reduce<number>((a, d) => a * (d ?? 1), 1),
          r,
          0.5,
        ),
        w.shape as number[],
      ),
    ),
  );
  const weights = await saveModelArtifacts(model);
  const count = 4;
  const x = randomArray(count * 15, r);
  const data: ArrayDataset = {
    id: 'g',
    name: 'g',
    task: 'regression',
    x,
    sampleShape: [5, 3],
    xDtype: 'float32',
    y: new Float32Array(count * 2),
    targetSize: 2,
    count,
  };
  const input = tf.tensor3d(x, [count, 5, 3]);
  const y = model.predict(input) as tf.Tensor;
  const want = y.arraySync() as number[][];
  tf.dispose([input, y]);
  model.dispose();
  return { project, weights, data, want };
}

/**
 * Predictions of the TF.js export in `dir` from a fresh Node process with only @tensorflow/tfjs and
 * the exported netloom-layers.js: one array of rows per model output.
 */
function standalonePredict(dir: string, x: ArrayLike<number>, shape: number[], dtype: string): number[][][] {
  const script = path.join(dir, 'check.mjs');
  writeFileSync(
    script,
    `import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
const require = createRequire(${JSON.stringify(path.join(process.cwd(), 'package.json'))});
const tf = require('@tensorflow/tfjs');
if (existsSync(new URL('./netloom-layers.js', import.meta.url))) {
  const { registerNetloomLayers } = await import('./netloom-layers.js');
  registerNetloomLayers(tf);
}
const json = JSON.parse(readFileSync(new URL('./model.json', import.meta.url)));
const bin = readFileSync(new URL('./weights.bin', import.meta.url));
const model = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology,
  weightSpecs: json.weightsManifest[0].weights, weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) }));
const x = tf.tensor(JSON.parse(process.argv[2]), ${JSON.stringify(shape)}, ${JSON.stringify(dtype)});
const y = model.predict(x);
process.stdout.write(JSON.stringify((Array.isArray(y) ? y : [y]).map((t) => t.reshape([t.shape[0], -1]).arraySync())));
`,
  );
  writeFileSync(path.join(dir, 'package.json'), '{"type":"module"}');
  const r = spawnSync(process.execPath, [script, JSON.stringify(Array.from(x))], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as number[][][];
}

describe('diagram export', () => {
  it('SVG: valid XML containing every node label; PNG via sharp', async () => {
    const project = buildTemplate('transformer', TEMPLATE_OPTIONS.transformer);
    project.graph.nodes[0]!.name = 'Tokens <ids> & "text"';
    const dir = path.join(tempDir('svg'), 'export');
    expect((await exportProject({ project }, 'svg', dir)).files).toEqual(['diagram.svg']);
    const svg = readFileSync(path.join(dir, 'diagram.svg'), 'utf8');
    expect(svg.startsWith('<?xml')).toBe(true);
    if (python) {
      const r = spawnSync(
        PYTHON,
        [
          '-c',
          'import sys, json, xml.etree.ElementTree as ET; r = ET.parse(sys.argv[1]).getroot(); ' +
            'print(json.dumps([t.text for t in r.iter("{http://www.w3.org/2000/svg}text")]))',
          path.join(dir, 'diagram.svg'),
        ],
        { encoding: 'utf8' },
      );
      expect(r.status, r.stderr).toBe(0);
      const texts = JSON.parse(r.stdout) as string[];
      for (const n of project.graph.nodes) expect(texts).toContain(n.name ?? n.id);
    }
    const png = path.join(tempDir('png'), 'export');
    await exportProject({ project }, 'png', png, { scale: 1 });
    const bytes = readFileSync(path.join(png, 'diagram.png'));
    expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  });
});

describe('export contract', () => {
  it('refuses a non-empty folder unless force and an earlier export, then replaces it whole; leaves no staging folders', async () => {
    const root = tempDir('force');
    const dir = path.join(root, 'out');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'keep.txt'), 'x');
    const project = buildTemplate('mlp', TEMPLATE_OPTIONS.mlp);
    await expect(exportProject({ project }, 'svg', dir)).rejects.toThrow(/not empty/);
    await expect(exportProject({ project }, 'svg', dir, { force: true })).rejects.toThrow(
      /did not export it/,
    );
    expect(readdirSync(dir)).toEqual(['keep.txt']);
    rmSync(path.join(dir, 'keep.txt'));
    await exportProject({ project }, 'png', dir, { scale: 1 });
    await expect(exportProject({ project }, 'svg', dir)).rejects.toThrow(/not empty/);
    await exportProject({ project }, 'svg', dir, { force: true });
    expect(readdirSync(dir).sort()).toEqual(['.netloom-export.json', 'diagram.svg']);
    expect(readdirSync(root)).toEqual(['out']);
  });

  it('refuses an invalid graph with located errors, writing nothing', async () => {
    const project = buildTemplate('mlp', TEMPLATE_OPTIONS.mlp);
    project.graph.edges = project.graph.edges.slice(1);
    const dir = path.join(tempDir('invalid'), 'out');
    const err = await exportProject({ project }, 'pytorch', dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExportError);
    expect((err as Error).message).toMatch(/dense_1 \(Dense\), port in/);
    expect(existsSync(dir)).toBe(false);
  });
});
