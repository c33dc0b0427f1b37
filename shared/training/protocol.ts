/**
 * Training worker <-> host protocol. The host (main process, serve mode or CLI) starts a run; the
 * worker thread streams `progress` (throttled to at most ~20 a second, the last one always sent),
 * `epochEnd` after each epoch, and ends with exactly one of `done`, `diverged`, `cancelled` or
 * `error`. The same events reach the renderer through shared/ipc.
 */

import type { LayerStats } from '../inspect/layerStats';
import type { NodeActivation, UnitGrid } from '../inspect/types';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

export type MetricName = 'loss' | 'accuracy' | 'mae' | 'r2';
export type Metrics = Partial<Record<MetricName, number>>;

/** Weights in the tfjs layers format (what `model.save` produces), ready to go into `weights/`. */
export interface WeightArtifacts {
  /** `weights/model.json`: modelTopology + weightsManifest (paths: ["weights.bin"]). */
  modelJson: string;
  /** `weights/weights.bin` */
  weightsBin: Uint8Array;
}

export interface ProgressEvent {
  type: 'progress';
  runId: string;
  epoch: number; // 1-based
  epochs: number;
  batch: number; // 1-based within the epoch
  batches: number;
  /** Loss and metrics of the latest batch (training). */
  metrics: Metrics;
  samplesPerSecond: number;
  /** Seconds left, estimated from the speed so far. */
  etaSeconds: number;
  backend: BackendName;
  /** Threads computing gradients (data-parallel shards on wasm/cpu); absent or 1 when one. */
  threads?: number;
}

/** `wasm` or `wasm × 2 threads`: the backend and, when several, the threads training. */
export function backendLabel(e: { backend: BackendName; threads?: number | undefined }): string {
  return e.threads && e.threads > 1 ? `${e.backend} × ${e.threads} threads` : e.backend;
}

export interface EpochEndEvent {
  type: 'epochEnd';
  runId: string;
  epoch: number;
  epochs: number;
  /** Averages over the epoch (training). */
  metrics: Metrics;
  /** On the validation split, when there is one. */
  valMetrics: Metrics;
  backend: BackendName;
  elapsedMs: number;
  /** The learning rate the epoch trained with (the schedule's, else the config's). */
  learningRate?: number;
  /** The model's outputs on the run's probe inputs (row-major), when a probe was given (live views). */
  probe?: number[];
  /** 2-D data: each Dense/Activation layer's units over the input plane (at most every 250 ms). */
  units?: UnitGrid[];
  /** Per-layer statistics of this epoch (kept in the run's history). */
  layers?: LayerStats[];
  /** The weights at this epoch's end, when the run keeps snapshots (the checkpoint scrubber). */
  checkpoint?: WeightArtifacts;
  /** Set by the app's services in place of `checkpoint`: a snapshot of this epoch is kept, of this size. */
  checkpointBytes?: number;
}

/** Inputs the worker predicts at the end of every epoch (the decision-boundary grid, a predict box). */
export interface Probe {
  data: Float32Array | Int32Array;
  count: number;
  sampleShape: number[];
  dtype: 'float32' | 'int32';
  /** 2-D data: the points of the coarse grid each unit's heatmap is computed on ([x, y] pairs). */
  units?: Float32Array;
}

export interface DoneEvent {
  type: 'done';
  runId: string;
  metrics: Metrics;
  valMetrics: Metrics;
  epochs: number;
  /** Why it stopped before the last epoch, if it did. */
  stoppedEarly?: { epoch: number; reason: string };
  weights: WeightArtifacts;
  backend: BackendName;
  durationMs: number;
  /**
   * Of `durationMs`, the time spent on what shows the network's inside: layer statistics,
   * checkpoints, live probe views, decision boundary and unit maps.
   */
  inspectionMs?: number;
}

export interface DivergedEvent {
  type: 'diverged';
  runId: string;
  epoch: number;
  batch: number;
  /** `NaN`, `Infinity`... */
  loss: string;
  message: string;
  /**
   * The weights to keep: the best epoch's, when the run finished one and it beat the weights the
   * project had; otherwise null, and the project keeps its own (`kept` says which).
   */
  weights: WeightArtifacts | null;
  /** `best-epoch`: `weights` are the run's best; `previous`: the project's own are kept; `none`: no weights. */
  kept: 'best-epoch' | 'previous' | 'none';
  /** One sentence saying what was kept and why. */
  keptMessage: string;
  /** The epoch whose weights are kept (`kept === 'best-epoch'`). */
  bestEpoch?: number;
  backend: BackendName;
}

export interface CancelledEvent {
  type: 'cancelled';
  runId: string;
  epoch: number;
  batch: number;
  weights: WeightArtifacts | null;
  backend: BackendName;
}

export type TrainingErrorCode = 'INVALID_GRAPH' | 'DATA_MISMATCH' | 'BACKEND' | 'OUT_OF_MEMORY' | 'INTERNAL';

export interface ErrorEvent {
  type: 'error';
  runId: string;
  code: TrainingErrorCode;
  message: string;
}

/** The live probe views: every node's activation for the sample the host set, with the weights now. */
export interface InspectEvent {
  type: 'inspect';
  runId: string;
  epoch: number;
  batch: number;
  nodes: NodeActivation[];
}

/** Layer statistics within a long epoch (every N batches; the epoch's end brings its own in epochEnd). */
export interface LayerStatsEvent {
  type: 'layerStats';
  runId: string;
  epoch: number;
  batch: number;
  batches: number;
  layers: LayerStats[];
}

export type TrainingEvent =
  | ProgressEvent
  | EpochEndEvent
  | InspectEvent
  | LayerStatsEvent
  | DoneEvent
  | DivergedEvent
  | CancelledEvent
  | ErrorEvent;
export type TerminalEvent = DoneEvent | DivergedEvent | CancelledEvent | ErrorEvent;

export function isTerminal(e: TrainingEvent): e is TerminalEvent {
  return e.type === 'done' || e.type === 'diverged' || e.type === 'cancelled' || e.type === 'error';
}

/** Host -> worker. */
export type HostMessage = { type: 'start'; payload: unknown } | { type: 'cancel'; runId: string };
