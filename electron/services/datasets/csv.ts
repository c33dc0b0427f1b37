/**
 * CSV import, streamed: the file's bytes (read from a handle that `openRegularFile` opened, so a FIFO or
 * a device is refused instead of blocking) → text (see Encoding) → papaparse (chunk callback) → one
 * typed column store per column (numbers as read, 64-bit, in blocks; categories as Int32 codes; text as
 * token ids), so a 100 MB file never lives in memory as strings.
 *
 * Encoding: UTF-8, its byte-order mark dropped; UTF-16 when the file starts with a UTF-16 byte-order
 * mark (Excel's "Unicode text"); when the bytes are not UTF-8, Windows-1252 (Latin-1's superset), with a
 * warning naming the file, the line of the first such byte and the encoding assumed (see `CsvDecoder`
 * for what that costs when the first such byte comes late). NUL bytes and UTF-32 are refused.
 *
 * Decisions (the user can override each through options / the data spec's `columns`):
 * - Header: the first row is a header unless one of its fields is a number (`header` option).
 * - Types, inferred from the first `sampleRows` (1,000) data rows: numeric when ≥ 90% of the non-empty
 *   values are numbers (the rest are then reported as errors, since a typo in a numeric column must not
 *   turn it into categories silently); text when values average ≥ 3 words; categorical otherwise.
 * - Encoding: numeric → standardised with the mean/std of the TRAINING rows; categorical → one-hot
 *   (≤ `oneHotMax` categories, default 20) or the category index, standardised; text → token ids (one
 *   text column at most; it is then the only input, since x is one tensor).
 * - Target: the `target` option (default: the last column). Classification when categorical, or numeric
 *   with whole numbers and at most 20 distinct values; regression otherwise (`task` overrides).
 * - Missing values (empty, NA, N/A, NaN, null, ?): refused with line and column, or, with
 *   `missing: 'impute'`, filled with the training mean (numeric) / most frequent value (categorical). A
 *   missing target is always refused.
 * - A broken row (wrong number of fields, a non-number in a numeric column) is refused with its line.
 * - An all-constant feature column is DROPPED with a warning (it carries no information, and its
 *   standard deviation of 0 would divide by zero); a constant target is refused.
 * - Numbers: the model computes in 32-bit floats, so nothing reaches x or y as Infinity, NaN or a
 *   silently flattened value. Refused with line and column: a value beyond ±3.4028235e38 (or beyond
 *   64-bit numbers, or "Infinity"); a value whose STANDARDISED form is beyond that (a validation row,
 *   or a row to predict, far from the training rows); a number that reaches the model unstandardised
 *   (a regression target, or any feature with `standardize: false`) and is too small for float32 to
 *   tell apart from its column's other values; a regression target whose squared errors would
 *   overflow float32 over the rows, or whose spread is so small that they underflow to 0. Statistics
 *   are computed on the 64-bit values, scaled by the largest magnitude, so tiny (1e-300) or offset
 *   (timestamps) columns standardise exactly.
 * - Split: rows are shuffled with `seed`, and the last `validationSplit` (0.2) of them are the
 *   validation rows (`holdout`); all statistics (mean, std, mode, vocabulary) come from the others.
 *   With `preprocessing` (predict on new data) rows keep their order and the given statistics are used.
 */
