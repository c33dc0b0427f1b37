import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { datasetAssetsDir } from '../../../electron/services/datasets/assets';
import {
  BUILTIN_DATASETS,
  builtinDescriptor,
  loadBuiltin,
} from '../../../electron/services/datasets/builtin';
import { emailText } from '../../../electron/services/datasets/builtin/spam';
import { DatasetError } from '../../../electron/services/datasets/errors';
import { sampleSize, splitCounts } from '../../../electron/services/datasets/split';

const SYNTHETIC = ['xor', 'circles', 'spirals', 'moons', 'blobs', 'sine'];

describe('built-in datasets', () => {
  it('lists every dataset once, with ids a data spec accepts', () => {
    const ids = BUILTIN_DATASETS.map((d) => d.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual([...SYNTHETIC, 'iris', 'digits', 'mnist', 'spamassassin']);
    for (const id of ids) expect(id).toMatch(/^[a-z0-9][a-z0-9-]{0,63}$/);
  });

  it.each(BUILTIN_DATASETS.map((d) => [d.id, d] as const))(
    '%s loads with its declared shape, size and classes',
    async (id, desc) => {
      const ds = await loadBuiltin(id, { validationSplit: 0.2 });
      expect(ds.id).toBe(id);
      expect(ds.task).toBe(desc.task);
      expect(ds.count).toBe(desc.size);
      expect(ds.sampleShape).toEqual(desc.sampleShape);
      expect(ds.x.length).toBe(ds.count * sampleSize(ds.sampleShape));
      expect(ds.y.length).toBe(ds.count * ds.targetSize);
      expect(ds.source).toBeTruthy();
      if (ds.xDtype === 'int32') {
        expect(ds.x).toBeInstanceOf(Int32Array);
        for (const v of ds.x) expect(v >= 0 && v < ds.vocabSize!).toBe(true);
      } else {
        expect(ds.x).toBeInstanceOf(Float32Array);
        expect(ds.x.every(Number.isFinite)).toBe(true);
      }
      if (desc.task === 'classification') {
        expect(ds.classes).toHaveLength(desc.classes!);
        expect(ds.y).toBeInstanceOf(Int32Array);
        const seen = new Set(ds.y);
        expect(seen.size).toBe(desc.classes);
        for (const c of seen) expect(c >= 0 && c < desc.classes!).toBe(true);
      } else expect(ds.y).toBeInstanceOf(Float32Array);
      // The split every consumer uses.
      const { trainCount, validationCount } = splitCounts(ds);
      expect(trainCount + validationCount).toBe(ds.count);
      expect(validationCount).toBe(id === 'mnist' ? 2000 : ds.count - Math.floor(ds.count * 0.8));
    },
  );

  it('real sets have the published sizes, class balance and value ranges', async () => {
    const iris = await loadBuiltin('iris');
    expect(iris.holdout).toBe(0);
    expect(iris.featureNames).toEqual(['sepal_length', 'sepal_width', 'petal_length', 'petal_width']);
    expect([0, 1, 2].map((c) => iris.y.filter((v) => v === c).length)).toEqual([50, 50, 50]);
    const digits = await loadBuiltin('digits');
    expect(digits.count).toBe(1797);
    expect(Math.min(...digits.x)).toBe(0);
    expect(Math.max(...digits.x)).toBe(1);
    // Values are k/16.
    expect(digits.x.every((v) => Number.isInteger(v * 16))).toBe(true);
    const mnist = await loadBuiltin('mnist');
    expect(mnist.count).toBe(10_000);
    expect(mnist.holdout).toBe(2000);
    let max = 0;
    for (const v of mnist.x) if (v > max) max = v;
    expect(max).toBeLessThanOrEqual(1);
    expect(max).toBeGreaterThan(0.9);
  });

  it('asset files match the checksums written by scripts/make-datasets.py', () => {
    const dir = datasetAssetsDir();
    const sums = JSON.parse(readFileSync(join(dir, 'checksums.json'), 'utf8')) as Record<
      string,
      { sha256: string }
    >;
    for (const [file, { sha256 }] of Object.entries(sums))
      expect(
        createHash('sha256')
          .update(readFileSync(join(dir, file)))
          .digest('hex'),
        file,
      ).toBe(sha256);
  });

  it.each(SYNTHETIC)('%s is deterministic for a seed and changes with it', async (id) => {
    const a = await loadBuiltin(id, { seed: 7, samples: 300, noise: 0.2 });
    const b = await loadBuiltin(id, { seed: 7, samples: 300, noise: 0.2 });
    const c = await loadBuiltin(id, { seed: 8, samples: 300, noise: 0.2 });
    expect(a.count).toBe(300);
    expect(Array.from(a.x)).toEqual(Array.from(b.x));
    expect(Array.from(a.y)).toEqual(Array.from(b.y));
    expect(Array.from(a.x)).not.toEqual(Array.from(c.x));
  });

  it('real sets come in a seeded order: same seed, same order; the last rows mix the classes', async () => {
    const a = await loadBuiltin('iris', { seed: 1 });
    const b = await loadBuiltin('iris', { seed: 1 });
    const c = await loadBuiltin('iris', { seed: 2 });
    expect(Array.from(a.y)).toEqual(Array.from(b.y));
    expect(Array.from(a.y)).not.toEqual(Array.from(c.y));
    expect(new Set(a.y.subarray(120)).size).toBe(3);
  });

  it('options: samples, noise and classes take effect; bad ones are refused with the reason', async () => {
    const blobs = await loadBuiltin('blobs', { classes: 5, samples: 250 });
    expect(blobs.classes).toHaveLength(5);
    expect(blobs.count).toBe(250);
    const clean = await loadBuiltin('circles', { noise: 0 });
    for (let i = 0; i < clean.count; i++) {
      const r = Math.hypot(clean.x[2 * i]!, clean.x[2 * i + 1]!);
      expect(r).toBeCloseTo(clean.y[i] === 0 ? 1 : 0.5, 5);
    }
    const sine = await loadBuiltin('sine', { noise: 0 });
    for (let i = 0; i < sine.count; i++) expect(sine.y[i]).toBeCloseTo(Math.sin(sine.x[i]!), 5);
    await expect(loadBuiltin('nope')).rejects.toThrow(/no built-in dataset "nope".*iris/);
    await expect(loadBuiltin('iris', { samples: 10 })).rejects.toThrow(
      /builtin:iris has no option "samples"/,
    );
    await expect(loadBuiltin('spirals', { samples: 2.5 })).rejects.toThrow(
      /whole number from 10 to 200000; got 2.5/,
    );
    await expect(loadBuiltin('moons', { noise: 'lots' })).rejects.toThrow(DatasetError);
    await expect(loadBuiltin('xor', { validationSplit: 2 })).rejects.toThrow(/validationSplit/);
    expect(builtinDescriptor('spirals')?.options?.noise?.default).toBe(0.03);
  });

  it('cancellation is honoured', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(loadBuiltin('mnist', { signal: ac.signal })).rejects.toMatchObject({ code: 'cancelled' });
  });
});

