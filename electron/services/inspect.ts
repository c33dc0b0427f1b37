/**
 * Inspecting a trained project on one sample: a row of its own dataset (by index) or a row of a CSV
 * read with the training's preprocessing, run through `engine/inspect`, with what a person needs to
 * read the result (the true class, class names, the words of a text sample).
 */
import { flatGraph } from '../../shared/graph/blocks';
import type { ProjectBundle } from '../../shared/ir/project';
import { readWeightsManifest } from '../../shared/graph/weights';
import type { InspectResult, InspectSample } from '../../shared/inspect/types';
import { type NodeWeights, nodeWeights } from '../../shared/inspect/weights';
import { WeightsMisfitError } from '../engine/artifacts';
import { inspectActivations } from '../engine/inspect';
import type { LoadedDataset } from './datasets/builtin';
import { importCsv, type CsvPreprocessing } from './datasets/csv';
import { DatasetError } from './datasets/errors';
import { DataError, type LoadContext, type LoadedData, loadProjectData } from './training';

export interface InspectRequest {
  /** A row of the project's dataset (0-based); the default when no file is given (row 0). */
  sample?: number | undefined;
  /** A CSV with the project's feature columns, and its data row (0-based, header not counted). */
  file?: string | undefined;
  row?: number | undefined;
  /** A sample given directly (a drawn digit, typed features, token ids), in the Input's layout. */
  input?: readonly number[] | undefined;
  layers?: readonly string[] | undefined;
}

/** Inputs up to this size are returned with the result (images, tabular rows) for the views. */
const MAX_INPUT_SHOWN = 4096;

type Row = { x: Float32Array | Int32Array; sampleShape: number[]; dtype: 'float32' | 'int32' };

function rowOf(ds: Pick<LoadedDataset, 'x' | 'sampleShape' | 'xDtype' | 'count'>, i: number): Row {
  const per = ds.sampleShape.reduce((a, d) => a * d, 1);
  return { x: ds.x.slice(i * per, (i + 1) * per), sampleShape: ds.sampleShape, dtype: ds.xDtype };
}

function checkIndex(i: number, count: number, what: string): void {
  if (!Number.isInteger(i) || i < 0 || i >= count)
    throw new DataError(
      `${what} ${i} does not exist: there ${count === 1 ? 'is 1 row' : `are ${count} rows`} (0 to ${count - 1}).`,
    );
}

/** A sample given as values: checked against the (first) Input node's shape. */
function givenRow(bundle: ProjectBundle, input: readonly number[]): Row {
  const node = bundle.project.graph.nodes.find((n) => n.kind === 'Input');
  const shape = ((node?.params.shape as (number | null)[] | undefined) ?? [input.length]).map((d) => d ?? 1);
  const per = shape.reduce((a, d) => a * d, 1);
  if (input.length !== per) throw new DataError(`The model takes ${per} values; got ${input.length}.`);
  const dtype = node?.params.dtype === 'int32' ? 'int32' : 'float32';
  return {
    x: dtype === 'int32' ? Int32Array.from(input) : Float32Array.from(input),
    sampleShape: shape,
    dtype,
  };
}

/** The sample to inspect and what is known about it. */
async function pickSample(
  bundle: ProjectBundle,
  req: InspectRequest,
  ctx: LoadContext,
  preloaded?: LoadedData,
): Promise<{ row: Row; sample: InspectSample; dataset?: LoadedDataset; classes?: string[] }> {
  const spec = bundle.project.data;
  if (req.input !== undefined) {
    // Values given: the project's data (when loaded) still names the classes and the words.
    const dataset = preloaded?.dataset;
    return {
      row: givenRow(bundle, req.input),
      sample: {},
      ...(dataset ? { dataset } : {}),
      ...(dataset?.classes ? { classes: dataset.classes } : {}),
    };
  }
  if (req.file !== undefined) {
    let preprocessing =
      spec?.source === 'csv' ? (spec.preprocessing as CsvPreprocessing | undefined) : undefined;
    if (!preprocessing && spec?.source === 'csv')
      preprocessing = (preloaded ?? (await loadProjectData(bundle.project, ctx))).preprocessing;
    if (!preprocessing)
      throw new DataError(
        "Inspecting a row of a CSV needs a project trained on CSV data (its column statistics are reused); use --sample N for a row of the project's own dataset.",
      );
    let imported;
    try {
      imported = await importCsv(req.file, { preprocessing, validationSplit: 0, signal: ctx.signal });
    } catch (err) {
      if (err instanceof DatasetError) throw new DataError(err.message);
      throw err;
    }
    const ds = imported.dataset;
    const r = req.row ?? 0;
    checkIndex(r, ds.count, 'Row');
    return {
      row: rowOf(ds, r),
      sample: { file: req.file, row: r },
      ...(preprocessing.classes ? { classes: preprocessing.classes } : {}),
    };
  }
  const { dataset } = preloaded ?? (await loadProjectData(bundle.project, ctx));
  const i = req.sample ?? 0;
  checkIndex(i, dataset.count, 'Sample');
  const holdout = dataset.holdout ?? 0;
  const sample: InspectSample = { index: i, validation: i >= dataset.count - holdout && holdout > 0 };
  if (dataset.task === 'classification') {
    const truth = dataset.y[i]!;
    sample.truth = truth;
    const label = dataset.classes?.[truth];
    if (label !== undefined) sample.truthLabel = label;
  } else {
    const t = dataset.targetSize;
    sample.target = Array.from(dataset.y.subarray(i * t, (i + 1) * t));
  }
  return {
    row: rowOf(dataset, i),
    sample,
    dataset,
    ...(dataset.classes ? { classes: dataset.classes } : {}),
  };
}

