/**
 * The app's training side (behind shared/ipc): loads and previews a project's data, runs training in
 * the worker and streams its events, keeps the resulting weights and run histories with the open
 * document, evaluates, predicts and restores past runs. Used by AppServices.
 */
import { checkGraph, formatIssue } from '../../shared/graph/check';
import type { DataSummary, Grid, TrainingEventView } from '../../shared/ipc/contract';
import type { ProjectBundle } from '../../shared/ir/project';
import type { DataSpec, Project, RunSummary } from '../../shared/ir/schema';
import type { TrainingConfig } from '../../shared/training/config';
import type { Evaluation } from '../../shared/training/evaluation';
import type { EpochEndEvent, Probe, TrainingEvent } from '../../shared/training/protocol';
import { readWeightsManifest, type WeightEntry, weightsState } from '../../shared/graph/weights';
import { UNIT_GRID_N } from '../../shared/inspect/types';
import { startTraining, type TrainingHandle } from '../engine/session';
import { RunCheckpoints } from './checkpoints';
import { historyLine } from './runHistory';
import { summarize } from './datasets/summary';
import { BUILTIN_DATASETS } from './datasets/builtin';
import { evaluateProject } from './evaluation';
import { csvPath, type LoadContext, type LoadedData, loadProjectData, recordRun } from './training';

export class TrainingServiceError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** What the sessions need from a document (owned by AppServices). */
export interface DocHandle {
  path: string | null;
  extras: Omit<ProjectBundle, 'project'>;
  /** Absolute path of the CSV the current data spec points at (not embedded). */
  dataFile?: string | null;
}

interface Cached {
  key: string;
  loaded: LoadedData;
}

const MAX_RUN_WEIGHTS = 5;

export class TrainingSessions {
  private cache = new Map<string, Cached>();
  /** Each document's load in flight: what it loads (the cache key), how to stop it, its result. */
  private loading = new Map<
    string,
    { key: string; controller: AbortController; done: Promise<LoadedData> }
  >();
  private running = new Map<string, { docId: string; handle: TrainingHandle; graph: Project['graph'] }>();
  private readonly checkpoints = new RunCheckpoints();

  constructor(
    private readonly emit: (name: 'training.event' | 'data.progress', payload: unknown) => void,
    /**
     * The folder a document's data paths are relative to: its file's folder, or for an unsaved one
     * the served folder in serve mode (null in Electron: it has none until it is saved).
     */
    private readonly dataRoot: (doc: DocHandle) => string | null,
  ) {}

  datasets() {
    return [...BUILTIN_DATASETS];
  }

  private key(
    data: DataSpec,
    training: Pick<TrainingConfig, 'seed' | 'validationSplit'>,
    file: string | null,
  ) {
    return JSON.stringify([data, file, training.seed, training.validationSplit]);
  }

  /**
   * The data spec and, for a CSV beside the project, its real path: always inside the project's
   * folder (`resolveDataPath`), so a project never reads data from anywhere else.
   */
  async normalise(doc: DocHandle, data: DataSpec): Promise<{ spec: DataSpec; file: string | null }> {
    if (data.source !== 'csv' || data.embedded) return { spec: data, file: null };
    return { spec: data, file: await csvPath(data, this.context(doc)) };
  }

  private context(doc: DocHandle): Pick<LoadContext, 'projectFile' | 'dataRoot'> {
    return { projectFile: doc.path, dataRoot: this.dataRoot(doc) };
  }

  async load(
    docId: string,
    doc: DocHandle,
    data: DataSpec,
    training: TrainingConfig,
  ): Promise<{ summary: DataSummary; data: DataSpec }> {
    const { spec, file } = await this.normalise(doc, data);
    doc.dataFile = file;
    const loaded = await this.loadCached(docId, doc, spec, file, training);
    const withStats =
      spec.source === 'csv' && loaded.preprocessing ? { ...spec, preprocessing: loaded.preprocessing } : spec;
    return { summary: await summarize(loaded, file), data: withStats as DataSpec };
  }

  private async loadCached(
    docId: string,
    doc: DocHandle,
    spec: DataSpec,
    file: string | null,
    training: TrainingConfig,
  ): Promise<LoadedData> {
    const key = this.key(spec, training, file);
    const hit = this.cache.get(docId);
    if (hit && hit.key === key) return hit.loaded;
    // The same data already on its way (the Data panel's load when Start is pressed, the
    // evaluation's): wait for it. Other data replaces it (the user chose another dataset).
    const pending = this.loading.get(docId);
    if (pending && pending.key === key) return pending.done;
    pending?.controller.abort();
    const controller = new AbortController();
    const load = async (): Promise<LoadedData> => {
      // Registered below before this runs (a failure cannot clear the entry before it exists).
      await Promise.resolve();
      try {
        const loaded = await loadProjectData(
          { data: spec, training },
          {
            ...this.context(doc),
            embedded: doc.extras.data,
            signal: controller.signal,
            onProgress: (p) => this.emit('data.progress', { docId, ...p }),
          },
        );
        this.cache.set(docId, { key, loaded });
        return loaded;
      } finally {
        if (this.loading.get(docId)?.controller === controller) this.loading.delete(docId);
      }
    };
    const done = load();
    this.loading.set(docId, { key, controller, done });
    return done;
  }

