import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBuiltin } from '../../../electron/services/datasets/builtin';
import { importCsv } from '../../../electron/services/datasets/csv';
import { summarize } from '../../../electron/services/datasets/summary';

describe('data summary', () => {
  it('picks a preview for the kind of data and suggests the model shapes', async () => {
    const spirals = summarize(await loadBuiltin('spirals'));
    expect(spirals).toMatchObject({ count: 1000, trainCount: 800, validationCount: 200 });
    expect(spirals.preview.kind).toBe('scatter');
    expect(spirals.suggested).toEqual({ inputShape: [2], inputDtype: 'float32', targetShape: [2] });
    const digits = summarize(await loadBuiltin('digits'));
    expect(digits.preview.kind).toBe('images');
    if (digits.preview.kind === 'images') {
      expect(digits.preview.perClass).toHaveLength(10);
      expect(digits.preview.perClass[0]!.images[0]).toHaveLength(64);
    }
    const sine = summarize(await loadBuiltin('sine'));
    expect(sine.preview.kind).toBe('table');
    expect(sine.suggested.targetShape).toEqual([1]);
    const csv = await importCsv(join(__dirname, '../../fixtures/csv/constant-column.csv'), {
      target: 'species',
    });
    const s = summarize(csv.dataset, { warnings: csv.warnings, columns: csv.columns });
    expect(s.warnings.join()).toMatch(/"batch" is dropped/);
    if (s.preview.kind !== 'table') throw new Error('table expected');
    expect(s.preview.header.at(-1)).toBe('class');
    expect(s.preview.columns?.map((c) => c.name)).toContain('batch');
  });

  it('decodes token ids back to words for text', async () => {
    const spam = summarize(await loadBuiltin('spamassassin', { maxLength: 20, vocabSize: 2000 }));
    expect(spam.preview.kind).toBe('sequence');
    if (spam.preview.kind === 'sequence') {
      expect(spam.preview.examples[0]!.text.split(' ').length).toBeLessThanOrEqual(20);
      expect(['ham', 'spam']).toContain(spam.preview.examples[0]!.label);
    }
    expect(spam.suggested).toEqual({ inputShape: [20], inputDtype: 'int32', targetShape: [2] });
  });
});
