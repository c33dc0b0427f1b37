/**
 * After the last row: the split (rows shuffled with `seed`; the last `validationSplit` of them are the
 * validation rows, and every statistic comes from the others), y and x (encode.ts), and the result
 * with the preprocessing predict reuses. With a model's preprocessing, rows keep their order.
 */
import { basename } from 'node:path';
import { createRng, permutation } from '../../../../shared/random';
import type { Task } from '../../../../shared/training/data';
import type { LoadedDataset } from '../builtin';
import { DatasetError } from '../errors';
import { holdoutFor } from '../split';
import type { TokenizerState } from '../tokenizer';
import { encodeTabular, encodeTarget, encodeText } from './encode';
import type { ImportState, Store, TextStore } from './store';
import type { CsvColumnReport, CsvImportResult, CsvPreprocessing, FeatureTransform } from './types';

/** The dataset from the rows read (`st`, its columns decided); `bytes` is the file's size. */
export async function assemble(st: ImportState, bytes: number): Promise<CsvImportResult> {
  const n = st.rows;
  if (n === 0) throw new DatasetError('empty', `${st.file} has a header but no data rows.`);
  const o = st.o;
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
  const { task, classes, y } = encodeTarget(st, order, reports);

  // Features.
  const stores = st.stores.filter((s): s is Store => s !== undefined);
  const text = stores.find((s) => s.type === 'text') as TextStore | undefined;
  let dataset: LoadedDataset;
  const name = o.name ?? basename(st.file);
  const common = {
    id: `csv:${basename(st.file)}`,
    name,
    task,
    count: n,
    holdout,
    source: `CSV file ${basename(st.file)}`,
  };
  const yOut = y ?? new Int32Array(n);
  if (text) {
    const { x, tokenizer } = encodeText(st, text, stores, order, trainRows);
    const L = st.maxLength;
    const features: FeatureTransform[] = [{ column: text.name, type: 'text' }];
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
    return result(st, dataset, { task, classes, features, tokenizer: tokenizer.state }, reports, n, bytes);
  }

  // Tabular: each column's transform, then x column by column.
  const { x, width, features, featureNames } = await encodeTabular(st, stores, order, trainRows, reports);
  dataset = {
    ...common,
    x,
    sampleShape: [width],
    xDtype: 'float32',
    y: yOut,
    targetSize: 1,
    featureNames,
  };
  if (classes) dataset.classes = classes;
  return result(st, dataset, { task, classes, features }, reports, n, bytes);
}

function result(
  st: ImportState,
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
  const t = st.target;
  const preprocessing: CsvPreprocessing = {
    target: t?.name ?? st.o.preprocessing?.target ?? '',
    task: p.task,
    targetType: t?.type === 'numeric' ? 'numeric' : (st.o.preprocessing?.targetType ?? 'categorical'),
    features: p.features,
    delimiter: st.delimiter ?? ',',
    header: st.hasHeader,
    ...(p.classes ? { classes: p.classes } : {}),
    ...(p.tokenizer ? { tokenizer: p.tokenizer } : {}),
  };
  return {
    dataset,
    preprocessing,
    columns: [...reports, ...st.ignored],
    warnings: st.warnings,
    rows,
    bytes,
  };
}