  cancelLoad(docId: string): void {
    this.loading.get(docId)?.controller.abort();
  }

  async start(
    docId: string,
    doc: DocHandle,
    project: Project,
    grid: Grid | null,
  ): Promise<{ runId: string }> {
    if ([...this.running.values()].some((r) => r.docId === docId))
      throw new TrainingServiceError('BUSY', 'A run is already going on for this project; stop it first.');
    const report = checkGraph(project.graph);
    if (!report.valid)
      throw new TrainingServiceError(
        'INVALID_GRAPH',
        `Fix the graph before training:\n${report.issues
          .filter((i) => i.severity === 'error')
          .map(formatIssue)
          .join('\n')}`,
      );
    if (!project.data) throw new TrainingServiceError('NO_DATA', 'Choose a dataset in the Data panel first.');
    const { spec, file } = await this.normalise(doc, project.data);
    const loaded = await this.loadCached(docId, doc, spec, file, project.training);
    const ds = loaded.dataset;
    const probe =
      grid && ds.sampleShape.length === 1 && ds.sampleShape[0] === 2 && ds.xDtype === 'float32'
        ? { ...gridProbe(grid), units: gridProbe({ ...grid, n: UNIT_GRID_N }).data as Float32Array }
        : undefined;
    const startedAt = new Date();
    const history: EpochEndEvent[] = [];
    const config = project.training;
    const current = weightsState(project.graph, doc.extras.weights);
    const handle = startTraining({
      project,
      dataset: ds,
      config,
      ...(probe ? { probe } : {}),
      ...(current.state === 'fit' && doc.extras.weights ? { previous: doc.extras.weights } : {}),
      checkpoints: true,
      statsEveryBatches: statsEvery(ds.count, config),
      onEvent: (event: TrainingEvent) => {
        let e = event;
        if (e.type === 'epochEnd') {
          const { probe: _p, units: _u, checkpoint, ...rest } = e;
          history.push(rest);
          if (checkpoint) {
            // The snapshot stays here (the scrubber asks for it by epoch); the renderer learns its size.
            this.checkpoints.add(docId, e.runId, e.epoch, checkpoint);
            const { checkpoint: _c, ...view } = e;
            e = { ...view, checkpointBytes: checkpoint.weightsBin.byteLength };
          }
        }
        if (
          e.type === 'progress' ||
          e.type === 'epochEnd' ||
          e.type === 'inspect' ||
          e.type === 'layerStats' ||
          e.type === 'error'
        ) {
          this.emit('training.event', { docId, event: e satisfies TrainingEventView });
          if (e.type === 'error') this.running.delete(handle.runId);
          return;
        }
        // Terminal with weights: keep them with the document; the renderer gets the run summary.
        this.running.delete(handle.runId);
        let run: RunSummary | null = null;
        if (e.type !== 'cancelled' || e.weights) {
          const bundle: ProjectBundle = { project, ...doc.extras };
          const updated = recordRun(bundle, {
            event: e,
            config,
            startedAt,
            history,
            preprocessing: loaded.preprocessing,
          });
          run = updated.project.runs[updated.project.runs.length - 1] ?? null;
          const w = e.type === 'done' ? e.weights : e.weights;
          const runWeights = new Map(doc.extras.runWeights ?? []);
          if (run && w) runWeights.set(run.id, w);
          const keep = [...project.runs.map((r) => r.id), ...(run ? [run.id] : [])].slice(-MAX_RUN_WEIGHTS);
          for (const id of runWeights.keys()) if (!keep.includes(id)) runWeights.delete(id);
          // A finished run's weights replace the document's; a diverged run's only when its best
          // epoch beat them (recordRun); a cancelled run's never (they stay restorable in the run).
          const newWeights = e.type === 'cancelled' ? doc.extras.weights : updated.weights;
          doc.extras = {
            ...doc.extras,
            evaluation: newWeights === doc.extras.weights ? doc.extras.evaluation : undefined,
            weights: newWeights,
            runs: updated.runs,
            runWeights,
          };
        }
        const { weights: _w, ...view } = e;
        this.emit('training.event', {
          docId,
          event: { ...view, run, weightSpecs: weightSpecsOf(doc.extras.weights) } as TrainingEventView,
        });
      },
    });
    this.running.set(handle.runId, { docId, handle, graph: project.graph });
    this.checkpoints.begin(docId, handle.runId);
    return { runId: handle.runId };
  }

