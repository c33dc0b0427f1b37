/**
 * The training form's fields: parsing what the user typed, the same limits as the project schema
 * (shared/training/config.ts), plain-words errors, and hints drawn from the guide. Pure: no DOM.
 */
import {
  earlyStoppingSchema,
  trainingConfigSchema,
  type TrainingConfig,
} from '../../../shared/training/config';

export type NumericField = 'learningRate' | 'batchSize' | 'epochs' | 'validationSplit' | 'seed' | 'patience';

interface NumericSpec {
  label: string;
  integer: boolean;
  min: number;
  /** Whether `min` itself is allowed. */
  minInclusive: boolean;
  max: number;
  help: string;
}

export const NUMERIC_FIELDS: Record<NumericField, NumericSpec> = {
  learningRate: {
    label: 'Learning rate',
    integer: false,
    min: 0,
    minInclusive: false,
    max: 1e9,
    help: 'Size of each step downhill. Too high overshoots and diverges; too low crawls.',
  },
  batchSize: {
    label: 'Batch size',
    integer: true,
    min: 1,
    minInclusive: true,
    max: 1 << 20,
    help: 'Examples per update. Small batches are noisy but often generalise better; large ones are smoother and faster per epoch.',
  },
  epochs: {
    label: 'Epochs',
    integer: true,
    min: 1,
    minInclusive: true,
    max: 100_000,
    help: 'Passes over the training data.',
  },
  validationSplit: {
    label: 'Validation split',
    integer: false,
    min: 0,
    minInclusive: true,
    max: 0.9,
    help: 'Share of rows held out (never trained on) to detect overfitting.',
  },
  seed: {
    label: 'Seed',
    integer: true,
    min: 0,
    minInclusive: true,
    max: 2 ** 31 - 1,
    help: 'Same seed, same initial weights and shuffling: runs are reproducible.',
  },
  patience: {
    label: 'Patience',
    integer: true,
    min: 1,
    minInclusive: true,
    max: 1000,
    help: 'Epochs without a better validation loss before stopping.',
  },
};

export const OPTIMIZER_LABELS: Record<TrainingConfig['optimizer'], string> = {
  sgd: 'SGD',
  momentum: 'SGD + momentum',
  adam: 'Adam',
  adamw: 'AdamW',
  rmsprop: 'RMSprop',
  adagrad: 'Adagrad',
};

export const OPTIMIZER_HELP: Record<TrainingConfig['optimizer'], string> = {
  sgd: 'Plain gradient descent: one step against the gradient. Needs a larger learning rate (~0.01–0.1).',
  momentum: 'Gradient descent that keeps some speed from previous steps: rolls through small bumps.',
  adam: 'Adapts the step for each weight; a robust default (learning rate ~0.001).',
  adamw: 'Adam with weight decay kept separate: often generalises a little better.',
  rmsprop: 'Scales steps by recent gradient size; a classic for recurrent networks.',
  adagrad: 'Steps shrink for often-updated weights; good for sparse features.',
};

export const EARLY_STOPPING_HELP =
  'Stop when the validation loss has not improved for a while, instead of training past the best point.';

export type ParseResult = { ok: true; value: number } | { ok: false; error: string };

function limit(v: number): string {
  return Math.abs(v) >= 1e5 ? v.toExponential().replace('e+', 'e') : String(v);
}

/** Parses a typed value for a numeric field; accepts `1e-3`, `.5`, `1_000` and surrounding spaces. */
export function parseField(field: NumericField, text: string): ParseResult {
  const spec = NUMERIC_FIELDS[field];
  const t = text.trim().replace(/_/g, '');
  if (t === '') return { ok: false, error: `${spec.label} is required.` };
  const v = Number(t);
  if (!Number.isFinite(v)) return { ok: false, error: `${spec.label} must be a number.` };
  if (spec.integer && !Number.isInteger(v))
    return { ok: false, error: `${spec.label} must be a whole number.` };
  if (spec.minInclusive ? v < spec.min : v <= spec.min)
    return {
      ok: false,
      error: `${spec.label} must be ${spec.minInclusive ? 'at least' : 'greater than'} ${limit(spec.min)}.`,
    };
  if (v > spec.max) return { ok: false, error: `${spec.label} must be at most ${limit(spec.max)}.` };
  return { ok: true, value: v };
}

/** A gentle warning for values that are allowed but likely to surprise a learner; null when fine. */
export function fieldHint(field: NumericField, value: number, config?: TrainingConfig): string | null {
  switch (field) {
    case 'learningRate': {
      const sgd = config?.optimizer === 'sgd' || config?.optimizer === 'momentum';
      if (value >= 1) return 'Very high: the loss will likely overshoot and blow up (diverge).';
      if (value > (sgd ? 0.5 : 0.05)) return 'High: training may bounce around or diverge.';
      if (value < 1e-5) return 'Very low: training will crawl.';
      return null;
    }
    case 'validationSplit':
      return value === 0 ? 'No validation rows: overfitting and early stopping cannot be seen.' : null;
    case 'batchSize':
      return value === 1 ? 'One example per step: very noisy and slow.' : null;
    default:
      return null;
  }
}

/** Sets one field, returning a config the project schema accepts, or the schema's complaint. */
export function setField(
  config: TrainingConfig,
  field: NumericField,
  value: number,
): { ok: true; config: TrainingConfig } | { ok: false; error: string } {
  let next: TrainingConfig;
  if (field === 'patience') {
    const es = { patience: value, restoreBest: config.earlyStopping?.restoreBest ?? true };
    const r = earlyStoppingSchema.safeParse(es);
    if (!r.success) return { ok: false, error: r.error.issues[0]?.message ?? 'Invalid value.' };
    next = { ...config, earlyStopping: es };
  } else next = { ...config, [field]: value };
  const r = trainingConfigSchema.safeParse(next);
  if (!r.success) return { ok: false, error: r.error.issues[0]?.message ?? 'Invalid value.' };
  return { ok: true, config: next };
}

/** Text shown in a field for a value (keeps `1e-5`-style values readable). */
export function fieldText(value: number): string {
  if (!Number.isFinite(value)) return '';
  const a = Math.abs(value);
  if (a !== 0 && (a < 1e-4 || a >= 1e6)) return value.toExponential().replace('e+', 'e');
  return String(value);
}
