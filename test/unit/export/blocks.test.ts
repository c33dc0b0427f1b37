/**
 * Blocks in the exports. PyTorch: one nn.Module class per block definition (a variant only where a
 * copy needs other sizes), one module per use (an nn.Sequential of copies when repeated), the
 * converted weights load strictly into the nested modules, and predictions match Netloom's within
 * 1e-4: a residual block ×3 trained in Netloom, and a graph with a nested block, a two-input block,
 * a dead layer inside a block and a repeated block whose copies differ in size (random weights).
 * Keras: one function per definition; model.py run against a stub of keras records the layers it
 * builds, which must be Netloom's own (flat ids, classes, inputs). TF.js and the diagram read the
 * flattened graph.
 */
import * as tf from '@tensorflow/tfjs';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { saveModelArtifacts } from '../../../electron/engine/artifacts';
import { initBackend } from '../../../electron/engine/backend';
import { compileGraph } from '../../../electron/engine/compile';
import { exportProject } from '../../../electron/export/index';
import { groupIntoBlock } from '../../../shared/graph/grouping';
import type { ProjectBundle } from '../../../shared/ir/project';
import { emptyProject } from '../../../shared/ir/project';
import type { BlockDef, Graph, GraphEdge, GraphNode, Project } from '../../../shared/ir/schema';
import { toKerasModel } from '../../../shared/keras/index';
import type { ArrayDataset } from '../../../shared/training/data';
import {
  enginePredict,
  maxAbsDiff,
  PYTHON,
  syntheticData,
  tempDir,
  torchAvailable,
  torchPredict,
  trainedProject,
} from './helpers';

const python = spawnSync(PYTHON, ['-c', 'import ast'], { stdio: 'ignore' }).status === 0;

const node = (id: string, kind: string, params: Record<string, unknown> = {}): GraphNode => ({
  id,
  kind,
  params: params as GraphNode['params'],
  position: { x: 0, y: 0 },
});
const wire = ([source, target, port]: [string, string, string?], i: number): GraphEdge => ({
  id: `w${i}`,
  source,
  target,
  targetPort: port ?? 'in',
});

/** input(20) → dense_0(16) → Residual ×3 (dense_a(16, relu) + skip) → Dense(3) → softmax → output. */
function residualProject(): Project {
  const graph: Graph = {
    nodes: [
      node('input_1', 'Input', { shape: [20] }),
      node('dense_0', 'Dense', { units: 16 }),
      node('dense_a', 'Dense', { units: 16, activation: 'relu' }),
      node('add_1', 'Add', { inputs: 2 }),
      node('dense_out', 'Dense', { units: 3 }),
      node('softmax', 'Activation', { fn: 'softmax' }),
      node('output_1', 'Output', { targetShape: [3], loss: 'auto' }),
    ],
    edges: (
      [
        ['input_1', 'dense_0'],
        ['dense_0', 'dense_a'],
        ['dense_0', 'add_1', 'in1'],
        ['dense_a', 'add_1', 'in2'],
        ['add_1', 'dense_out'],
        ['dense_out', 'softmax'],
        ['softmax', 'output_1'],
      ] as [string, string, string?][]
    ).map(wire),
  };
  const res = groupIntoBlock(graph, ['dense_a', 'add_1'], 'Residual');
  if (!res.ok) throw new Error(res.reason);
  const nodes = res.graph.nodes.map((n) =>
    n.id === res.id ? { ...n, params: { ...n.params, repeat: 3 } } : n,
  );
  return { ...emptyProject('Residual MLP'), graph: { ...res.graph, nodes } };
}

const def = (id: string, name: string, nodes: GraphNode[], wires: [string, string, string?][]): BlockDef => ({
  id,
  name,
  nodes,
  edges: wires.map(wire),
});

/**
 * img → conv0 → unit: ConvUnit ×2 (conv → bn → add with the skip; a dead conv beside) → mix: Mix
 * (a nested ConvUnit on its first input times its second input) → global average pool → proj: Proj ×2
 * (Dense(6, tanh): its copies read 4 and 6 values, so two classes) → Dense(3) → output.
 */