  /** The graph of the run going on for `docId`, if any: it is read-only until the run ends. */
  runningGraph(docId: string): Project['graph'] | null {
    for (const r of this.running.values()) if (r.docId === docId) return r.graph;
    return null;
  }

  cancel(runId: string): void {
    this.running.get(runId)?.handle.cancel();
  }

  async evaluate(docId: string, doc: DocHandle, project: Project): Promise<Evaluation> {
    if (!doc.extras.weights) throw new TrainingServiceError('NOT_TRAINED', 'Train the network first.');
    if (!project.data) throw new TrainingServiceError('NO_DATA', 'The project has no data.');
    const { spec, file } = await this.normalise(doc, project.data);
    const loaded = await this.loadCached(docId, doc, spec, file, project.training);
    const weights = doc.extras.weights;
    const evaluation = await evaluateProject(
      { project, ...doc.extras },
      { ...this.context(doc), embedded: doc.extras.data },
      loaded,
    );
    // Kept with the weights it describes (saved as weights/evaluation.json).
    if (doc.extras.weights === weights) doc.extras = { ...doc.extras, evaluation };
    return evaluation;
  }

  /** The document's data, loaded (or from the cache): the views use it to name classes and words. */
  async dataFor(docId: string, doc: DocHandle, project: Project): Promise<LoadedData | undefined> {
    if (!project.data) return undefined;
    const { spec, file } = await this.normalise(doc, project.data);
    return this.loadCached(docId, doc, spec, file, project.training);
  }

  /** Where a document's data paths lead, and its embedded data. */
  loadContext(doc: DocHandle): LoadContext {
    return { ...this.context(doc), embedded: doc.extras.data };
  }

  /** The weight snapshot of `epoch` of the document's last run, if kept. */
  checkpoint(docId: string, epoch: number) {
    return this.checkpoints.get(docId, epoch);
  }

  /** The run going on for `docId`, if any. */
  runningHandle(docId: string): TrainingHandle | undefined {
    for (const r of this.running.values()) if (r.docId === docId) return r.handle;
    return undefined;
  }

  /** Makes a past run's weights the document's, if they fit the graph as it is now. */
  restore(doc: DocHandle, runId: string, graph: Project['graph']): WeightEntry[] | null {
    const w = doc.extras.runWeights?.get(runId);
    if (!w)
      throw new TrainingServiceError(
        'NO_WEIGHTS',
        'The weights of that run were not kept (only the last five are).',
      );
    const state = weightsState(graph, w);
    if (state.state !== 'fit')
      throw new TrainingServiceError(
        'STALE_WEIGHTS',
        `The weights of run ${runId} were trained for another version of the graph: ${state.state === 'stale' ? state.reason : ''} Undo the changes since that run to restore them.`,
      );
    doc.extras = { ...doc.extras, weights: w, evaluation: undefined };
    return state.entries;
  }

  history(doc: DocHandle, runIds: string[]): Record<string, TrainingEvent[]> {
    const out: Record<string, TrainingEvent[]> = {};
    for (const id of runIds) {
      const text = doc.extras.runs?.get(id);
      if (!text) continue;
      out[id] = text.split('\n').flatMap(historyLine);
    }
    return out;
  }

  forget(docId: string): void {
    this.checkpoints.forget(docId);
    this.cache.delete(docId);
    this.cancelLoad(docId);
    for (const [id, r] of this.running) if (r.docId === docId) this.cancel(id);
  }
}

/** The points of a grid, row by row from the top (as the decision boundary draws them). */
export function gridProbe(grid: Grid): Probe {
  const data = new Float32Array(grid.n * grid.n * 2);
  for (let j = 0; j < grid.n; j++)
    for (let i = 0; i < grid.n; i++) {
      const k = (j * grid.n + i) * 2;
      data[k] = grid.x0 + ((i + 0.5) / grid.n) * (grid.x1 - grid.x0);
      data[k + 1] = grid.y1 - ((j + 0.5) / grid.n) * (grid.y1 - grid.y0);
    }
  return { data, count: grid.n * grid.n, sampleShape: [2], dtype: 'float32' };
}

/** The manifest entries (names, shapes) of weights, for the renderer to tell when they go stale. */
export function weightSpecsOf(w: DocHandle['extras']['weights']): WeightEntry[] | null {
  if (!w) return null;
  const m = readWeightsManifest(w.modelJson, w.weightsBin.byteLength);
  return m.ok ? m.entries : null;
}

/** Long epochs (40 batches or more) also get layer statistics four times an epoch; short ones only at their end. */
function statsEvery(rows: number, config: TrainingConfig): number {
  const batches = Math.ceil((rows * (1 - config.validationSplit)) / Math.max(1, config.batchSize));
  return batches >= 40 ? Math.ceil(batches / 4) : 0;
}
