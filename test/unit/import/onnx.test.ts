/**
 * ONNX import, checked against onnxruntime-node (1e-4): every template's ONNX export and the
 * every-kind graph come back (predictions equal onnxruntime's and the original project's); a CSV
 * project's standardisation becomes a BatchNormalization; models torch.onnx.export writes (MLPs,
 * channels-first CNNs in 1-D and 2-D, ConvTranspose, x.view, LSTM/RNN/bidirectional LSTM with
 * batch_first and out[:, -1], Embedding ids) match too, and torch's GRU maps to resetAfter;
 * unsupported ops are all listed with counts and names; layout-sensitive and other unmappable
 * settings are refused, located; mutated files import whole or raise an ImportError, nothing else.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { loadTrainedModel } from '../../../electron/engine/artifacts';
import { initBackend } from '../../../electron/engine/backend';
import { exportProject } from '../../../electron/export/index';
import { importOnnx } from '../../../electron/import/onnx';
import { importedProject } from '../../../electron/import/project';
import { ImportError, UnsupportedModelError } from '../../../electron/import/types';
import type { ArrayDataset } from '../../../shared/training/data';
import { buildTemplate, TEMPLATE_IDS, type TemplateId } from '../../../shared/templates/index';
import {
  enginePredict,
  maxAbsDiff,
  PYTHON,
  syntheticData,
  tempDir,
  torchAvailable,
  trainedProject,
  trainedTemplate,
} from '../export/helpers';
import { everyKindProject } from '../export/everyKind';

const { onnx } = onnxProto;

/** Runs a model on one float32 or int64 feed per input; the first output, row by row. */
async function ortPredict(
  file: string,
  feeds: Record<string, ort.Tensor>,
  count: number,
): Promise<number[][]> {
  const session = await ort.InferenceSession.create(file);
  const out = await session.run(feeds);
  const t = out[session.outputNames[0]!]!;
  const data = t.data as Float32Array;
  const per = data.length / count;
  return Array.from({ length: count }, (_, i) => Array.from(data.subarray(i * per, (i + 1) * per)));
}

const feedOf = (d: ArrayDataset) => new ort.Tensor(d.xDtype, d.x, [d.count, ...d.sampleShape]);

async function exported(id: TemplateId) {
  const { bundle, data } = await trainedTemplate(id);
  const dir = path.join(tempDir(`import-${id}`), 'export');
  await exportProject(bundle, 'onnx', dir);
  return { bundle, data, file: path.join(dir, 'model.onnx') };
}

beforeAll(async () => {
  await initBackend('wasm');
});

describe('ONNX import: every template exported by Netloom comes back', () => {
  it.each(TEMPLATE_IDS)(
    '%s: imported predictions within 1e-4 of onnxruntime and of the original',
    async (id) => {
      const { bundle, data, file } = await exported(id);
      const model = importOnnx(new Uint8Array(readFileSync(file)), file);
      expect(model.layout).toBe('channels-last');
      const imported = importedProject(model, file);
      const input = bundle.project.graph.nodes.find((n) => n.kind === 'Input')!.id;
      const want = await ortPredict(file, { [input]: feedOf(data) }, data.count);
      const got = await enginePredict(imported, data);
      const original = await enginePredict(bundle, data);
      const diff = maxAbsDiff(got, want);
      console.log(
        `onnx import ${id}: max abs diff ${diff.toExponential(2)} vs onnxruntime, ` +
          `${maxAbsDiff(got, original).toExponential(2)} vs the original (${model.nodes.map((n) => n.kind).join(' ')})`,
      );
      expect(diff).toBeLessThanOrEqual(1e-4);
      expect(maxAbsDiff(got, original)).toBeLessThanOrEqual(1e-4);
      const kinds = model.nodes.map((n) => n.kind);
      // The encoder block comes back as one layer; the encoder template's own layers stay layers.
      if (id === 'transformer') expect(kinds.filter((k) => k === 'TransformerEncoderBlock')).toHaveLength(2);
      if (id === 'encoder') expect(kinds.filter((k) => k === 'MultiHeadAttention')).toHaveLength(2);
    },
  );
});

