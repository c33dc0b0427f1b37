/**
 * Numbers at the edges of floating point in a CSV: every value that would reach the model as
 * Infinity, NaN or a silently collapsed number is refused with its line and column; values that only
 * need careful arithmetic (tiny, or a large offset) are standardised exactly.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  importCsv,
  type CsvImportOptions,
  type CsvImportResult,
} from '../../../electron/services/datasets/csv';
import { DatasetError } from '../../../electron/services/datasets/errors';
import { createRng, permutation } from '../../../shared/random';
import { holdoutFor } from '../../../electron/services/datasets/split';
import { failure } from './helpers';

const dir = mkdtempSync(join(tmpdir(), 'netloom-csv-range-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const csv = (lines: string[]): string => {
  const file = join(dir, `t${files++}.csv`);
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
};

/** Column `j` of x (width `w`) over rows [0, rows). */
const column = (r: CsvImportResult, j: number, rows = r.dataset.count) => {
  const w = r.dataset.sampleShape[0]!;
  return Array.from({ length: rows }, (_, i) => r.dataset.x[i * w + j]!);
};
const stats = (v: number[]) => {
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  return { mean, std: Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length) };
};

const rows = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i));

describe('CSV import: values beyond 32-bit floats are refused, located', () => {
  it('a feature value beyond ±3.4028235e38 names line, column and what to do', async () => {
    const file = csv(['a,b,label', ...rows(10, (i) => `${i},${i === 3 ? '1e308' : i * 2},${i % 2}`)]);
    const e = await failure(importCsv(file, { target: 'label' }));
    expect(e).toMatchObject({ code: 'out-of-range', line: 5, column: 'b' });
    expect(e.message).toMatch(
      /^line 5, column "b": "1e308" is beyond the range of the 32-bit floats the model computes in \(±3\.4028235e38\)/,
    );
    expect(e.message).toMatch(/Rescale the column \(e\.g\. take a logarithm\) or drop it\./);
  });

  it('numbers beyond 64-bit floats and infinities are refused as out of range, not as "not a number"', async () => {
    const big = csv(['a,b,label', ...rows(12, (i) => `${i},${i === 6 ? '-2e400' : i},${i % 2}`)]);
    const e = await failure(importCsv(big, { target: 'label' }));
    expect(e).toMatchObject({ code: 'out-of-range', line: 8, column: 'b' });
    expect(e.message).toMatch(/^line 8, column "b": "-2e400" is beyond the range of numbers/);
    const inf = csv(['a,b,label', ...rows(12, (i) => `${i},${i === 2 ? 'Infinity' : i},${i % 2}`)]);
    expect(await failure(importCsv(inf, { target: 'label' }))).toMatchObject({
      code: 'out-of-range',
      line: 4,
      column: 'b',
    });
  });

  it('a regression target beyond 32-bit floats, or whose squared errors would overflow them, is refused', async () => {
    const beyond = csv(['a,price', ...rows(30, (i) => `${i},${i === 4 ? '-3.5e38' : i + 0.5}`)]);
    const e = await failure(importCsv(beyond, { target: 'price' }));
    expect(e).toMatchObject({ code: 'out-of-range', line: 6, column: 'price' });
    expect(e.message).toMatch(/^line 6, column "price" \(the target\): "-3\.5e38" is beyond the range/);
    // 1e30 fits a 32-bit float, but its square (the squared error the model learns from) does not.
    const large = csv(['a,price', ...rows(30, (i) => `${i},${i === 9 ? '1e30' : i + 0.5}`)]);
    const l = await failure(importCsv(large, { target: 'price' }));
    expect(l).toMatchObject({ code: 'out-of-range', line: 11, column: 'price' });
    expect(l.message).toMatch(
      /^line 11, column "price" \(the target\): 1e\+30 is too large a regression target/,
    );
    expect(l.message).toMatch(/Rescale the column/);
  });

  it('a regression target too small for 32-bit floats is refused, not trained on as zeros', async () => {
    const tiny = csv(['a,dose', ...rows(20, (i) => `${i},${(i % 7) + 1}e-300`)]);
    const e = await failure(importCsv(tiny, { target: 'dose' }));
    expect(e).toMatchObject({ code: 'out-of-range', line: 2, column: 'dose' });
    expect(e.message).toMatch(
      /^line 2, column "dose" \(the target\): 1e-300 is too small for the 32-bit floats/,
    );
    // 1e-25 is a 32-bit float, but squared errors at that scale underflow to 0: nothing to learn from.
    const small = csv(['a,dose', ...rows(20, (i) => `${i},${(i % 7) + 1}e-25`)]);
    const s = await failure(importCsv(small, { target: 'dose' }));
    expect(s).toMatchObject({ code: 'out-of-range', line: 8, column: 'dose' });
    expect(s.message).toMatch(
      /^line 8, column "dose" \(the target\): the target's values differ by only 6e-25/,
    );
    expect(s.message).toMatch(/underflow to 0/);
  });

  it('a validation row whose standardised value overflows is refused with its line', async () => {
    const n = 40;
    const order = permutation(n, createRng(42, 'csv:order').next);
    const validation = order[n - holdoutFor(n, 0.2)]!; // a row left out of the statistics
    const file = csv([
      'a,b,label',
      ...rows(n, (i) => `${i},${i === validation ? '1e10' : `${(i % 5) + 1}e-30`},${i % 2}`),
    ]);
    const e = await failure(importCsv(file, { target: 'label', validationSplit: 0.2, seed: 42 }));
    expect(e).toMatchObject({ code: 'out-of-range', line: validation + 2, column: 'b' });
    expect(e.message).toMatch(/too far from the column's training values/);
  });

  it('predicting: a new row whose standardised value overflows 32-bit floats is refused, located', async () => {
    const train = csv(['a,b,label', ...rows(20, (i) => `${i},${(i % 5) + 1}e-30,${i % 2}`)]);
    const r = await importCsv(train, { target: 'label' });
    const fresh = csv(['a,b', '1,2e-30', '2,3e-30', '3,1e10', '4,1e-30']);
    const e = await failure(importCsv(fresh, { preprocessing: r.preprocessing }));
    expect(e).toMatchObject({ code: 'out-of-range', line: 4, column: 'b' });
    expect(e.message).toMatch(
      /^line 4, column "b": 10000000000 is too far from the column's training values/,
    );
  });
});

describe('CSV import: numbers that need care are standardised exactly', () => {
  it('a column of tiny values (1e-300) is standardised, not zeroed', async () => {
    const r = await importCsv(csv(['a,b,label', ...rows(20, (i) => `${(i % 4) + 1}e-300,${i},${i % 2}`)]), {
      target: 'label',
      validationSplit: 0,
    });
    expect(r.dataset.featureNames).toEqual(['a', 'b']);
    const { mean, std } = stats(column(r, 0));
    expect(mean).toBeCloseTo(0, 5);
    expect(std).toBeCloseTo(1, 5);
  });

  it('a large offset (timestamps) keeps its spread: no rounding to 32-bit before standardising', async () => {
    const r = await importCsv(csv(['t,b,label', ...rows(30, (i) => `${1.7e9 + i},${i % 3},${i % 2}`)]), {
      target: 'label',
      validationSplit: 0,
    });
    const t = column(r, 0);
    expect(new Set(t).size).toBe(30);
    expect(stats(t).std).toBeCloseTo(1, 5);
  });

  it('with standardisation off, a value too small for 32-bit floats is refused rather than zeroed', async () => {
    const file = csv(['a,b,label', ...rows(12, (i) => `${(i % 3) + 1}e-60,${i},${i % 2}`)]);
    const e = await failure(importCsv(file, { target: 'label', standardize: false }));
    expect(e).toMatchObject({ code: 'out-of-range', line: 2, column: 'a' });
  });

  it('whole-number class labels beyond 2^24 stay distinct', async () => {
    const r = await importCsv(csv(['a,id', ...rows(8, (i) => `${i},${16777216 + (i % 2)}`)]), {
      target: 'id',
      validationSplit: 0,
    });
    expect(r.dataset.classes).toEqual(['16777216', '16777217']);
    expect(Array.from(r.dataset.y)).toEqual([0, 1, 0, 1, 0, 1, 0, 1]);
  });

  it('predicting: a category the model never saw, index-encoded, gives 0 and a located warning, not NaN', async () => {
    const train = csv(['c,x,label', ...rows(12, (i) => `k${i % 4},${i},${i % 2}`)]);
    const r = await importCsv(train, { target: 'label', oneHotMax: 2 });
    expect(r.preprocessing.features[0]).toMatchObject({ column: 'c', encoding: 'index' });
    const fresh = await importCsv(csv(['c,x', 'k1,1', 'zz,2', 'k3,3']), { preprocessing: r.preprocessing });
    expect(fresh.dataset.x.every(Number.isFinite)).toBe(true);
    expect(fresh.dataset.x[2]).toBe(0);
    expect(fresh.warnings.join('\n')).toMatch(
      /Column "c": 1 value\(s\) the model was not trained on \(first on line 3\)/,
    );
  });
});

// ---------------------------------------------------------------------------------------------------
// The property: any CSV, any magnitudes: a located refusal, or only finite 32-bit numbers (and no
// column silently collapsed). Numeric columns hold any magnitude per cell, or one magnitude (1e-308 to
// 1e38) per column, or small integers.

const FLOAT32_MAX = 3.4028234663852886e38;
/** Any magnitude in any cell: most such CSVs hold something out of range. */
const anyNumber = fc.oneof(
  fc.integer({ min: -5, max: 5 }).map(String),
  fc
    .tuple(fc.integer({ min: -9999, max: 9999 }), fc.integer({ min: -308, max: 308 }))
    .map(([m, e]) => `${m}e${e}`),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
  fc.constantFrom('1e308', '-1e308', '3.4028235e38', '3.5e38', '1e-308', '5e-324', '1e38', '2e19', '0'),
);
/** A column of one magnitude, 1e-308 to 1e38, with a few digits of spread (or none). */
const scaledColumn = fc
  .tuple(fc.integer({ min: -308, max: 36 }), fc.integer({ min: 0, max: 3 }))
  .map(([e, spread]) =>
    fc
      .tuple(fc.integer({ min: -9999, max: 9999 }), fc.integer({ min: 0, max: spread }))
      .map(([m, d]) => `${m}e${e + d}`),
  );
const numberColumn: fc.Arbitrary<fc.Arbitrary<string>> = fc.oneof(
  fc.constant(anyNumber),
  scaledColumn,
  scaledColumn,
  fc.constant(fc.integer({ min: -3, max: 3 }).map(String)),
);
const cellWord = fc.constantFrom('red', 'green', 'blue');

interface Case {
  cols: ('number' | 'word')[];
  target: 'number' | 'word';
  cells: string[][];
  validationSplit: number;
  standardize: boolean;
  seed: number;
}

const arbCase: fc.Arbitrary<Case> = fc
  .record({
    cols: fc.array(fc.constantFrom<'number' | 'word'>('number', 'number', 'word'), {
      minLength: 1,
      maxLength: 3,
    }),
    target: fc.constantFrom<'number' | 'word'>('number', 'word'),
    n: fc.integer({ min: 2, max: 25 }),
    validationSplit: fc.constantFrom(0, 0, 0.2, 0.5),
    standardize: fc.boolean(),
    seed: fc.integer({ min: 0, max: 1000 }),
  })
  .chain(({ cols, target, n, ...rest }) => {
    const kinds = [...cols, target];
    const cellsOf = kinds.map((k) => (k === 'number' ? numberColumn : fc.constant(cellWord)));
    return fc
      .tuple(...cellsOf)
      .chain((columns) => fc.array(fc.tuple(...columns), { minLength: n, maxLength: n }))
      .map((cells) => ({ cols, target, cells, ...rest }));
  });

describe('CSV import: the numeric property', () => {
  it('random CSVs with magnitudes from 1e-308 to 1e308: a located DatasetError, or only finite float32 values', async () => {
    await fc.assert(
      fc.asyncProperty(arbCase, async (c) => {
        const names = [...c.cols.map((_, j) => `f${j}`), 'target'];
        const file = csv([names.join(','), ...c.cells.map((r) => r.join(','))]);
        const options: CsvImportOptions = {
          target: 'target',
          validationSplit: c.validationSplit,
          standardize: c.standardize,
          seed: c.seed,
          columns: names.map((name, j) => ({
            name,
            role: j === names.length - 1 ? 'target' : 'feature',
            type: (j === names.length - 1 ? c.target : c.cols[j]) === 'number' ? 'numeric' : 'categorical',
          })),
        };
        let r: CsvImportResult;
        try {
          r = await importCsv(file, options);
        } catch (e) {
          if (!(e instanceof DatasetError)) throw e;
          if (e.code === 'out-of-range') {
            expect(e.line).toBeGreaterThanOrEqual(2);
            expect(names).toContain(e.column);
            expect(e.message).toMatch(new RegExp(`^line ${e.line}, column "${e.column}"`));
          } else {
            // Refusals of a whole column or file: a constant target, fractional or too many classes,
            // no usable input.
            expect(['constant-target', 'unusable', 'too-many-classes']).toContain(e.code);
          }
          return;
        }
        const { x, y } = r.dataset;
        expect(x).toBeInstanceOf(Float32Array);
        for (const v of x) if (!Number.isFinite(v)) expect.fail(`x holds ${v}`);
        for (const v of y) if (!Number.isFinite(v)) expect.fail(`y holds ${v}`);
        if (y instanceof Float32Array)
          for (const v of y) expect(Math.abs(v)).toBeLessThanOrEqual(FLOAT32_MAX);
        if (c.validationSplit !== 0) return;
        // No shuffle and every row is a training row: each kept numeric column is exactly the file's
        // values, standardised (mean 0, std 1) or raw; a dropped one was constant.
        let off = 0;
        for (const f of r.preprocessing.features) {
          const j = names.indexOf(f.column);
          const raw = c.cells.map((row) => Number(row[j]));
          if (f.type === 'numeric') {
            const xs = column(r, off);
            if (c.standardize) {
              const s = stats(xs);
              expect(Math.abs(s.mean)).toBeLessThan(1e-4);
              expect(Math.abs(s.std - 1)).toBeLessThan(1e-4);
            } else expect(xs).toEqual(raw.map((v) => Math.fround(v)));
            off += 1;
          } else if (f.type === 'categorical') off += f.encoding === 'one-hot' ? f.categories.length : 1;
        }
        for (const [j, kind] of c.cols.entries())
          if (kind === 'number' && !r.preprocessing.features.some((f) => f.column === `f${j}`))
            expect(new Set(c.cells.map((row) => Number(row[j]))).size).toBe(1);
        if (r.dataset.task === 'regression')
          expect(Array.from(y)).toEqual(c.cells.map((row) => Math.fround(Number(row.at(-1)))));
      }),
      { numRuns: 300 },
    );
  }, 120_000);
});
