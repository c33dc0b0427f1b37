/**
 * What the data panel shows about a loaded dataset (`DataSummary` of shared/ipc): counts on the shared
 * split, a preview suited to the data (scatter for 2-D points, images, decoded token sequences, or a
 * table), and the Input/Output shapes a model needs for it.
 */
import type { DataSummary } from '../../../shared/ipc/contract';
import type { LoadedDataset } from './builtin';
import type { CsvColumnReport } from './csv';
import { sampleSize, splitCounts } from './split';
import { PAD_ID } from './tokenizer';

export interface SummaryOptions {
  validationSplit?: number;
  warnings?: string[];
  /** CSV imports: the column report, shown beside the table. */
  columns?: CsvColumnReport[];
}

const label = (ds: LoadedDataset, i: number): string => {
  if (ds.task === 'classification') return ds.classes?.[ds.y[i]!] ?? String(ds.y[i]);
  const k = ds.targetSize;
  return Array.from(ds.y.subarray(i * k, (i + 1) * k), (v) => fmt(v)).join(', ');
};

const fmt = (v: number): string => (Number.isInteger(v) ? String(v) : v.toFixed(3));

function preview(ds: LoadedDataset, o: SummaryOptions): DataSummary['preview'] {
  const d = sampleSize(ds.sampleShape);
  const shape = ds.sampleShape;
  if (ds.xDtype === 'int32' && ds.tokenizer) {
    const words = ds.tokenizer.words;
    const examples = [];
    for (let i = 0; i < Math.min(8, ds.count); i++) {
      const ids = Array.from(ds.x.subarray(i * d, (i + 1) * d)).filter((id) => id !== PAD_ID);
      examples.push({ text: ids.map((id) => words[id] ?? '<unk>').join(' '), label: label(ds, i) });
    }
    return { kind: 'sequence', examples };
  }
  if (ds.task === 'classification' && d === 2 && ds.classes) {
    const points: [number, number, number][] = [];
    for (let i = 0; i < Math.min(2000, ds.count); i++)
      points.push([ds.x[2 * i]!, ds.x[2 * i + 1]!, ds.y[i]!]);
    return { kind: 'scatter', points, classes: ds.classes };
  }
  if (shape.length === 3 && shape[2] === 1 && ds.classes) {
    const [height, width] = shape as [number, number, number];
    const perClass = ds.classes.map((c) => ({ class: c, images: [] as number[][] }));
    for (let i = 0; i < ds.count; i++) {
      const slot = perClass[ds.y[i]!];
      if (slot && slot.images.length < 6)
        slot.images.push(Array.from(ds.x.subarray(i * d, (i + 1) * d), (v) => Math.round(v * 1000) / 1000));
      if (perClass.every((p) => p.images.length >= 6)) break;
    }
    return { kind: 'images', width, height, perClass };
  }
  const names = ds.featureNames ?? Array.from({ length: d }, (_, j) => `x${j + 1}`);
  const rows: string[][] = [];
  for (let i = 0; i < Math.min(20, ds.count); i++)
    rows.push([...Array.from(ds.x.subarray(i * d, i * d + Math.min(d, 50)), fmt), label(ds, i)]);
  return {
    kind: 'table',
    header: [...names.slice(0, 50), ds.task === 'classification' ? 'class' : 'target'],
    rows,
    ...(o.columns
      ? {
          columns: o.columns.map(({ name, type, role, note }) => ({
            name,
            type,
            role,
            ...(note ? { note } : {}),
          })),
        }
      : {}),
  };
}

export function summarize(ds: LoadedDataset, o: SummaryOptions = {}): DataSummary {
  const { trainCount, validationCount } = splitCounts(ds, o.validationSplit ?? 0.2);
  const targetShape = ds.task === 'classification' ? [ds.classes?.length ?? 2] : [ds.targetSize];
  return {
    name: ds.name,
    task: ds.task,
    count: ds.count,
    trainCount,
    validationCount,
    sampleShape: ds.sampleShape,
    xDtype: ds.xDtype,
    ...(ds.classes ? { classes: ds.classes } : {}),
    ...(ds.featureNames ? { featureNames: ds.featureNames } : {}),
    ...(ds.vocabSize ? { vocabSize: ds.vocabSize } : {}),
    ...(ds.source ? { source: ds.source } : {}),
    warnings: o.warnings ?? [],
    preview: preview(ds, o),
    suggested: { inputShape: ds.sampleShape, inputDtype: ds.xDtype, targetShape },
  };
}
