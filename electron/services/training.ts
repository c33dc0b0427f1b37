/**
 * Training and prediction for a project, shared by the CLI and the app's services: resolves the
 * project's data spec to a dataset (built-in, CSV on disk, or CSV embedded in the project; its
 * targets the labels or, for an autoencoder, the inputs), runs the engine, and records a finished run
 * in the bundle (weights, run summary, metrics history). Evaluation: evaluation.ts.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ProjectBundle } from '../../shared/ir/project';
import {
  appendRun,
  type DataSpec,
  type Preprocessing,
  type Project,
  type RunSummary,
} from '../../shared/ir/schema';
import type { TrainingConfig } from '../../shared/training/config';
import type { ArrayDataset } from '../../shared/training/data';
import type { EpochEndEvent, Metrics, TerminalEvent } from '../../shared/training/protocol';
import { WeightsMisfitError } from '../engine/artifacts';
import { predictArrays as predictWithWeights } from '../engine/predict';
import { loadBuiltin, type LoadedDataset } from './datasets/builtin';
import { importCsv, type CsvPreprocessing, type CsvProgress } from './datasets/csv';
import { DatasetError } from './datasets/errors';
import { DataPathError, resolveDataPath } from './dataPaths';
import { importImageFolder } from './datasets/images';
import { asReconstruction } from './datasets/reconstruction';
import { RawRowsError, readRawRows } from './rawRows';

export class DataError extends Error {
  override readonly name = 'DataError';
}

export interface LoadContext {
  /** The project's file: data paths are relative to its folder. */
  projectFile: string | null;
  /**
   * The folder data paths are relative to when it is not the project file's (an unsaved project in
   * serve mode: the served folder).
   */
  dataRoot?: string | null | undefined;
  /** Embedded data files (`data/<name>.csv` entries), by name. */
  embedded?: ReadonlyMap<string, Uint8Array> | undefined;
  signal?: AbortSignal | undefined;
  onProgress?: ((p: CsvProgress) => void) | undefined;
}

export interface LoadedData {
  dataset: LoadedDataset;
  /** CSV data: each column's type and role as imported. */
  columns?: { name: string; type: string; role: string; note?: string }[];
  /** CSV data: the statistics of the training split (saved into the data spec). */
  preprocessing?: CsvPreprocessing;
  warnings: string[];
}

/** The folder a project's data paths are relative to. */
export function dataFolder(ctx: Pick<LoadContext, 'projectFile' | 'dataRoot'>): string {
  const base = ctx.dataRoot ?? (ctx.projectFile ? path.dirname(ctx.projectFile) : null);
  if (!base)
    throw new DataError(
      "The project's data is a file beside the project, but the project has no folder yet: save it first.",
    );
  return base;
}

/**
 * Where a CSV data spec points, as a real path inside the project's folder (null when embedded).
 * Throws `DataError` for a path that is not allowed, missing, or leads outside that folder.
 */
export async function csvPath(
  spec: Extract<DataSpec, { source: 'csv' }>,
  ctx: Pick<LoadContext, 'projectFile' | 'dataRoot'>,
): Promise<string | null> {
  if (spec.embedded) return null;
  try {
    return await resolveDataPath(dataFolder(ctx), spec.file);
  } catch (err) {
    if (err instanceof DataPathError) throw new DataError(err.message);
    throw err;
  }
}

/**
 * Loads the project's data with the training config's seed and validation split, so training,
 * evaluation and the baselines all see the same rows (the validation rows are the last `holdout`).
 */
export async function loadProjectData(
  project: Pick<Project, 'data' | 'training'>,
  ctx: LoadContext,
): Promise<LoadedData> {
  const spec = project.data;
  if (!spec)
    throw new DataError(
      "The project has no data. Choose some: netloom train FILE --data builtin:NAME | FILE.csv | IMAGE_FOLDER (or the app's Train view).",
    );
  const data = await loadSpec(spec, project.training, ctx);
  if (spec.source === 'csv' || spec.targets !== 'inputs') return data;
  try {
    return { ...data, dataset: asReconstruction(data.dataset) };
  } catch (err) {
    if (err instanceof DatasetError) throw new DataError(err.message);
    throw err;
  }
}

