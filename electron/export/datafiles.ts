/** The data files the script exports carry: exported arrays, the project's CSV, its statistics. */
import type { ProjectBundle } from '../../shared/ir/project';
import type { ArrayDataset } from '../../shared/training/data';
import { type ExportPlan, str } from './plan';
import { dataPy, PREPROCESSING_FORMAT } from './pydata';
import { type HostTensor, writeSafetensors } from './tensors';
import type { ExportOptions } from './types';

export interface DataFiles {
  files: Map<string, Uint8Array | string>;
  /** Data files (relative to the export) data.py tries in order when no path is given. */
  sources: string[];
  preprocessing: boolean;
}

export const DATASET_FILE = 'data/dataset.safetensors';

export function datasetSafetensors(ds: ArrayDataset): Uint8Array {
  const tensors = new Map<string, HostTensor>([
    ['x', { shape: [ds.count, ...ds.sampleShape], data: ds.x }],
    [
      'y',
      {
        shape: ds.task === 'classification' || ds.targetSize === 1 ? [ds.count] : [ds.count, ds.targetSize],
        data: ds.y,
      },
    ],
  ]);
  return writeSafetensors(tensors, {
    name: ds.name,
    task: ds.task,
    holdout: String(ds.holdout ?? 0),
    ...(ds.classes ? { classes: JSON.stringify(ds.classes) } : {}),
  });
}

const safeName = (name: string) =>
  name.replace(/^.*[\\/]/, '').replace(/[^A-Za-z0-9._-]/g, '_') || 'data.csv';

export function exportDataFiles(bundle: ProjectBundle, options: ExportOptions): DataFiles {
  const files = new Map<string, Uint8Array | string>();
  const sources: string[] = [];
  if (options.dataset) {
    files.set(DATASET_FILE, datasetSafetensors(options.dataset));
    sources.push(DATASET_FILE);
  }
  const spec = bundle.project.data;
  if (spec?.source === 'csv') {
    const key = spec.file.replace(/^data\//, '');
    const embedded = spec.embedded ? bundle.data?.get(key) : undefined;
    const csv = embedded ? { name: key, bytes: embedded } : options.csv;
    if (csv) {
      const name = `data/${safeName(csv.name)}`;
      files.set(name, csv.bytes);
      sources.push(name);
    }
  }
  if (options.preprocessing)
    files.set(
      'preprocessing.json',
      JSON.stringify({ format: PREPROCESSING_FORMAT, version: 1, ...options.preprocessing }, null, 2) + '\n',
    );
  return { files, sources, preprocessing: options.preprocessing !== undefined };
}

/**
 * The data part every Python export shares: the exported data files and a `data.py` that loads them
 * (or a CSV) into samples shaped for the graph's first input.
 */
export function pythonDataPackage(
  bundle: ProjectBundle,
  plan: ExportPlan,
  options: ExportOptions,
): { out: Map<string, Uint8Array | string>; files: DataFiles } {
  const files = exportDataFiles(bundle, options);
  const out = new Map<string, Uint8Array | string>(files.files);
  const first = plan.inputs[0]!;
  out.set(
    'data.py',
    dataPy({
      projectName: bundle.project.name,
      spec: bundle.project.data,
      sampleShape: first.outputShape.slice(1).map((d) => (typeof d === 'number' ? d : null)),
      sampleDtype: str(first, 'dtype') === 'int32' ? 'int32' : 'float32',
      defaultSources: files.sources,
    }),
  );
  return { out, files };
}
