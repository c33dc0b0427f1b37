/**
 * Schedules and regularisation (issue 17 item 5): the learning rate of each epoch, the config's
 * defaults for projects written before these settings, clipping and weight decay on a step's
 * gradients, and a run that reports the scheduled rate of every epoch.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../electron/engine/backend';
import { regularise } from '../../../electron/engine/optimizers';
import { startTrainingInProcess } from '../../../electron/engine/session';
import { DEFAULT_TRAINING, trainingConfigSchema, weightDecayOf } from '../../../shared/training/config';
import type { EpochEndEvent } from '../../../shared/training/protocol';
import { LearningRateSchedule, ratePreview, scheduledRate } from '../../../shared/training/schedule';
import { buildTemplate } from '../../../shared/templates/index';
import type { ArrayDataset } from '../../../shared/training/data';
import { mulberry32 } from '../../../electron/engine/random';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('learning-rate schedules', () => {
  it('step: × factor every N epochs', () => {
    const s = { kind: 'step', everyEpochs: 2, factor: 0.5 } as const;
    expect([1, 2, 3, 4, 5].map((e) => scheduledRate(0.1, s, e, 5))).toEqual([0.1, 0.1, 0.05, 0.05, 0.025]);
  });

  it('cosine: from the rate down towards the minimum along half a cosine', () => {
    const s = { kind: 'cosine', minLearningRate: 0.001 } as const;
    const rates = [1, 2, 3, 4, 5].map((e) => scheduledRate(0.1, s, e, 4));
    expect(rates[0]).toBeCloseTo(0.1, 12);
    expect(rates[2]).toBeCloseTo((0.1 + 0.001) / 2, 12); // halfway: the mean
    expect(rates[4]).toBeCloseTo(0.001, 12); // past the end: the minimum
    for (let i = 1; i < rates.length; i++) expect(rates[i]!).toBeLessThan(rates[i - 1]!);
  });

  it('plateau: × factor after `patience` epochs without a real improvement, never below the minimum', () => {
    const config = {
      learningRate: 0.1,
      epochs: 20,
      schedule: { kind: 'plateau', factor: 0.5, patience: 2, minLearningRate: 0.03 },
    } as const;
    const s = new LearningRateSchedule(config);
    const losses = [1, 0.9, 0.9, 0.89999, 0.8, 0.8, 0.8, 0.8, 0.8];
    const rates: number[] = [];
    losses.forEach((loss, i) => {
      rates.push(s.rate(i + 1));
      s.observe(loss);
    });
    rates.push(s.rate(losses.length + 1));
    // 0.89999 is below 0.9 by less than 0.01% of it: no improvement, so epochs 3–4 are a plateau.
    expect(rates).toEqual([0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.03, 0.03, 0.03]);
    expect(ratePreview(config)).toBeNull(); // depends on the losses
  });

  it('projects written before schedules existed read with none, and weight decay as the optimizer has it', () => {
    const { schedule: _s, weightDecay: _w, clipNorm: _c, ...old } = DEFAULT_TRAINING;
    const parsed = trainingConfigSchema.parse(old);
    expect(parsed).toMatchObject({ schedule: null, weightDecay: null, clipNorm: null });
    expect(weightDecayOf(parsed)).toBe(0);
    expect(weightDecayOf({ ...parsed, optimizer: 'adamw' })).toBe(0.01);
    expect(weightDecayOf({ ...parsed, optimizer: 'adamw', weightDecay: 0 })).toBe(0);
    expect(
      trainingConfigSchema.safeParse({ ...old, schedule: { kind: 'step', everyEpochs: 0, factor: 0.5 } })
        .success,
    ).toBe(false);
    expect(trainingConfigSchema.safeParse({ ...old, clipNorm: 0 }).success).toBe(false);
  });
});

describe('regularise: clipping, then L2 weight decay', () => {
  it('scales the gradients to the global norm (PyTorch clip_grad_norm_) and adds wd·w', () => {
    const w = tf.variable(tf.tensor1d([1, -2]), true, 'reg_w');
    const v = tf.variable(tf.tensor1d([4]), true, 'reg_v');
    const grads = { reg_w: tf.tensor1d([3, 0]), reg_v: tf.tensor1d([4]) }; // global norm 5
    const out = regularise(grads, { optimizer: 'sgd', weightDecay: 0.1, clipNorm: 1 });
    const scale = 1 / (5 + 1e-6);
    expect(Array.from(out.reg_w!.dataSync())).toEqual(
      [3 * scale + 0.1 * 1, 0 * scale + 0.1 * -2].map((x) => expect.closeTo(x, 6)),
    );
    expect(out.reg_v!.dataSync()[0]).toBeCloseTo(4 * scale + 0.4, 6);
    // Under the norm: untouched by clipping. AdamW: no L2 (its decay is decoupled).
    const small = regularise(grads, { optimizer: 'adamw', weightDecay: 0.1, clipNorm: 10 });
    expect(Array.from(small.reg_w!.dataSync())).toEqual([3, 0].map((x) => expect.closeTo(x, 6)));
    // Nothing on: the same map back.
    expect(regularise(grads, { optimizer: 'adam', weightDecay: null, clipNorm: null })).toBe(grads);
    tf.dispose([w, v, grads, out, small]);
  });
});

describe('a run with a schedule', () => {
  it('trains each epoch at the scheduled rate and says which', async () => {
    const random = mulberry32(3);
    const count = 64;
    const data: ArrayDataset = {
      id: 'd',
      name: 'd',
      task: 'classification',
      x: Float32Array.from({ length: count * 2 }, () => random() * 2 - 1),
      y: Int32Array.from({ length: count }, (_, i) => i % 2),
      sampleShape: [2],
      xDtype: 'float32',
      targetSize: 1,
      count,
      classes: ['a', 'b'],
    };
    const project = buildTemplate('mlp', { inputShape: [2], outputs: 2 });
    const ends: EpochEndEvent[] = [];
    const h = startTrainingInProcess({
      project,
      dataset: data,
      config: {
        ...project.training,
        epochs: 4,
        batchSize: 16,
        learningRate: 0.01,
        schedule: { kind: 'step', everyEpochs: 1, factor: 0.1 },
        weightDecay: 0.01,
        clipNorm: 1,
      },
      backend: 'wasm',
      onEvent: (e) => {
        if (e.type === 'epochEnd') ends.push(e);
      },
    });
    expect((await h.done).type).toBe('done');
    expect(ends.map((e) => e.learningRate)).toEqual(
      [0.01, 0.001, 0.0001, 0.00001].map((x) => expect.closeTo(x, 12)),
    );
  });
});