async function loadSpec(
  spec: DataSpec,
  { seed, validationSplit }: Pick<Project['training'], 'seed' | 'validationSplit'>,
  ctx: LoadContext,
): Promise<LoadedData> {
  try {
    if (spec.source === 'builtin') {
      const dataset = await loadBuiltin(spec.dataset, {
        ...spec.options,
        seed,
        validationSplit,
        signal: ctx.signal,
      });
      return { dataset, warnings: [] };
    }
    if (spec.source === 'csv') {
      let file = await csvPath(spec, ctx);
      let tmp: string | null = null;
      if (file === null) {
        const name = spec.file.replace(/^data\//, '');
        const bytes = ctx.embedded?.get(name);
        if (!bytes) throw new DataError(`The embedded data file data/${name} is missing from the project.`);
        tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'netloom-data-'));
        file = path.join(tmp, name);
        await fs.writeFile(file, bytes);
      }
      try {
        const result = await importCsv(file, {
          ...(spec.target ? { target: spec.target } : {}),
          ...(spec.columns.length ? { columns: spec.columns } : {}),
          validationSplit,
          seed,
          signal: ctx.signal,
          onProgress: ctx.onProgress,
        });
        return {
          dataset: result.dataset,
          preprocessing: result.preprocessing,
          warnings: result.warnings,
          columns: result.columns.map((c) => ({
            name: c.name,
            type: c.type,
            role: c.role,
            ...(c.note ? { note: c.note } : {}),
          })),
        };
      } finally {
        if (tmp) await fs.rm(tmp, { recursive: true, force: true });
      }
    }
    // An image folder: one subfolder per class, inside the project's folder.
    let dir: string;
    try {
      dir = await resolveDataPath(dataFolder(ctx), spec.directory);
    } catch (err) {
      if (err instanceof DataPathError) throw new DataError(err.message);
      throw err;
    }
    const dataset = await importImageFolder(dir, {
      width: spec.width,
      height: spec.height,
      grayscale: spec.grayscale,
      seed,
      validationSplit,
      signal: ctx.signal,
    });
    return { dataset, warnings: [] };
  } catch (err) {
    if (err instanceof DatasetError) throw new DataError(err.message);
    throw err;
  }
}

/** The flat metrics a run summary keeps: loss, accuracy..., val_loss, val_accuracy... */
export function flatMetrics(metrics: Metrics, valMetrics: Metrics): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(metrics)) if (typeof v === 'number' && Number.isFinite(v)) out[k] = v;
  for (const [k, v] of Object.entries(valMetrics))
    if (typeof v === 'number' && Number.isFinite(v)) out[`val_${k}`] = v;
  return out;
}

/**
 * Records a finished run in the bundle: its summary, its per-epoch history (`runs/<id>.jsonl`) and,
 * when the run produced weights (done; diverged: its best epoch, when that beat the weights the
 * project had), the weights, dropping the evaluation of the weights they replace.
 */
export function recordRun(
  bundle: ProjectBundle,
  run: {
    event: TerminalEvent;
    config: TrainingConfig;
    startedAt: Date;
    history: EpochEndEvent[];
    preprocessing?: CsvPreprocessing | undefined;
  },
): ProjectBundle {
  const e = run.event;
  if (e.type === 'error') return bundle;
  const last = run.history[run.history.length - 1];
  const finalMetrics =
    e.type === 'done'
      ? flatMetrics(e.metrics, e.valMetrics)
      : last
        ? flatMetrics(last.metrics, last.valMetrics)
        : {};
  const summary: RunSummary = {
    id: e.runId.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 64),
    startedAt: run.startedAt.toISOString(),
    durationMs: Date.now() - run.startedAt.getTime(),
    backend: e.backend,
    status: e.type,
    epochs: e.type === 'done' ? e.epochs : run.history.length,
    config: run.config,
    finalMetrics,
    graph: bundle.project.graph,
  };
  const runs = new Map(bundle.runs ?? []);
  runs.set(
    summary.id,
    run.history.map((h) => JSON.stringify(h)).join('\n') + (run.history.length ? '\n' : ''),
  );
  // The graph each run trained, for the diff view: the latest runs keep theirs.
  const project: Project = { ...bundle.project, runs: appendRun(bundle.project.runs, summary) };
  if (run.preprocessing && project.data?.source === 'csv')
    project.data = { ...project.data, preprocessing: run.preprocessing as Preprocessing };
  // New weights replace the old ones, and the old evaluation with them (it described the old ones);
  // a run that leaves none (diverged before beating them, cancelled) keeps both.
  const weights = e.type === 'done' ? e.weights : (e.weights ?? undefined);
  if (!weights) return { ...bundle, project, runs };
  const { evaluation: _stale, ...rest } = bundle;
  return { ...rest, project, runs, weights };
}

