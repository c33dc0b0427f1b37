/**
 * PyTorch export, run for real with Debian's python3-torch (`/usr/bin/python3`): every template's
 * trained weights give the engine's predictions (max abs diff ≤ 1e-4); a graph with every other layer
 * kind (random weights, incl. BatchNorm statistics) does too; train.py learns iris in 2 epochs; under
 * torchrun (2 processes, gloo) both ranks end with identical parameters.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../electron/engine/backend';
import { exportProject } from '../../../electron/export/index';
import { TORCH_LAYERS } from '../../../electron/export/torchLayers';
import { emptyProject } from '../../../shared/ir/project';
import type { GraphNode, Project } from '../../../shared/ir/schema';
import { LAYER_KINDS } from '../../../shared/layers/index';
import type { TemplateId } from '../../../shared/templates/index';
import { everyKindProject } from './everyKind';
import {
  enginePredict,
  maxAbsDiff,
  PYTHON,
  tempDir,
  torchAvailable,
  torchPredict,
  trainedTemplate,
} from './helpers';

if (!torchAvailable)
  console.warn(
    'SKIPPED: PyTorch export tests: `/usr/bin/python3 -c "import torch"` failed (install Debian\'s python3-torch).',
  );

beforeAll(async () => {
  await initBackend('wasm');
});

describe.skipIf(!torchAvailable)('PyTorch export: predictions match the engine', () => {
  const templates: TemplateId[] = ['mlp', 'cnn', 'lstm', 'gru', 'transformer'];
  it.each(templates)('%s template, trained 1 epoch: model.py + converted weights within 1e-4', async (id) => {
    const { bundle, data } = await trainedTemplate(id);
    const dir = path.join(tempDir(id), 'export');
    const { files } = await exportProject(bundle, 'pytorch', dir);
    expect(files).toEqual(
      expect.arrayContaining(['README.md', 'data.py', 'model.py', 'predict.py', 'train.py', 'weights.pt']),
    );
    const want = await enginePredict(bundle, data);
    const got = torchPredict(dir, data);
    const diff = maxAbsDiff(got, want);
    console.log(`pytorch export ${id}: max abs diff ${diff.toExponential(2)} over ${data.count} samples`);
    expect(diff).toBeLessThanOrEqual(1e-4);
  });

  it('a graph with every other layer kind (random weights) matches too', async () => {
    const { project, weights, data, want } = await everyKindProject();
    const used = new Set([...project.graph.nodes.map((n) => n.kind), 'Embedding', 'PositionalEmbedding']);
    expect(LAYER_KINDS.filter((k) => !used.has(k))).toEqual([]);
    expect(Object.keys(TORCH_LAYERS).sort()).toEqual([...LAYER_KINDS].sort());
    const dir = path.join(tempDir('kinds'), 'export');
    await exportProject({ project, weights }, 'pytorch', dir);
    // The GRUs with reset after: nn.GRU itself, and (relu, dropout) the runtime's loop in that form.
    const modelPy = readFileSync(path.join(dir, 'model.py'), 'utf8');
    expect(modelPy).toContain('class GRU(nn.GRU):');
    expect(modelPy).toMatch(/= GRU\(8, 4, return_sequences=True, bidirectional=True\)/);
    expect(modelPy).toMatch(/= Recurrent\("GRU", .*activation="relu".*reset_after=True\)/);
    // Hard sigmoid gates: the runtime's loop (never nn.GRU), for the LSTM and both GRU forms.
    expect(modelPy).toMatch(/= Recurrent\("LSTM", .*recurrent_activation="hardSigmoid"\)/);
    expect(modelPy).toMatch(/= Recurrent\("GRU", 6, 3, .*, recurrent_activation="hardSigmoid"\)/);
    expect(modelPy).toMatch(
      /= Recurrent\("GRU", 3, 4, .*reset_after=True, recurrent_activation="hardSigmoid"\)/,
    );
    // One row per sample: the outputs side by side.
    const rows = Array.from({ length: data.count }, (_, i) => want.flatMap((out) => out[i]!));
    const got = torchPredict(dir, data);
    const diff = maxAbsDiff(got, rows);
    console.log(`pytorch export, every kind: max abs diff ${diff.toExponential(2)}`);
    expect(diff).toBeLessThanOrEqual(1e-4);
    // Token kinds: Embedding and PositionalEmbedding are covered by the lstm/gru/transformer templates.
  });
});

describe.skipIf(!torchAvailable)('PyTorch export: train.py', () => {
  const iris = readFileSync(path.join(__dirname, '../../../assets/datasets/iris.csv'));
  const irisProject = (): Project => {
    const p = emptyProject('Iris MLP');
    p.data = { source: 'csv', file: 'data/iris.csv', embedded: true, target: 'species', columns: [] };
    p.training = { ...p.training, learningRate: 0.01, batchSize: 16, epochs: 20, seed: 7 };
    const n = (id: string, kind: string, params: Record<string, unknown>): GraphNode => ({
      id,
      kind,
      params: params as GraphNode['params'],
      position: { x: 0, y: 0 },
    });
    p.graph = {
      nodes: [
        n('features', 'Input', { shape: [4] }),
        n('hidden', 'Dense', { units: 16, activation: 'relu' }),
        n('scores', 'Dense', { units: 3, activation: 'softmax' }),
        n('species', 'Output', { targetShape: [3] }),
      ],
      edges: [
        { id: 'e1', source: 'features', target: 'hidden', targetPort: 'in' },
        { id: 'e2', source: 'hidden', target: 'scores', targetPort: 'in' },
        { id: 'e3', source: 'scores', target: 'species', targetPort: 'in' },
      ],
    };
    return p;
  };

  it('trains 2 epochs single-process on iris (CSV embedded in the project): the loss falls', async () => {
    const dir = path.join(tempDir('iris'), 'export');
    const { files } = await exportProject(
      { project: irisProject(), data: new Map([['iris.csv', iris]]) },
      'pytorch',
      dir,
    );
    expect(files).toContain('data/iris.csv');
    expect(files).not.toContain('weights.pt');
    const r = spawnSync(PYTHON, ['train.py', '--epochs', '2', '--metrics', 'metrics.json'], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, OMP_NUM_THREADS: '1' },
    });
    expect(r.stderr + r.stdout).toMatch(/epoch 2\/2/);
    expect(r.status).toBe(0);
    const m = JSON.parse(readFileSync(path.join(dir, 'metrics.json'), 'utf8')) as {
      initial: { loss: number };
      final: { loss: number };
      epochs: { loss: number }[];
    };
    console.log(
      `train.py on iris: loss ${m.initial.loss.toFixed(4)} -> ${m.final.loss.toFixed(4)} (2 epochs)`,
    );
    expect(m.epochs).toHaveLength(2);
    expect(m.final.loss).toBeLessThan(m.initial.loss);
    expect(existsSync(path.join(dir, 'trained.pt'))).toBe(true);
    expect(existsSync(path.join(dir, 'preprocessing.json'))).toBe(true);
    // predict.py reads the CSV with the fitted statistics and the trained weights.
    const p = spawnSync(PYTHON, ['predict.py', '--data', 'data/iris.csv', '--weights', 'trained.pt'], {
      cwd: dir,
      encoding: 'utf8',
    });
    expect(p.status, p.stderr).toBe(0);
    const rows = p.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as number[]);
    expect(rows).toHaveLength(150);
    for (const row of rows.slice(0, 5)) {
      expect(row).toHaveLength(3);
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    }
  });

  it('under torchrun --nproc_per_node=2 (gloo, CPU) both ranks end with identical parameters', async () => {
    const dir = path.join(tempDir('ddp'), 'export');
    await exportProject({ project: irisProject(), data: new Map([['iris.csv', iris]]) }, 'pytorch', dir);
    const sums = path.join(dir, 'checksums');
    const r = spawnSync(
      '/usr/bin/torchrun',
      [
        '--standalone',
        '--nproc_per_node=2',
        '--redirects',
        '1',
        '--tee',
        '1',
        '--log_dir',
        'logs',
        'train.py',
        '--epochs',
        '2',
      ],
      {
        cwd: dir,
        encoding: 'utf8',
        timeout: 120_000,
        env: { ...process.env, NETLOOM_CHECKSUM_DIR: sums, OMP_NUM_THREADS: '1', PYTHONPATH: dir },
      },
    );
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout + r.stderr).toMatch(/2 processes/);
    const ranks = [0, 1].map(
      (i) =>
        JSON.parse(readFileSync(path.join(sums, `rank${i}.json`), 'utf8')) as {
          sha256: string;
          world_size: number;
        },
    );
    console.log(
      `torchrun DDP: rank 0 ${ranks[0]!.sha256.slice(0, 12)}, rank 1 ${ranks[1]!.sha256.slice(0, 12)}`,
    );
    expect(ranks[0]!.world_size).toBe(2);
    expect(ranks[1]!.sha256).toBe(ranks[0]!.sha256);
  }, 150_000);
});