function nestedProject(): Project {
  const blocks = [
    def(
      'conv_unit',
      'conv unit',
      [
        node('in', 'BlockInput', { index: 1 }),
        node('conv', 'Conv2D', { filters: 4, kernelSize: [3, 3], padding: 'same' }),
        node('bn', 'BatchNormalization', {}),
        node('add', 'Add', { inputs: 2 }),
        node('spare', 'Conv2D', { filters: 2, kernelSize: [1, 1] }),
        node('out', 'BlockOutput'),
      ],
      [
        ['in', 'conv'],
        ['conv', 'bn'],
        ['in', 'add', 'in1'],
        ['bn', 'add', 'in2'],
        ['in', 'spare'],
        ['add', 'out'],
      ],
    ),
    def(
      'mix',
      'Mix',
      [
        node('a', 'BlockInput', { index: 1 }),
        node('b', 'BlockInput', { index: 2 }),
        node('cu', 'Block', { block: 'conv_unit', repeat: 1 }),
        node('x1', 'Multiply', { inputs: 2 }),
        node('out', 'BlockOutput'),
      ],
      [
        ['a', 'cu'],
        ['cu', 'x1', 'in1'],
        ['b', 'x1', 'in2'],
        ['x1', 'out'],
      ],
    ),
    def(
      'proj',
      'Proj',
      [
        node('in', 'BlockInput', { index: 1 }),
        node('d', 'Dense', { units: 6, activation: 'tanh' }),
        node('out', 'BlockOutput'),
      ],
      [
        ['in', 'd'],
        ['d', 'out'],
      ],
    ),
  ];
  const graph: Graph = {
    nodes: [
      node('img', 'Input', { shape: [8, 8, 3] }),
      node('conv0', 'Conv2D', { filters: 4, kernelSize: [3, 3], padding: 'same', activation: 'relu' }),
      node('unit', 'Block', { block: 'conv_unit', repeat: 2 }),
      node('mix', 'Block', { block: 'mix', repeat: 1 }),
      node('gap', 'GlobalAvgPool2D'),
      node('proj', 'Block', { block: 'proj', repeat: 2 }),
      node('dense', 'Dense', { units: 3 }),
      node('out', 'Output', { targetShape: [3], loss: 'meanSquaredError' }),
    ],
    edges: (
      [
        ['img', 'conv0'],
        ['conv0', 'unit'],
        ['unit', 'mix', 'in1'],
        ['conv0', 'mix', 'in2'],
        ['mix', 'gap'],
        ['gap', 'proj'],
        ['proj', 'dense'],
        ['dense', 'out'],
      ] as [string, string, string?][]
    ).map(wire),
    blocks,
  };
  return { ...emptyProject('Nested blocks'), graph };
}

/** The project with seeded random weights everywhere (moving variances positive). */
async function randomWeights(project: Project): Promise<ProjectBundle> {
  const { model } = await compileGraph(project.graph);
  let s = 4242;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
  model.setWeights(
    model.weights.map((w) => {
      const n = w.shape.reduce<number>((a, d) => a * (d ?? 1), 1);
      const positive = w.name.includes('moving_variance');
      return tf.tensor(
        Float32Array.from({ length: n }, () => (positive ? 0.5 + Math.abs(rand()) : rand() * 0.5)),
        w.shape as number[],
      );
    }),
  );
  const weights = await saveModelArtifacts(model);
  model.dispose();
  return { project, weights };
}

/** The classes model.py defines beyond the runtime's own layers. */
function modelClasses(py: string): string[] {
  const runtime = new Set(['Dense', 'Conv', 'BatchNorm', 'Pool', 'LayerNorm', 'Recurrent']);
  return [...py.matchAll(/^class (\w+)\(nn\.Module\)/gm)].map((m) => m[1]!).filter((c) => !runtime.has(c));
}