/** Runs the trained model on `count` rows of x (sample shape per the dataset); returns row-major outputs. */
export async function predictArrays(
  bundle: ProjectBundle,
  x: Float32Array | Int32Array,
  sampleShape: readonly number[],
  dtype: 'float32' | 'int32',
  count: number,
): Promise<{ outputs: Float32Array; outputSize: number; backend: string }> {
  if (!bundle.weights)
    throw new DataError('The project has no trained weights yet: train it first (netloom train).');
  try {
    return await predictWithWeights(bundle.project.graph, bundle.weights, x, sampleShape, dtype, count);
  } catch (err) {
    if (err instanceof WeightsMisfitError)
      throw new DataError(
        `${err.message} Train the network again (netloom train), or undo the change to the graph.`,
      );
    throw err;
  }
}

/** Imports rows to predict on with the project's preprocessing (CSV data) and returns the outputs per row. */
export async function predictCsv(
  bundle: ProjectBundle,
  file: string,
  ctx: LoadContext,
): Promise<{ rows: number[][]; classes?: string[]; backend: string; warnings: string[] }> {
  const spec = bundle.project.data;
  if (!spec) return predictRawRows(bundle, file);
  let preprocessing =
    spec?.source === 'csv' ? (spec.preprocessing as CsvPreprocessing | undefined) : undefined;
  if (!preprocessing && spec?.source === 'csv')
    preprocessing = (await loadProjectData(bundle.project, ctx)).preprocessing;
  if (!preprocessing)
    throw new DataError(
      'Predicting from a CSV needs a project trained on CSV data (its column statistics are reused for new rows).',
    );
  let imported;
  try {
    imported = await importCsv(file, { preprocessing, validationSplit: 0, signal: ctx.signal });
  } catch (err) {
    if (err instanceof DatasetError) throw new DataError(err.message);
    throw err;
  }
  const ds: ArrayDataset = imported.dataset;
  const { rows, backend } = await predictRows(bundle, ds.x, ds.sampleShape, ds.xDtype, ds.count);
  return {
    rows,
    ...(preprocessing.classes ? { classes: preprocessing.classes } : {}),
    backend,
    warnings: imported.warnings,
  };
}

/**
 * A project without data (an imported model): each CSV row is one sample's input values, in the
 * source model's layout (`project.origin`); the outputs are the network's, untouched.
 */
async function predictRawRows(
  bundle: ProjectBundle,
  file: string,
): Promise<{ rows: number[][]; backend: string; warnings: string[] }> {
  const inputs = bundle.project.graph.nodes.filter((n) => n.kind === 'Input');
  if (inputs.length !== 1)
    throw new DataError(
      `The project has no data and ${inputs.length} inputs; rows of a CSV can feed a model with exactly one.`,
    );
  const params = inputs[0]!.params;
  const shape = Array.isArray(params.shape) ? params.shape : [];
  let raw;
  try {
    raw = await readRawRows(
      file,
      { shape, dtype: params.dtype === 'int32' ? 'int32' : 'float32' },
      bundle.project.origin?.layout ?? 'channels-last',
    );
  } catch (err) {
    if (err instanceof RawRowsError) throw new DataError(err.message);
    throw err;
  }
  const { rows, backend } = await predictRows(bundle, raw.x, raw.sampleShape, raw.dtype, raw.count);
  return { rows, backend, warnings: [] };
}

/** `predictArrays`, its outputs split into one array per row. */
async function predictRows(
  ...args: Parameters<typeof predictArrays>
): Promise<{ rows: number[][]; backend: string }> {
  const count = args[4];
  const { outputs, outputSize, backend } = await predictArrays(...args);
  const rows: number[][] = [];
  for (let i = 0; i < count; i++)
    rows.push(Array.from(outputs.subarray(i * outputSize, (i + 1) * outputSize)));
  return { rows, backend };
}
