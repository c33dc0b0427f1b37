/**
 * Rows to column stores: papaparse's rows (a chunk at a time) are checked (width, numbers, missing
 * values, category limits) and stored column by column, so the file never lives in memory as
 * strings. The first non-empty row is the header (unless it has a number); the first `sampleRows`
 * rows are kept until the columns' roles and types are decided (infer.ts), then stored too.
 */
import { DatasetError } from '../errors';
import { GrowableInt32 } from '../growable';
import { tokenize } from '../tokenizer';
import { decideColumns } from './infer';
import { FLOAT32_RANGE, rescale } from './numbers';
import {
  clip,
  isMissing,
  looksNumeric,
  MAX_CATEGORIES,
  MAX_CLASSES_FOR_INTEGER_TARGET,
  q,
  type ImportState,
  type Store,
} from './store';
import type { CsvColumnReport, CsvImportOptions } from './types';

/** One reading of a CSV file: rows in (`push`), column stores out (`ImportState`, for assemble.ts). */
export class Importer implements ImportState {
  readonly warnings: string[] = [];
  private header: string[] | undefined;
  hasHeader = false;
  private width = 0;
  private line = 0; // lines consumed so far
  get nextLine(): number {
    return this.line + 1;
  }
  private sample: { row: string[]; line: number }[] = [];
  readonly stores: (Store | undefined)[] = [];
  /** The line each stored row starts on, for errors found after the last row. */
  readonly lines = new GrowableInt32();
  readonly ignored: CsvColumnReport[] = [];
  rows = 0;
  /** As given or as detected by papaparse on the first chunk. */
  delimiter: string | undefined;
  private decided = false;
  target: Store | undefined;
  private readonly sampleRows: number;
  readonly maxLength: number;
  private readonly missingMode: 'refuse' | 'impute';

  constructor(
    readonly file: string,
    readonly o: CsvImportOptions,
  ) {
    this.sampleRows = o.sampleRows ?? 1000;
    this.maxLength = o.preprocessing?.tokenizer?.maxLength ?? o.maxLength ?? 100;
    this.delimiter = o.delimiter ?? o.preprocessing?.delimiter;
    this.missingMode = o.missing ?? 'refuse';
  }

  /** Feeds parsed rows (one papaparse chunk). */
  push(rows: string[][]): void {
    for (const row of rows) {
      const line = this.line + 1;
      let extra = 0;
      for (const f of row) if (f.length > 0 && f.indexOf('\n') !== -1) extra += f.split('\n').length - 1;
      this.line += 1 + extra;
      if (row.length === 1 && row[0] === '') continue; // an empty line
      if (!this.header) {
        this.start(row, line);
        if (this.hasHeader) continue;
      }
      if (row.length !== this.width)
        throw new DatasetError(
          'broken-row',
          `line ${line}: ${row.length} field${row.length === 1 ? '' : 's'}, expected ${this.width} (as in ${this.hasHeader ? 'the header' : 'the first row'}). Check for a missing or extra ${q(this.delimiter ?? ',')} or an unclosed quote.`,
          line,
        );
      if (!this.decided) {
        this.sample.push({ row, line });
        if (this.sample.length >= this.sampleRows) this.decide();
      } else this.addRow(row, line);
    }
  }

  /** The first non-empty row: header or data. */
  private start(row: string[], line: number): void {
    this.width = row.length;
    const first = row.map((f, i) => (i === 0 ? f.replace(/^\uFEFF/, '') : f).trim());
    const numeric = first.some(looksNumeric);
    this.hasHeader = this.o.header ?? this.o.preprocessing?.header ?? !numeric;
    if (!this.hasHeader) {
      this.header = first.map((_, i) => `column_${i + 1}`);
      return;
    }
    const seen = new Map<string, number>();
    this.header = first.map((f, i) => {
      let name = f === '' ? `column_${i + 1}` : f;
      const n = seen.get(name) ?? 0;
      seen.set(name, n + 1);
      if (n > 0) {
        this.warnings.push(
          `line ${line}: the column name ${q(name)} appears twice; the second is ${q(`${name}_${n + 1}`)}.`,
        );
        name = `${name}_${n + 1}`;
      }
      return name;
    });
  }

