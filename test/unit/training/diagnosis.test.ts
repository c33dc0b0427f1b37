/**
 * Diagnosis: each finding on a small case that provokes it, and none on a healthy run; through the
 * CLI, `netloom evaluate --json` gains the findings (a perceptron on XOR is told a single layer
 * cannot separate it, and offered a hidden layer).
 */
import { describe, expect, it } from 'vitest';
import type { LayerStats } from '../../../shared/inspect/layerStats';
import { diagnose, type DiagnosisInput, type EpochPoint } from '../../../shared/training/diagnosis';
import type { Evaluation } from '../../../shared/training/evaluation';
import { buildTemplate } from '../../../shared/templates/index';
import { tempDir } from '../export/helpers';
import { netloomIn } from '../helpers/cli';

const mlp = buildTemplate('mlp', { inputShape: [2], outputs: 2 });
const config = { ...mlp.training, learningRate: 0.01 };

const stat = (id: string, over: Partial<LayerStats> = {}): LayerStats => ({
  id,
  weightNorm: 5,
  gradNorm: 0.1,
  updateRatio: 0.001,
  activationMean: 0.2,
  activationStd: 0.3,
  deadFraction: 0.05,
  ...over,
});
const healthyLayers = () => ['dense_1', 'dense_2', 'dense_3'].map((id) => stat(id));

/** A run whose loss falls from 0.7 to ~0.02 and whose accuracy ends at 0.99. */
const healthy = (n = 20): EpochPoint[] =>
  Array.from({ length: n }, (_, i) => ({
    epoch: i + 1,
    loss: 0.02 + 0.68 * Math.exp(-i / 3),
    valLoss: 0.03 + 0.68 * Math.exp(-i / 3),
    accuracy: Math.min(0.99, 0.5 + i * 0.05),
    valAccuracy: Math.min(0.98, 0.5 + i * 0.05),
    layers: healthyLayers(),
  }));

const run = (over: Partial<DiagnosisInput>): DiagnosisInput => ({
  graph: mlp.graph,
  config,
  epochs: healthy(),
  end: { type: 'done', epoch: 20 },
  ...over,
});
const codes = (input: DiagnosisInput) => diagnose(input).map((f) => f.code);

const evaluation = (
  accuracy: number,
  forest: number,
  confusion = [
    [50, 50],
    [50, 50],
  ],
): Evaluation => ({
  task: 'classification',
  dataset: 'd',
  trainCount: 800,
  validationCount: 200,
  metrics: { accuracy, loss: 0.3 },
  classes: ['a', 'b'],
  confusion,
  baselines: [
    { id: 'majority', label: 'Majority class', metrics: { accuracy: 0.5 }, trainMs: 0 },
    { id: 'random-forest', label: 'Random forest', metrics: { accuracy: forest }, trainMs: 10 },
  ],
  verdict: '',
  backend: 'wasm',
});