/** The state dict's names and shapes as model.py's module builds it (and whether weights.pt loads). */
function torchKeys(dir: string): Record<string, number[]> {
  const out = execFileSync(
    PYTHON,
    [
      '-c',
      'import json; from model import build_model, load_weights\n' +
        "m = load_weights(build_model(), 'weights.pt')\n" +
        'print(json.dumps({k: list(v.shape) for k, v in m.state_dict().items()}))',
    ],
    { cwd: dir, encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1' } },
  );
  return JSON.parse(out) as Record<string, number[]>;
}

beforeAll(async () => {
  await initBackend('wasm');
});

describe.skipIf(!torchAvailable)('PyTorch export of blocks', () => {
  it('a residual block ×3 trained in Netloom: one class, an nn.Sequential of 3, predictions within 1e-4', async () => {
    const project = residualProject();
    const data = syntheticData(project, 48, 3);
    const bundle = await trainedProject(project, data, 2);
    const dir = path.join(tempDir('blocks-res'), 'export');
    await exportProject(bundle, 'pytorch', dir, { dataset: data });
    const py = readFileSync(path.join(dir, 'model.py'), 'utf8');
    expect(modelClasses(py)).toEqual(['Residual', 'NetloomModel']);
    expect(py).toContain('self.block_1 = nn.Sequential(Residual(), Residual(), Residual())');
    expect(py).toContain('    def forward(self, x):');
    const keys = torchKeys(dir);
    expect(Object.keys(keys).sort()).toEqual(
      [
        'dense_0.bias',
        'dense_0.weight',
        'dense_out.bias',
        'dense_out.weight',
        ...[0, 1, 2].flatMap((k) => [`block_1.${k}.dense_a.bias`, `block_1.${k}.dense_a.weight`]),
      ].sort(),
    );
    const want = await enginePredict(bundle, data);
    const diff = maxAbsDiff(torchPredict(dir, data), want);
    console.log(`pytorch export, residual block x3 (trained): max abs diff ${diff.toExponential(2)}`);
    expect(diff).toBeLessThanOrEqual(1e-4);
    // The exported package trains the nested modules too.
    const r = spawnSync(PYTHON, ['train.py', '--epochs', '1'], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, OMP_NUM_THREADS: '1' },
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).toMatch(/saved trained\.pt/);
  });

  it('nested, two-input and size-varying blocks (random weights) match too', async () => {
    const bundle = await randomWeights(nestedProject());
    const count = 5;
    let s = 99;
    const data: ArrayDataset = {
      id: 'r',
      name: 'r',
      task: 'regression',
      x: Float32Array.from(
        { length: count * 192 },
        () => ((s = (s * 69069 + 1) % 2 ** 32) / 2 ** 32) * 2 - 1,
      ),
      sampleShape: [8, 8, 3],
      xDtype: 'float32',
      y: new Float32Array(count * 3),
      targetSize: 3,
      count,
    };
    const dir = path.join(tempDir('blocks-nested'), 'export');
    await exportProject(bundle, 'pytorch', dir);
    const py = readFileSync(path.join(dir, 'model.py'), 'utf8');
    expect(modelClasses(py)).toEqual(['ConvUnit', 'Mix', 'Proj', 'Proj_2', 'NetloomModel']);
    expect(py).toContain('self.unit = nn.Sequential(ConvUnit(), ConvUnit())');
    expect(py).toContain('self.cu = ConvUnit()');
    expect(py).toContain('mix = self.mix(unit, conv0)');
    expect(py).toContain('self.proj = nn.Sequential(Proj(), Proj_2())');
    expect(py).not.toContain('spare'); // dead inside its block, as in Netloom's model
    const keys = Object.keys(torchKeys(dir));
    expect(keys).toEqual(
      expect.arrayContaining([
        'unit.1.bn.running_var',
        'mix.cu.conv.weight',
        'proj.0.d.weight',
        'proj.1.d.weight',
      ]),
    );
    const want = await enginePredict(bundle, data);
    const diff = maxAbsDiff(torchPredict(dir, data), want);
    console.log(`pytorch export, nested blocks (random weights): max abs diff ${diff.toExponential(2)}`);
    expect(diff).toBeLessThanOrEqual(1e-4);
  });
});

/** Runs a Keras export's build_model() against a stub of keras that records every layer it adds. */
const KERAS_STUB = `
import json, sys, types

RECORD = []


class T:
    def __init__(self, name):
        self.name = name


def names(args):
    out = []
    for a in args:
        if isinstance(a, (list, tuple)):
            out += names(a)
        elif isinstance(a, T):
            out.append(a.name)
    return out


class Layer:
    def __init__(self, cls, kwargs):
        self.cls, self.kwargs = cls, kwargs

    def __call__(self, *args, **kwargs):
        RECORD.append({'name': self.kwargs['name'], 'class': self.cls, 'inbound': names(list(args) + list(kwargs.values()))})
        return T(self.kwargs['name'])


class Layers(types.ModuleType):
    Layer = object

    def __getattr__(self, cls):
        return lambda *a, **kw: Layer(cls, kw)


def Input(shape, dtype, name):
    RECORD.append({'name': name, 'class': 'InputLayer', 'inbound': []})
    return T(name)


class Model:
    def __init__(self, inputs, outputs, name):
        self.inputs, self.outputs = names(inputs), names(outputs)


keras = types.ModuleType('keras')
keras.layers, keras.ops = Layers('keras.layers'), types.ModuleType('keras.ops')
keras.Input, keras.Model = Input, Model
keras.saving = types.SimpleNamespace(register_keras_serializable=lambda **kw: (lambda c: c))
sys.modules.update({'keras': keras, 'keras.layers': keras.layers, 'keras.ops': keras.ops})
sys.path.insert(0, sys.argv[1])
import model
m = model.build_model()
print(json.dumps({'layers': RECORD, 'inputs': m.inputs, 'outputs': m.outputs}))
`;

