/**
 * ONNX export, run for real with onnxruntime-node (CPU): every template's trained weights give the
 * engine's predictions (max abs diff ≤ 1e-4); a graph with every other layer kind (random weights)
 * does too; a numeric CSV project's standardisation is inside the graph; the model has named inputs
 * and outputs with a dynamic batch axis and ops named after the nodes; layers without a faithful
 * form are refused, located. Where Debian's python3-onnx is installed, onnx.checker (full_check)
 * accepts every export.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../electron/engine/backend';
import { exportProject } from '../../../electron/export/index';
import { ONNX_LAYERS } from '../../../electron/export/onnxLayers';
import type { ProjectBundle } from '../../../shared/ir/project';
import type { Preprocessing } from '../../../shared/ir/schema';
import { LAYER_KINDS } from '../../../shared/layers/index';
import type { ArrayDataset } from '../../../shared/training/data';
import { buildTemplate, TEMPLATE_IDS, type TemplateId } from '../../../shared/templates/index';
import { everyKindProject } from './everyKind';
import {
  enginePredict,
  maxAbsDiff,
  PYTHON,
  syntheticData,
  tempDir,
  TEMPLATE_OPTIONS,
  trainedProject,
  trainedTemplate,
} from './helpers';

const onnxChecker = spawnSync(PYTHON, ['-c', 'import onnx'], { stdio: 'ignore' }).status === 0;
if (!onnxChecker)
  console.warn('onnx.checker not run: `/usr/bin/python3 -c "import onnx"` failed (Debian: python3-onnx).');

/** Runs onnx.checker.check_model(full_check=True) on a file (where python3-onnx is installed). */
function checkModel(file: string): void {
  if (!onnxChecker) return;
  const r = spawnSync(
    PYTHON,
    ['-c', 'import onnx,sys; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True)', file],
    { encoding: 'utf8' },
  );
  expect(r.stderr + r.stdout).toBe('');
  expect(r.status).toBe(0);
}

/** Runs model.onnx on the samples of `data` (one feed per input name); every output, row by row. */
async function ortPredict(file: string, feeds: Record<string, ArrayDataset>): Promise<number[][][]> {
  const session = await ort.InferenceSession.create(file);
  const inputs: Record<string, ort.Tensor> = {};
  for (const [name, d] of Object.entries(feeds))
    inputs[name] = new ort.Tensor(d.xDtype, d.x, [d.count, ...d.sampleShape]);
  const out = await session.run(inputs);
  const count = Object.values(feeds)[0]!.count;
  return session.outputNames.map((name) => {
    const t = out[name]!;
    const per = (t.data as Float32Array).length / count;
    return Array.from({ length: count }, (_, i) =>
      Array.from((t.data as Float32Array).subarray(i * per, (i + 1) * per)),
    );
  });
}

async function exportOnnx(bundle: ProjectBundle, tag: string): Promise<string> {
  const dir = path.join(tempDir(tag), 'export');
  const { files } = await exportProject(bundle, 'onnx', dir);
  expect(files).toEqual(['README.md', 'model.onnx']);
  const file = path.join(dir, 'model.onnx');
  checkModel(file);
  return file;
}

/** Templates with a layer the export refuses (none: every template is mapped). */
const UNMAPPED: readonly TemplateId[] = [];

beforeAll(async () => {
  await initBackend('wasm');
});

describe(`ONNX export: templates (skipped: ${UNMAPPED.join(', ') || 'none'})`, () => {
  it.each(TEMPLATE_IDS.filter((id) => !UNMAPPED.includes(id)))(
    '%s template, trained 1 epoch: onnxruntime within 1e-4 of the engine',
    async (id) => {
      const { bundle, data } = await trainedTemplate(id);
      const project = bundle.project;
      const file = await exportOnnx(bundle, id);
      const input = project.graph.nodes.find((n) => n.kind === 'Input')!.id;
      const [got] = await ortPredict(file, { [input]: data });
      const want = await enginePredict(bundle, data);
      const diff = maxAbsDiff(got!, want);
      console.log(`onnx export ${id}: max abs diff ${diff.toExponential(2)} over ${data.count} samples`);
      expect(diff).toBeLessThanOrEqual(1e-4);
    },
  );
});

describe('ONNX export', () => {
  it('maps every layer kind of the catalog', () => {
    expect(Object.keys(ONNX_LAYERS).sort()).toEqual([...LAYER_KINDS].sort());
  });

  it('a graph with every other layer kind (random weights) matches on both outputs', async () => {
    const { project, weights, data, want } = await everyKindProject();
    const file = await exportOnnx({ project, weights }, 'kinds');
    const got = await ortPredict(file, { img: data });
    want.forEach((rows, i) => {
      const diff = maxAbsDiff(got[i]!, rows);
      console.log(`onnx export every kind, output ${i + 1}: max abs diff ${diff.toExponential(2)}`);
      expect(diff).toBeLessThanOrEqual(1e-4);
    });
  });
});

