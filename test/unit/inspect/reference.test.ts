/**
 * Inspection shows the trained model's own numbers: every node's activation from the engine equals
 * the exported PyTorch model's (forward hooks on its modules, the forward's locals for the nodes
 * without one) within 1e-4, for the MLP, CNN, LSTM, GRU and Transformer templates, and the
 * attention weights equal torch.nn.MultiheadAttention's (need_weights=True) on the same inputs.
 * The same holds end to end through `netloom inspect --json` on a project trained by the CLI.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../electron/engine/backend';
import { inspectActivations } from '../../../electron/engine/inspect';
import { exportProject } from '../../../electron/export/index';
import { planGraph } from '../../../electron/export/plan';
import type { Graph } from '../../../shared/ir/schema';
import { flatten, type InspectResult, type NodeActivation } from '../../../shared/inspect/types';
import type { TemplateId } from '../../../shared/templates/index';
import { PYTHON, tempDir, torchAvailable, trainedTemplate } from '../export/helpers';
import { netloomIn } from '../helpers/cli';

const HOOKS = path.join(import.meta.dirname, 'hooks.py');

interface TorchRun {
  hooked: Record<string, number[]>;
  locals: Record<string, number[]>;
  returned: number[];
  attention: Record<string, { weights: number[][][]; outputDiff: number }>;
}

/** Runs hooks.py in an export folder on one sample. */
function torchRun(
  dir: string,
  graph: Graph,
  sample: { input: number[]; shape: number[]; dtype: string },
): { run: TorchRun; py: Map<string, string> } {
  const plan = planGraph(graph);
  const py = new Map(plan.nodes.map((n) => [n.id, n.py]));
  const attention = plan.nodes
    .filter((n) => n.kind === 'MultiHeadAttention' || n.kind === 'TransformerEncoderBlock')
    .map((n) => n.py);
  writeFileSync(path.join(dir, 'probe.json'), JSON.stringify({ ...sample, attention }));
  copyFileSync(HOOKS, path.join(dir, 'hooks.py'));
  const out = execFileSync(PYTHON, ['hooks.py', 'probe.json'], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, OMP_NUM_THREADS: '1' },
    maxBuffer: 256 * 1024 * 1024,
  });
  return { run: JSON.parse(out) as TorchRun, py };
}

const maxDiff = (a: readonly number[], b: readonly number[]) => {
  expect(a.length).toBe(b.length);
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
};

/** Compares every inspected node with PyTorch's value for it; returns the nodes compared. */
function compare(nodes: readonly NodeActivation[], run: TorchRun, py: Map<string, string>): string[] {
  const compared: string[] = [];
  for (const n of nodes) {
    if (n.kind === 'Input') continue;
    const ours = flatten(n.values);
    const theirs =
      n.kind === 'Output' ? run.returned : (run.hooked[py.get(n.id)!] ?? run.locals[py.get(n.id)!]);
    expect(theirs, `${n.id}: PyTorch has no value for it`).toBeDefined();
    const diff = maxDiff(ours, theirs!);
    expect(diff, `${n.id} (${n.kind}): max abs diff ${diff}`).toBeLessThanOrEqual(1e-4);
    if (n.attention) {
      const ref = run.attention[py.get(n.id)!];
      expect(ref, `${n.id}: no torch attention`).toBeDefined();
      expect(ref!.outputDiff).toBeLessThanOrEqual(1e-4);
      const a = maxDiff(n.attention.flat(2), ref!.weights.flat(2));
      expect(a, `${n.id} attention: max abs diff ${a}`).toBeLessThanOrEqual(1e-4);
      for (const head of n.attention)
        for (const row of head) expect(Math.abs(row.reduce((s, v) => s + v, 0) - 1)).toBeLessThan(1e-5);
    }
    compared.push(n.id);
  }
  return compared;
}

if (!torchAvailable)
  console.warn('SKIPPED: inspect reference tests: /usr/bin/python3 has no torch (install python3-torch).');

beforeAll(async () => {
  await initBackend('wasm');
});

describe.skipIf(!torchAvailable)('inspect: the same numbers as PyTorch', () => {
  const templates: TemplateId[] = ['mlp', 'cnn', 'lstm', 'gru', 'transformer'];
  it.each(templates)(
    '%s template: every node within 1e-4 (attention against need_weights=True)',
    async (id) => {
      const { bundle, data } = await trainedTemplate(id);
      const dir = path.join(tempDir(`inspect-${id}`), 'export');
      await exportProject(bundle, 'pytorch', dir);
      const per = data.sampleShape.reduce((a, d) => a * d, 1);
      const x = data.x.slice(3 * per, 4 * per);
      const { nodes } = await inspectActivations(
        bundle.project.graph,
        bundle.weights!,
        x,
        data.sampleShape,
        data.xDtype,
      );
      const { run, py } = torchRun(dir, bundle.project.graph, {
        input: Array.from(x),
        shape: data.sampleShape,
        dtype: data.xDtype,
      });
      const compared = compare(nodes, run, py);
      // Every node of the model but its inputs was compared.
      expect(compared.length).toBe(nodes.filter((n) => n.kind !== 'Input').length);
      if (id === 'transformer') expect(nodes.filter((n) => n.attention).length).toBe(2);
    },
  );

  it('netloom inspect --json on a CLI-trained iris MLP matches its PyTorch export', async () => {
    const dir = tempDir('inspect-cli');
    const netloom = netloomIn(dir);
    expect(
      (await netloom('new', '--template', 'mlp', '--data', 'builtin:iris', '--out', 'p.nnproj')).code,
    ).toBe(0);
    expect((await netloom('train', 'p.nnproj', '--epochs', '5')).code).toBe(0);
    const r = await netloom('inspect', 'p.nnproj', '--sample', '7', '--json');
    expect(r.code, r.stderr).toBe(0);
    const res = JSON.parse(r.stdout) as InspectResult;
    expect(res.sample.index).toBe(7);
    for (const n of res.nodes) {
      expect(Object.keys(n)).toEqual(expect.arrayContaining(['id', 'kind', 'shape', 'stats', 'values']));
      expect(Object.keys(n.stats).sort()).toEqual(['max', 'mean', 'min', 'std', 'zeroFraction']);
    }
    expect((await netloom('export', 'p.nnproj', '--format', 'pytorch', '--out', 'torch')).code).toBe(0);
    const input = res.nodes.find((n) => n.kind === 'Input')!;
    const graph = (
      JSON.parse(
        execFileSync('unzip', ['-p', path.join(dir, 'p.nnproj'), 'project.json'], { encoding: 'utf8' }),
      ) as { graph: Graph }
    ).graph;
    const { run, py } = torchRun(path.join(dir, 'torch'), graph, {
      input: flatten(input.values),
      shape: input.shape,
      dtype: 'float32',
    });
    expect(compare(res.nodes, run, py)).toEqual([
      'dense_1',
      'dense_2',
      'dense_3',
      'activation_1',
      'output_1',
    ]);
  });
});
