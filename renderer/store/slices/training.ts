/**
 * The training slice: the data summary, the current run's status and streamed curves, the decision
 * boundary, the evaluation and overlaid past runs. Not part of undo history (runs are not edits); a
 * finished run is added to the document (document slice) so it is saved with it. This file holds
 * the state; the actions are in trainingData.ts (the data) and trainingRun.ts (runs, evaluation).
 */
import type { DataSummary, Grid, TrainingEventView } from '../../../shared/ipc/contract';
import type { DataSpec } from '../../../shared/ir/schema';
import type { DatasetDescriptor } from '../../../shared/training/data';
import type { LayerEpoch, LayerStats } from '../../../shared/inspect/layerStats';
import type { InspectResult, UnitGrid } from '../../../shared/inspect/types';
import type { Evaluation } from '../../../shared/training/evaluation';
import type { EpochEndEvent, ProgressEvent } from '../../../shared/training/protocol';
import { type Curves, emptyCurves } from '../curves';
import type { SliceCreator } from '../state';
import * as data from './trainingData';
import * as probe from './trainingProbe';
import * as run from './trainingRun';

export type RunStatus = 'idle' | 'running' | 'done' | 'cancelled' | 'diverged' | 'error';

/** The fields that start over with every document (`resetTraining`). */
export interface TrainingRunState {
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
  evaluation: Evaluation | null;
  /** Why there is no evaluation to show (no weights, a diverged run, stale weights, an error). */
  evaluationNote: string | null;
  /** What a diverged or stopped run left: which weights are kept, in one sentence. */
  kept: string | null;
  /** The loss spans several orders of magnitude (a blow-up): draw it on a log axis. */
  lossLog: boolean;
  overlays: Record<string, EpochEndEvent[]>;
  /** The probed sample: a row of the data (index) or values given (drawn, typed); null: none. */
  probeSample: number | null;
  probeInput: number[] | null;
  /** Every node's activation for the probed sample, with the document's weights. */
  probe: InspectResult | null;
  probeBusy: boolean;
  /** Why there is no probe to show (no weights, stale weights, an error). */
  probeError: string | null;
  /** 2-D data: each Dense/Activation unit over the input plane (live while training). */
  units: UnitGrid[] | null;
  /** Per-epoch layer statistics of the run shown (live, or a saved run's history). */
  layerHistory: LayerEpoch[];
  /** Within a long epoch of the run going on: its latest statistics (every quarter epoch). */
  liveLayers: { epoch: number; batch: number; batches: number; layers: LayerStats[] } | null;
  /** The epoch the checkpoint scrubber shows (its weight snapshot); null: the weights now. */
  checkpoint: number | null;
  /** Draw small Dense layers' weight matrices on their input edges (TensorFlow Playground's edges). */
  showEdgeWeights: boolean;
  /** Those matrices by Dense node id: kernel [rows = inputs, cols = units], row-major. */
  edgeWeights: Record<string, EdgeKernel>;
}

export interface EdgeKernel {
  rows: number;
  cols: number;
  values: number[];
}

export const trainingReset = (): TrainingRunState => ({
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
  probeSample: null,
  probeInput: null,
  probe: null,
  probeBusy: false,
  probeError: null,
  units: null,
  layerHistory: [],
  liveLayers: null,
  checkpoint: null,
  showEdgeWeights: false,
  edgeWeights: {},
});

export interface TrainingSlice extends TrainingRunState {
  datasets: DatasetDescriptor[];
  boundaryVersion: number;
  evaluating: boolean;

  resetTraining(): void;
  loadDatasets(): Promise<void>;
  /** Loads (and summarises) the project's data; null: no data. */
  loadData(spec: DataSpec | null): Promise<void>;
  /** Sends a CSV file to the project's folder, then loads it. */
  importCsv(file: File): Promise<void>;
  cancelDataLoad(): void;
  /** A reopened project: loads its data and shows its last run and evaluation without retraining. */
  showSavedResults(): void;
  startTraining(): Promise<void>;
  stopTraining(): Promise<void>;
  evaluate(): Promise<void>;
  /** Redraws the decision boundary from the document's weights (after a run, a restore, an open). */
  refreshBoundary(): Promise<void>;
  overlay(runIds: string[]): Promise<void>;
  /** Shows a saved run's per-epoch curves (a reopened project, without retraining). */
  showRun(runId: string): Promise<void>;
  restoreRun(runId: string): Promise<void>;
  handleTrainingEvent(e: TrainingEventView): void;
  /** Probes row `index` of the data: every node shows its activation for it. */
  probeAt(index: number): Promise<void>;
  /** Probes values in the Input's layout (a drawn digit, typed features). */
  probeValues(values: number[]): Promise<void>;
  refreshProbe(): Promise<void>;
  clearProbe(): void;
  /** Shows the probe views, decision boundary and layer statistics as they were at `epoch` (null: now). */
  scrubTo(epoch: number | null): Promise<void>;
  setEdgeWeights(on: boolean): Promise<void>;
  refreshEdgeWeights(): Promise<void>;
}

export const createTrainingSlice: SliceCreator<TrainingSlice> = (set, get) => ({
  ...trainingReset(),
  datasets: [],
  boundaryVersion: 0,
  evaluating: false,
  resetTraining: () => set(trainingReset()),
  loadDatasets: () => data.loadDatasets(set, get),
  loadData: (spec) => data.loadData(set, get, spec),
  importCsv: (file) => data.importCsv(set, get, file),
  cancelDataLoad: () => data.cancelDataLoad(get),
  showSavedResults: () => data.showSavedResults(get),
  startTraining: () => run.start(set, get),
  stopTraining: () => run.stop(get),
  evaluate: () => run.evaluate(set, get),
  refreshBoundary: () => run.refreshBoundary(set, get),
  overlay: (runIds) => run.overlay(set, get, runIds),
  showRun: (runId) => run.showRun(set, get, runId),
  restoreRun: (runId) => run.restore(set, get, runId),
  handleTrainingEvent: (e) => run.handleEvent(set, get, e),
  probeAt: (index) => probe.probeAt(set, get, index),
  probeValues: (values) => probe.probeValues(set, get, values),
  refreshProbe: () => probe.refreshProbe(set, get),
  scrubTo: (epoch) => probe.scrubTo(set, get, epoch),
  setEdgeWeights: (on) => probe.setEdgeWeights(set, get, on),
  refreshEdgeWeights: () => probe.refreshEdgeWeights(set, get),
  clearProbe: () => set({ probeSample: null, probeInput: null, probe: null, probeError: null }),
});