describe('ONNX export: CSV standardisation, structure, refusals', () => {
  const prep = (features: Preprocessing['features']): Preprocessing => ({
    target: 'label',
    task: 'classification',
    targetType: 'categorical',
    classes: ['a', 'b', 'c'],
    features,
    delimiter: ',',
    header: true,
  });
  const numeric = (column: string, mean: number, std: number, fill?: number) => ({
    column,
    type: 'numeric' as const,
    mean,
    std,
    ...(fill === undefined ? {} : { fill }),
  });
  const csvProject = async (p: Preprocessing) => {
    const project = buildTemplate('mlp', { inputShape: [3], outputs: 3 });
    const data = syntheticData(project, 32, 3);
    const bundle = await trainedProject(project, data);
    project.data = {
      source: 'csv',
      file: 'rows.csv',
      embedded: false,
      target: 'label',
      columns: [],
      preprocessing: p,
    };
    return { bundle, data };
  };

  it('a numeric CSV project takes the raw columns: missing filled, then (x - mean) / std', async () => {
    const cols = [numeric('a', 10, 2), numeric('b', -3, 0.5, 1.5), numeric('c', 0, 4)];
    const { bundle, data } = await csvProject(prep(cols));
    const file = await exportOnnx(bundle, 'csv');
    // Raw rows: the standardised values mapped back; every fifth b missing (NaN -> fill 1.5).
    const raw = Float32Array.from(data.x, (v, i) => {
      const c = cols[i % 3]!;
      return c.column === 'b' && i % 15 === 1 ? Number.NaN : v * c.std + c.mean;
    });
    const seen = Float32Array.from(data.x, (v, i) => (i % 15 === 1 ? (1.5 - -3) / 0.5 : v));
    const [got] = await ortPredict(file, { [bundle.project.graph.nodes[0]!.id]: { ...data, x: raw } });
    const diff = maxAbsDiff(got!, await enginePredict(bundle, { ...data, x: seen }));
    console.log(`onnx export csv: max abs diff ${diff.toExponential(2)}`);
    expect(diff).toBeLessThanOrEqual(1e-4);
    const readme = readFileSync(path.join(path.dirname(file), 'README.md'), 'utf8');
    expect(readme).toContain('1. `a`\n2. `b`\n3. `c`');
  });

  it('refuses categorical CSV columns, missing weights and unmappable settings, naming them', async () => {
    const cat = {
      column: 'colour',
      type: 'categorical' as const,
      encoding: 'one-hot' as const,
      categories: ['r'],
    };
    const { bundle } = await csvProject(prep([numeric('a', 0, 1), numeric('b', 0, 1), cat]));
    await expect(exportProject(bundle, 'onnx', path.join(tempDir('cat'), 'x'))).rejects.toThrow(
      /colour \(categorical\)/,
    );
    const bare = { project: buildTemplate('mlp', { inputShape: [3], outputs: 3 }) };
    await expect(exportProject(bare, 'onnx', path.join(tempDir('bare'), 'x'))).rejects.toThrow(
      /train the network first/,
    );
    const project = buildTemplate('lstm', TEMPLATE_OPTIONS.lstm);
    const lstm = project.graph.nodes.find((n) => n.kind === 'LSTM')!;
    lstm.params = { ...lstm.params, activation: 'gelu' };
    const trained = await trainedProject(project, syntheticData(project, 16, 2));
    await expect(exportProject(trained, 'onnx', path.join(tempDir('gelu'), 'x'))).rejects.toThrow(
      /lstm_1 \(LSTM\): the activation gelu/,
    );
  });

  it('names inputs, outputs and ops after the nodes, with a dynamic batch axis', async () => {
    const project = buildTemplate('cnn', TEMPLATE_OPTIONS.cnn);
    const bundle = await trainedProject(project, syntheticData(project, 16, 3));
    const file = await exportOnnx(bundle, 'names');
    const { onnx } = onnxProto;
    const model = onnx.ModelProto.decode(readFileSync(file));
    expect(Number(model.opsetImport[0]!.version)).toBe(17);
    const g = onnx.GraphProto.create(model.graph!);
    expect(g.input.map((v) => v.name)).toEqual(['input_1']);
    expect(g.output.map((v) => v.name)).toEqual(['output_1']);
    const dims = g.input[0]!.type!.tensorType!.shape!.dim!;
    expect(dims.map((d) => d.dimParam || Number(d.dimValue))).toEqual(['batch', 12, 12, 1]);
    const names = new Set(g.node.map((n) => n.name));
    for (const n of project.graph.nodes) if (n.kind !== 'Input') expect(names).toContain(n.id);
    expect(g.node.find((n) => n.name === 'conv2d_1')!.opType).toBe('Conv');
    expect(g.initializer.map((t) => t.name)).toContain('conv2d_1/kernel');
  });
});
