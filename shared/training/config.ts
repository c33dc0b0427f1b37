/**
 * The training configuration saved in every project. The engine (electron/engine) reads it; the
 * training panel edits it. Defaults are what a learner should start from.
 */
import { z } from 'zod';
import { LOSSES } from '../layers/output';

export const OPTIMIZERS = ['sgd', 'momentum', 'adam', 'adamw', 'rmsprop', 'adagrad'] as const;

export const earlyStoppingSchema = z.strictObject({
  /** Epochs without improvement of the validation loss before stopping. */
  patience: z.int().min(1).max(1000),
  /** Put back the weights of the best epoch when stopping. */
  restoreBest: z.boolean(),
});

/** How the learning rate changes over the epochs (shared/training/schedule.ts computes it). */
export const scheduleSchema = z.discriminatedUnion('kind', [
  /** × factor every `everyEpochs` epochs (PyTorch StepLR). */
  z.strictObject({
    kind: z.literal('step'),
    everyEpochs: z.int().min(1).max(100_000),
    factor: z.number().gt(0).lt(1),
  }),
  /** From the learning rate down to `minLearningRate` along half a cosine over the epochs. */
  z.strictObject({
    kind: z.literal('cosine'),
    minLearningRate: z.number().min(0).max(1e9),
  }),
  /** × factor when the monitored loss has not improved for `patience` epochs (not below min). */
  z.strictObject({
    kind: z.literal('plateau'),
    factor: z.number().gt(0).lt(1),
    patience: z.int().min(1).max(1000),
    minLearningRate: z.number().min(0).max(1e9),
  }),
]);

export type Schedule = z.infer<typeof scheduleSchema>;
export type ScheduleKind = Schedule['kind'];

export const trainingConfigSchema = z.strictObject({
  optimizer: z.enum(OPTIMIZERS),
  learningRate: z.number().positive().max(1e9),
  batchSize: z
    .int()
    .min(1)
    .max(1 << 20),
  epochs: z.int().min(1).max(100_000),
  validationSplit: z.number().min(0).max(0.9),
  shuffle: z.boolean(),
  seed: z
    .int()
    .min(0)
    .max(2 ** 31 - 1),
  /** `auto` takes the loss of each Output node (itself `auto`: chosen from the activation and target). */
  loss: z.enum(LOSSES),
  earlyStopping: earlyStoppingSchema.nullable(),
  /** null: the same rate every epoch. Projects written before schedules existed have none. */
  schedule: scheduleSchema.nullable().default(null),
  /**
   * L2 weight decay: each step adds weightDecay·w to every trainable weight's gradient (PyTorch's
   * `weight_decay`); for AdamW it is the decoupled decay w ← w − lr·weightDecay·w instead. null: the
   * optimizer's default (0.01 for AdamW, none for the others).
   */
  weightDecay: z.number().min(0).max(1).nullable().default(null),
  /** Gradient clipping: the gradients of a step are scaled down to this global L2 norm; null: off. */
  clipNorm: z.number().positive().max(1e9).nullable().default(null),
});

export type TrainingConfig = z.infer<typeof trainingConfigSchema>;

export const DEFAULT_TRAINING: TrainingConfig = {
  optimizer: 'adam',
  learningRate: 0.001,
  batchSize: 32,
  epochs: 20,
  validationSplit: 0.2,
  shuffle: true,
  seed: 42,
  loss: 'auto',
  earlyStopping: null,
  schedule: null,
  weightDecay: null,
  clipNorm: null,
};

/** AdamW's decoupled weight decay when the project does not set one (PyTorch's default). */
export const ADAMW_WEIGHT_DECAY = 0.01;

/** The weight decay a run applies. */
export const weightDecayOf = (c: Pick<TrainingConfig, 'optimizer' | 'weightDecay'>): number =>
  c.weightDecay ?? (c.optimizer === 'adamw' ? ADAMW_WEIGHT_DECAY : 0);
