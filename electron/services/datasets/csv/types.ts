/** The CSV import's public types: its options, what it returns, and the preprocessing predict reuses. */
import type { Task } from '../../../../shared/training/data';
import type { LoadedDataset } from '../builtin';
import type { TokenizerState } from '../tokenizer';

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