import { isUtf8 } from 'node:buffer';
import type { FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import { finished, Readable } from 'node:stream';
import Papa from 'papaparse';
import type { Task } from '../../../shared/training/data';
import { NotRegularFileError, openRegularFile } from '../regularFile';
import type { LoadedDataset } from './builtin';
import { DatasetError, yieldToEventLoop } from './errors';
import { GrowableInt32 } from './growable';
import { createRng, permutation } from '../../../shared/random';
import { holdoutFor } from './split';
import { tokenize, Tokenizer, type TokenizerState } from './tokenizer';

export type ColumnType = 'numeric' | 'categorical' | 'text';

/** A user's choice for one column (the data spec's `columns` entries). */
export interface CsvColumnSpec {
  name: string;
  role: 'feature' | 'target' | 'ignore';
  type: ColumnType;
}

export interface CsvProgress {
  bytesRead: number;
  totalBytes: number;
  rows: number;
}

/** How each input column becomes numbers: what predict must apply to new rows. */
export type FeatureTransform =
  | { column: string; type: 'numeric'; mean: number; std: number; fill?: number }
  | {
      column: string;
      type: 'categorical';
      encoding: 'one-hot' | 'index';
      categories: string[];
      /** For `index`: the standardisation of the index. */
      mean?: number;
      std?: number;
      fill?: string;
    }
  | { column: string; type: 'text' };

export interface CsvPreprocessing {
  target: string;
  task: Task;
  targetType: 'numeric' | 'categorical';
  /** Class names (classification), index = class id. */
  classes?: string[];
  /** In the order of the values in x. */
  features: FeatureTransform[];
  tokenizer?: TokenizerState;
  delimiter: string;
  header: boolean;
}

export interface CsvImportOptions {
  /** The target column (default: the last column). Ignored with `preprocessing` unless present. */
  target?: string;
  /** Roles and types chosen by the user; columns not listed are inferred. */
  columns?: CsvColumnSpec[];
  header?: boolean;
  delimiter?: string;
  task?: Task;
  missing?: 'refuse' | 'impute';
  /** Default 0.2. 0 = no validation rows. */
  validationSplit?: number;
  seed?: number;
  /** Standardise numeric features (default true). */
  standardize?: boolean;
  oneHotMax?: number;
  /** Text columns. */
  vocabSize?: number;
  maxLength?: number;
  /** Rows used to infer types (default 1,000). */
  sampleRows?: number;
  /** From an earlier import: encode new rows the same way (predict). No shuffle, no split. */
  preprocessing?: CsvPreprocessing;
  onProgress?: (p: CsvProgress) => void;
  signal?: AbortSignal;
  /** Dataset name (default: the file name). */
  name?: string;
}

export interface CsvColumnReport {
  name: string;
  type: ColumnType;
  role: 'feature' | 'target' | 'ignored';
  /** Why it is ignored, or how it is encoded. */
  note?: string;
  missing: number;
}

export interface CsvImportResult {
  dataset: LoadedDataset;
  preprocessing: CsvPreprocessing;
  columns: CsvColumnReport[];
  warnings: string[];
  rows: number;
  bytes: number;
}

const MISSING = new Set(['', 'na', 'n/a', 'nan', 'null', '?']);
const isMissing = (s: string) => s.length <= 4 && MISSING.has(s.toLowerCase());
const MAX_CATEGORIES = 1000;
const MAX_CLASSES_FOR_INTEGER_TARGET = 20;

const q = (s: string) => JSON.stringify(s);
const clip = (s: string) => (s.length > 40 ? `${s.slice(0, 37)}...` : s);
/** Whether a field reads as a number, finite or not: "1e400" and "Infinity" are numbers out of range. */
const looksNumeric = (s: string) => s !== '' && !Number.isNaN(Number(s));
/** Statistics in messages: four significant digits. */
const fmt = (v: number) => String(Number(v.toPrecision(4)));

/** The largest 32-bit float: the model computes in float32, so nothing beyond it may reach x or y. */
const FLOAT32_MAX = 3.4028234663852886e38;
/** The smallest normal 32-bit float: a squared error below it vanishes (underflows). */
const FLOAT32_MIN_NORMAL = 1.1754943508222875e-38;
/** The smallest normal 64-bit float: a standard deviation below it has lost its precision. */
const FLOAT64_MIN_NORMAL = 2.2250738585072014e-308;
const FLOAT32_RANGE = 'the 32-bit floats the model computes in (±3.4028235e38)';
const rescale = (s: { isTarget: boolean }) =>
  `Rescale the column (e.g. take a logarithm) or ${s.isTarget ? 'choose another target' : 'drop it'}.`;

/**
 * Numbers kept exactly as read (64-bit) until they are standardised, in blocks of 64K: growing never
 * copies, and at most one block is unused (a doubling array would hold up to twice the data).
 */
class Float64Blocks {
  private static readonly BITS = 16;
  private readonly blocks: Float64Array[] = [];
  length = 0;
  push(v: number): void {
    const b = this.length >>> Float64Blocks.BITS;
    if (b === this.blocks.length) this.blocks.push(new Float64Array(1 << Float64Blocks.BITS));
    this.blocks[b]![this.length & 0xffff] = v;
    this.length++;
  }
  get(i: number): number {
    return this.blocks[i >>> Float64Blocks.BITS]![i & 0xffff]!;
  }
}

// ---------------------------------------------------------------------------------------------------
// Column stores: one per used column, filled row by row while streaming.

interface StoreBase {
  name: string;
  index: number;
  isTarget: boolean;
  missing: number;
  /** Set when a feature column is given up while streaming (too many categories). */
  dropped?: string;
}

interface NumericStore extends StoreBase {
  type: 'numeric';
  /** As read (64-bit): rounding to 32 bits before standardising would lose tiny or offset columns. */
  values: Float64Blocks;
  min: number;
  max: number;
  /** Distinct values (targets only, up to 21) and whether all are whole numbers. */
  distinct?: Set<number>;
  integer: boolean;
}

interface CategoricalStore extends StoreBase {
  type: 'categorical';
  codes: GrowableInt32;
  dict: Map<string, number>;
}

interface TextStore extends StoreBase {
  type: 'text';
  /** Provisional word ids (first `maxLength` tokens per row), rows delimited by `offsets`. */
  tokens: GrowableInt32;
  offsets: GrowableInt32;
  dict: Map<string, number>;
  words: string[];
}

type Store = NumericStore | CategoricalStore | TextStore;

class Importer {
  readonly warnings: string[] = [];
  private header: string[] | undefined;
  private hasHeader = false;
  private width = 0;
  private line = 0; // lines consumed so far
  get nextLine(): number {
    return this.line + 1;
  }
  private sample: { row: string[]; line: number }[] = [];
  private stores: (Store | undefined)[] = [];
  /** The line each stored row starts on, for errors found after the last row. */
  private readonly lines = new GrowableInt32();
  private ignored: CsvColumnReport[] = [];
  rows = 0;
  /** As given or as detected by papaparse on the first chunk. */
  delimiter: string | undefined;
  private decided = false;
  private target: Store | undefined;
  private readonly sampleRows: number;
  private readonly maxLength: number;
  private readonly missingMode: 'refuse' | 'impute';

  constructor(
    private readonly file: string,
    private readonly o: CsvImportOptions,
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

  /** Chooses target, roles and types from the sample rows, then processes them. */
  decide(): void {
    if (this.decided) return;
    this.decided = true;
    if (!this.header) throw new DatasetError('empty', `${this.file} has no rows.`);
    const header = this.header;
    const pre = this.o.preprocessing;
    const specs = new Map((this.o.columns ?? []).map((c) => [c.name, c]));
    for (const name of specs.keys())
      if (!header.includes(name))
        throw new DatasetError(
          'missing-column',
          `The column ${q(name)} chosen in the data settings is not in the file; its columns are: ${header.join(', ')}.`,
          1,
          name,
        );
    // The target.
    const specTarget = [...specs.values()].find((c) => c.role === 'target')?.name;
    let targetName = pre ? pre.target : (this.o.target ?? specTarget);
    if (targetName === undefined || targetName === '') {
      targetName = header[header.length - 1]!;
      this.warnings.push(`No target column chosen: using the last column, ${q(targetName)}.`);
    }
    const targetIndex = header.indexOf(targetName);
    if (targetIndex < 0 && !pre)
      throw new DatasetError(
        'missing-column',
        `The target column ${q(targetName)} is not in the file; its columns are: ${header.join(', ')}.`,
        1,
        targetName,
      );
    if (pre)
      for (const f of pre.features)
        if (!header.includes(f.column))
          throw new DatasetError(
            'missing-column',
            `The column ${q(f.column)}, an input of the model, is not in the file; its columns are: ${header.join(', ')}.`,
            1,
            f.column,
          );
    const preTypes = new Map<string, ColumnType>(pre?.features.map((f) => [f.column, f.type]));
    let textColumns = 0;
    header.forEach((name, index) => {
      const isTarget = index === targetIndex;
      const spec = specs.get(name);
      if (pre ? !isTarget && !preTypes.has(name) : spec?.role === 'ignore' && !isTarget) {
        this.ignored.push({
          name,
          type: spec?.type ?? 'categorical',
          role: 'ignored',
          note: pre ? 'not a model input' : 'ignored by choice',
          missing: 0,
        });
        return;
      }
      let type: ColumnType =
        (isTarget && pre ? pre.targetType : preTypes.get(name)) ?? spec?.type ?? this.infer(index);
      if (isTarget && type === 'text') type = 'categorical';
      if (type === 'text') textColumns++;
      this.stores[index] = this.makeStore(name, index, isTarget, type);
    });
    this.target = targetIndex >= 0 ? this.stores[targetIndex] : undefined;
    if (textColumns > 1) {
      // One text input only: keep the first.
      let kept = false;
      this.stores.forEach((s, i) => {
        if (s?.type !== 'text') return;
        if (!kept) kept = true;
        else {
          this.stores[i] = undefined;
          this.ignored.push({
            name: s.name,
            type: 'text',
            role: 'ignored',
            note: 'a second text column',
            missing: 0,
          });
          this.warnings.push(`Column ${q(s.name)} is ignored: only one text column can be an input.`);
        }
      });
    }
    for (const { row, line } of this.sample) this.addRow(row, line);
    this.sample = [];
  }

  private infer(index: number): ColumnType {
    let present = 0;
    let numeric = 0;
    let words = 0;
    for (const { row } of this.sample) {
      const s = row[index]!.trim();
      if (isMissing(s)) continue;
      present++;
      if (looksNumeric(s)) numeric++;
      else words += s.split(/\s+/).length;
    }
    if (present === 0 || numeric >= 0.9 * present) return 'numeric';
    return words / (present - numeric) >= 3 ? 'text' : 'categorical';
  }

  private makeStore(name: string, index: number, isTarget: boolean, type: ColumnType): Store {
    const base = { name, index, isTarget, missing: 0 };
    if (type === 'numeric')
      return {
        ...base,
        type,
        values: new Float64Blocks(),
        min: Infinity,
        max: -Infinity,
        integer: true,
        ...(isTarget ? { distinct: new Set<number>() } : {}),
      };
    if (type === 'categorical') return { ...base, type, codes: new GrowableInt32(), dict: new Map() };
    const offsets = new GrowableInt32();
    offsets.push(0);
    return { ...base, type, tokens: new GrowableInt32(), offsets, dict: new Map(), words: [] };
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

  // -------------------------------------------------------------------------------------------------
  // After the last row: statistics from the training rows, encoding, assembly.

  async finish(bytes: number): Promise<CsvImportResult> {
    this.decide();
    const n = this.rows;
    if (n === 0) throw new DatasetError('empty', `${this.file} has a header but no data rows.`);
    const o = this.o;
    const pre = o.preprocessing;
    const split = pre ? 0 : (o.validationSplit ?? 0.2);
    const holdout = holdoutFor(n, split);
    const trainCount = n - holdout;
    const order =
      split > 0
        ? permutation(n, createRng(o.seed ?? 42, 'csv:order').next)
        : Int32Array.from({ length: n }, (_, i) => i);
    const trainRows = order.subarray(0, trainCount);
    const reports: CsvColumnReport[] = [];

    // Target.
    const t = this.target;
    let task: Task = pre?.task ?? 'classification';
    let classes: string[] | undefined;
    let y: Int32Array | Float32Array | undefined;
    if (t && !t.dropped) {
      if (t.type === 'text') throw new Error('unreachable: text target');
      if (!pre) {
        if (t.type === 'categorical') task = o.task ?? 'classification';
        else
          task =
            o.task ??
            (t.integer && t.distinct!.size <= MAX_CLASSES_FOR_INTEGER_TARGET
              ? 'classification'
              : 'regression');
        if (t.type === 'numeric' ? t.min === t.max : t.dict.size < 2)
          throw new DatasetError(
            'constant-target',
            `The target column ${q(t.name)} has only one value (${t.type === 'numeric' ? t.min : q([...t.dict.keys()][0] ?? '')}); there is nothing to predict. Choose another target column.`,
            undefined,
            t.name,
          );
      }
      if (task === 'classification') {
        if (t.type === 'categorical') {
          classes = pre?.classes ?? [...t.dict.keys()].sort();
          const byName = new Map(classes.map((c, i) => [c, i]));
          const remap = new Int32Array(t.dict.size);
          let unknown = 0;
          for (const [name, code] of t.dict) {
            const id = byName.get(name);
            remap[code] = id ?? -1;
            if (id === undefined) unknown++;
          }
          if (unknown)
            throw new DatasetError(
              'unusable',
              `The target column ${q(t.name)} has ${unknown} value(s) the model was not trained on.`,
              undefined,
              t.name,
            );
          const codes = t.codes.view();
          y = new Int32Array(n);
          for (let i = 0; i < n; i++) y[i] = remap[codes[order[i]!]!]!;
        } else {
          const values = t.values;
          if (!pre && !t.integer)
            throw new DatasetError(
              'unusable',
              `The target column ${q(t.name)} has fractional numbers, so it cannot be a set of classes; use regression.`,
              undefined,
              t.name,
            );
          classes = pre?.classes ?? [...t.distinct!].sort((a, b) => a - b).map(String);
          const byName = new Map(classes.map((c, i) => [c, i]));
          y = new Int32Array(n);
          for (let i = 0; i < n; i++) {
            const id = byName.get(String(values.get(order[i]!)));
            if (id === undefined)
              throw new DatasetError(
                'too-many-classes',
                `The target column ${q(t.name)} has more than ${MAX_CLASSES_FOR_INTEGER_TARGET} distinct values${pre ? ' or values the model was not trained on' : ''}; for classification make it categorical, or use regression.`,
                undefined,
                t.name,
              );
            y[i] = id;
          }
        }
      } else {
        if (t.type !== 'numeric')
          throw new DatasetError(
            'unusable',
            `The target column ${q(t.name)} is categorical, so the task must be classification.`,
            undefined,
            t.name,
          );
        // Targets are not standardised: each must be a faithful 32-bit float, and when training, its
        // squared error summed over the rows must fit one too.
        this.checkRaw(t, pre ? undefined : n);
        y = new Float32Array(n);
        for (let i = 0; i < n; i++) y[i] = t.values.get(order[i]!);
      }
      reports.push({
        name: t.name,
        type: t.type,
        role: 'target',
        note: task === 'classification' ? `${classes!.length} classes` : 'regression',
        missing: t.missing,
      });
      this.stores[t.index] = undefined;
    }

    // Features.
    const stores = this.stores.filter((s): s is Store => s !== undefined);
    const text = stores.find((s) => s.type === 'text') as TextStore | undefined;
    const features: FeatureTransform[] = [];
    let dataset: LoadedDataset;
    const name = o.name ?? basename(this.file);
    const common = {
      id: `csv:${basename(this.file)}`,
      name,
      task,
      count: n,
      holdout,
      source: `CSV file ${basename(this.file)}`,
    };
    const yOut = y ?? new Int32Array(n);
    if (text) {
      for (const s of stores)
        if (s !== text) {
          this.ignored.push({
            name: s.name,
            type: s.type,
            role: 'ignored',
            note: 'the input is the text column',
            missing: s.missing,
          });
          this.warnings.push(
            `Column ${q(s.name)} is ignored: with a text column (${q(text.name)}) as input, other columns would need a second model input.`,
          );
        }
      let tokenizer: Tokenizer;
      if (pre?.tokenizer) tokenizer = new Tokenizer(pre.tokenizer);
      else {
        const counts = new Map<string, number>();
        const toks = text.tokens.view();
        const offs = text.offsets.view();
        for (const r of trainRows)
          for (let k = offs[r]!; k < offs[r + 1]!; k++) {
            const w = text.words[toks[k]!]!;
            counts.set(w, (counts.get(w) ?? 0) + 1);
          }
        tokenizer = Tokenizer.fromCounts(counts, o.vocabSize ?? 10_000, this.maxLength);
      }
      const L = this.maxLength;
      const x = new Int32Array(n * L);
      const toks = text.tokens.view();
      const offs = text.offsets.view();
      const idOf = Int32Array.from(text.words, (w) => tokenizer.id(w));
      for (let i = 0; i < n; i++) {
        const r = order[i]!;
        const a = offs[r]!;
        const len = offs[r + 1]! - a;
        const base = i * L + (L - len);
        for (let k = 0; k < len; k++) x[base + k] = idOf[toks[a + k]!]!;
      }
      features.push({ column: text.name, type: 'text' });
      reports.push({
        name: text.name,
        type: 'text',
        role: 'feature',
        note: `token ids, length ${L}`,
        missing: 0,
      });
      dataset = {
        ...common,
        x,
        sampleShape: [L],
        xDtype: 'int32',
        y: yOut,
        targetSize: 1,
        vocabSize: tokenizer.vocabSize,
        featureNames: [text.name],
        tokenizer: tokenizer.state,
      };
      if (classes) dataset.classes = classes;
      return this.result(dataset, { task, classes, features, tokenizer: tokenizer.state }, reports, n, bytes);
    }

    // Tabular: work out each column's transform, then fill x column by column.
    const plans: {
      s: NumericStore | CategoricalStore;
      f: FeatureTransform;
      width: number;
      names: string[];
    }[] = [];
    for (const s of stores) {
      if (s.type === 'text') continue;
      if (s.dropped) {
        this.ignored.push({
          name: s.name,
          type: s.type,
          role: 'ignored',
          note: s.dropped,
          missing: s.missing,
        });
        continue;
      }
      const given = pre?.features.find((f) => f.column === s.name);
      const plan = given ? this.planGiven(s, given) : this.plan(s, trainRows);
      if (!plan) continue;
      plans.push(plan);
      await yieldToEventLoop();
    }
    if (plans.length === 0)
      throw new DatasetError(
        'unusable',
        `${basename(this.file)} has no usable input column besides the target.`,
      );
    const width = plans.reduce((a, p) => a + p.width, 0);
    const x = new Float32Array(n * width);
    let off = 0;
    for (const p of plans) {
      this.fill(p.s, p.f, x, width, off, order);
      features.push(p.f);
      reports.push({
        name: p.s.name,
        type: p.s.type,
        role: 'feature',
        note:
          p.f.type === 'numeric'
            ? 'standardised'
            : p.f.type === 'categorical'
              ? `${p.f.encoding}, ${p.f.categories.length} categories`
              : undefined,
        missing: p.s.missing,
      });
      off += p.width;
      // Let the column's storage go before the next one is read.
      (p as { s?: unknown }).s = undefined;
      await yieldToEventLoop();
    }
    dataset = {
      ...common,
      x,
      sampleShape: [width],
      xDtype: 'float32',
      y: yOut,
      targetSize: 1,
      featureNames: plans.flatMap((p) => p.names),
    };
    if (classes) dataset.classes = classes;
    return this.result(dataset, { task, classes, features }, reports, n, bytes);
  }

  private result(
    dataset: LoadedDataset,
    p: {
      task: Task;
      classes: string[] | undefined;
      features: FeatureTransform[];
      tokenizer?: TokenizerState;
    },
    reports: CsvColumnReport[],
    rows: number,
    bytes: number,
  ): CsvImportResult {
    const t = this.target;
    const preprocessing: CsvPreprocessing = {
      target: t?.name ?? this.o.preprocessing?.target ?? '',
      task: p.task,
      targetType: t?.type === 'numeric' ? 'numeric' : (this.o.preprocessing?.targetType ?? 'categorical'),
      features: p.features,
      delimiter: this.delimiter ?? ',',
      header: this.hasHeader,
      ...(p.classes ? { classes: p.classes } : {}),
      ...(p.tokenizer ? { tokenizer: p.tokenizer } : {}),
    };
    return {
      dataset,
      preprocessing,
      columns: [...reports, ...this.ignored],
      warnings: this.warnings,
      rows,
      bytes,
    };
  }

  private constantNote(s: NumericStore | CategoricalStore): string | undefined {
    if (s.type === 'numeric') {
      if (s.min === Infinity) return 'it has no values';
      if (s.min === s.max) return `it has the same value (${s.min}) in every row`;
    } else {
      if (s.dict.size === 0) return 'it has no values';
      if (s.dict.size === 1) return `it has the same value (${q([...s.dict.keys()][0]!)}) in every row`;
    }
    return undefined;
  }

  private plan(s: NumericStore | CategoricalStore, trainRows: Int32Array) {
    const constant = this.constantNote(s);
    if (constant) {
      this.ignored.push({
        name: s.name,
        type: s.type,
        role: 'ignored',
        note: `constant: ${constant}`,
        missing: s.missing,
      });
      this.warnings.push(`Column ${q(s.name)} is dropped: ${constant}, so it carries no information.`);
      return undefined;
    }
    const standardize = this.o.standardize ?? true;
    if (s.type === 'numeric') {
      const { mean, std, varies } = meanStd((r) => s.values.get(r), trainRows);
      if (Number.isNaN(mean)) {
        this.ignored.push({
          name: s.name,
          type: s.type,
          role: 'ignored',
          note: 'no values in the training rows',
          missing: s.missing,
        });
        this.warnings.push(`Column ${q(s.name)} is dropped: it has no values in the training rows.`);
        return undefined;
      }
      if (!standardize) this.checkRaw(s);
      else if (varies && std < FLOAT64_MIN_NORMAL) {
        // Located at the first value that differs from the mean.
        let r = 0;
        const same = (a: number) => a === mean || Number.isNaN(a);
        while (r < s.values.length - 1 && same(s.values.get(r))) r++;
        const line = this.lines.view()[r];
        throw new DatasetError(
          'out-of-range',
          `line ${line}, column ${q(s.name)}: the column's values vary by only ${std} (standard deviation of the training rows), too little to standardise even in 64-bit floats. Rescale the column (e.g. multiply it by a power of ten) or drop it.`,
          line,
          s.name,
        );
      }
      const f: FeatureTransform = {
        column: s.name,
        type: 'numeric',
        mean: standardize ? mean : 0,
        std: standardize && std > 0 ? std : 1,
        ...(s.missing > 0 ? { fill: mean } : {}),
      };
      return { s, f, width: 1, names: [s.name] };
    }
    const categories = [...s.dict.keys()].sort();
    const oneHot = categories.length <= (this.o.oneHotMax ?? 20);
    let fill: string | undefined;
    if (s.missing > 0) {
      // Mode of the training rows.
      const counts = new Int32Array(s.dict.size);
      const codes = s.codes.view();
      for (const r of trainRows) {
        const c = codes[r]!;
        if (c >= 0) counts[c]!++;
      }
      let best = 0;
      for (let c = 1; c < counts.length; c++) if (counts[c]! > counts[best]!) best = c;
      fill = [...s.dict.keys()][best];
    }
    if (oneHot) {
      const f: FeatureTransform = {
        column: s.name,
        type: 'categorical',
        encoding: 'one-hot',
        categories,
        ...(fill !== undefined ? { fill } : {}),
      };
      return { s, f, width: categories.length, names: categories.map((c) => `${s.name}=${c}`) };
    }
    // Index, standardised with training statistics.
    const rank = new Map(categories.map((c, i) => [c, i]));
    const codes = s.codes.view();
    const remap = new Float32Array(s.dict.size);
    for (const [k, code] of s.dict) remap[code] = rank.get(k)!;
    const idx = new Float32Array(trainRows.length);
    trainRows.forEach((r, i) => {
      const c = codes[r]!;
      idx[i] = c < 0 ? NaN : remap[c]!;
    });
    const { mean, std } = meanStd(
      (i) => idx[i]!,
      Int32Array.from({ length: idx.length }, (_, i) => i),
    );
    this.warnings.push(
      `Column ${q(s.name)} has ${categories.length} categories: encoded as the category's index, not one-hot.`,
    );
    const f: FeatureTransform = {
      column: s.name,
      type: 'categorical',
      encoding: 'index',
      categories,
      mean: standardize ? mean : 0,
      std: standardize && std > 0 ? std : 1,
      ...(fill !== undefined ? { fill } : {}),
    };
    return { s, f, width: 1, names: [s.name] };
  }

  private planGiven(s: NumericStore | CategoricalStore, f: FeatureTransform) {
    if (f.type === 'text' || f.type !== s.type)
      throw new Error(`unreachable: column ${s.name} type mismatch`);
    const width = f.type === 'categorical' && f.encoding === 'one-hot' ? f.categories.length : 1;
    const names =
      f.type === 'categorical' && f.encoding === 'one-hot'
        ? f.categories.map((c) => `${s.name}=${c}`)
        : [s.name];
    return { s, f, width, names };
  }

  private fill(
    s: NumericStore | CategoricalStore,
    f: FeatureTransform,
    x: Float32Array,
    width: number,
    off: number,
    order: Int32Array,
  ): void {
    const n = order.length;
    const lines = this.lines.view();
    if (s.type === 'numeric' && f.type === 'numeric') {
      const v = s.values;
      const fillValue = f.fill ?? NaN;
      let bad = -1; // the first row (in the file) whose standardised value is no 32-bit float
      for (let i = 0; i < n; i++) {
        const r = order[i]!;
        let a = v.get(r);
        if (a !== a) a = fillValue;
        const z = Math.fround((a - f.mean) / f.std);
        if (!Number.isFinite(z) && (bad < 0 || r < bad)) bad = r;
        x[i * width + off] = z;
      }
      if (bad >= 0) {
        const line = lines[bad]!;
        throw new DatasetError(
          'out-of-range',
          `line ${line}, column ${q(s.name)}: ${v.get(bad)} is too far from the column's training values (mean ${fmt(f.mean)}, standard deviation ${fmt(f.std)}): standardised, it is beyond the range of ${FLOAT32_RANGE}. ${rescale(s)}`,
          line,
          s.name,
        );
      }
      return;
    }
    if (s.type !== 'categorical' || f.type !== 'categorical') throw new Error('unreachable');
    const rank = new Map(f.categories.map((c, i) => [c, i]));
    const fillRank = f.fill !== undefined ? (rank.get(f.fill) ?? -1) : -1;
    const remap = new Int32Array(s.dict.size);
    let unseen = 0;
    for (const [k, code] of s.dict) {
      const r = rank.get(k);
      if (r === undefined) unseen++;
      remap[code] = r ?? -1;
    }
    const codes = s.codes.view();
    let firstUnseen = -1;
    let bad = -1;
    for (let i = 0; i < n; i++) {
      const row = order[i]!;
      const c = codes[row]!;
      const r = c < 0 ? fillRank : remap[c]!;
      if (r < 0 && (firstUnseen < 0 || row < firstUnseen)) firstUnseen = row;
      if (f.encoding === 'one-hot') {
        if (r >= 0) x[i * width + off + r] = 1;
      } else {
        // An unseen category: the training mean of the index, 0 once standardised.
        const z = r < 0 ? 0 : Math.fround((r - f.mean!) / f.std!);
        if (!Number.isFinite(z) && (bad < 0 || row < bad)) bad = row;
        x[i * width + off] = z;
      }
    }
    if (bad >= 0)
      throw new DatasetError(
        'out-of-range',
        `line ${lines[bad]}, column ${q(s.name)}: the category's index, standardised with the model's statistics (mean ${f.mean}, standard deviation ${f.std}), is beyond the range of ${FLOAT32_RANGE}; the preprocessing statistics are damaged.`,
        lines[bad],
        s.name,
      );
    if (unseen)
      this.warnings.push(
        `Column ${q(s.name)}: ${unseen} value(s) the model was not trained on (first on line ${firstUnseen >= 0 ? lines[firstUnseen] : '?'}); encoded as ${f.encoding === 'one-hot' ? 'no category' : 'the average category index (0)'}.`,
      );
  }

  /**
   * Numbers that reach the model as they are (regression targets; features when standardisation is
   * off) must survive rounding to 32 bits: a value too small for float32 becomes 0 or loses digits,
   * which matters when the column's values are all that small. With `trainingRows` (a regression
   * target to train on), squared errors at the column's scale must be normal 32-bit floats: their sum
   * over the rows (what the loss adds up) must not overflow, nor the squares of its spread underflow
   * to 0. Refuses the first offending row in the file.
   */
  private checkRaw(s: NumericStore, trainingRows?: number): void {
    const v = s.values;
    const range = s.max - s.min;
    const limit = trainingRows ? Math.sqrt(FLOAT32_MAX / trainingRows) / 2 : Infinity;
    const where = (r: number) => {
      const line = this.lines.view()[r]!;
      return { line, at: `line ${line}, column ${q(s.name)}${s.isTarget ? ' (the target)' : ''}` };
    };
    let maxRow = -1;
    for (let r = 0; r < v.length; r++) {
      const a = v.get(r);
      if (a !== a) continue;
      if (maxRow < 0 && a === s.max) maxRow = r;
      if (Math.abs(a) > limit) {
        const { line, at } = where(r);
        throw new DatasetError(
          'out-of-range',
          `${at}: ${a} is too large a regression target for training in 32-bit floats: squared errors of that size, summed over the ${trainingRows} rows, overflow them (here targets must stay within ±${fmt(limit)}). Rescale the column (e.g. divide it by a power of ten, or take a logarithm) and scale the predictions back.`,
          line,
          s.name,
        );
      }
      const err = Math.abs(Math.fround(a) - a);
      if (err > 1e-6 * Math.abs(a) && err > 1e-3 * range) {
        const { line, at } = where(r);
        throw new DatasetError(
          'out-of-range',
          `${at}: ${a} is too small for the 32-bit floats the model computes in (it would become ${Math.fround(a)}), and the column's values differ by only ${fmt(range)}. Rescale the column (e.g. multiply it by a power of ten, or take a logarithm)${s.isTarget ? '' : ', or turn standardisation on'}.`,
          line,
          s.name,
        );
      }
    }
    if (trainingRows && range > 0 && (range / 2) ** 2 < FLOAT32_MIN_NORMAL) {
      const { line, at } = where(maxRow);
      throw new DatasetError(
        'out-of-range',
        `${at}: the target's values differ by only ${fmt(range)} (from ${s.min} to ${s.max} here): squared errors that small vanish (underflow to 0) in the 32-bit floats the model computes in, so it would learn nothing. Rescale the column (e.g. multiply it by a power of ten, or take a logarithm) and scale the predictions back.`,
        line,
        s.name,
      );
    }
  }
}

/**
 * Mean and standard deviation (population) of `value(r)` for r in `rows`, skipping NaN; NaN when none.
 * Welford's update on the values divided by their largest magnitude, so that no difference or square
 * overflows (1e300) or underflows to 0 (1e-300); `varies` tells whether the values differ at all.
 */
function meanStd(
  value: (row: number) => number,
  rows: Int32Array,
): { mean: number; std: number; varies: boolean } {
  let scale = 0;
  for (const r of rows) {
    const a = Math.abs(value(r));
    if (a > scale) scale = a;
  }
  let count = 0;
  let mean = 0;
  let m2 = 0;
  for (const r of rows) {
    const v = value(r);
    if (v !== v) continue;
    const u = scale > 0 ? v / scale : 0;
    count++;
    const d = u - mean;
    mean += d / count;
    m2 += d * (u - mean);
  }
  if (count === 0) return { mean: NaN, std: NaN, varies: false };
  return { mean: mean * scale, std: Math.sqrt(m2 / count) * scale, varies: m2 > 0 };
}

// ---------------------------------------------------------------------------------------------------
// Bytes to text. The file is read as raw bytes and decoded here, so that its encoding is checked
// rather than assumed: UTF-8 (a byte-order mark dropped), UTF-16 with a byte-order mark, or, when the
// bytes are not UTF-8, Windows-1252 with a warning.

const READ_CHUNK = 1 << 20;

/**
 * Windows-1252's characters for the bytes 0x80–0x9F (the WHATWG index; the five bytes it leaves
 * undefined map to the C1 controls, as in browsers). Every other byte is its Latin-1 character.
 * Node's TextDecoder('windows-1252') decodes these bytes as Latin-1 (since Node 20.18.3 and 22.13.0,
 * nodejs/node#60888), so the table is here.
 */
const WINDOWS_1252_80_9F =
  '\u20AC\u0081\u201A\u0192\u201E\u2026\u2020\u2021\u02C6\u2030\u0160\u2039\u0152\u008D\u017D\u008F' +
  '\u0090\u2018\u2019\u201C\u201D\u2022\u2013\u2014\u02DC\u2122\u0161\u203A\u0153\u009D\u017E\u0178';

function decodeWindows1252(b: Buffer): string {
  return b.toString('latin1').replace(/[\x80-\x9f]/g, (c) => WINDOWS_1252_80_9F[c.charCodeAt(0) - 0x80]!);
}

/** The length of `b` without a multi-byte UTF-8 sequence cut off at its end (kept for the next read). */
function completeUtf8Length(b: Uint8Array): number {
  const n = b.length;
  for (let k = 1; k <= Math.min(3, n); k++) {
    const c = b[n - k]!;
    if (c < 0x80) return n;
    if (c >= 0xc0) return k < (c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2) ? n - k : n;
  }
  return n;
}

/** Index of the first byte of `b` that does not begin a valid UTF-8 sequence (-1 when none). */
function firstInvalidUtf8(b: Uint8Array): number {
  for (let i = 0; i < b.length;) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    let extra: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) extra = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      extra = 2;
      if (c === 0xe0) lo = 0xa0;
      else if (c === 0xed) hi = 0x9f; // no surrogates
    } else if (c >= 0xf0 && c <= 0xf4) {
      extra = 3;
      if (c === 0xf0) lo = 0x90;
      else if (c === 0xf4) hi = 0x8f; // nothing beyond U+10FFFF
    } else return i;
    if (i + extra >= b.length) return i;
    const c1 = b[i + 1]!;
    if (c1 < lo || c1 > hi) return i;
    for (let k = 2; k <= extra; k++) if ((b[i + k]! & 0xc0) !== 0x80) return i;
    i += extra + 1;
  }
  return -1;
}

