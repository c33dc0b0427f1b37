import { describe, expect, it } from 'vitest';
import { DEFAULT_TRAINING, trainingConfigSchema } from '../../../shared/training/config';
import {
  defaultSchedule,
  fieldHint,
  fieldText,
  fieldValue,
  NUMERIC_FIELDS,
  parseField,
  SCHEDULE_FIELDS,
  setField,
  type NumericField,
} from '../../../renderer/training/lib/trainingFields';

describe('parseField', () => {
  it('accepts the notations people type', () => {
    expect(parseField('learningRate', '1e-3')).toEqual({ ok: true, value: 0.001 });
    expect(parseField('learningRate', ' .5 ')).toEqual({ ok: true, value: 0.5 });
    expect(parseField('learningRate', '1e6')).toEqual({ ok: true, value: 1e6 });
    expect(parseField('epochs', '1_000')).toEqual({ ok: true, value: 1000 });
  });

  it('rejects with a reason', () => {
    const bad: [NumericField, string, RegExp][] = [
      ['learningRate', '', /required/],
      ['learningRate', 'abc', /number/],
      ['learningRate', '0', /greater than 0/],
      ['learningRate', '-1', /greater than 0/],
      ['learningRate', '1e10', /at most 1e9/],
      ['batchSize', '3.5', /whole number/],
      ['batchSize', '0', /at least 1/],
      ['epochs', '100001', /at most/],
      ['validationSplit', '0.95', /at most 0.9/],
      ['validationSplit', '-0.1', /at least 0/],
      ['seed', '-1', /at least 0/],
      ['patience', '0', /at least 1/],
    ];
    for (const [f, t, re] of bad) {
      const r = parseField(f, t);
      expect(r.ok, `${f}=${t}`).toBe(false);
      if (!r.ok) expect(r.error).toMatch(re);
    }
  });

  it('agrees with the project schema at the limits', () => {
    for (const [field, spec] of Object.entries(NUMERIC_FIELDS) as [
      NumericField,
      (typeof NUMERIC_FIELDS)[NumericField],
    ][]) {
      if (field === 'patience') continue;
      // A schedule field is checked on a schedule that has it.
      const kind = (['step', 'plateau', 'cosine'] as const).find((k) => SCHEDULE_FIELDS[k].includes(field));
      const base = kind
        ? { ...DEFAULT_TRAINING, schedule: defaultSchedule(kind, DEFAULT_TRAINING) }
        : DEFAULT_TRAINING;
      for (const v of [spec.min, spec.max, spec.max + 1, spec.min - 1]) {
        const parsed = parseField(field, String(v));
        const set = setField(base, field, v);
        expect(!set.ok || fieldValue(set.config, field) === v, `${field}=${v} is set`).toBe(true);
        const schemaOk = set.ok && trainingConfigSchema.safeParse(set.config).success;
        expect(parsed.ok, `${field}=${v}`).toBe(schemaOk);
      }
    }
  });
});

describe('setField', () => {
  it('returns a config the schema accepts', () => {
    const r = setField(DEFAULT_TRAINING, 'learningRate', 0.01);
    expect(r.ok && r.config.learningRate).toBe(0.01);
    expect(r.ok && trainingConfigSchema.safeParse(r.config).success).toBe(true);
  });

  it('turns early stopping on when patience is set', () => {
    const r = setField(DEFAULT_TRAINING, 'patience', 7);
    expect(r.ok && r.config.earlyStopping).toEqual({ patience: 7, restoreBest: true });
  });

  it('refuses what the schema refuses', () => {
    expect(setField(DEFAULT_TRAINING, 'batchSize', 0).ok).toBe(false);
  });
});

describe('hints and text', () => {
  it('warns about learning rates that overshoot or crawl', () => {
    expect(fieldHint('learningRate', 1e6)).toMatch(/diverge/);
    expect(fieldHint('learningRate', 0.1)).toMatch(/High/);
    expect(fieldHint('learningRate', 0.1, { ...DEFAULT_TRAINING, optimizer: 'sgd' })).toBeNull();
    expect(fieldHint('learningRate', 1e-7)).toMatch(/crawl/);
    expect(fieldHint('learningRate', 0.001)).toBeNull();
    expect(fieldHint('validationSplit', 0)).toMatch(/overfitting/);
  });

  it('shows values readably and round-trips them', () => {
    expect(fieldText(0.001)).toBe('0.001');
    expect(fieldText(1e-5)).toBe('1e-5');
    expect(fieldText(1e6)).toBe('1e6');
    for (const v of [0.001, 1e-5, 1e6, 42, 0.2])
      expect(parseField('learningRate', fieldText(v))).toEqual({ ok: true, value: v });
  });
});

describe('schedule and regularisation fields', () => {
  const config = { ...DEFAULT_TRAINING, learningRate: 0.01, epochs: 30 };

  it('weight decay and clipping may be left empty (optimizer default / off); others may not', () => {
    expect(parseField('clipNorm', ' ')).toEqual({ ok: true, value: null });
    expect(parseField('weightDecay', '')).toEqual({ ok: true, value: null });
    expect(parseField('epochs', '')).toEqual({ ok: false, error: 'Epochs is required.' });
    expect(parseField('clipNorm', '0')).toMatchObject({ ok: false, error: /greater than 0/ });
    expect(parseField('weightDecay', '2')).toMatchObject({ ok: false, error: /at most 1/ });
    const on = setField(config, 'clipNorm', 1);
    expect(on.ok && on.config.clipNorm).toBe(1);
    const off = on.ok ? setField(on.config, 'clipNorm', null) : on;
    expect(off.ok && off.config.clipNorm).toBeNull();
  });

  it('each schedule gets values that suit the run, and its fields edit it', () => {
    expect(defaultSchedule('step', config)).toEqual({ kind: 'step', everyEpochs: 10, factor: 0.1 });
    expect(defaultSchedule('cosine', config)).toEqual({ kind: 'cosine', minLearningRate: 0.0001 });
    const plateau = { ...config, schedule: defaultSchedule('plateau', config) };
    for (const field of SCHEDULE_FIELDS.plateau) expect(fieldValue(plateau, field)).not.toBeNull();
    expect(fieldValue(plateau, 'scheduleEvery')).toBeNull();
    const r = setField(plateau, 'schedulePatience', 3);
    expect(r.ok && r.config.schedule).toMatchObject({ kind: 'plateau', patience: 3 });
    // A field the schedule does not have changes nothing.
    const same = setField(plateau, 'scheduleEvery', 4);
    expect(same.ok && same.config.schedule).toEqual(plateau.schedule);
    expect(setField(plateau, 'scheduleFactor', 1)).toMatchObject({ ok: false });
  });
});