/** torch.onnx.export (opset 17, dynamic batch) of idiomatic models Netloom did not write. */
const TORCH_SCRIPT = String.raw`
import sys, torch, torch.nn as nn
torch.manual_seed(0)
class Last(nn.Module):
    def __init__(self, cell):
        super().__init__()
        self.rnn = cell(6, 16, batch_first=True)
        self.fc = nn.Linear(16, 3)
    def forward(self, x):
        out, _ = self.rnn(x)
        return self.fc(out[:, -1, :])
class SliceLast(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.RNN(6, 8, batch_first=True)
        self.fc = nn.Linear(8, 3)
    def forward(self, x):
        out, _ = self.rnn(x)
        return self.fc(out[:, -1:, :].flatten(1))
class MeanOver(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.LSTM(6, 5, batch_first=True, bidirectional=True)
        self.fc = nn.Linear(10, 3)
    def forward(self, x):
        out, _ = self.rnn(x)
        return self.fc(out.mean(1))
class View(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 3, 3)
        self.fc = nn.Linear(3 * 4 * 4, 2)
    def forward(self, x):
        x = torch.relu(self.conv(x))
        return self.fc(x.view(x.size(0), -1))
class Tokens(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(20, 8)
        self.rnn = nn.LSTM(8, 6, batch_first=True)
        self.fc = nn.Linear(6, 2)
    def forward(self, x):
        out, _ = self.rnn(self.emb(x))
        return self.fc(out[:, -1])
models = {
    'tokens': (Tokens(), torch.randint(0, 20, (2, 5))),
    'view': (View(), torch.randn(2, 1, 6, 6)),
    'bilstm': (MeanOver(), torch.randn(2, 7, 6)),
    'rnn': (SliceLast(), torch.randn(2, 7, 6)),
    'mlp': (nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 3)), torch.randn(2, 10)),
    'cnn': (nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(4, 8, 3), nn.ReLU(), nn.Flatten(), nn.Linear(8 * 4 * 4, 5)),
            torch.randn(2, 1, 12, 12)),
    'cnn2': (nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.AvgPool2d(2),
                           nn.Conv2d(4, 6, 3, padding=1), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                           nn.Linear(6, 8), nn.GELU(), nn.Linear(8, 3)),
             torch.randn(2, 3, 8, 8)),
    'cnn1d': (nn.Sequential(nn.Conv1d(4, 6, 3, padding=1), nn.ReLU(), nn.MaxPool1d(2), nn.Flatten(), nn.Linear(30, 3)),
              torch.randn(2, 4, 10)),
    'deconv': (nn.Sequential(nn.ConvTranspose2d(2, 3, 2, stride=2), nn.LeakyReLU(0.1), nn.Flatten(),
                             nn.Linear(3 * 8 * 8, 4)),
               torch.randn(2, 2, 4, 4)),
    'mlp2': (nn.Sequential(nn.Linear(6, 12), nn.SiLU(), nn.LayerNorm(12), nn.Dropout(0.5), nn.Linear(12, 4),
                           nn.Tanh(), nn.Linear(4, 3), nn.Softmax(dim=-1)),
             torch.randn(2, 6)),
    'lstm': (Last(nn.LSTM), torch.randn(2, 7, 6)),
    'gru': (Last(nn.GRU), torch.randn(2, 7, 6)),
}
for name, (m, x) in models.items():
    m.eval()
    torch.onnx.export(m, x, f'{sys.argv[1]}/{name}.onnx', opset_version=17, input_names=['x'],
                      output_names=['y'], dynamic_axes={'x': {0: 'batch'}, 'y': {0: 'batch'}})
`;