function firstNonAscii(b: Uint8Array): number {
  for (let i = 0; i < b.length; i++) if (b[i]! >= 0x80) return i;
  return -1;
}

/** Newlines in `b[0, end)`, bytes or characters. */
function newlines(b: Uint8Array | string, end: number): number {
  let count = 0;
  if (typeof b === 'string')
    for (let i = b.indexOf('\n'); i >= 0 && i < end; i = b.indexOf('\n', i + 1)) count++;
  else for (let i = b.indexOf(0x0a); i >= 0 && i < end; i = b.indexOf(0x0a, i + 1)) count++;
  return count;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Thrown by the decoder when bytes that are not UTF-8 come after text that was valid, non-ASCII UTF-8:
 * that text would read differently as Windows-1252, so the import starts again from the first byte.
 */
class RestartAsWindows1252 extends Error {
  constructor(
    /** Line and value of the first byte that is not UTF-8. */
    readonly line: number,
    readonly byte: number,
    /** Line of the first non-ASCII character read as UTF-8. */
    readonly utf8Line: number,
  ) {
    super('not UTF-8: read again as Windows-1252');
  }
}

/**
 * Raw bytes → text, chunk by chunk. The first bytes choose the encoding: a UTF-16 byte-order mark →
 * UTF-16 (little- or big-endian); a UTF-32 one → refused; otherwise UTF-8 (its byte-order mark
 * dropped), validated as it goes. At the first byte that is not UTF-8 the file is taken to be
 * Windows-1252 (the usual encoding of a CSV saved by Excel on Western-European Windows; Latin-1's
 * letters are the same bytes) and a warning says so: if everything before that byte was ASCII (read
 * the same in both), decoding simply switches there; otherwise `RestartAsWindows1252` is thrown and
 * the import reads the file again from the start, so a file with its first accent late in a large
 * file costs a second read of that much. A NUL character (a binary file; UTF-16 without a mark) is
 * refused with its line.
 */
class CsvDecoder {
  private mode: 'start' | 'utf-8' | 'windows-1252' | 'utf-16le' | 'utf-16be' = 'start';
  private carry: Buffer | undefined;
  /** The line the next decoded character is on. */
  private line = 1;
  /** The line of the first non-ASCII character decoded as UTF-8. */
  private utf8Line: number | undefined;
  /** Bytes read so far. */
  bytes = 0;

  constructor(
    private readonly name: string,
    private readonly warnings: string[],
    private readonly restarted?: RestartAsWindows1252,
  ) {}

  decode(chunk: Buffer, final = false): string {
    this.bytes += chunk.length;
    let b = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
    this.carry = undefined;
    if (this.mode === 'start') {
      if (b.length < 4 && !final) {
        this.carry = b;
        return '';
      }
      b = this.start(b);
    }
    const text =
      this.mode === 'utf-8'
        ? this.utf8(b, final)
        : this.mode === 'windows-1252'
          ? decodeWindows1252(b)
          : this.utf16(b, final);
    const nul = text.indexOf('\u0000');
    if (nul >= 0) {
      const line = this.line + newlines(text, nul);
      throw new DatasetError(
        'encoding',
        `line ${line}: a NUL byte, which a text CSV file never has: ${this.name} is a binary file, or UTF-16 or UTF-32 text without a byte-order mark. Save it as CSV UTF-8 and import it again.`,
        line,
      );
    }
    this.line += newlines(text, text.length);
    return text;
  }

  /** What is left at the end of the file. */
  end(): string {
    return this.decode(Buffer.alloc(0), true);
  }

  private start(b: Buffer): Buffer {
    const [b0, b1, b2, b3] = b;
    if (
      (b0 === 0xff && b1 === 0xfe && b2 === 0 && b3 === 0) ||
      (b0 === 0 && b1 === 0 && b2 === 0xfe && b3 === 0xff)
    )
      throw new DatasetError(
        'encoding',
        `${this.name} is UTF-32 text (it starts with a UTF-32 byte-order mark), which is not read. Save it as CSV UTF-8 and import it again.`,
        1,
      );
    if (b0 === 0xff && b1 === 0xfe) {
      this.mode = 'utf-16le';
      return b.subarray(2);
    }
    if (b0 === 0xfe && b1 === 0xff) {
      this.mode = 'utf-16be';
      return b.subarray(2);
    }
    if (this.restarted) {
      const r = this.restarted;
      this.mode = 'windows-1252';
      this.warnings.push(
        `${this.notUtf8(r.line, r.byte)} Lines before it already had characters that are valid UTF-8 (from line ${r.utf8Line}); the whole file was read as Windows-1252, so if it mixes the two encodings, those characters look wrong.`,
      );
    } else this.mode = 'utf-8';
    return b0 === 0xef && b1 === 0xbb && b2 === 0xbf ? b.subarray(3) : b;
  }

  private notUtf8(line: number, byte: number): string {
    const hex = byte.toString(16).toUpperCase().padStart(2, '0');
    return `${this.name} is not valid UTF-8: line ${line} has the byte 0x${hex}, which cannot start or continue a UTF-8 character. It was read as Windows-1252 (Western European, which includes Latin-1). If letters or symbols look wrong, save the file as CSV UTF-8 and import it again.`;
  }

  private utf8(b: Buffer, final: boolean): string {
    const cut = final ? b.length : completeUtf8Length(b);
    const body = b.subarray(0, cut);
    if (cut < b.length) this.carry = Buffer.from(b.subarray(cut));
    if (isUtf8(body)) {
      const text = body.toString('utf8');
      if (this.utf8Line === undefined && text.length !== body.length)
        this.utf8Line = this.line + newlines(body, firstNonAscii(body));
      return text;
    }
    const bad = firstInvalidUtf8(body);
    const line = this.line + newlines(body, bad);
    const high = firstNonAscii(body);
    if (this.utf8Line === undefined && high < bad) this.utf8Line = this.line + newlines(body, high);
    if (this.utf8Line !== undefined) throw new RestartAsWindows1252(line, body[bad]!, this.utf8Line);
    // All ASCII so far: reads the same as Windows-1252, which takes over from here.
    this.warnings.push(this.notUtf8(line, body[bad]!));
    this.mode = 'windows-1252';
    const rest = this.carry ? Buffer.concat([body, this.carry]) : body;
    this.carry = undefined;
    return decodeWindows1252(rest);
  }

  private utf16(b: Buffer, final: boolean): string {
    const le = this.mode === 'utf-16le';
    let end = b.length - (b.length % 2);
    if (end < b.length && final) {
      const line = this.line;
      throw new DatasetError(
        'encoding',
        `line ${line}: ${this.name} ends in the middle of a UTF-16 character (an odd number of bytes); the file is cut short or damaged.`,
        line,
      );
    }
    if (!final && end >= 2) {
      const unit = le ? b.readUInt16LE(end - 2) : b.readUInt16BE(end - 2);
      if (unit >= 0xd800 && unit <= 0xdbff) end -= 2; // the first half of a pair: wait for the second
    }
    if (end < b.length) this.carry = Buffer.from(b.subarray(end));
    const body = b.subarray(0, end);
    const text = le ? body.toString('utf16le') : Buffer.from(body).swap16().toString('utf16le');
    const lone = LONE_SURROGATE.exec(text);
    if (lone) {
      const line = this.line + newlines(text, lone.index);
      throw new DatasetError(
        'encoding',
        `line ${line}: ${this.name} is not valid UTF-16 (a lone surrogate, U+${text.charCodeAt(lone.index).toString(16).toUpperCase()}); the file is damaged. Save it as CSV UTF-8 and import it again.`,
        line,
      );
    }
    return text;
  }
}

/** The file's text, chunk by chunk, read from `handle` from its first byte. */
async function* readText(handle: FileHandle, decoder: CsvDecoder): AsyncGenerator<string> {
  for (let position = 0; ;) {
    const buffer = Buffer.allocUnsafe(READ_CHUNK);
    const { bytesRead } = await handle.read(buffer, 0, READ_CHUNK, position);
    if (bytesRead === 0) break;
    position += bytesRead;
    const text = decoder.decode(buffer.subarray(0, bytesRead));
    if (text) yield text;
  }
  const rest = decoder.end();
  if (rest) yield rest;
}

/** Opens a regular file, or refuses at once: a FIFO, socket or device would block the read. */
async function openCsv(file: string): Promise<FileHandle> {
  try {
    return await openRegularFile(file);
  } catch (e) {
    if (e instanceof NotRegularFileError)
      throw new DatasetError(
        'not-a-file',
        `Cannot read ${file}: it is ${e.what}, not a regular file. Choose a CSV file.`,
      );
    const code = (e as NodeJS.ErrnoException).code;
    throw new DatasetError(
      'missing-file',
      code === 'ENOENT'
        ? `Cannot read ${file}: no such file.`
        : `Cannot read ${file}: ${(e as Error).message}`,
    );
  }
}

/**
 * Imports a CSV file as a dataset (see the top of this file for the rules). Rejects with a
 * `DatasetError` naming the line and column of the first problem, or code `cancelled` when `signal`
 * aborts.
 */
export async function importCsv(file: string, options: CsvImportOptions = {}): Promise<CsvImportResult> {
  const handle = await openCsv(file);
  try {
    const totalBytes = (await handle.stat()).size;
    let restart: RestartAsWindows1252 | undefined;
    for (;;) {
      try {
        return await importFrom(handle, file, totalBytes, options, restart);
      } catch (e) {
        if (!(e instanceof RestartAsWindows1252) || restart) throw e;
        restart = e;
      }
    }
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/** One reading of the file, from its first byte. */
async function importFrom(
  handle: FileHandle,
  file: string,
  totalBytes: number,
  options: CsvImportOptions,
  restart: RestartAsWindows1252 | undefined,
): Promise<CsvImportResult> {
  const importer = new Importer(file, options);
  const decoder = new CsvDecoder(basename(file), importer.warnings, restart);
  const signal = options.signal;
  if (signal?.aborted) throw new DatasetError('cancelled', `Importing ${basename(file)}: cancelled.`);
  const source = Readable.from(readText(handle, decoder), { objectMode: true, highWaterMark: 1 });
  // Errors reach papaparse's listener (its `error` callback); this one only keeps an error raised
  // after the import has settled from becoming an uncaught exception.
  source.on('error', () => undefined);
  let lastProgress = 0;
  const progress = (force: boolean) => {
    const now = Date.now();
    if (!options.onProgress || (!force && now - lastProgress < 50)) return;
    lastProgress = now;
    options.onProgress({ bytesRead: force ? totalBytes : decoder.bytes, totalBytes, rows: importer.rows });
  };

  await new Promise<void>((resolve, reject) => {
    let failure: unknown;
    let settled = false;
    const settle = (err?: unknown) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      source.destroy();
      // Once the read in flight has finished, the caller may close the file (or read it again).
      finished(source, () => (err ? reject(err) : resolve()));
    };
    const onAbort = () => settle(new DatasetError('cancelled', `Importing ${basename(file)}: cancelled.`));
    signal?.addEventListener('abort', onAbort, { once: true });
    Papa.parse<string[], Readable>(source, {
      header: false,
      dynamicTyping: false,
      skipEmptyLines: false,
      ...(importer.delimiter ? { delimiter: importer.delimiter } : {}),
      chunk: (results, parser) => {
        if (settled) return;
        try {
          const quoteError = results.errors.find((e) => e.type === 'Quotes');
          if (quoteError) {
            importer.delimiter ??= results.meta.delimiter;
            importer.push(results.data.slice(0, quoteError.row ?? 0));
            const line = importer.nextLine;
            throw new DatasetError(
              'broken-row',
              `line ${line}: ${quoteError.message.replace(/\.$/, '')} (a field opens a quote that is never closed).`,
              line,
            );
          }
          importer.delimiter ??= results.meta.delimiter;
          importer.push(results.data);
          progress(false);
        } catch (e) {
          failure = e;
          parser.abort();
          settle(e);
        }
      },
      complete: () => settle(failure),
      error: (e: Error) =>
        settle(
          e instanceof DatasetError || e instanceof RestartAsWindows1252
            ? e
            : new DatasetError('missing-file', `Cannot read ${file}: ${e.message}`),
        ),
    });
  });
  const result = await importer.finish(totalBytes);
  progress(true);
  return result;
}
