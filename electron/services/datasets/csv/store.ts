/**
 * Column stores: one per used column, filled row by row while the file streams (numbers as read,
 * 64-bit, in blocks; categories as Int32 codes; text as provisional word ids), and `ImportState`, what
 * every stage of an import (parse, infer, plan, encode) reads and adds to. Also the small rules they
 * share: what counts as missing, the category limits, how a value is quoted in a message.
 */
import { GrowableInt32 } from '../growable';
import type { ColumnType, CsvColumnReport, CsvImportOptions } from './types';

const MISSING = new Set(['', 'na', 'n/a', 'nan', 'null', '?']);
export const isMissing = (s: string) => s.length <= 4 && MISSING.has(s.toLowerCase());
export const MAX_CATEGORIES = 1000;
export const MAX_CLASSES_FOR_INTEGER_TARGET = 20;

export const q = (s: string) => JSON.stringify(s);
export const clip = (s: string) => (s.length > 40 ? `${s.slice(0, 37)}...` : s);
/** Whether a field reads as a number, finite or not: "1e400" and "Infinity" are numbers out of range. */
export const looksNumeric = (s: string) => s !== '' && !Number.isNaN(Number(s));

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
// Column stores

interface StoreBase {
  name: string;
  index: number;
  isTarget: boolean;
  missing: number;
  /** Set when a feature column is given up while streaming (too many categories). */
  dropped?: string;
}

export interface NumericStore extends StoreBase {
  type: 'numeric';
  /** As read (64-bit): rounding to 32 bits before standardising would lose tiny or offset columns. */
  values: Float64Blocks;
  min: number;
  max: number;
  /** Distinct values (targets only, up to 21) and whether all are whole numbers. */
  distinct?: Set<number>;
  integer: boolean;
}

export interface CategoricalStore extends StoreBase {
  type: 'categorical';
  codes: GrowableInt32;
  dict: Map<string, number>;
}

export interface TextStore extends StoreBase {
  type: 'text';
  /** Provisional word ids (first `maxLength` tokens per row), rows delimited by `offsets`. */
  tokens: GrowableInt32;
  offsets: GrowableInt32;
  dict: Map<string, number>;
  words: string[];
}

export type Store = NumericStore | CategoricalStore | TextStore;

export function makeStore(name: string, index: number, isTarget: boolean, type: ColumnType): Store {
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

/** What an import has read so far: what its later stages (infer, plan, encode) read and add to. */
export interface ImportState {
  readonly file: string;
  readonly o: CsvImportOptions;
  readonly warnings: string[];
  /** Columns left out, and why (reported after the used ones). */
  readonly ignored: CsvColumnReport[];
  /** One store per used column, by column index (undefined: not used, or the target once encoded). */
  readonly stores: (Store | undefined)[];
  target: Store | undefined;
  /** The line each stored row starts on, for errors found after the last row. */
  readonly lines: GrowableInt32;
  /** Rows stored. */
  readonly rows: number;
  /** Tokens kept per text value. */
  readonly maxLength: number;
  readonly hasHeader: boolean;
  /** As given or as detected by papaparse on the first chunk. */
  readonly delimiter: string | undefined;
}
