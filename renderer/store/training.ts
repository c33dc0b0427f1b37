/**
 * The training slice: data summary, the current run's status and streamed curves, the decision
 * boundary, the evaluation and overlaid past runs. Not part of undo history (runs are not edits);
 * a finished run is added to the project document (editor store) so it is saved with it.
 */
import { create } from 'zustand';
import type { DataSummary, Grid, TrainingEventView } from '../../shared/ipc/contract';
import type { DataSpec, RunSummary } from '../../shared/ir/schema';
import type { DatasetDescriptor } from '../../shared/training/data';
import type { Evaluation } from '../../shared/training/evaluation';
import type { EpochEndEvent, ProgressEvent, TrainingEvent } from '../../shared/training/protocol';
import { api } from '../ipc/client';
import { selectWeights, useEditor } from './editor';

export type RunStatus = 'idle' | 'running' | 'done' | 'cancelled' | 'diverged' | 'error';
export type Point = [number, number];

export interface Curves {
  batchLoss: Point[];
  epochLoss: Point[];
  valLoss: Point[];
  batchMetric: Point[];
  epochMetric: Point[];
  valMetric: Point[];
  /** accuracy (classification) or mae (regression). */
  metricName: 'accuracy' | 'mae';
}

const emptyCurves = (): Curves => ({
  batchLoss: [],
  epochLoss: [],
  valLoss: [],
  batchMetric: [],
  epochMetric: [],
  valMetric: [],
  metricName: 'accuracy',
});

export interface TrainingState {
  datasets: DatasetDescriptor[];
  summary: DataSummary | null;
  dataError: string | null;
  dataLoading: { bytesRead: number; totalBytes: number; rows: number } | null;
  status: RunStatus;
  runId: string | null;
  progress: ProgressEvent | null;
  message: string | null;
  final: Record<string, number> | null;
  curves: Curves;
  grid: Grid | null;
  boundary: number[] | null;
  boundaryVersion: number;
  evaluation: Evaluation | null;
  evaluating: boolean;
  /** Why there is no evaluation to show (no weights, a diverged run, stale weights, an error). */
  evaluationNote: string | null;
  /** What a diverged or stopped run left: which weights are kept, in one sentence. */
  kept: string | null;
  /** The loss spans several orders of magnitude (a blow-up): draw it on a log axis. */
  lossLog: boolean;
  overlays: Record<string, EpochEndEvent[]>;

