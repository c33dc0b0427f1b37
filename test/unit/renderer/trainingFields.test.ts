import { describe, expect, it } from 'vitest';
import { DEFAULT_TRAINING, trainingConfigSchema } from '../../../shared/training/config';
import {
  fieldHint,
  fieldText,
  NUMERIC_FIELDS,
  parseField,
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
      for (const v of [spec.min, spec.max, spec.max + 1, spec.min - 1]) {
        const parsed = parseField(field, String(v));
        const schemaOk = trainingConfigSchema.safeParse({ ...DEFAULT_TRAINING, [field]: v }).success;
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
