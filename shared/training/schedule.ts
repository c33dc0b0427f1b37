/**
 * The learning rate of each epoch under a project's schedule. One definition for the engine, the
 * training panel's preview and the exports (which use PyTorch's StepLR / CosineAnnealingLR /
 * ReduceLROnPlateau and Keras callbacks set to the same numbers):
 *
 *   step     lr · factor^⌊(e − 1) / everyEpochs⌋
 *   cosine   min + (lr − min) · (1 + cos(π · (e − 1) / epochs)) / 2
 *   plateau  lr, times factor (not below min) after every `patience` epochs in a row whose
 *            monitored loss (validation, else training) is not below the best so far by more than
 *            PLATEAU_THRESHOLD of it (PyTorch's relative threshold)
 *
 * for epoch e = 1..epochs.
 */
import type { Schedule, TrainingConfig } from './config';

/** An improvement smaller than this share of the best loss does not count (PyTorch's default). */
export const PLATEAU_THRESHOLD = 1e-4;

/** The rate of epoch `epoch` (1-based) for the schedules that depend on the epoch only. */
export function scheduledRate(
  lr: number,
  schedule: Exclude<Schedule, { kind: 'plateau' }>,
  epoch: number,
  epochs: number,
): number {
  const e = epoch - 1;
  switch (schedule.kind) {
    case 'step':
      return lr * schedule.factor ** Math.floor(e / schedule.everyEpochs);
    case 'cosine': {
      const min = Math.min(schedule.minLearningRate, lr);
      return min + ((lr - min) * (1 + Math.cos((Math.PI * e) / Math.max(1, epochs)))) / 2;
    }
  }
}

/** A run's schedule: `rate(epoch)` before each epoch, `observe(loss)` after it. */
export class LearningRateSchedule {
  private current: number;
  private best = Infinity;
  private bad = 0;

  constructor(private readonly config: Pick<TrainingConfig, 'learningRate' | 'epochs' | 'schedule'>) {
    this.current = config.learningRate;
  }

  rate(epoch: number): number {
    const { schedule, learningRate, epochs } = this.config;
    if (schedule && schedule.kind !== 'plateau')
      this.current = scheduledRate(learningRate, schedule, epoch, epochs);
    return this.current;
  }

  /** The epoch's monitored loss; a plateau schedule lowers the rate of the next epochs. */
  observe(loss: number): void {
    const { schedule } = this.config;
    if (schedule?.kind !== 'plateau' || !Number.isFinite(loss)) return;
    if (loss < this.best * (1 - PLATEAU_THRESHOLD)) {
      this.best = loss;
      this.bad = 0;
      return;
    }
    if (++this.bad < schedule.patience) return;
    this.bad = 0;
    this.current = Math.max(Math.min(schedule.minLearningRate, this.current), this.current * schedule.factor);
  }
}

/** The rates of every epoch for the schedules that do not depend on the losses (a preview). */
export function ratePreview(
  config: Pick<TrainingConfig, 'learningRate' | 'epochs' | 'schedule'>,
): number[] | null {
  const { schedule } = config;
  if (!schedule || schedule.kind === 'plateau') return null;
  return Array.from({ length: config.epochs }, (_, i) =>
    scheduledRate(config.learningRate, schedule, i + 1, config.epochs),
  );
}
