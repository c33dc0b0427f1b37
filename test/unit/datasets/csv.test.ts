import { execFileSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importCsv, type CsvProgress } from '../../../electron/services/datasets/csv';
import { failure } from './helpers';

const FIX = join(__dirname, '../../fixtures/csv');
const fx = (name: string) => join(FIX, name);
const dir = mkdtempSync(join(tmpdir(), 'netloom-csv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('CSV import: located refusals', () => {
  it('a non-number in a numeric column names line, column and value', async () => {
    const e = await failure(importCsv(fx('not-a-number.csv'), { target: 'species' }));
    expect(e.message).toMatch(/^line 17, column "petal_width": "abc" is not a number/);
    expect(e).toMatchObject({ code: 'not-a-number', line: 17, column: 'petal_width' });
  });

  it('a row with the wrong number of fields names its line', async () => {
    const e = await failure(importCsv(fx('broken-row.csv'), { target: 'species' }));
    expect(e.message).toMatch(/^line 9: 4 fields, expected 5 \(as in the header\)/);
    expect(e).toMatchObject({ code: 'broken-row', line: 9 });
  });

  it('line numbers count the newlines inside quoted fields', async () => {
    const e = await failure(importCsv(fx('quoted.csv'), { target: 'rating' }));
    expect(e.message).toMatch(/^line 12, column "rating": "bad" is not a number/);
  });

  it('an unclosed quote names its line', async () => {
    const e = await failure(importCsv(fx('unclosed-quote.csv')));
    expect(e.message).toMatch(/^line 4: Quoted field unterminated/);
  });

  it('a semicolon-separated file with a byte-order mark and CRLF line ends reads normally', async () => {
    const r = await importCsv(fx('semicolon-bom-crlf.csv'), { validationSplit: 0 });
    expect(r.dataset.featureNames).toEqual(['a', 'b']);
    expect(r.preprocessing.delimiter).toBe(';');
    expect(Array.from(r.dataset.y)).toEqual([0, 1, 0]);
  });

  it('a missing value is refused with row and column, or imputed when asked', async () => {
    const e = await failure(importCsv(fx('missing-value.csv'), { target: 'species' }));
    expect(e.message).toMatch(/^line 12, column "sepal_width": missing value/);
    expect(e).toMatchObject({ code: 'missing-value', line: 12, column: 'sepal_width' });
    const r = await importCsv(fx('missing-value.csv'), { target: 'species', missing: 'impute' });
    expect(r.dataset.count).toBe(30);
    expect(r.dataset.x.every(Number.isFinite)).toBe(true);
    const f = r.preprocessing.features.find((x) => x.column === 'sepal_width');
    expect(f).toMatchObject({ type: 'numeric' });
    expect(f && 'fill' in f && typeof f.fill).toBe('number');
  });

  it('a missing target value is always refused', async () => {
    const e = await failure(importCsv(fx('missing-target.csv'), { target: 'species', missing: 'impute' }));
    expect(e.message).toMatch(/^line 5, column "species" \(the target\): missing value/);
  });

  it('a target column that is not in the file lists the columns', async () => {
    const e = await failure(importCsv(fx('iris-small.csv'), { target: 'variety' }));
    expect(e.message).toBe(
      'The target column "variety" is not in the file; its columns are: sepal_length, sepal_width, petal_length, petal_width, species.',
    );
    expect(e.code).toBe('missing-column');
  });

  it('an all-constant column is dropped with a warning; a constant target is refused', async () => {
    const r = await importCsv(fx('constant-column.csv'), { target: 'species' });
    expect(r.dataset.featureNames).toEqual(['sepal_length', 'sepal_width', 'petal_length', 'petal_width']);
    expect(r.warnings.join('\n')).toMatch(
      /Column "batch" is dropped: it has the same value \(7\) in every row/,
    );
    expect(r.columns.find((c) => c.name === 'batch')).toMatchObject({ role: 'ignored' });
    const e = await failure(importCsv(fx('constant-column.csv'), { target: 'batch' }));
    expect(e.message).toMatch(/The target column "batch" has only one value \(7\)/);
  });

  it('a FIFO given as the CSV is refused at once, naming it (it would block a read forever)', async () => {
    const fifo = join(dir, 'pipe.csv');
    execFileSync('mkfifo', [fifo]);
    const e = await failure(importCsv(fifo));
    expect(e.code).toBe('not-a-file');
    expect(e.message).toBe(
      `Cannot read ${fifo}: it is a named pipe (FIFO), not a regular file. Choose a CSV file.`,
    );
  });

  it('a missing file and an empty file are refused', async () => {
    expect((await failure(importCsv(join(dir, 'nope.csv')))).code).toBe('missing-file');
    writeFileSync(join(dir, 'empty.csv'), '');
    expect((await failure(importCsv(join(dir, 'empty.csv')))).code).toBe('empty');
    writeFileSync(join(dir, 'header-only.csv'), 'a,b\n');
    expect((await failure(importCsv(join(dir, 'header-only.csv')))).message).toMatch(/no data rows/);
  });
});