interface Recorded {
  layers: { name: string; class: string; inbound: string[] }[];
  inputs: string[];
  outputs: string[];
}

describe('Keras export of blocks', () => {
  it.each([
    ['residual ×3', residualProject, ['build_residual']],
    ['nested', nestedProject, ['build_conv_unit', 'build_mix', 'build_proj']],
  ] as const)('%s: one function per block; the layers it builds are Netloom’s own', async (_, make, fns) => {
    const project = make();
    const dir = path.join(tempDir('blocks-keras'), 'export');
    await exportProject({ project }, 'keras', dir);
    const py = readFileSync(path.join(dir, 'model.py'), 'utf8');
    expect([...py.matchAll(/^def (build_\w+)\(/gm)].map((m) => m[1])).toEqual([...fns, 'build_model']);
    if (project.name === 'Residual MLP')
      for (const k of [1, 2, 3])
        expect(py).toContain(
          `block_1 = build_residual(${k === 1 ? 'dense_0' : 'block_1'}, "block_1__${k}__")`,
        );
    if (!python) return console.warn('SKIPPED: running model.py against a keras stub (no /usr/bin/python3)');
    const stub = path.join(dir, 'keras_stub.py');
    writeFileSync(stub, KERAS_STUB);
    const r = spawnSync(PYTHON, [stub, dir], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const got = JSON.parse(r.stdout) as Recorded;
    const want = toKerasModel(project.graph).model.config;
    // The same layers (Netloom's order is one topological order; model.py's, block by block, another).
    expect(got.layers.map((l) => l.name).sort()).toEqual(want.layers.map((l) => l.name).sort());
    const byName = new Map(want.layers.map((l) => [l.name, l]));
    got.layers.forEach((l) => {
      const w = byName.get(l.name)!;
      if (l.class !== 'InputLayer') expect(l.class).toBe(w.class_name);
      const inbound = (w.inbound_nodes[0] as [string][] | undefined)?.map((x) => x[0]) ?? [];
      expect(l.inbound, l.name).toEqual(inbound);
    });
    expect(got.inputs).toEqual(want.input_layers.map((x) => x[0]));
    expect(got.outputs).toEqual(want.output_layers.map((x) => x[0]));
  });
});

describe('TF.js and diagram exports of blocks (the flattened graph)', () => {
  it('TF.js predicts like the engine; the SVG shows every layer', async () => {
    const bundle = await randomWeights(residualProject());
    const data = syntheticData(bundle.project, 8, 3);
    const dir = path.join(tempDir('blocks-tfjs'), 'export');
    await exportProject(bundle, 'tfjs', dir);
    const json = JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8')) as {
      modelTopology: object;
      weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[];
    };
    const bin = readFileSync(path.join(dir, 'weights.bin'));
    const model = await tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: json.modelTopology,
        weightSpecs: json.weightsManifest[0]!.weights,
        weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength),
      }),
    );
    const x = tf.tensor(data.x, [data.count, ...data.sampleShape]);
    const got = (model.predict(x) as tf.Tensor).arraySync() as number[][];
    tf.dispose(x);
    model.dispose();
    expect(maxAbsDiff(got, await enginePredict(bundle, data))).toBeLessThanOrEqual(1e-6);
    const svgDir = path.join(tempDir('blocks-svg'), 'export');
    await exportProject(bundle, 'svg', svgDir);
    const svg = readFileSync(path.join(svgDir, 'diagram.svg'), 'utf8');
    for (const k of [1, 2, 3]) expect(svg).toContain(`block_1__${k}__dense_a`);
  });
});