  reset(): void;
  loadDatasets(): Promise<void>;
  setData(spec: DataSpec | null): Promise<void>;
  cancelDataLoad(): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  evaluate(): Promise<void>;
  /** Redraws the decision boundary from the document's weights (after a run, a restore, an open). */
  refreshBoundary(): Promise<void>;
  overlay(runIds: string[]): Promise<void>;
  /** Shows a saved run's per-epoch curves (a reopened project, without retraining). */
  showRun(runId: string): Promise<void>;
  restore(runId: string): Promise<void>;
  handle(e: TrainingEventView): void;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A grid a little larger than the data, for the decision boundary. */
export function gridFor(points: readonly [number, number, number][], n = 60): Grid | null {
  if (points.length === 0) return null;
  let x0 = Infinity;
  let x1 = -Infinity;
  let y0 = Infinity;
  let y1 = -Infinity;
  for (const [x, y] of points) {
    x0 = Math.min(x0, x);
    x1 = Math.max(x1, x);
    y0 = Math.min(y0, y);
    y1 = Math.max(y1, y);
  }
  const px = (x1 - x0) * 0.08 || 1;
  const py = (y1 - y0) * 0.08 || 1;
  return { x0: x0 - px, x1: x1 + px, y0: y0 - py, y1: y1 + py, n };
}

export const useTraining = create<TrainingState>()((set, get) => ({
  datasets: [],
  summary: null,
  dataError: null,
  dataLoading: null,
  status: 'idle',
  runId: null,
  progress: null,
  message: null,
  final: null,
  curves: emptyCurves(),
  grid: null,
  boundary: null,
  boundaryVersion: 0,
  evaluation: null,
  evaluating: false,
  evaluationNote: null,
  kept: null,
  lossLog: false,
  overlays: {},

  reset: () =>
    set({
      summary: null,
      dataError: null,
      dataLoading: null,
      status: 'idle',
      runId: null,
      progress: null,
      message: null,
      final: null,
      curves: emptyCurves(),
      grid: null,
      boundary: null,
      evaluation: null,
      evaluationNote: null,
      kept: null,
      lossLog: false,
      overlays: {},
    }),

  loadDatasets: async () => {
    if (get().datasets.length) return;
    set({ datasets: await api.request('datasets.list', {}) });
  },

  setData: async (spec) => {
    const ed = useEditor.getState();
    if (!ed.docId) return;
    if (spec === null) {
      ed.setData(null);
      set({ summary: null, dataError: null, grid: null, boundary: null, evaluation: null });
      return;
    }
    set({ dataError: null, dataLoading: { bytesRead: 0, totalBytes: 0, rows: 0 } });
    const before = ed.data;
    try {
      const { summary, data } = await api.request('data.load', {
        docId: ed.docId,
        data: spec,
        training: ed.meta.training,
      });
      ed.setData(data);
      ed.fitToData(summary);
      const grid = summary.preview.kind === 'scatter' ? gridFor(summary.preview.points) : null;
      // A different dataset makes the evaluation stale; reloading the same one keeps it.
      const same = JSON.stringify(before) === JSON.stringify(ed.data === null ? null : spec);
      set({ summary, grid, boundary: null, dataLoading: null, ...(same ? {} : { evaluation: null }) });
    } catch (err) {
      set({ dataError: errorText(err), dataLoading: null });
    }
  },

  cancelDataLoad: () => {
    const docId = useEditor.getState().docId;
    if (docId) void api.request('data.cancel', { docId });
  },

  start: async () => {
    const ed = useEditor.getState();
    if (!ed.docId || get().status === 'running') return;
    const curves = emptyCurves();
    curves.metricName = get().summary?.task === 'regression' ? 'mae' : 'accuracy';
    set({
      status: 'running',
      message: null,
      progress: null,
      final: null,
      curves,
      evaluation: null,
      evaluationNote: null,
      kept: null,
      lossLog: false,
      boundary: null,
    });
    // The graph is read-only from now until the run ends (the services refuse changes too).
    ed.setLocked(true);
    try {
      const { runId } = await api.request('training.start', {
        docId: ed.docId,
        project: ed.toProject(),
        grid: get().grid,
      });
      set({ runId });
    } catch (err) {
      ed.setLocked(false);
      set({ status: 'error', message: errorText(err) });
    }
  },

  stop: async () => {
    const { runId } = get();
    if (runId) await api.request('training.cancel', { runId });
  },

  evaluate: async () => {
    const ed = useEditor.getState();
    if (!ed.docId) return;
    const w = selectWeights(ed);
    if (w.state !== 'fit') {
      set({
        evaluation: null,
        evaluationNote:
          w.state === 'none'
            ? 'Train the network to evaluate it.'
            : `${w.reason} Undo the change, or train again.`,
      });
      return;
    }
    set({ evaluating: true, evaluationNote: null });
    try {
      const evaluation = await api.request('model.evaluate', { docId: ed.docId, project: ed.toProject() });
      set({ evaluation, evaluating: false });
    } catch (err) {
      set({ evaluating: false, evaluation: null, evaluationNote: `No evaluation: ${errorText(err)}` });
    }
  },

  refreshBoundary: async () => {
    const ed = useEditor.getState();
    const grid = get().grid;
    if (!ed.docId || !grid) return;
    // No weights that fit: no boundary (never one drawn by weights the project no longer has).
    if (selectWeights(ed).state !== 'fit') return set({ boundary: null });
    try {
      const { outputs } = await api.request('model.predictGrid', {
        docId: ed.docId,
        project: ed.toProject(),
        grid,
      });
      set((s) => ({ boundary: outputs, boundaryVersion: s.boundaryVersion + 1 }));
    } catch {
      // The boundary keeps what it showed; the evaluation panel says what is wrong.
    }
  },

  overlay: async (runIds) => {
    const ed = useEditor.getState();
    if (!ed.docId) return;
    const history = await api.request('runs.history', { docId: ed.docId, runIds });
    const overlays: Record<string, EpochEndEvent[]> = {};
    for (const [id, events] of Object.entries(history))
      overlays[id] = events.filter((e: TrainingEvent): e is EpochEndEvent => e.type === 'epochEnd');
    set({ overlays });
  },

  showRun: async (runId) => {
    const ed = useEditor.getState();
    if (!ed.docId || get().status === 'running') return;
    const history = await api.request('runs.history', { docId: ed.docId, runIds: [runId] });
    const ends = (history[runId] ?? []).filter(
      (e: TrainingEvent): e is EpochEndEvent => e.type === 'epochEnd',
    );
    const curves = emptyCurves();
    curves.metricName = get().summary?.task === 'regression' ? 'mae' : 'accuracy';
    const m = curves.metricName;
    for (const e of ends) {
      if (e.metrics.loss !== undefined) curves.epochLoss.push([e.epoch, e.metrics.loss]);
      if (e.valMetrics.loss !== undefined) curves.valLoss.push([e.epoch, e.valMetrics.loss]);
      if (e.metrics[m] !== undefined) curves.epochMetric.push([e.epoch, e.metrics[m]!]);
      if (e.valMetrics[m] !== undefined) curves.valMetric.push([e.epoch, e.valMetrics[m]!]);
    }
    const run = ed.runs.find((r) => r.id === runId);
    set({ curves, ...(run ? { final: run.finalMetrics } : {}) });
  },

  restore: async (runId) => {
    const ed = useEditor.getState();
    if (!ed.docId) return;
    try {
      const { weightSpecs } = await api.request('runs.restore', {
        docId: ed.docId,
        runId,
        project: ed.toProject(),
      });
      ed.setWeightSpecs(weightSpecs, runId);
      useEditor.setState((s) => ({ editVersion: s.editVersion + 1 }));
      ed.notify(`Restored the weights of ${runLabel(ed.runs, runId)}`);
      await get().evaluate();
      await get().refreshBoundary();
    } catch (err) {
      ed.notify(errorText(err), 'error');
    }
  },

  handle: (e) => {
    const s = get();
    if (s.runId && e.runId !== s.runId && s.status !== 'running') return;
    if (e.type === 'progress') {
      const c = s.curves;
      const x = e.epoch - 1 + e.batch / Math.max(1, e.batches);
      const metric = e.metrics[c.metricName];
      set({
        runId: e.runId,
        progress: e,
        curves: {
          ...c,
          batchLoss: e.metrics.loss !== undefined ? [...c.batchLoss, [x, e.metrics.loss]] : c.batchLoss,
          batchMetric: metric !== undefined ? [...c.batchMetric, [x, metric]] : c.batchMetric,
        },
      });
      return;
    }
    if (e.type === 'epochEnd') {
      const c = s.curves;
      const m = c.metricName;
      set({
        runId: e.runId,
        curves: {
          ...c,
          epochLoss: e.metrics.loss !== undefined ? [...c.epochLoss, [e.epoch, e.metrics.loss]] : c.epochLoss,
          valLoss: e.valMetrics.loss !== undefined ? [...c.valLoss, [e.epoch, e.valMetrics.loss]] : c.valLoss,
          epochMetric:
            e.metrics[m] !== undefined ? [...c.epochMetric, [e.epoch, e.metrics[m]!]] : c.epochMetric,
          valMetric:
            e.valMetrics[m] !== undefined ? [...c.valMetric, [e.epoch, e.valMetrics[m]!]] : c.valMetric,
        },
        ...(e.probe ? { boundary: e.probe, boundaryVersion: s.boundaryVersion + 1 } : {}),
      });
      return;
    }
    const ed = useEditor.getState();
    ed.setLocked(false);
    if (e.type === 'error') {
      set({ status: 'error', message: e.message, runId: e.runId });
      return;
    }
    const run: RunSummary | null = e.run;
    const replaced = e.type === 'done' || (e.type === 'diverged' && e.kept === 'best-epoch');
    if (run) ed.addRun(run, e.weightSpecs, replaced);
    else ed.setWeightSpecs(e.weightSpecs);
    if (e.type === 'done') {
      set({
        status: 'done',
        final: run?.finalMetrics ?? null,
        message: e.stoppedEarly ? `Stopped early: ${e.stoppedEarly.reason}` : null,
      });
    } else if (e.type === 'diverged') {
      // The curve goes up to the blow-up: the last finite loss is drawn where it happened, on a log
      // axis when it dwarfs the rest.
      const c = s.curves;
      const x = e.epoch - 1 + e.batch / Math.max(1, s.progress?.batches ?? e.batch);
      const blown = Number(e.loss);
      const batchLoss: Point[] = Number.isFinite(blown) ? [...c.batchLoss, [x, blown]] : c.batchLoss;
      set({
        status: 'diverged',
        message: e.message,
        kept: e.keptMessage,
        final: e.kept === 'best-epoch' ? (run?.finalMetrics ?? null) : null,
        curves: { ...c, batchLoss },
        lossLog: spansDecades([...batchLoss, ...c.epochLoss, ...c.valLoss]),
      });
    } else {
      set({
        status: 'cancelled',
        message: null,
        kept: useEditor.getState().hasWeights
          ? 'Stopped. The weights from before this run are kept (this run’s are in its history).'
          : 'Stopped. The project had no trained weights before this run, so it has none now.',
      });
    }
    // Every panel shows the weights the document now has.
    void get().evaluate();
    void get().refreshBoundary();
  },
}));

/** True when the positive values span more than three orders of magnitude. */
export function spansDecades(points: readonly Point[]): boolean {
  let lo = Infinity;
  let hi = 0;
  for (const [, y] of points)
    if (Number.isFinite(y) && y > 0) {
      lo = Math.min(lo, y);
      hi = Math.max(hi, y);
    }
  return hi > 0 && hi / lo > 1e3;
}

/** A run as the user knows it: its number in the project and when it started, never its id. */
export function runLabel(runs: readonly RunSummary[], runId: string): string {
  const i = runs.findIndex((r) => r.id === runId);
  const r = runs[i];
  if (!r) return 'that run';
  const when = new Date(r.startedAt);
  const time = Number.isNaN(when.getTime())
    ? ''
    : ` (${when.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })})`;
  return `run ${i + 1}${time}`;
}

/** Subscribes the training store to the services' events (once, at start-up). */
export function bindTrainingEvents(): () => void {
  const offEvent = api.on('training.event', ({ docId, event }) => {
    if (docId === useEditor.getState().docId) useTraining.getState().handle(event);
  });
  const offProgress = api.on('data.progress', ({ docId, bytesRead, totalBytes, rows }) => {
    if (docId === useEditor.getState().docId)
      useTraining.setState({ dataLoading: { bytesRead, totalBytes, rows } });
  });
  return () => {
    offEvent();
    offProgress();
  };
}
