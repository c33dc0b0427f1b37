/**
 * `netloom import` as a user runs it: a TF.js model becomes a project that validates, summarises,
 * predicts from raw rows (with and without a header), trains further once data is chosen
 * (`train --data`), and exports; a refused model exits 1 with every unsupported layer listed and
 * writes nothing; bad usage exits 2. A channels-first CNN PyTorch exported to ONNX predicts from rows
 * in its own layout.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../electron/cli';
import { initBackend } from '../../../electron/engine/backend';
import { PYTHON, tempDir, torchAvailable } from '../export/helpers';

async function cli(...args: string[]) {
  let out = '';
  let err = '';
  const code = await runCli(args, { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

const dir = tempDir('cli-import');
const f = (name: string) => path.join(dir, name);

async function save(model: tf.LayersModel, folder: string): Promise<string> {
  mkdirSync(folder, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      writeFileSync(path.join(folder, 'weights.bin'), new Uint8Array(a.weightData as ArrayBuffer));
      const json = {
        format: a.format,
        generatedBy: a.generatedBy,
        modelTopology: a.modelTopology,
        weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }],
      };
      writeFileSync(path.join(folder, 'model.json'), JSON.stringify(json));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(a) };
    }),
  );
  return path.join(folder, 'model.json');
}

let model: tf.LayersModel;
let modelJson: string;

beforeAll(async () => {
  await initBackend();
  model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [4], units: 8, activation: 'tanh' }),
      tf.layers.dense({ units: 3, activation: 'softmax' }),
    ],
  });
  modelJson = await save(model, f('iris-model'));
});

describe('netloom import', () => {
  it('imports a TF.js model into a project that validates, predicts, trains on chosen data and exports', async () => {
    const r = await cli('import', modelJson, '--out', f('iris.nnproj'), '--name', 'Iris net');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Wrote .*iris\.nnproj: Iris net \(tfjs\), 2 layers, 67 parameters, no data yet\./);
    expect((await cli('validate', f('iris.nnproj'))).code).toBe(0);
    const summary = JSON.parse((await cli('summary', f('iris.nnproj'), '--json')).out) as {
      totalParams: number;
    };
    expect(summary.totalParams).toBe(67);

    const rows = [
      [5.1, 3.5, 1.4, 0.2],
      [6.7, 3.1, 4.7, 1.5],
    ];
    writeFileSync(f('rows.csv'), 'sl,sw,pl,pw\n' + rows.map((x) => x.join(',')).join('\n'));
    writeFileSync(f('rows-bare.csv'), rows.map((x) => x.join(',')).join('\n'));
    const x = tf.tensor(rows);
    const expected = (model.predict(x) as tf.Tensor).arraySync() as number[][];
    x.dispose();
    for (const file of ['rows.csv', 'rows-bare.csv']) {
      const p = await cli('predict', f('iris.nnproj'), '--data', f(file), '--json');
      expect(p.code).toBe(0);
      const got = p.out
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as number[]);
      got.forEach((row, i) =>
        row.forEach((v, j) => expect(Math.abs(v - expected[i]![j]!)).toBeLessThan(1e-4)),
      );
    }
    const wide = await cli('predict', f('iris.nnproj'), '--data', f('iris.nnproj'));
    expect(wide.code).toBe(1);

    writeFileSync(f('bad-row.csv'), '1,2,3,4\n1,2,3\n');
    const bad = await cli('predict', f('iris.nnproj'), '--data', f('bad-row.csv'));
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/row 2: 3 values; the model's input \[4\] takes 4 per row/);

    const t = await cli(
      'train',
      f('iris.nnproj'),
      '--data',
      'builtin:iris',
      '--epochs',
      '2',
      '--out',
      f('iris-trained.nnproj'),
    );
    expect(t.out + t.err).toMatch(/Trained 2 epochs/);
    expect(t.code).toBe(0);
    const e = await cli('export', f('iris-trained.nnproj'), '--format', 'pytorch', '--out', f('iris-pt'));
    expect(e.code).toBe(0);
    expect(existsSync(f('iris-pt/model.py'))).toBe(true);
  }, 120_000);

  it('refuses a model with unsupported layers (exit 1, all listed), writing nothing', async () => {
    const bad = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [4], units: 6 }),
        tf.layers.repeatVector({ n: 2 }),
        tf.layers.permute({ dims: [2, 1] }),
      ],
    });
    const file = await save(bad, f('bad-model'));
    const r = await cli('import', file, '--out', f('bad.nnproj'));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/RepeatVector ×1 \(repeat_vector/);
    expect(r.err).toMatch(/Permute ×1/);
    expect(r.err).toMatch(/Nothing was imported/);
    expect(existsSync(f('bad.nnproj'))).toBe(false);
    bad.dispose();
  });

  it('bad usage exits 2; Keras files and unknown kinds are refused with what to do', async () => {
    expect((await cli('import', f('missing.onnx'), '--out', f('x.nnproj'))).code).toBe(2);
    expect((await cli('import', modelJson)).code).toBe(2);
    writeFileSync(f('exists.nnproj'), 'x');
    const over = await cli('import', modelJson, '--out', f('exists.nnproj'));
    expect(over.code).toBe(2);
    expect(readFileSync(f('exists.nnproj'), 'utf8')).toBe('x');
    writeFileSync(f('m.h5'), 'x');
    const keras = await cli('import', f('m.h5'), '--out', f('k.nnproj'));
    expect(keras.code).toBe(1);
    expect(keras.err).toMatch(/Keras files are not imported.*tensorflowjs_converter/s);
    writeFileSync(f('m.txt'), 'x');
    expect((await cli('import', f('m.txt'), '--out', f('t.nnproj'))).code).toBe(1);
  });
});

describe.skipIf(!torchAvailable)('netloom import of a PyTorch ONNX model', () => {
  it('a channels-first CNN: predict reads rows channels first (with a header) within 1e-4 of torch; re-exports to ONNX', async () => {
    const script = `
import json, sys, torch, torch.nn as nn
torch.manual_seed(3)
m = nn.Sequential(nn.Conv2d(2, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
                  nn.Flatten(), nn.Linear(4 * 3 * 3, 5), nn.Softmax(dim=1))
m[1].running_mean.uniform_(-0.5, 0.5); m[1].running_var.uniform_(0.5, 1.5)
m.eval()
x = torch.randn(4, 2, 6, 6)
torch.onnx.export(m, x[:1], sys.argv[1], opset_version=17, input_names=['x'], output_names=['y'],
                  dynamic_axes={'x': {0: 'n'}, 'y': {0: 'n'}})
with open(sys.argv[2], 'w') as f:
    f.write(','.join(f'v{i}' for i in range(72)) + '\\n')
    for row in x.reshape(4, -1).tolist(): f.write(','.join(repr(v) for v in row) + '\\n')
print(json.dumps(m(x).tolist()))
`;
    const r = spawnSync(PYTHON, ['-c', script, f('cnn.onnx'), f('cnn-rows.csv')], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const want = JSON.parse(r.stdout.trim().split('\n').pop()!) as number[][];
    const imp = await cli('import', f('cnn.onnx'), '--out', f('cnn.nnproj'));
    expect(imp.code, imp.err).toBe(0);
    expect(imp.out).toMatch(/predict reads rows channels first/);
    const p = await cli('predict', f('cnn.nnproj'), '--data', f('cnn-rows.csv'), '--json');
    expect(p.code, p.err).toBe(0);
    const got = p.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as number[]);
    got.forEach((row, i) => row.forEach((v, j) => expect(Math.abs(v - want[i]![j]!)).toBeLessThan(1e-4)));
    // Exported again: Netloom's own ONNX is channels last (its README says so).
    const e = await cli('export', f('cnn.nnproj'), '--format', 'onnx', '--out', f('cnn-again'));
    expect(e.code, e.err).toBe(0);
    expect(existsSync(f('cnn-again/model.onnx'))).toBe(true);
  }, 120_000);
});
