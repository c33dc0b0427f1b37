/** The dataset service: built-in datasets, CSV import, the shared split, and the baseline ladder. */
export { BUILTIN_DATASETS, builtinDescriptor, loadBuiltin } from './builtin';
export type { BuiltinLoadOptions, LoadedDataset } from './builtin';
export { importCsv } from './csv';
export type {
  CsvColumnSpec,
  CsvImportOptions,
  CsvImportResult,
  CsvPreprocessing,
  CsvProgress,
  FeatureTransform,
} from './csv';
export { accuracy, regressionMetrics, runBaselines } from './baselines';
export type { BaselineId, BaselineOptions, BaselineResult } from './baselines';
export { DatasetError } from './errors';
export type { DatasetErrorCode } from './errors';
export { holdoutFor, sampleSize, splitCounts } from './split';
export { PAD_ID, tokenize, Tokenizer, UNKNOWN_ID } from './tokenizer';
export type { TokenizerState } from './tokenizer';
export { summarize } from './summary';
export type { SummaryOptions } from './summary';
