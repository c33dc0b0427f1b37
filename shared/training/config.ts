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
};
