/**
 * The training loop and its worker: the protocol's event sequence, learning (spirals on wasm, a
 * regression's R²), divergence, cancellation, early stopping, reproducibility, and no tensor left
 * behind after 50 start/cancel cycles.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { loadTrainedModel } from '../../../electron/engine/artifacts';
import { initBackend } from '../../../electron/engine/backend';
import { startTraining, startTrainingInProcess } from '../../../electron/engine/session';
import type { TrainingEvent, WeightArtifacts } from '../../../shared/training/protocol';
import { chain, config, linearRegression, mlp, spirals } from './helpers';

const regressionGraph = () =>
  chain(
    ['Input', { shape: [3], dtype: 'float32' }],
    ['Dense', { units: 8, activation: 'relu' }],
    ['Dense', { units: 1, activation: 'linear' }],
    ['Output', { targetShape: [1], loss: 'auto' }],
  );

describe('training in a worker thread (dist/worker.js)', () => {
  it('learns spirals on wasm: progress ≤ ~20/s with the last one sent, epochEnd, done with loadable weights', async () => {
    const events: TrainingEvent[] = [];
    const stamps: number[] = [];
    const data = spirals(600, 7);
    const epochs = 40;
    const t0 = Date.now();
    const graph = mlp(2, 2, 32);
    const h = startTraining({
      project: { graph, training: config() },
      dataset: data,
      config: config({ epochs, batchSize: 32, learningRate: 0.01, validationSplit: 0.25 }),
      backend: 'wasm',
      onEvent: (e) => {
        events.push(e);
        if (e.type === 'progress') stamps.push(Date.now());
      },
    });
    const done = await h.done;
    const seconds = (Date.now() - t0) / 1000;
    expect(done.type === 'error' ? done.message : done.type).toBe('done');
    if (done.type !== 'done') return;
    console.log(
      `spirals MLP (wasm, worker): val accuracy ${done.valMetrics.accuracy} in ${seconds.toFixed(1)} s`,
    );
    expect(done.backend).toBe('wasm');
    expect(done.valMetrics.accuracy).toBeGreaterThanOrEqual(0.95);
    const progress = events.filter((e) => e.type === 'progress');
    const ends = events.filter((e) => e.type === 'epochEnd');
    expect(ends.map((e) => e.epoch)).toEqual(Array.from({ length: epochs }, (_, i) => i + 1));
    // Throttled: at most ~20 a second (plus the final one), and the very last batch is reported.
    expect(progress.length).toBeLessThanOrEqual(Math.ceil(seconds * 20) + 2);
    const last = progress[progress.length - 1]!;
    expect([last.epoch, last.batch]).toEqual([epochs, last.batches]);
    expect(last.backend).toBe('wasm');
    expect(events[events.length - 1]).toBe(done);
    // (Gaps measured on arrival are not checked: a busy host receives queued messages together.)
    expect(stamps.length).toBe(progress.length);

    // The weights load and predict like the trained model.
    await initBackend('wasm');
    const model = await loadTrainedModel(graph, done.weights);
    const x = tf.tensor2d(data.x.slice(0, 40), [20, 2]);
    const pred = (model.predict(x) as tf.Tensor).argMax(-1).dataSync();
    let right = 0;
    pred.forEach((p, i) => (right += p === data.y[i] ? 1 : 0));
    expect(right / 20).toBeGreaterThanOrEqual(0.85);
    tf.dispose(x);
    model.dispose();
  });

  it('cancel takes effect within one batch (+200 ms) and returns the weights', async () => {
    let cancelledAt = 0;
    const h = startTraining({
      project: { graph: mlp(2, 2, 64), training: config() },
      dataset: spirals(4000),
      config: config({ epochs: 100, batchSize: 16 }),
      backend: 'cpu',
      onEvent: (e) => {
        if (e.type === 'progress' && e.batch >= 5 && cancelledAt === 0) {
          cancelledAt = Date.now();
          h.cancel();
        }
      },
    });
    const r = await h.done;
    expect(r.type).toBe('cancelled');
    expect(Date.now() - cancelledAt).toBeLessThan(300);
    expect(r.type === 'cancelled' && r.weights?.weightsBin.length).toBeGreaterThan(0);
  });

  it('reports a graph error as INVALID_GRAPH', async () => {
    const graph = mlp(2, 2);
    const r = await startTraining({
      project: { graph: { nodes: graph.nodes, edges: graph.edges.slice(1) }, training: config() },
      dataset: spirals(20),
      backend: 'cpu',
    }).done;
    expect(r.type === 'error' && r.code).toBe('INVALID_GRAPH');
  });
});

describe('training loop (in process)', () => {
  it('learning rate 1e6 diverges within one batch and keeps no weights (it finished no epoch)', async () => {
    for (const [graph, dataset] of [
      [mlp(2, 2, 16), spirals(200)],
      [regressionGraph(), linearRegression(200)],
    ] as const) {
      const r = await startTrainingInProcess({
        project: { graph, training: config() },
        dataset,
        config: config({ epochs: 5, batchSize: 20, learningRate: 1e6, optimizer: 'sgd' }),
        backend: 'cpu',
      }).done;
      expect(r.type).toBe('diverged');
      if (r.type !== 'diverged') return;
      // Batch 1 computes a finite loss and applies the huge update; batch 2 sees the result.
      expect([r.epoch, r.batch]).toEqual([1, 2]);
      // The weights after batch 1 gave a finite loss but are garbage: they are not "good". The
      // run finished no epoch, so it keeps nothing and the project keeps what it had.
      expect(r.weights).toBeNull();
      expect(r.kept).toBe('none');
      expect(r.keptMessage).toMatch(/finished no epoch/);
    }
  });

  // SGD with momentum at learning rate 1 on this regression: epoch 1 is fine, epoch 2 blows up (cpu,
  // seed fixed, so the same every time).
  const lateDivergence = (previous?: WeightArtifacts) =>
    startTrainingInProcess({
      project: { graph: regressionGraph(), training: config() },
      dataset: linearRegression(200),
      config: config({
        epochs: 20,
        batchSize: 20,
        learningRate: 1,
        optimizer: 'momentum',
        validationSplit: 0.25,
      }),
      backend: 'cpu',
      ...(previous ? { previous } : {}),
    }).done;

  it('a run that diverges after finishing an epoch keeps its best epoch, not the blown-up batch', async () => {
    const r = await lateDivergence();
    expect(r.type).toBe('diverged');
    if (r.type !== 'diverged') return;
    expect(r.epoch).toBeGreaterThan(1);
    expect(r.kept).toBe('best-epoch');
    expect(r.bestEpoch).toBeGreaterThanOrEqual(1);
    expect(r.bestEpoch).toBeLessThan(r.epoch);
    expect(r.keptMessage).toMatch(new RegExp(`epoch ${r.bestEpoch}`));
    const model = await loadTrainedModel(regressionGraph(), r.weights!);
    for (const w of model.getWeights()) expect(w.dataSync().every(Number.isFinite)).toBe(true);
    model.dispose();
  });

  it('a diverged run never replaces better weights: the project keeps them, and says so', async () => {
    const good = await startTrainingInProcess({
      project: { graph: regressionGraph(), training: config() },
      dataset: linearRegression(200),
      config: config({ epochs: 30, batchSize: 20, learningRate: 0.01, validationSplit: 0.25 }),
      backend: 'cpu',
    }).done;
    expect(good.type).toBe('done');
    if (good.type !== 'done') return;
    const r = await lateDivergence(good.weights);
    expect(r.type).toBe('diverged');
    if (r.type !== 'diverged') return;
    expect(r.kept).toBe('previous');
    expect(r.weights).toBeNull();
    expect(r.keptMessage).toMatch(/no better than the weights the project had/);
    // Weights worse than its best epoch (every value 50): the best epoch replaces them.
    const bad: WeightArtifacts = {
      modelJson: good.weights.modelJson,
      weightsBin: new Uint8Array(new Float32Array(good.weights.weightsBin.byteLength / 4).fill(50).buffer),
    };
    const r2 = await lateDivergence(bad);
    expect(r2.type === 'diverged' && r2.kept).toBe('best-epoch');
  });

  it('regression reaches R² ≥ 0.95 with MAE and R² reported', async () => {
    const r = await startTrainingInProcess({
      project: { graph: regressionGraph(), training: config() },
      dataset: linearRegression(300),
      config: config({ epochs: 60, batchSize: 32, learningRate: 0.02 }),
      backend: 'cpu',
    }).done;
    expect(r.type).toBe('done');
    if (r.type !== 'done') return;
    expect(r.valMetrics.r2).toBeGreaterThanOrEqual(0.95);
    expect(r.valMetrics.mae).toBeLessThan(0.2);
  });

  it('early stopping stops after `patience` epochs without improvement and restores the best', async () => {
    const ends: number[] = [];
    const r = await startTrainingInProcess({
      project: { graph: mlp(2, 2, 8), training: config() },
      dataset: spirals(100),
      // A learning rate far too high for adam: the validation loss stops improving quickly.
      config: config({
        epochs: 200,
        batchSize: 10,
        learningRate: 0.5,
        earlyStopping: { patience: 3, restoreBest: true },
      }),
      backend: 'cpu',
      onEvent: (e) => {
        if (e.type === 'epochEnd') ends.push(e.valMetrics.loss!);
      },
    }).done;
    expect(r.type).toBe('done');
    if (r.type !== 'done') return;
    expect(r.stoppedEarly).toBeDefined();
    expect(ends.length).toBeLessThan(200);
    const best = Math.min(...ends);
    expect(ends.slice(-3).every((l) => l >= best)).toBe(true);
    expect(r.valMetrics.loss).toBe(best);
    expect(r.stoppedEarly!.reason).toMatch(/restored/);
  });

  it('same seed + same backend = same result; another seed differs', async () => {
    const run = async (seed: number) => {
      const r = await startTrainingInProcess({
        project: { graph: mlp(2, 2, 16), training: config() },
        dataset: spirals(200),
        config: config({ epochs: 3, batchSize: 16, seed }),
        backend: 'cpu',
      }).done;
      if (r.type !== 'done') throw new Error(r.type);
      return { loss: r.metrics.loss, bytes: Buffer.from(r.weights.weightsBin).toString('base64') };
    };
    const a = await run(5);
    const b = await run(5);
    const c = await run(6);
    expect(b).toEqual(a);
    expect(c.bytes).not.toEqual(a.bytes);
  });

  it('50 start/cancel cycles leave no tensor behind', async () => {
    await tf.setBackend('cpu');
    const baseline = tf.memory().numTensors;
    for (let i = 0; i < 50; i++) {
      const h = startTrainingInProcess({
        project: { graph: mlp(2, 2, 8), training: config() },
        dataset: spirals(64),
        config: config({ epochs: 5, batchSize: 8, earlyStopping: { patience: 2, restoreBest: true } }),
        backend: 'cpu',
        progressIntervalMs: 0,
        onEvent: (e) => {
          if (e.type === 'progress' && e.batch === 1 + (i % 4)) h.cancel();
        },
      });
      const r = await h.done;
      expect(r.type).toBe('cancelled');
      expect(tf.memory().numTensors).toBe(baseline);
    }
  });
});
