import { describe, expect, it } from 'vitest';
import { DEFAULT_TRAINING } from '../../../shared/training/config';
import type { ProgressEvent } from '../../../shared/training/protocol';
import {
  configSummary,
  finalValue,
  formatDuration,
  formatEta,
  formatMetric,
  formatNumber,
  finishedLine,
  progressLine,
  progressPercent,
  stoppedLine,
  smallerLearningRate,
} from '../../../renderer/training/lib/format';

const progress = (o: Partial<ProgressEvent> = {}): ProgressEvent => ({
  type: 'progress',
  runId: 'r1',
  epoch: 3,
  epochs: 40,
  batch: 12,
  batches: 50,
  metrics: { loss: 0.4 },
  samplesPerSecond: 1234.4,
  etaSeconds: 42.4,
  backend: 'wasm',
  ...o,
});

describe('format', () => {
  it('ETA as m:ss or h:mm:ss', () => {
    expect(formatEta(0)).toBe('0:00');
    expect(formatEta(42.4)).toBe('0:42');
    expect(formatEta(125)).toBe('2:05');
    expect(formatEta(3725)).toBe('1:02:05');
    expect(formatEta(NaN)).toBe('–');
    expect(formatEta(-1)).toBe('–');
  });

  it('durations', () => {
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(4200)).toBe('4.2 s');
    expect(formatDuration(42_000)).toBe('42 s');
    expect(formatDuration(187_000)).toBe('3 m 07 s');
    expect(formatDuration(3_720_000)).toBe('1 h 02 m');
  });

  it('metrics as plain four-decimal text', () => {
    expect(formatMetric(0.965)).toBe('0.9650');
    expect(Number(formatMetric(0.965))).toBe(0.965);
    expect(formatMetric(1)).toBe('1.0000');
    expect(formatMetric(undefined)).toBe('–');
    expect(formatMetric(NaN)).toBe('–');
    expect(formatMetric(Infinity)).toBe('∞');
    expect(formatMetric(3e-6)).toBe('3.00e-6');
    expect(formatMetric(0)).toBe('0.0000');
  });

  it('short numbers for hyper-parameters', () => {
    expect(formatNumber(0.001)).toBe('0.001');
    expect(formatNumber(1e-5)).toBe('1e-5');
    expect(formatNumber(1e6)).toBe('1e+6');
    expect(formatNumber(32)).toBe('32');
  });

  it('progress: share of all batches, and the status line', () => {
    expect(progressPercent(undefined)).toBe(0);
    expect(progressPercent(progress({ epoch: 1, batch: 50, epochs: 2, batches: 50 }))).toBe(50);
    expect(progressPercent(progress({ epoch: 2, batch: 50, epochs: 2, batches: 50 }))).toBe(100);
    expect(progressPercent(progress({ epoch: 9, batch: 50, epochs: 2, batches: 50 }))).toBe(100);
    expect(progressLine(progress())).toBe('epoch 3/40 · batch 12/50 · 1,234 samples/s · ETA 0:42 · wasm');
    // The end of a run keeps saying how many threads trained it.
    expect(finishedLine(progress({ epochs: 3, threads: 2 }))).toBe('finished · 3 epochs · wasm × 2 threads');
    expect(finishedLine(progress({ epochs: 1 }))).toBe('finished · 1 epoch · wasm');
    expect(stoppedLine(progress({ threads: 2 }))).toBe(
      'stopped at epoch 3/40 · batch 12/50 · wasm × 2 threads',
    );
  });

  it('config summary', () => {
    expect(configSummary(DEFAULT_TRAINING)).toBe('adam lr 0.001 bs 32');
    expect(
      configSummary({
        ...DEFAULT_TRAINING,
        optimizer: 'sgd',
        learningRate: 1e-5,
        earlyStopping: { patience: 5, restoreBest: true },
      }),
    ).toBe('sgd lr 1e-5 bs 32 · early stop 5');
  });

  it('final values from either metric shape, val_ first', () => {
    expect(finalValue({ accuracy: 0.9, loss: 0.2 }, 'accuracy')).toBe(0.9);
    expect(finalValue({ accuracy: 0.99, val_accuracy: 0.95 }, 'accuracy')).toBe(0.95);
    expect(finalValue({ loss: 1 }, 'mae')).toBeUndefined();
    expect(finalValue(undefined, 'loss')).toBeUndefined();
  });

  it('suggests a learning rate 10× smaller', () => {
    expect(smallerLearningRate(1e6)).toBe(1e5);
    expect(smallerLearningRate(0.003)).toBe(0.0003);
    expect(smallerLearningRate(0.1)).toBe(0.01);
  });
});