/** A dataset of `count` random samples of `shape` (only what enginePredict reads matters). */
function randomData(shape: number[], count: number, seed: number): ArrayDataset {
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
  const x = Float32Array.from({ length: count * shape.reduce((a, d) => a * d, 1) }, rand);
  return {
    id: 'random',
    name: 'random',
    task: 'regression',
    x,
    sampleShape: shape,
    xDtype: 'float32',
    y: new Float32Array(count),
    targetSize: 1,
    count,
  };
}

/** N, C, H, W samples as N, H, W, C. */
function channelsLast(d: ArrayDataset): ArrayDataset {
  const [c, h, w = 1] = d.sampleShape as [number, number, number?];
  const x = new Float32Array(d.x.length);
  for (let n = 0; n < d.count; n++)
    for (let ci = 0; ci < c; ci++)
      for (let i = 0; i < h * w; i++) x[n * c * h * w + i * c + ci] = d.x[n * c * h * w + ci * h * w + i]!;
  return { ...d, x, sampleShape: d.sampleShape.length === 2 ? [h, c] : [h, w, c] };
}

describe.runIf(torchAvailable)('ONNX import: models torch.onnx.export wrote', () => {
  let dir = '';
  beforeAll(() => {
    dir = tempDir('import-torch');
    writeFileSync(path.join(dir, 'make.py'), TORCH_SCRIPT);
    const r = spawnSync(PYTHON, [path.join(dir, 'make.py'), dir], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
  }, 120_000);

  const cases: [string, number[], string[]][] = [
    ['mlp', [10], ['Input', 'Dense', 'Dense']],
    ['cnn', [1, 12, 12], ['Input', 'Conv2D', 'MaxPool2D', 'Conv2D', 'Flatten', 'Dense']],
    ['lstm', [7, 6], ['Input', 'LSTM', 'Dense']],
    // out[:, -1:, :] is a Slice keeping the step axis, then flattened.
    ['rnn', [7, 6], ['Input', 'SimpleRNN', 'Dense']],
    // Both directions' sequences side by side, averaged over time.
    ['bilstm', [7, 6], ['Input', 'LSTM', 'GlobalAvgPool1D', 'Dense']],
    // BatchNorm2d folded into the Conv by torch, the zero Pad before AvgPool2d, GELU fused into the Dense.
    ['cnn2', [3, 8, 8], ['Input', 'Conv2D', 'AvgPool2D', 'Conv2D', 'GlobalAvgPool2D', 'Dense', 'Dense']],
    // SiLU (x · sigmoid(x)) becomes swish, Dropout nothing, Softmax fused into the last Dense.
    ['mlp2', [6], ['Input', 'Dense', 'LayerNormalization', 'Dense', 'Dense']],
    ['cnn1d', [4, 10], ['Input', 'Conv1D', 'MaxPool1D', 'Flatten', 'Dense']],
    ['deconv', [2, 4, 4], ['Input', 'Conv2DTranspose', 'Activation', 'Flatten', 'Dense']],
    // x.view(x.size(0), -1): a Reshape to a shape computed from the batch size.
    ['view', [1, 6, 6], ['Input', 'Conv2D', 'Flatten', 'Dense']],
  ];
  it.each(cases)('%s: within 1e-4 of onnxruntime', async (name, shape, kinds) => {
    const file = path.join(dir, `${name}.onnx`);
    const model = importOnnx(new Uint8Array(readFileSync(file)), file);
    expect(model.nodes.map((n) => n.kind)).toEqual(kinds);
    const image = ['cnn', 'cnn2', 'cnn1d', 'deconv', 'view'].includes(name);
    expect(model.layout).toBe(image ? 'channels-first' : 'channels-last');
    const imported = importedProject(model, file);
    const data = randomData(shape, 16, 7);
    const want = await ortPredict(file, { x: feedOf(data) }, data.count);
    const got = await enginePredict(imported, image ? channelsLast(data) : data);
    const diff = maxAbsDiff(got, want);
    console.log(`onnx import torch ${name}: max abs diff ${diff.toExponential(2)} vs onnxruntime`);
    expect(diff).toBeLessThanOrEqual(1e-4);
  });

  it('gru: linear_before_reset=1 maps to resetAfter with the [2, 3u] bias of Keras reset_after', () => {
    const file = path.join(dir, 'gru.onnx');
    const model = importOnnx(new Uint8Array(readFileSync(file)), file);
    const gru = model.nodes.find((n) => n.kind === 'GRU')!;
    expect(gru.params).toMatchObject({ units: 16, resetAfter: true, returnSequences: false });
    const w = model.weights.get(gru.id)!;
    expect([w.kernel!.shape, w.recurrent_kernel!.shape, w.bias!.shape]).toEqual([
      [6, 48],
      [16, 48],
      [2, 48],
    ]);
  });

  it('tokens (int64 ids → Embedding → LSTM): within 1e-4 of onnxruntime', async () => {
    const file = path.join(dir, 'tokens.onnx');
    const model = importOnnx(new Uint8Array(readFileSync(file)), file);
    expect(model.nodes.map((n) => n.kind)).toEqual(['Input', 'Embedding', 'LSTM', 'Dense']);
    expect(model.nodes[0]!.params).toEqual({ shape: [5], dtype: 'int32' });
    const ids = Int32Array.from({ length: 16 * 5 }, (_, i) => (i * 7 + 3) % 20);
    const data: ArrayDataset = { ...randomData([5], 16, 1), x: ids, xDtype: 'int32' };
    const feed = new ort.Tensor(
      'int64',
      BigInt64Array.from(ids, (v) => BigInt(v)),
      [16, 5],
    );
    const want = await ortPredict(file, { x: feed }, 16);
    const diff = maxAbsDiff(await enginePredict(importedProject(model, file), data), want);
    console.log(`onnx import torch tokens: max abs diff ${diff.toExponential(2)} vs onnxruntime`);
    expect(diff).toBeLessThanOrEqual(1e-4);
  });

  // torch writes GRU with linear_before_reset=1 (Keras's reset_after=True): the import maps it to
  // the GRU's resetAfter, with a [2, 3u] bias.
  it('gru (linear_before_reset=1 → resetAfter): within 1e-4 of onnxruntime', async () => {
    const file = path.join(dir, 'gru.onnx');
    const model = importOnnx(new Uint8Array(readFileSync(file)), file);
    expect(model.nodes.find((n) => n.kind === 'GRU')?.params.resetAfter).toBe(true);
    const imported = importedProject(model, file);
    const data = randomData([7, 6], 16, 11);
    const want = await ortPredict(file, { x: feedOf(data) }, data.count);
    const diff = maxAbsDiff(await enginePredict(imported, data), want);
    console.log(`onnx import torch gru: max abs diff ${diff.toExponential(2)} vs onnxruntime`);
    expect(diff).toBeLessThanOrEqual(1e-4);
  });
});
if (!torchAvailable) console.warn('torch models not imported: `/usr/bin/python3 -c "import torch"` failed.');

describe('ONNX import: a CSV project', () => {
  const csvExport = async (fill?: number) => {
    const project = buildTemplate('mlp', { inputShape: [3], outputs: 3 });
    const data = syntheticData(project, 24, 3);
    const bundle = await trainedProject(project, data);
    const numeric = (column: string, mean: number, std: number, f?: number) => ({
      column,
      type: 'numeric' as const,
      mean,
      std,
      ...(f === undefined ? {} : { fill: f }),
    });
    project.data = {
      source: 'csv',
      file: 'rows.csv',
      embedded: false,
      target: 'label',
      columns: [],
      preprocessing: {
        target: 'label',
        task: 'classification',
        targetType: 'categorical',
        classes: ['a', 'b', 'c'],
        features: [numeric('a', 10, 2), numeric('b', -3, 0.5, fill), numeric('c', 0, 4)],
        delimiter: ',',
        header: true,
      },
    };
    const dir = path.join(tempDir('import-csv'), 'export');
    await exportProject(bundle, 'onnx', dir);
    return { data, file: path.join(dir, 'model.onnx') };
  };

  it('the standardisation (x - mean) / std comes back as an exact BatchNormalization on the raw columns', async () => {
    const { data, file } = await csvExport();
    const model = importOnnx(new Uint8Array(readFileSync(file)), file);
    expect(model.nodes.map((n) => n.kind)).toEqual([
      'Input',
      'BatchNormalization',
      'Dense',
      'Dense',
      'Dense',
    ]);
    const raw = {
      ...data,
      x: Float32Array.from(data.x, (v, i) => v * [2, 0.5, 4][i % 3]! + [10, -3, 0][i % 3]!),
    };
    const want = await ortPredict(file, { input_1: feedOf(raw) }, raw.count);
    const diff = maxAbsDiff(await enginePredict(importedProject(model, file), raw), want);
    console.log(`onnx import csv: max abs diff ${diff.toExponential(2)} vs onnxruntime`);
    expect(diff).toBeLessThanOrEqual(1e-4);
  });

  it('a missing-value fill (Where, IsNaN) has no layer: both are listed', async () => {
    const { file } = await csvExport(1.5);
    expect(() => importOnnx(new Uint8Array(readFileSync(file)), file)).toThrow(
      /IsNaN ×1[\s\S]*Where ×1|Where ×1[\s\S]*IsNaN ×1/,
    );
  });
});

describe('ONNX import: every other layer kind', () => {
  it('the every-kind graph exported by Netloom comes back: both outputs within 1e-4 of onnxruntime', async () => {
    const { project, weights, data, want } = await everyKindProject();
    const dir = path.join(tempDir('import-kinds'), 'export');
    await exportProject({ project, weights }, 'onnx', dir);
    const file = path.join(dir, 'model.onnx');
    const model = importOnnx(new Uint8Array(readFileSync(file)), file);
    const imported = importedProject(model, file);
    const session = await ort.InferenceSession.create(file);
    const ortOut = await session.run({ img: feedOf(data) });
    const trained = await loadTrainedModel(imported.project.graph, imported.weights!);
    const x = tf.tensor(data.x, [data.count, ...data.sampleShape]);
    const preds = [trained.predict(x) as tf.Tensor | tf.Tensor[]].flat();
    session.outputNames.forEach((name, i) => {
      const rows = (t: ArrayLike<number>) => {
        const per = t.length / data.count;
        return Array.from({ length: data.count }, (_, r) => Array.from(t).slice(r * per, (r + 1) * per));
      };
      const got = rows(preds[i]!.dataSync());
      const diff = maxAbsDiff(got, rows(ortOut[name]!.data as Float32Array));
      console.log(
        `onnx import every kind, output ${i + 1}: max abs diff ${diff.toExponential(2)} vs onnxruntime, ` +
          `${maxAbsDiff(got, want[i]!).toExponential(2)} vs the original`,
      );
      expect(diff).toBeLessThanOrEqual(1e-4);
      expect(maxAbsDiff(got, want[i]!)).toBeLessThanOrEqual(1e-4);
    });
    const kinds = (ks: string[]) => [...new Set(ks)].filter((k) => k !== 'Output' && k !== 'Dropout').sort();
    expect(kinds(model.nodes.map((n) => n.kind))).toEqual(kinds(project.graph.nodes.map((n) => n.kind)));
    // The LSTM and GRUs with hard sigmoid gates (ONNX's HardSigmoid 0.2, 0.5) come back as such.
    const hard = (ns: readonly { params: Record<string, unknown> }[]) =>
      ns.filter((n) => n.params.recurrentActivation === 'hardSigmoid').length;
    expect(hard(model.nodes)).toBe(3);
    expect(hard(model.nodes)).toBe(hard(project.graph.nodes));
    // Another HardSigmoid is refused, not approximated.
    const proto = onnx.ModelProto.decode(readFileSync(file));
    const alpha = proto
      .graph!.node!.filter((n) => n.opType === 'LSTM')
      .flatMap((n) => n.attribute!)
      .find((a) => a.name === 'activation_alpha')!;
    alpha.floats = [0.3, 0.3, 0.3, 0.3, 0.3, 0.3];
    expect(() => importOnnx(onnx.ModelProto.encode(proto).finish(), file)).toThrow(
      /activations \[HardSigmoid, Tanh, Tanh, HardSigmoid, Tanh, Tanh\] have no Netloom form/,
    );
    tf.dispose([x, ...preds]);
    trained.dispose();
  });
});

type ModelProto = ReturnType<typeof onnx.ModelProto.decode>;
/** The parts of a decoded model the mutations touch (protobufjs fills repeated fields with []). */
interface Loose {
  graph: {
    node: { input: string[]; output: string[]; opType: string; attribute: { ints: number[]; i: number }[] }[];
    initializer: {
      name: string;
      dims: number[];
      rawData: Uint8Array;
      dataLocation: number;
      dataType: number;
    }[];
    input: { type: { tensorType: { shape: { dim: { dimValue?: number }[] } } } }[];
  };
}
const T = onnx.TensorProto.DataType;
const floatInput = (name: string, dims: (number | string)[]) => ({
  name,
  type: {
    tensorType: {
      elemType: T.FLOAT,
      shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
    },
  },
});

/** A small model from nodes and float initializers (int64 ones from plain number arrays). */
function tinyModel(
  nodes: { name: string; opType: string; input: string[]; output: string[]; attribute?: object[] }[],
  input: [string, (number | string)[]],
  inits: [string, number[], Float32Array | number[]][],
): Uint8Array {
  const initializer = inits.map(([name, dims, data]) =>
    data instanceof Float32Array
      ? { name, dims, dataType: T.FLOAT, floatData: [...data] }
      : { name, dims, dataType: T.INT64, int64Data: data },
  );
  const last = nodes.at(-1)!.output[0]!;
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'tiny',
      node: nodes,
      initializer,
      input: [floatInput(...input)],
      output: [floatInput(last, [])],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

const ints = (name: string, v: number[]) => ({ name, type: onnx.AttributeProto.AttributeType.INTS, ints: v });
const conv = (pads: number[], extra: object[] = []) => ({
  name: 'conv_1',
  opType: 'Conv',
  input: ['x', 'w'],
  output: ['c'],
  attribute: [ints('kernel_shape', [3, 3]), ints('pads', pads), ...extra],
});

describe('ONNX import: located refusals', () => {
  const image: [string, (number | string)[]] = ['x', ['batch', 2, 5, 5]];
  const w = (groups = 1): [string, number[], Float32Array] => [
    'w',
    [2, 2 / groups, 3, 3],
    new Float32Array(36 / groups),
  ];
  const flat = { name: 'flat', opType: 'Flatten', input: ['c'], output: ['y'] };

  it('pads that are neither none nor TensorFlow same', () => {
    expect(() => importOnnx(tinyModel([conv([0, 0, 1, 1]), flat], image, [w()]), 't.onnx')).toThrow(
      /^conv_1 \(Conv\): pads \[0, 0, 1, 1\] are neither none nor TensorFlow's 'same'/,
    );
  });

  it('grouped convolutions', () => {
    const group = { name: 'group', type: onnx.AttributeProto.AttributeType.INT, i: 2 };
    expect(() => importOnnx(tinyModel([conv([1, 1, 1, 1], [group]), flat], image, [w(2)]), 't.onnx')).toThrow(
      /^conv_1 \(Conv\): grouped convolutions are not supported/,
    );
  });

  it('a channels-first output, whose values Netloom would order differently', () => {
    expect(() => importOnnx(tinyModel([conv([1, 1, 1, 1])], image, [w()]), 't.onnx')).toThrow(
      /The output c is a first tensor/,
    );
  });

  it('a recurrent op with a nonzero initial state', () => {
    const nodes = [
      { name: 'tr', opType: 'Transpose', input: ['x'], output: ['t'], attribute: [ints('perm', [1, 0, 2])] },
      {
        name: 'lstm_1',
        opType: 'LSTM',
        input: ['t', 'W', 'R', '', '', 'h0'],
        output: ['', 'h'],
        attribute: [{ name: 'hidden_size', type: onnx.AttributeProto.AttributeType.INT, i: 1 }],
      },
      { name: 'sq', opType: 'Squeeze', input: ['h', 'axes'], output: ['y'] },
    ];
    const inits: [string, number[], Float32Array | number[]][] = [
      ['W', [1, 4, 2], new Float32Array(8)],
      ['R', [1, 4, 1], new Float32Array(4)],
      ['h0', [1, 1, 1], Float32Array.of(1)],
      ['axes', [1], [0]],
    ];
    expect(() => importOnnx(tinyModel(nodes, ['x', ['batch', 3, 2]], inits), 't.onnx')).toThrow(
      /^lstm_1 \(LSTM\): a nonzero initial state is not supported/,
    );
    inits[2] = ['h0', [1, 1, 1], Float32Array.of(0)];
    const model = importOnnx(tinyModel(nodes, ['x', ['batch', 3, 2]], inits), 't.onnx');
    expect(model.nodes.map((n) => n.kind)).toEqual(['Input', 'LSTM']);
  });
});

describe('ONNX import: refusals', () => {
  it('lists every unsupported op with counts and node names, and imports nothing', () => {
    const model = onnx.ModelProto.create({
      irVersion: 8,
      opsetImport: [{ domain: '', version: 17 }],
      graph: {
        name: 'odd',
        node: [
          { name: 'cos_1', opType: 'Cos', input: ['x'], output: ['c'] },
          { name: 'where_1', opType: 'Where', input: ['x', 'c', 'x'], output: ['w1'] },
          { name: 'relu_1', opType: 'Relu', input: ['w1'], output: ['r'] },
          { name: 'where_2', opType: 'Where', input: ['r', 'x', 'c'], output: ['y'] },
          { name: 'scores', opType: 'MatMul', input: ['x', 'x'], output: ['unused'] },
        ],
        input: [floatInput('x', ['batch', 4])],
        output: [floatInput('y', ['batch', 4])],
      },
    });
    const bytes = onnx.ModelProto.encode(model).finish();
    let error: unknown;
    try {
      importOnnx(bytes, 'odd.onnx');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UnsupportedModelError);
    expect((error as UnsupportedModelError).unsupported).toEqual([
      { op: 'Where', count: 2, nodes: ['where_1', 'where_2'] },
      { op: 'Cos', count: 1, nodes: ['cos_1'] },
      { op: 'MatMul (of two tensors)', count: 1, nodes: ['scores'] },
    ]);
    expect((error as Error).message).toContain('Where ×2 (where_1, where_2)');
  });

  it('refuses external data, naming the tensor', async () => {
    const { file } = await exported('perceptron');
    const model = onnx.ModelProto.decode(readFileSync(file));
    const t = (model as unknown as Loose).graph.initializer[0]! as unknown as {
      name: string;
      dataLocation: number;
      externalData: unknown[];
    };
    t.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
    t.externalData = [{ key: 'location', value: 'weights.bin' }];
    const bytes = onnx.ModelProto.encode(model).finish();
    expect(() => importOnnx(bytes, 'ext.onnx')).toThrow(new RegExp(`${t.name}.*external file`));
  });
});

/** Structured mutations of a decoded model: what a hostile or broken file may hold. */
const MUTATIONS: ((m: Loose, r: number[]) => void)[] = [
  (m, [i = 0, d = 0]) => {
    const t = m.graph.initializer[i % m.graph.initializer.length]!;
    t.dims = [2 ** 40 + d, 3];
  },
  (m, [i = 0, d = 0]) => {
    const t = m.graph.initializer[i % m.graph.initializer.length]!;
    t.dims = [-1 - (d % 5), 4];
  },
  (m, [i = 0]) => {
    const t = m.graph.initializer[i % m.graph.initializer.length]!;
    t.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
  },
  (m, [i = 0, d = 0]) => {
    const t = m.graph.initializer[i % m.graph.initializer.length]!;
    t.rawData = t.rawData.subarray(0, Math.max(0, t.rawData.length - 1 - (d % 8)));
  },
  (m, [i = 0]) => {
    const nodes = m.graph.node;
    const n = nodes[i % nodes.length]!;
    n.input = [nodes.at(-1)!.output[0]!, ...n.input.slice(1)]; // a cycle
  },
  (m, [i = 0]) => {
    m.graph.node[i % m.graph.node.length]!.opType = 'NoSuchOp';
  },
  (m, [i = 0, j = 0]) => {
    const nodes = m.graph.node;
    const a = i % nodes.length;
    const b = j % nodes.length;
    [nodes[a], nodes[b]] = [nodes[b]!, nodes[a]!];
  },
  (m, [i = 0, v = 0]) => {
    const n = m.graph.node[i % m.graph.node.length]!;
    for (const a of n.attribute) {
      if (a.ints.length) a.ints = a.ints.map((x, k) => (k === 0 ? v - 3 : x));
      else a.i = v - 3;
    }
  },
  (m, [i = 0, t = 0]) => {
    const x = m.graph.initializer[i % m.graph.initializer.length]!;
    x.dataType = t % 17;
  },
  (m, [d = 0]) => {
    const dims = m.graph.input[0]!.type.tensorType.shape.dim;
    dims[dims.length - 1] = { dimValue: d % 3 === 0 ? 2 ** 33 : d % 7 };
  },
];

describe('ONNX import: hostile files', () => {
  it('mutated models are imported whole or refused with an ImportError, never anything else', async () => {
    // Small exports with convs and pools, an embedding and LSTM, attention and encoder blocks.
    const bases: Uint8Array[] = [];
    for (const id of ['cnn', 'lstm', 'transformer'] as const)
      bases.push(new Uint8Array(readFileSync((await exported(id)).file)));
    const byteMutation = fc.oneof(
      fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bits: fc.integer({ min: 1, max: 255 }) }),
      fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
      fc.record({
        kind: fc.constant('insert' as const),
        at: fc.nat(),
        bytes: fc.uint8Array({ maxLength: 16 }),
      }),
    );
    const structured = fc.record({
      kind: fc.constant('structured' as const),
      which: fc.nat({ max: MUTATIONS.length - 1 }),
      r: fc.array(fc.nat({ max: 1000 }), { minLength: 2, maxLength: 2 }),
    });
    let imported = 0;
    fc.assert(
      fc.property(
        fc.nat({ max: bases.length - 1 }),
        fc.array(fc.oneof(byteMutation, structured), { minLength: 1, maxLength: 3 }),
        (which, steps) => {
          let bytes: Uint8Array = bases[which]!;
          for (const s of steps) {
            if (s.kind === 'structured') {
              let m: ModelProto;
              try {
                m = onnx.ModelProto.decode(bytes);
                MUTATIONS[s.which]!(m as unknown as Loose, s.r);
                bytes = onnx.ModelProto.encode(m).finish();
              } catch {
                // an earlier byte mutation left nothing to mutate structurally
              }
            } else if (s.kind === 'flip') {
              bytes = Uint8Array.from(bytes);
              bytes[s.at % bytes.length]! ^= s.bits;
            } else if (s.kind === 'truncate') bytes = bytes.slice(0, s.at % bytes.length);
            else {
              const at = s.at % (bytes.length + 1);
              bytes = Uint8Array.from([...bytes.subarray(0, at), ...s.bytes, ...bytes.subarray(at)]);
            }
          }
          try {
            importedProject(importOnnx(bytes, 'mutated.onnx'), 'mutated.onnx');
            imported++;
          } catch (e) {
            if (!(e instanceof ImportError)) throw e;
          }
        },
      ),
      { numRuns: 200, seed: 20261204 },
    );
    console.log(`hostile ONNX: ${imported} of 200 mutated models still imported whole`);
  }, 60_000);
});
