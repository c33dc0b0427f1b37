/**
 * What the data panel shows about a loaded dataset (`DataSummary` of shared/ipc): counts on its
 * split, a preview suited to the data (scatter for 2-D points, images, decoded token sequences, the
 * head of a CSV file or a table), and the Input/Output shapes a model needs for it.
 */
import Papa from 'papaparse';
import type { DataSummary } from '../../../shared/ipc/contract';
import { openRegularFile } from '../regularFile';
import type { LoadedDataset } from './builtin';

/** A loaded dataset with what its import said (the `LoadedData` of training.ts). */
interface Loaded {
  dataset: LoadedDataset;
  warnings: string[];
  columns?: { name: string; type: string; role: string; note?: string }[];
}

/** The data panel's view of a loaded dataset. */
export async function summarize(loaded: Loaded, file: string | null = null): Promise<DataSummary> {
  const ds = loaded.dataset;
  const holdout = ds.holdout ?? 0;
  const classes = ds.classes;
  const per = ds.sampleShape.reduce((a, d) => a * d, 1);
  let preview: DataSummary['preview'];
  if (ds.task === 'classification' && per === 2 && ds.sampleShape.length === 1) {
    const points: [number, number, number][] = [];
    const step = Math.max(1, Math.floor(ds.count / 1500));
    for (let i = 0; i < ds.count; i += step) points.push([ds.x[2 * i]!, ds.x[2 * i + 1]!, ds.y[i]!]);
    preview = { kind: 'scatter', points, classes: classes ?? ['0', '1'], rowStep: step };
  } else if (ds.sampleShape.length === 3 && ds.reconstruction) {
    // An autoencoder's images have no classes to group them by: the first ones, as they come.
    const [h, w, c] = ds.sampleShape as [number, number, number];
    const images = Array.from({ length: Math.min(12, ds.count) }, (_, i) =>
      Array.from({ length: h * w }, (_, p) => ds.x[i * per + p * c]!),
    );
    preview = { kind: 'images', width: w, height: h, perClass: [{ class: 'samples', images }] };
  } else if (ds.sampleShape.length === 3 && ds.task === 'classification') {
    const [h, w, c] = ds.sampleShape as [number, number, number];
    const perClass = (classes ?? []).map((name) => ({ class: name, images: [] as number[][] }));
    for (let i = 0; i < ds.count && perClass.some((p) => p.images.length < 6); i++) {
      const cls = perClass[ds.y[i]!];
      if (!cls || cls.images.length >= 6) continue;
      const img: number[] = [];
      for (let p = 0; p < h * w; p++) img.push(ds.x[i * per + p * c]!);
      cls.images.push(img);
    }
    preview = { kind: 'images', width: w, height: h, perClass };
  } else if (ds.xDtype === 'int32' && loaded.dataset.tokenizer) {
    const words = loaded.dataset.tokenizer.words;
    const examples: { text: string; label: string }[] = [];
    for (let i = 0; i < Math.min(8, ds.count); i++) {
      const ids = Array.from(ds.x.subarray(i * per, (i + 1) * per)).filter((t) => t !== 0);
      examples.push({
        text: ids
          .slice(0, 40)
          .map((t) => words[t] ?? '?')
          .join(' '),
        label: classes?.[ds.y[i]!] ?? String(ds.y[i]),
      });
    }
    preview = { kind: 'sequence', examples };
  } else if (file) {
    const head = await readHead(file, 64 * 1024);
    const parsed = Papa.parse<string[]>(head, { preview: 21, skipEmptyLines: true });
    const [header = [], ...rows] = parsed.data;
    preview = { kind: 'table', header, rows, ...(loaded.columns ? { columns: loaded.columns } : {}) };
  } else {
    const names = ds.featureNames ?? Array.from({ length: per }, (_, i) => `x${i + 1}`);
    const rows: string[][] = [];
    for (let i = 0; i < Math.min(20, ds.count); i++)
      rows.push([
        ...Array.from(ds.x.subarray(i * per, i * per + Math.min(per, 12)), (v) =>
          String(Math.round(v * 1000) / 1000),
        ),
        classes?.[ds.y[i]!] ?? String(ds.y[i]),
      ]);
    preview = { kind: 'table', header: [...names.slice(0, 12), 'target'], rows };
  }
  return {
    name: ds.name,
    task: ds.task,
    count: ds.count,
    trainCount: ds.count - holdout,
    validationCount: holdout,
    sampleShape: ds.sampleShape,
    xDtype: ds.xDtype,
    ...(ds.reconstruction ? { reconstruction: true } : {}),
    ...(classes ? { classes } : {}),
    ...(ds.featureNames ? { featureNames: ds.featureNames } : {}),
    ...(ds.vocabSize !== undefined ? { vocabSize: ds.vocabSize } : {}),
    ...(ds.source ? { source: ds.source } : {}),
    warnings: loaded.warnings,
    preview,
    suggested: {
      inputShape: ds.sampleShape,
      inputDtype: ds.xDtype,
      targetShape:
        ds.task === 'classification'
          ? [(classes?.length ?? 2) === 2 ? 1 : classes!.length]
          : ds.reconstruction
            ? [...ds.sampleShape]
            : [ds.targetSize],
    },
  };
}

async function readHead(file: string, bytes: number): Promise<string> {
  const h = await openRegularFile(file);
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await h.read(buf, 0, bytes, 0);
    const text = buf.subarray(0, bytesRead).toString('utf8');
    return bytesRead === bytes ? text.slice(0, text.lastIndexOf('\n')) : text;
  } finally {
    await h.close();
  }
}
