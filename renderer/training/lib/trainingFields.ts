/**
 * The training form's fields: parsing what the user typed, the same limits as the project schema
 * (shared/training/config.ts), plain-words errors, and hints drawn from the guide. Pure: no DOM.
 */
import {
  earlyStoppingSchema,
  type Schedule,
  type ScheduleKind,
  trainingConfigSchema,
  type TrainingConfig,
} from '../../../shared/training/config';

export type NumericField =
  | 'learningRate'
  | 'batchSize'
  | 'epochs'
  | 'validationSplit'
  | 'seed'
  | 'patience'
  | 'weightDecay'
  | 'clipNorm'
  | 'scheduleEvery'
  | 'scheduleFactor'
  | 'schedulePatience'
  | 'scheduleMinLr';

interface NumericSpec {
  label: string;
  integer: boolean;
  min: number;
  /** Whether `min` itself is allowed. */
  minInclusive: boolean;
  max: number;
  help: string;
  /** The field may be left empty: what empty means (shown as the placeholder). */
  empty?: string;
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
  weightDecay: {
    label: 'Weight decay',
    integer: false,
    min: 0,
    minInclusive: true,
    max: 1,
    help:
      'Pulls every weight towards zero a little each step (L2), so the network prefers small weights and ' +
      'overfits less; try 1e-4 to 1e-2. For AdamW it is decoupled from the gradient (w shrinks by lr × decay).',
    empty: 'optimizer default (0.01 for AdamW, else none)',
  },
  clipNorm: {
    label: 'Gradient clipping',
    integer: false,
    min: 0,
    minInclusive: false,
    max: 1e9,
    help:
      "Largest length (global L2 norm) a step's gradient may have; longer ones are scaled down. Stops a few " +
      'huge gradients (recurrent networks, a high learning rate) from throwing training off; 1 is a common value.',
    empty: 'off',
  },
  scheduleEvery: {
    label: 'Every (epochs)',
    integer: true,
    min: 1,
    minInclusive: true,
    max: 100_000,
    help: 'How many epochs between two reductions.',
  },
  scheduleFactor: {
    label: 'Factor',
    integer: false,
    min: 0,
    minInclusive: false,
    max: 0.999,
    help: 'The rate is multiplied by this at each reduction (0.1–0.5 is usual).',
  },
  schedulePatience: {
    label: 'Patience (epochs)',
    integer: true,
    min: 1,
    minInclusive: true,
    max: 1000,
    help: 'Epochs without a better loss (validation, else training) before the rate is reduced.',
  },
  scheduleMinLr: {
    label: 'Lowest rate',
    integer: false,
    min: 0,
    minInclusive: true,
    max: 1e9,
    help: 'The rate never goes below this.',
  },
};

export const SCHEDULE_KINDS = ['none', 'step', 'cosine', 'plateau'] as const;

export const SCHEDULE_LABELS: Record<ScheduleKind | 'none', string> = {
  none: 'Constant',
  step: 'Step decay',
  cosine: 'Cosine annealing',
  plateau: 'Reduce on plateau',
};

export const SCHEDULE_HELP: Record<ScheduleKind | 'none', string> = {
  none: 'The same learning rate for every epoch.',
  step: 'Big steps first, then smaller ones: the rate is cut by a factor every few epochs.',
  cosine:
    'The rate glides down along half a cosine to its lowest value by the last epoch: fast progress early, fine settling late.',
  plateau: 'The rate is cut whenever the loss stops improving for a while: it adapts to how the run goes.',
};

/** The numeric fields each schedule has. */
export const SCHEDULE_FIELDS: Record<ScheduleKind, NumericField[]> = {
  step: ['scheduleEvery', 'scheduleFactor'],
  cosine: ['scheduleMinLr'],
  plateau: ['scheduleFactor', 'schedulePatience', 'scheduleMinLr'],
};

/** A schedule of `kind` with values that suit the config (its epochs and learning rate). */
export function defaultSchedule(kind: ScheduleKind, config: TrainingConfig): Schedule {
  const minLearningRate = Number((config.learningRate / 100).toPrecision(2));
  switch (kind) {
    case 'step':
      return { kind, everyEpochs: Math.max(1, Math.round(config.epochs / 3)), factor: 0.1 };
    case 'cosine':
      return { kind, minLearningRate };
    case 'plateau':
      return { kind, factor: 0.5, patience: 5, minLearningRate };
  }
}

/** A field's value in a config (null: empty, or the field is not part of the config's schedule). */
export function fieldValue(config: TrainingConfig, field: NumericField): number | null {
  const s = config.schedule;
  switch (field) {
    case 'patience':
      return config.earlyStopping?.patience ?? null;
    case 'scheduleEvery':
      return s?.kind === 'step' ? s.everyEpochs : null;
    case 'scheduleFactor':
      return s && s.kind !== 'cosine' ? s.factor : null;
    case 'schedulePatience':
      return s?.kind === 'plateau' ? s.patience : null;
    case 'scheduleMinLr':
      return s && s.kind !== 'step' ? s.minLearningRate : null;
    default:
      return config[field];
  }
}

/** The config with a schedule field set (unchanged when the schedule has no such field). */
function withScheduleField(config: TrainingConfig, field: NumericField, value: number): TrainingConfig {
  const s = config.schedule;
  if (!s) return config;
  let next: Schedule = s;
  if (field === 'scheduleEvery' && s.kind === 'step') next = { ...s, everyEpochs: value };
  if (field === 'scheduleFactor' && s.kind !== 'cosine') next = { ...s, factor: value };
  if (field === 'schedulePatience' && s.kind === 'plateau') next = { ...s, patience: value };
  if (field === 'scheduleMinLr' && s.kind !== 'step') next = { ...s, minLearningRate: value };
  return { ...config, schedule: next };
}

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

export type ParseResult = { ok: true; value: number | null } | { ok: false; error: string };

function limit(v: number): string {
  return Math.abs(v) >= 1e5 ? v.toExponential().replace('e+', 'e') : String(v);
}

/** Parses a typed value for a numeric field; accepts `1e-3`, `.5`, `1_000` and surrounding spaces. */
export function parseField(field: NumericField, text: string): ParseResult {
  const spec = NUMERIC_FIELDS[field];
  const t = text.trim().replace(/_/g, '');
  if (t === '')
    return spec.empty ? { ok: true, value: null } : { ok: false, error: `${spec.label} is required.` };
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
  value: number | null,
): { ok: true; config: TrainingConfig } | { ok: false; error: string } {
  let next: TrainingConfig;
  if (value === null) {
    if (field !== 'weightDecay' && field !== 'clipNorm')
      return { ok: false, error: `${NUMERIC_FIELDS[field].label} is required.` };
    next = { ...config, [field]: null };
  } else if (field.startsWith('schedule')) next = withScheduleField(config, field, value);
  else if (field === 'patience') {
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
export function fieldText(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return '';
  const a = Math.abs(value);
  if (a !== 0 && (a < 1e-4 || a >= 1e6)) return value.toExponential().replace('e+', 'e');
  return String(value);
}
