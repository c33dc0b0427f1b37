import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBuiltin, type LoadedDataset } from '../../../electron/services/datasets/builtin';
import { importCsv } from '../../../electron/services/datasets/csv';
import { asReconstruction } from '../../../electron/services/datasets/reconstruction';
import { summarize } from '../../../electron/services/datasets/summary';

const of = (dataset: LoadedDataset) => summarize({ dataset, warnings: [] });

describe('data summary', () => {
  it('picks a preview for the kind of data and suggests the model shapes', async () => {
    const spirals = await of(await loadBuiltin('spirals', { validationSplit: 0.2 }));
    expect(spirals).toMatchObject({ count: 1000, trainCount: 800, validationCount: 200 });
    expect(spirals.preview.kind).toBe('scatter');
    // Two classes: one sigmoid unit.
    expect(spirals.suggested).toEqual({ inputShape: [2], inputDtype: 'float32', targetShape: [1] });
    const digits = await of(await loadBuiltin('digits'));
    expect(digits.preview.kind).toBe('images');
    if (digits.preview.kind === 'images') {
      expect(digits.preview.perClass).toHaveLength(10);
      expect(digits.preview.perClass[0]!.images[0]).toHaveLength(64);
    }
    expect(digits.suggested.targetShape).toEqual([10]);
    const sine = await of(await loadBuiltin('sine'));
    expect(sine.preview.kind).toBe('table');
    expect(sine.suggested.targetShape).toEqual([1]);
    const file = join(__dirname, '../../fixtures/csv/constant-column.csv');
    const csv = await importCsv(file, { target: 'species' });
    const s = await summarize({ dataset: csv.dataset, warnings: csv.warnings, columns: csv.columns }, file);
    expect(s.warnings.join()).toMatch(/"batch" is dropped/);
    if (s.preview.kind !== 'table') throw new Error('table expected');
    expect(s.preview.header).toContain('species');
    expect(s.preview.columns?.map((c) => c.name)).toContain('batch');
  });

  it('decodes token ids back to words for text', async () => {
    const spam = await of(await loadBuiltin('spamassassin', { maxLength: 20, vocabSize: 2000 }));
    expect(spam.preview.kind).toBe('sequence');
    if (spam.preview.kind === 'sequence') {
      expect(spam.preview.examples[0]!.text.split(' ').length).toBeLessThanOrEqual(20);
      expect(['ham', 'spam']).toContain(spam.preview.examples[0]!.label);
    }
    expect(spam.suggested).toEqual({ inputShape: [20], inputDtype: 'int32', targetShape: [1] });
  });

  it('an autoencoder’s data: targets shaped like the samples, the images shown as they come', async () => {
    const digits = asReconstruction(await loadBuiltin('digits', { validationSplit: 0.2 }));
    const s = await of(digits);
    expect(s).toMatchObject({ task: 'regression', reconstruction: true });
    expect(s.classes).toBeUndefined();
    expect(s.suggested).toEqual({ inputShape: [8, 8, 1], inputDtype: 'float32', targetShape: [8, 8, 1] });
    if (s.preview.kind !== 'images') throw new Error('images expected');
    expect(s.preview.perClass).toHaveLength(1);
    expect(s.preview.perClass[0]!.images).toHaveLength(12);
  });
});
