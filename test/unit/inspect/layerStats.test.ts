/**
 * Layer statistics while training: the meter's figures on weights set by hand (dead units, mean and
 * std exactly), a run's figures against its own weights and the plain-SGD identity ‖ΔW‖ = lr·‖g‖,
 * the snapshots of the checkpoint scrubber, and `netloom train --json`'s layerStats events, which
 * the saved run history keeps.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadTrainedModel, saveModelArtifacts, WeightSnapshots } from '../../../electron/engine/artifacts';
import { initBackend } from '../../../electron/engine/backend';
import { compileGraph } from '../../../electron/engine/compile';
import { fromArrayDataset } from '../../../electron/engine/data';
import { LayerStatsMeter, statsProbeRows } from '../../../electron/engine/layerStats';
import { startTrainingInProcess } from '../../../electron/engine/session';
import { historyLine } from '../../../electron/services/runHistory';
import {
  checkpointStride,
  histogram,
  layerStatsSchema,
  MAX_CHECKPOINT_BYTES,
  MAX_CHECKPOINTS,
  takesCheckpoint,
} from '../../../shared/inspect/layerStats';
import { readProjectFile } from '../../../shared/ir/project';
import type { EpochEndEvent, LayerStatsEvent, TrainingEvent } from '../../../shared/training/protocol';
import { buildTemplate } from '../../../shared/templates/index';
import type { ArrayDataset } from '../../../shared/training/data';
import { tempDir } from '../export/helpers';
import { netloomIn } from '../helpers/cli';

beforeAll(async () => {
  await initBackend('wasm');
});

const n = 64;
const dataset: ArrayDataset = {
  id: 's',
  name: 's',
  task: 'classification',
  x: Float32Array.from({ length: n * 2 }, (_, i) => Math.sin(i * 1.3)),
  y: Int32Array.from({ length: n }, (_, i) => i % 2),
  sampleShape: [2],
  xDtype: 'float32',
  targetSize: 1,
  count: n,
};

describe('histogram and checkpoint limits', () => {
  it('counts every finite value once, in equal bins', () => {
    const h = histogram([0, 1, 2, 3, NaN, 4, Infinity], 4);
    expect(h).toEqual({ min: 0, max: 4, counts: [1, 1, 1, 2] });
    expect(histogram([2, 2], 3)).toEqual({ min: 2, max: 2, counts: [2, 0, 0] });
  });

  it('keeps at most MAX_CHECKPOINTS snapshots within MAX_CHECKPOINT_BYTES', () => {
    expect(checkpointStride(20, 1000)).toBe(1);
    expect(checkpointStride(10, MAX_CHECKPOINT_BYTES + 1)).toBeNull();
    for (const [epochs, bytes] of [
      [200, 1000],
      [30, 8_000_000],
      [7, 30_000_000],
    ] as const) {
      const stride = checkpointStride(epochs, bytes)!;
      const kept = Array.from({ length: epochs }, (_, i) => i + 1).filter((e) =>
        takesCheckpoint(e, epochs, stride),
      ).length;
      expect(kept).toBeLessThanOrEqual(MAX_CHECKPOINTS);
      expect(kept * bytes).toBeLessThanOrEqual(MAX_CHECKPOINT_BYTES);
    }
  });
});

describe('a saved history read back', () => {
  it('leaves out lines that are not events and layer statistics that do not parse', () => {
    const good = {
      id: 'd',
      weightNorm: 1,
      gradNorm: 0.1,
      updateRatio: 0.001,
      activationMean: 0,
      activationStd: 1,
      deadFraction: 0,
    };
    const line = (layers: unknown) =>
      JSON.stringify({ type: 'epochEnd', epoch: 1, metrics: {}, valMetrics: {}, layers });
    expect(historyLine('{not json')).toEqual([]);
    expect(historyLine('42')).toEqual([]);
    expect(historyLine('')).toEqual([]);
    expect(historyLine(line([good]))[0]).toHaveProperty('layers', [good]);
    for (const bad of ['x', [{ ...good, deadFraction: 2 }], [{ ...good, weightNorm: 'big' }], [null]]) {
      const [e] = historyLine(line(bad));
      expect(e).toMatchObject({ type: 'epochEnd', epoch: 1 });
      expect(e).not.toHaveProperty('layers');
    }
  });
});

describe('layer statistics', () => {
  it('probe rows: one per 40 training rows, between 16 and 64', () => {
    expect([0, 100, 640, 800, 1000, 2560, 48_000].map(statsProbeRows)).toEqual([16, 16, 16, 20, 25, 64, 64]);
  });

  it('dead units, mean and std of activations on weights set by hand', async () => {
    const project = buildTemplate('mlp', { inputShape: [2], outputs: 2 });
    const c = await compileGraph(project.graph);
    const dense = c.model.getLayer('dense_1');
    const units = 128;
    // Kernel 0: every unit outputs relu(bias). A quarter of the biases are -1: dead everywhere.
    const bias = Float32Array.from({ length: units }, (_, u) => (u < 32 ? -1 : 1));
    dense.setWeights([tf.zeros([2, units]), tf.tensor1d(bias)]);
    const meter = new LayerStatsMeter(
      c,
      fromArrayDataset(dataset, 1),
      new Set(project.graph.nodes.map((x) => x.id)),
      Int32Array.from({ length: n }, (_, i) => i),
      n * 40,
    );
    const stats = meter.collect();
    expect(stats.map((s) => s.id)).toEqual(['dense_1', 'dense_2', 'dense_3', 'activation_1']);
    const d1 = stats[0]!;
    expect(d1.deadFraction).toBe(0.25);
    expect(d1.activationMean).toBeCloseTo(0.75, 6);
    expect(d1.activationStd).toBeCloseTo(Math.sqrt(0.75 - 0.75 ** 2), 6);
    expect(d1.weightNorm).toBeCloseTo(Math.sqrt(units), 5);
    // No step measured yet: no gradient figures.
    expect(d1.gradNorm).toBeNull();
    expect(d1.updateRatio).toBeNull();
    // Weightless layers have no weight figures; softmax units are never dead.
    expect(stats[3]).toMatchObject({ weightNorm: null, gradNorm: null, deadFraction: 0 });
    expect(d1.weightHistogram!.counts.reduce((a, b) => a + b, 0)).toBe(2 * units + units);
    for (const s of stats) expect(layerStatsSchema.safeParse(s).success).toBe(true);
    meter.dispose();
    c.model.dispose();
  });

  it('a run: weight norms of its own weights, ‖ΔW‖ = lr·‖g‖ under plain SGD, snapshots when asked', async () => {
    const project = buildTemplate('mlp', { inputShape: [2], outputs: 2 });
    const lr = 0.05;
    const events: TrainingEvent[] = [];
    const h = startTrainingInProcess({
      project,
      dataset,
      // One batch an epoch: the measured step is the epoch's only one.
      config: {
        ...project.training,
        epochs: 3,
        batchSize: n,
        optimizer: 'sgd',
        learningRate: lr,
        validationSplit: 0,
      },
      backend: 'wasm',
      checkpoints: true,
      onEvent: (e) => events.push(e),
    });
    const end = await h.done;
    if (end.type !== 'done') throw new Error(`the run ended ${end.type}`);
    const ends = events.filter((e): e is EpochEndEvent => e.type === 'epochEnd');
    expect(ends).toHaveLength(3);
    for (const e of ends) {
      expect(e.checkpoint?.weightsBin.byteLength).toBeGreaterThan(0);
      for (const s of e.layers!) {
        if (s.weightNorm === null) continue;
        // updateRatio·‖W‖ is the step's size; plain SGD moves by lr times the gradient.
        expect(s.updateRatio! * s.weightNorm).toBeCloseTo(lr * s.gradNorm!, 5);
        expect(s.gradHistogram!.counts.reduce((a, b) => a + b, 0)).toBe(
          s.weightHistogram!.counts.reduce((a, b) => a + b, 0),
        );
      }
    }
    // The last epoch's weight norms are those of the weights the run returns.
    const model = await loadTrainedModel(project.graph, end.weights);
    for (const s of ends[2]!.layers!) {
      const vars = model.getLayer(s.id).trainableWeights.map((w) => w.read());
      if (vars.length === 0) continue;
      const norm = Math.sqrt(vars.reduce((a, v) => a + v.square().sum().dataSync()[0]!, 0));
      expect(s.weightNorm).toBeCloseTo(norm, 4);
    }
    model.dispose();
  });

  it('long epochs: statistics every N batches too, not at the epoch end (epochEnd has those)', async () => {
    const project = buildTemplate('mlp', { inputShape: [2], outputs: 2 });
    const events: TrainingEvent[] = [];
    const h = startTrainingInProcess({
      project,
      dataset,
      config: { ...project.training, epochs: 2, batchSize: 4, validationSplit: 0 },
      backend: 'wasm',
      statsEveryBatches: 4,
      onEvent: (e) => events.push(e),
    });
    expect((await h.done).type).toBe('done');
    const within = events.filter((e): e is LayerStatsEvent => e.type === 'layerStats');
    expect(within.map((e) => [e.epoch, e.batch])).toEqual([
      [1, 4],
      [1, 8],
      [1, 12],
      [2, 4],
      [2, 8],
      [2, 12],
    ]);
    for (const e of within) {
      expect(e.batches).toBe(16);
      for (const l of e.layers) expect(layerStatsSchema.safeParse(l).success).toBe(true);
      expect(e.layers[0]!.gradNorm).toBeGreaterThan(0);
    }
  });

  it('netloom train --json prints a layerStats event per epoch; the saved run keeps them', async () => {
    const dir = tempDir('layer-stats-cli');
    const netloom = netloomIn(dir);
    expect(
      (await netloom('new', '--template', 'mlp', '--data', 'builtin:iris', '--out', 'p.nnproj')).code,
    ).toBe(0);
    const r = await netloom('train', 'p.nnproj', '--epochs', '2', '--json');
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const stats = lines.filter((l) => l.event === 'layerStats');
    expect(stats.map((l) => l.epoch)).toEqual([1, 2]);
    const first = (stats[0]!.layers as Record<string, unknown>[])[0]!;
    for (const key of [
      'id',
      'weightNorm',
      'gradNorm',
      'updateRatio',
      'activationMean',
      'activationStd',
      'deadFraction',
    ])
      expect(first).toHaveProperty(key);
    // epochEnd lines stay as they were (the statistics are their own event).
    expect(lines.find((l) => l.event === 'epochEnd')).not.toHaveProperty('layers');
    const bundle = readProjectFile(readFileSync(path.join(dir, 'p.nnproj')));
    const history = [...bundle.runs!.values()][0]!
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as EpochEndEvent);
    expect(history[1]!.layers).toEqual(stats[1]!.layers);
  });
});

describe('weight snapshots', () => {
  it('after the first, copies of the weights in the manifest order: the same bytes as a full save', async () => {
    const project = buildTemplate('cnn', { inputShape: [28, 28, 1], outputs: 10 });
    const c = await compileGraph(project.graph);
    const snaps = new WeightSnapshots(c.model);
    const first = await snaps.take();
    expect(first).toEqual(await saveModelArtifacts(c.model));
    // Weights move (as a step would); the next snapshot has them, byte for byte as a full save.
    for (const w of c.model.weights) (w.read() as tf.Variable).assign(tf.randomNormal(w.shape as number[]));
    const next = await snaps.take();
    const full = await saveModelArtifacts(c.model);
    expect(next.modelJson).toBe(full.modelJson);
    expect(Buffer.from(next.weightsBin).equals(Buffer.from(full.weightsBin))).toBe(true);
    expect(Buffer.from(next.weightsBin).equals(Buffer.from(first.weightsBin))).toBe(false);
    c.model.dispose();
  });
});