describe('SpamAssassin as token ids', () => {
  it('keeps subject and body, not the routing headers', () => {
    const t = emailText('Received: from x by y\nSubject: Win money\nFrom: a@b\n\nHello there\n');
    expect(t).toBe('Win money\nHello there\n');
  });

  it('builds its vocabulary from the training rows only; options shape the sequences', async () => {
    const ds = await loadBuiltin('spamassassin', {
      validationSplit: 0.25,
      vocabSize: 500,
      maxLength: 40,
      seed: 3,
    });
    expect(ds.count).toBe(6046);
    expect(ds.holdout).toBe(6046 - Math.floor(6046 * 0.75));
    expect(ds.sampleShape).toEqual([40]);
    expect(ds.vocabSize).toBe(500);
    expect(ds.tokenizer!.words.slice(0, 2)).toEqual(['<pad>', '<unk>']);
    expect(ds.y.filter((v) => v === 1).length).toBe(1896);
    // Rare words appear in validation only: their ids are 1 (unknown), never an id ≥ 2 unseen in training.
    const trainEnd = (ds.count - ds.holdout!) * 40;
    const inTraining = new Set(ds.x.subarray(0, trainEnd));
    const valIds = new Set(ds.x.subarray(trainEnd));
    for (const id of valIds) if (id >= 2) expect(inTraining.has(id)).toBe(true);
    expect(valIds.has(1)).toBe(true);
    // A different split gives a different vocabulary.
    const other = await loadBuiltin('spamassassin', {
      validationSplit: 0.25,
      vocabSize: 500,
      maxLength: 40,
      seed: 4,
    });
    expect(other.tokenizer!.words).not.toEqual(ds.tokenizer!.words);
  });
});