describe('diagnosis', () => {
  it('a healthy run has nothing to say', () => {
    expect(diagnose(run({ evaluation: evaluation(0.98, 0.9) }))).toEqual([]);
  });

  it('diverged: lower the rate', () => {
    const [f] = diagnose(run({ end: { type: 'diverged', epoch: 3 }, epochs: healthy(2) }));
    expect(f).toMatchObject({ code: 'diverged', severity: 'error', epoch: 3 });
    expect(f!.fix).toEqual({
      kind: 'training',
      label: 'Learning rate 0.001',
      patch: { learningRate: 0.001 },
    });
  });

  it('overfitting: validation loss rising for several epochs while training loss falls', () => {
    const epochs = healthy(20).map((e, i) => ({
      ...e,
      valLoss: i < 8 ? 0.5 - i * 0.05 : 0.1 + (i - 7) * 0.02,
    }));
    const f = diagnose(run({ epochs })).find((x) => x.code === 'overfitting')!;
    expect(f.epoch).toBe(9);
    expect(f.fix).toMatchObject({
      kind: 'training',
      patch: { earlyStopping: { patience: 3, restoreBest: true } },
    });
    // With early stopping on already, the fix is weight decay (unless the run has some).
    const stopping = { ...config, earlyStopping: { patience: 5, restoreBest: true } };
    expect(
      diagnose(run({ epochs, config: stopping })).find((x) => x.code === 'overfitting')!.fix,
    ).toMatchObject({
      patch: { weightDecay: 1e-4 },
    });
    const decayed = { ...stopping, optimizer: 'adamw' as const };
    expect(
      diagnose(run({ epochs, config: decayed })).find((x) => x.code === 'overfitting')!.fix,
    ).toBeUndefined();
    // Not raised for a rise of a few percent at a tiny loss (a spirals run at 99.5%: 0.0213 → 0.0226).
    const tiny = healthy(20).map((e, i) => ({
      ...e,
      loss: 0.05 - i * 0.002,
      valLoss: i < 12 ? 0.04 - i * 0.0016 : 0.0213 + (i - 11) * 0.0002,
    }));
    expect(codes(run({ epochs: tiny }))).not.toContain('overfitting');
    // Not raised when the validation loss turns up for only a couple of epochs.
    const short = healthy(20).map((e, i) => ({ ...e, valLoss: i < 18 ? 0.5 - i * 0.02 : 0.2 }));
    expect(codes(run({ epochs: short }))).not.toContain('overfitting');
  });

  it('lr-too-low: the loss still falling steadily when the run ends, far from good', () => {
    const epochs = Array.from({ length: 10 }, (_, i) => ({
      epoch: i + 1,
      loss: 0.69 - i * 0.004,
      accuracy: 0.55,
    }));
    const f = diagnose(run({ epochs })).find((x) => x.code === 'lr-too-low')!;
    expect(f.fix).toMatchObject({ patch: { learningRate: 0.1 } });
  });

  it('underfitting (flat from the start) and plateau (fell, then stuck)', () => {
    const flat = Array.from({ length: 12 }, (_, i) => ({
      epoch: i + 1,
      loss: 0.69 + (i % 2) * 0.001,
      accuracy: 0.5,
    }));
    expect(codes(run({ epochs: flat }))).toEqual(['underfitting']);
    const stuck = Array.from({ length: 12 }, (_, i) => ({
      epoch: i + 1,
      loss: i < 6 ? 1.2 - i * 0.1 : 0.6 + (i % 2) * 0.001,
      accuracy: 0.7,
    }));
    expect(codes(run({ epochs: stuck }))).toEqual(['plateau']);
  });

  it('vanishing and exploding gradients, from the layer statistics', () => {
    const vanishing = healthy().map((e) => ({
      ...e,
      layers: [stat('dense_1', { gradNorm: 1e-6 }), stat('dense_2'), stat('dense_3', { gradNorm: 0.5 })],
    }));
    expect(diagnose(run({ epochs: vanishing })).find((f) => f.code === 'vanishing-gradients')).toMatchObject({
      node: 'dense_1',
    });
    const exploding = healthy().map((e) => ({
      ...e,
      layers: [stat('dense_1'), stat('dense_2', { gradNorm: 5e3, updateRatio: 0.9 }), stat('dense_3')],
    }));
    expect(diagnose(run({ epochs: exploding })).find((f) => f.code === 'exploding-gradients')).toMatchObject({
      node: 'dense_2',
      fix: { patch: { learningRate: 0.001 } },
    });
    // Huge gradients but small steps (Adam scales them): clipping, unless it is on already.
    const huge = healthy().map((e) => ({
      ...e,
      layers: [stat('dense_1'), stat('dense_2', { gradNorm: 5e3, updateRatio: 0.01 }), stat('dense_3')],
    }));
    expect(diagnose(run({ epochs: huge })).find((f) => f.code === 'exploding-gradients')!.fix).toMatchObject({
      patch: { clipNorm: 1 },
    });
    const clipped = { ...config, clipNorm: 1 };
    expect(
      diagnose(run({ epochs: huge, config: clipped })).find((f) => f.code === 'exploding-gradients')!.fix,
    ).toMatchObject({ patch: { learningRate: 0.001 } });
  });

  it('dead-relu: most of a ReLU layer outputs 0 for every probe sample', () => {
    const epochs = healthy().map((e) => ({
      ...e,
      layers: [stat('dense_1'), stat('dense_2', { deadFraction: 0.7 }), stat('dense_3')],
    }));
    const f = diagnose(run({ epochs })).find((x) => x.code === 'dead-relu')!;
    expect(f).toMatchObject({
      node: 'dense_2',
      fix: { kind: 'params', node: 'dense_2', params: { activation: 'elu' } },
    });
    // The output layer (linear) with zeros is not a ReLU layer.
    const linear = healthy().map((e) => ({ ...e, layers: [stat('dense_3', { deadFraction: 0.9 })] }));
    expect(codes(run({ epochs: linear }))).not.toContain('dead-relu');
  });

  it('linear-stack: two Dense layers with nothing non-linear between them', () => {
    const graph = {
      ...mlp.graph,
      nodes: mlp.graph.nodes.map((n) =>
        n.id === 'dense_1' ? { ...n, params: { ...n.params, activation: 'linear' } } : n,
      ),
    };
    const f = diagnose(run({ graph })).find((x) => x.code === 'linear-stack')!;
    expect(f.fix).toEqual({
      kind: 'params',
      label: 'Use ReLU in dense_1',
      node: 'dense_1',
      params: { activation: 'relu' },
    });
  });

  it('double-softmax: a softmax on the output of another', () => {
    const graph = {
      ...mlp.graph,
      nodes: mlp.graph.nodes.map((n) =>
        n.id === 'dense_3' ? { ...n, params: { ...n.params, activation: 'softmax' } } : n,
      ),
    };
    const found = diagnose(run({ graph })).filter((x) => x.code === 'double-softmax');
    expect(found).toHaveLength(1);
    expect(found[0]!.fix).toMatchObject({
      kind: 'params',
      node: 'dense_3',
      params: { activation: 'linear' },
    });
    expect(codes(run({}))).not.toContain('double-softmax');
  });

  it('class-imbalance and no-better-than-baseline, from the evaluation', () => {
    const skewed = evaluation(0.9, 0.95, [
      [170, 10],
      [10, 10],
    ]);
    expect(codes(run({ evaluation: skewed }))).toEqual(
      expect.arrayContaining(['class-imbalance', 'no-better-than-baseline']),
    );
  });

  it('not-linearly-separable: no hidden non-linearity, and the forest does far better', () => {
    const perceptron = buildTemplate('perceptron', { inputShape: [2], outputs: 2 });
    const flat = Array.from({ length: 12 }, (_, i) => ({ epoch: i + 1, loss: 0.69, accuracy: 0.5 }));
    const found = diagnose({
      graph: perceptron.graph,
      config: perceptron.training,
      epochs: flat,
      end: { type: 'done' },
      evaluation: evaluation(0.5, 0.95),
    });
    const f = found.find((x) => x.code === 'not-linearly-separable')!;
    expect(f.fix).toMatchObject({
      kind: 'insert',
      insert: { kind: 'Dense', params: { units: 16, activation: 'relu' } },
    });
    // It is the cause: no advice to train longer.
    expect(found.map((x) => x.code)).not.toContain('underfitting');
    // An MLP with ReLU hidden layers is not told so.
    expect(codes(run({ evaluation: evaluation(0.5, 0.95) }))).not.toContain('not-linearly-separable');
  });

  it('netloom evaluate --json: a perceptron on XOR gets the finding and its fix', async () => {
    const netloom = netloomIn(tempDir('diagnosis-cli'));
    expect(
      (await netloom('new', '--template', 'perceptron', '--data', 'builtin:xor', '--out', 'x.nnproj')).code,
    ).toBe(0);
    expect((await netloom('train', 'x.nnproj', '--epochs', '15')).code).toBe(0);
    const r = await netloom('evaluate', 'x.nnproj', '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { findings: { code: string; fix?: { kind: string } }[] };
    expect(out.findings.find((f) => f.code === 'not-linearly-separable')?.fix?.kind).toBe('insert');
    const text = await netloom('evaluate', 'x.nnproj');
    expect(text.stdout).toMatch(/Diagnosis:\n {2}warning not-linearly-separable/);
  });
});