/** Runs the project's trained network on one sample and returns every node's activation. */
export async function inspectProject(
  bundle: ProjectBundle,
  req: InspectRequest,
  ctx: LoadContext,
  preloaded?: LoadedData,
): Promise<InspectResult> {
  if (!bundle.weights)
    throw new DataError('The project has no trained weights yet: train it first (netloom train).');
  const unknown = (req.layers ?? []).filter(
    (id) => !flatGraph(bundle.project.graph).nodes.some((n) => n.id === id),
  );
  if (unknown.length) throw new DataError(`No node ${unknown.map((u) => `"${u}"`).join(', ')} in the graph.`);
  const { row, sample, dataset, classes } = await pickSample(bundle, req, ctx, preloaded);
  let inspected;
  try {
    inspected = await inspectActivations(
      bundle.project.graph,
      bundle.weights,
      row.x,
      row.sampleShape,
      row.dtype,
      { layers: req.layers },
    );
  } catch (err) {
    if (err instanceof WeightsMisfitError)
      throw new DataError(
        `${err.message} Train the network again (netloom train), or undo the change to the graph.`,
      );
    throw err;
  }
  const about = aboutSample(row, sample, dataset, classes);
  const tokens = about.tokens;
  const nodes = tokens ? inspected.nodes.map((n) => (n.attention ? { ...n, tokens } : n)) : inspected.nodes;
  return { ...about, nodes, backend: inspected.backend };
}

/** What is known of a sample besides the activations: its row, class names, words, the input itself. */
function aboutSample(
  row: Row,
  sample: InspectSample,
  dataset: LoadedDataset | undefined,
  classes: string[] | undefined,
): Omit<InspectResult, 'nodes' | 'backend'> {
  const words = dataset?.tokenizer?.words;
  const tokens = row.dtype === 'int32' && words ? Array.from(row.x, (id) => words[id] ?? '<unk>') : undefined;
  return {
    sample,
    ...(tokens ? { tokens } : {}),
    ...(classes ? { classes } : {}),
    ...(row.x.length <= MAX_INPUT_SHOWN ? { input: Array.from(row.x) } : {}),
    inputShape: row.sampleShape,
  };
}

/**
 * A sample for a run's live probe: its values (for the run) and what it is (the activations come
 * from the run's `inspect` events, so `nodes` is empty).
 */
export async function liveSample(
  bundle: ProjectBundle,
  req: Pick<InspectRequest, 'sample' | 'input'>,
  ctx: LoadContext,
  preloaded?: LoadedData,
): Promise<{ x: Float32Array | Int32Array; result: InspectResult }> {
  const { row, sample, dataset, classes } = await pickSample(bundle, req, ctx, preloaded);
  return { x: row.x, result: { ...aboutSample(row, sample, dataset, classes), nodes: [], backend: '' } };
}

/**
 * A node's learned weights from the bundle's weight files (the inspector's heatmaps, histograms,
 * filters and embedding map). `words`: the vocabulary, for an Embedding's map.
 */
export function inspectWeights(bundle: ProjectBundle, id: string, words?: readonly string[]): NodeWeights {
  const node = flatGraph(bundle.project.graph).nodes.find((n) => n.id === id);
  if (!node) throw new DataError(`No node "${id}" in the graph.`);
  const w = bundle.weights;
  if (!w) throw new DataError('The project has no trained weights yet: train it first (netloom train).');
  const manifest = readWeightsManifest(w.modelJson, w.weightsBin.byteLength);
  if (!manifest.ok) throw new DataError(`weights/model.json: ${manifest.problem.message}`);
  return nodeWeights(manifest.entries, w.weightsBin, id, node.kind, words);
}
