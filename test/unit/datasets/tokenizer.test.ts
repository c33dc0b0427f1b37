import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importCsv } from '../../../electron/services/datasets/csv';
import { PAD_ID, tokenize, Tokenizer, UNKNOWN_ID } from '../../../electron/services/datasets/tokenizer';

const dir = mkdtempSync(join(tmpdir(), 'netloom-tok-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('tokenizer', () => {
  it('splits lowercase word tokens', () => {
    expect(tokenize("Don't PANIC: 42 towels, Zaphod!")).toEqual(["don't", 'panic', '42', 'towels', 'zaphod']);
    expect(tokenize('Ünïcode façade')).toEqual(['ünïcode', 'façade']);
  });

  it('ranks words by training frequency, ties alphabetically; 0 pads, 1 is unknown', () => {
    const t = Tokenizer.fromTraining(
      [
        ['b', 'a', 'c', 'a'],
        ['b', 'd'],
      ],
      4,
      5,
    );
    expect(t.state.words).toEqual(['<pad>', '<unk>', 'a', 'b']);
    expect(Array.from(t.encode('a c b'))).toEqual([PAD_ID, PAD_ID, 2, UNKNOWN_ID, 3]);
    // Longer than maxLength: the first tokens are kept.
    expect(Array.from(t.encode('a a a a a b b'))).toEqual([2, 2, 2, 2, 2]);
  });

  it('a word seen only in the validation rows of a CSV maps to 1 (unknown)', async () => {
    // Every row has its own word ("wordN"); the vocabulary must hold exactly the training rows' words.
    const rows = ['text,label'];
    for (let i = 0; i < 50; i++) rows.push(`"common words here word${i}",${i % 2 ? 'spam' : 'ham'}`);
    const file = join(dir, 'text.csv');
    writeFileSync(file, rows.join('\n') + '\n');
    const { dataset, preprocessing } = await importCsv(file, {
      target: 'label',
      validationSplit: 0.2,
      maxLength: 4,
      vocabSize: 1000,
    });
    expect(dataset.xDtype).toBe('int32');
    expect(dataset.sampleShape).toEqual([4]);
    expect(dataset.holdout).toBe(10);
    const words = new Set(preprocessing.tokenizer!.words);
    const own = [...words].filter((w) => /^word\d+$/.test(w));
    expect(own).toHaveLength(40);
    for (let i = 0; i < 50; i++) {
      const last = dataset.x[i * 4 + 3]!;
      if (i < 40) expect(last).toBeGreaterThanOrEqual(2);
      else expect(last).toBe(UNKNOWN_ID);
    }
    // The common words are known everywhere.
    expect(dataset.x[49 * 4]).toBe(preprocessing.tokenizer!.words.indexOf('common'));
  });
});