describe('CSV import: types, target, standardisation', () => {
  it('iris: header detected, classification, standardised with training statistics only', async () => {
    const r = await importCsv(fx('iris-small.csv'), { target: 'species', validationSplit: 0.2, seed: 1 });
    const ds = r.dataset;
    expect(ds).toMatchObject({
      task: 'classification',
      count: 30,
      holdout: 6,
      sampleShape: [4],
      xDtype: 'float32',
    });
    expect(ds.classes).toEqual(['setosa', 'versicolor', 'virginica']);
    expect(r.preprocessing.header).toBe(true);
    // Training rows (the first 24) have mean 0, std 1 per column; the validation rows need not.
    for (let j = 0; j < 4; j++) {
      let s = 0;
      let s2 = 0;
      for (let i = 0; i < 24; i++) {
        s += ds.x[i * 4 + j]!;
        s2 += ds.x[i * 4 + j]! ** 2;
      }
      expect(s / 24).toBeCloseTo(0, 5);
      expect(s2 / 24).toBeCloseTo(1, 4);
    }
    // Predict: the returned statistics encode new rows identically and keep the file order.
    const again = await importCsv(fx('iris-small.csv'), { preprocessing: r.preprocessing });
    expect(again.dataset.holdout).toBe(0);
    const first = Array.from(again.dataset.x.subarray(0, 4));
    const raw = [5.1, 3.5, 1.4, 0.2];
    r.preprocessing.features.forEach((f, j) => {
      if (f.type !== 'numeric') throw new Error('numeric expected');
      expect(first[j]).toBeCloseTo((raw[j]! - f.mean) / f.std, 5);
    });
    expect(again.dataset.y[0]).toBe(0);
  });

  it('categorical features become one-hot; integer targets with few values are classes', async () => {
    const r = await importCsv(fx('mixed.csv'), { target: 'label', missing: 'impute', validationSplit: 0 });
    expect(r.dataset.featureNames).toEqual([
      'age',
      'city=Lyon',
      'city=Nice',
      'city=Paris',
      'income',
      'score',
    ]);
    expect(r.dataset.classes).toEqual(['no', 'yes']);
    // Row 4 has no city: imputed with the most frequent (Paris).
    expect(Array.from(r.dataset.x.subarray(3 * 6 + 1, 3 * 6 + 4))).toEqual([0, 0, 1]);
    const nh = await importCsv(fx('no-header.csv'), { validationSplit: 0 });
    expect(nh.preprocessing.header).toBe(false);
    expect(nh.dataset.featureNames).toEqual(['column_1', 'column_2']);
    expect(nh.dataset.classes).toEqual(['0', '1']);
    expect(nh.warnings.join()).toMatch(/using the last column, "column_3"/);
    const reg = await importCsv(fx('mixed.csv'), { target: 'score', missing: 'impute', validationSplit: 0 });
    expect(reg.dataset.task).toBe('regression');
    expect(Array.from(reg.dataset.y)).toEqual(
      [0.5, 0.7, 0.2, 0.9, 0.4, 0.8, 0.3, 0.95].map((v) => Math.fround(v)),
    );
  });

  it('reports progress and stops on cancel', async () => {
    const file = join(dir, 'medium.csv');
    const lines = ['a,b,c'];
    for (let i = 0; i < 200_000; i++) lines.push(`${i % 97},${(i * 7) % 13}.5,${i % 3}`);
    writeFileSync(file, lines.join('\n'));
    const seen: CsvProgress[] = [];
    const r = await importCsv(file, { target: 'c', onProgress: (p) => seen.push(p) });
    expect(r.rows).toBe(200_000);
    expect(seen.at(-1)).toMatchObject({ bytesRead: r.bytes, totalBytes: r.bytes, rows: 200_000 });
    const ac = new AbortController();
    const p = importCsv(file, {
      target: 'c',
      signal: ac.signal,
      onProgress: (x) => {
        if (x.rows > 0) ac.abort();
      },
    });
    expect((await failure(p)).code).toBe('cancelled');
  });
});

describe('CSV import: a large file with bounded memory', () => {
  it('imports ~100 MB streaming, RSS growth well below the file size in strings', async () => {
    const file = join(dir, 'big.csv');
    const target = Number(process.env.NETLOOM_BIG_CSV_MB ?? 100) * 1e6;
    let written = 0;
    await new Promise<void>((resolve, reject) => {
      const ws = createWriteStream(file);
      ws.on('error', reject);
      ws.write('a,b,c,d,e,f,g,h,colour,label\n');
      let s = 12345;
      const rnd = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296;
      const colours = ['red', 'green', 'blue', 'amber'];
      let i = 0;
      const pump = () => {
        let ok = true;
        while (ok && written < target) {
          let chunk = '';
          for (let k = 0; k < 2000; k++, i++) {
            let row = '';
            for (let c = 0; c < 8; c++) row += `${(rnd() * 100 - 50).toFixed(3)},`;
            chunk += `${row}${colours[i % 4]},${i % 3}\n`;
          }
          written += chunk.length;
          ok = ws.write(chunk);
        }
        if (written >= target) ws.end(() => resolve());
        else ws.once('drain', pump);
      };
      pump();
    });
    const rss0 = process.memoryUsage().rss;
    let peak = rss0;
    const t0 = performance.now();
    let calls = 0;
    const r = await importCsv(file, {
      target: 'label',
      onProgress: () => {
        calls++;
        peak = Math.max(peak, process.memoryUsage().rss);
      },
    });
    peak = Math.max(peak, process.memoryUsage().rss);
    const seconds = (performance.now() - t0) / 1000;
    const growthMb = (peak - rss0) / 1e6;
    console.log(
      `big CSV: ${(written / 1e6).toFixed(0)} MB, ${r.rows} rows, ${seconds.toFixed(1)} s, RSS growth ${growthMb.toFixed(0)} MB (x: ${(r.dataset.x.byteLength / 1e6).toFixed(0)} MB)`,
    );
    expect(r.dataset.sampleShape).toEqual([12]);
    expect(r.dataset.classes).toEqual(['0', '1', '2']);
    expect(calls).toBeGreaterThan(3);
    // x is ~0.75× the file and the numbers, kept as read (64-bit) until standardised, ~1.1×; strings
    // would be several times the file.
    expect(growthMb).toBeLessThan(Math.max(150, (3 * written) / 1e6));
  }, 120_000);
});