  /** Chooses target, roles and types from the sample rows (infer.ts), then stores those rows. */
  decide(): void {
    if (this.decided) return;
    this.decided = true;
    if (!this.header) throw new DatasetError('empty', `${this.file} has no rows.`);
    decideColumns(this, this.header, this.sample);
    for (const { row, line } of this.sample) this.addRow(row, line);
    this.sample = [];
  }

  private missingValue(s: Store, line: number): void {
    s.missing++;
    if (s.isTarget)
      throw new DatasetError(
        'missing-value',
        `line ${line}, column ${q(s.name)} (the target): missing value; every row needs a target. Fill it in or remove the row.`,
        line,
        s.name,
      );
    const pre = this.o.preprocessing?.features.find((f) => f.column === s.name);
    const canFill = this.o.preprocessing
      ? pre !== undefined && 'fill' in pre && pre.fill !== undefined
      : this.missingMode === 'impute';
    if (!canFill)
      throw new DatasetError(
        'missing-value',
        `line ${line}, column ${q(s.name)}: missing value. Fill it in or remove the row, or import with missing values imputed (training mean or most frequent value).`,
        line,
        s.name,
      );
  }

  private addRow(row: string[], line: number): void {
    this.rows++;
    this.lines.push(line);
    for (let c = 0; c < this.stores.length; c++) {
      const s = this.stores[c];
      if (!s || s.dropped) continue;
      const raw = row[c]!;
      if (s.type === 'numeric') {
        const v = raw.trim();
        if (isMissing(v)) {
          this.missingValue(s, line);
          s.values.push(NaN);
          continue;
        }
        const x = Number(v);
        if (Number.isNaN(x))
          throw new DatasetError(
            'not-a-number',
            `line ${line}, column ${q(s.name)}: ${q(clip(v))} is not a number (the column is numeric: ${this.o.columns?.some((k) => k.name === s.name) ? 'chosen so' : 'most of its values are numbers'}; correct the value, or make the column categorical).`,
            line,
            s.name,
          );
        if (!Number.isFinite(Math.fround(x)))
          throw new DatasetError(
            'out-of-range',
            `line ${line}, column ${q(s.name)}${s.isTarget ? ' (the target)' : ''}: ${q(clip(v))} is beyond the range of ${Number.isFinite(x) ? FLOAT32_RANGE : 'numbers (±1.8e308)'}. ${rescale(s)}`,
            line,
            s.name,
          );
        s.values.push(x);
        if (x < s.min) s.min = x;
        if (x > s.max) s.max = x;
        if (s.integer && !Number.isInteger(x)) s.integer = false;
        if (s.distinct && s.distinct.size <= MAX_CLASSES_FOR_INTEGER_TARGET) s.distinct.add(x);
      } else if (s.type === 'categorical') {
        const v = raw.trim();
        if (isMissing(v)) {
          this.missingValue(s, line);
          s.codes.push(-1);
          continue;
        }
        let code = s.dict.get(v);
        if (code === undefined) {
          code = s.dict.size;
          if (code >= MAX_CATEGORIES && !this.o.preprocessing) {
            if (s.isTarget)
              throw new DatasetError(
                'too-many-classes',
                `line ${line}, column ${q(s.name)} (the target): more than ${MAX_CATEGORIES} distinct values. A target this varied is not a set of classes; if it is a number, make the column numeric (regression).`,
                line,
                s.name,
              );
            s.dropped = `more than ${MAX_CATEGORIES} distinct values (an identifier?)`;
            this.warnings.push(`Column ${q(s.name)} is ignored: ${s.dropped}.`);
            s.codes = new GrowableInt32(1);
            s.dict = new Map();
            continue;
          }
          s.dict.set(v, code);
        }
        s.codes.push(code);
      } else {
        const toks = tokenize(raw);
        const n = Math.min(toks.length, this.maxLength);
        for (let i = 0; i < n; i++) {
          const w = toks[i]!;
          let id = s.dict.get(w);
          if (id === undefined) {
            id = s.words.length;
            s.dict.set(w, id);
            s.words.push(w);
          }
          s.tokens.push(id);
        }
        s.offsets.push(s.tokens.length);
      }
    }
  }
}
