/**
 * The pieces of a training run that are not its loop (train.ts): checking the data against the
 * model, the train/validation split, the seeded shuffle, weight snapshots and the error event.
 */
import * as tf from '@tensorflow/tfjs';
import type { TrainingConfig } from '../../shared/training/config';
import type { CheckGraph, GraphReport } from '../../shared/graph/check';
import type {
  BackendName,
  Probe,
  TerminalEvent,
  TrainingEvent,
  WeightArtifacts,
} from '../../shared/training/protocol';
import type { LiveProbeBuffer } from './liveProbe';
import { BackendError } from './backend';
import { type CompiledModel, EngineError } from './compile';
import type { TrainData } from './data';
import { permutation } from './random';

/** What a run is given (train.ts's `runTraining`). */
export interface RunOptions {
  runId: string;
  graph: CheckGraph;
  data: TrainData;
  config: TrainingConfig;
  /** Forces a backend; otherwise `NETLOOM_BACKEND` or the best that loads. */
  backend?: BackendName | undefined;
  emit: (e: TrainingEvent) => void;
  /** Polled before every batch. */
  isCancelled: () => boolean;
  /** Minimum time between progress events (default 50 ms: at most 20 a second). */
  progressIntervalMs?: number;
  /** Called between batches; the worker yields to its event loop here so a cancel message arrives. */
  yieldBetweenBatches?: () => Promise<void>;
  /** Inputs to predict at every epoch end; the outputs go into `epochEnd.probe`. */
  probe?: Probe | undefined;
  /**
   * The weights the project has now (already checked to fit the graph). A run that diverges keeps
   * the best weights it reached only if they beat these on the same rows; otherwise it returns no
   * weights, so the project keeps what it had.
   */
  previous?: WeightArtifacts | undefined;
  /** Data-parallel shards per batch (parallel.ts); otherwise the engine picks (1 = serial). */
  shards?: number | undefined;
  /** Compute every shard on this thread (same numbers as with peers; for tests). */
  noPeers?: boolean | undefined;
  /** Test hook: the peer program instead of dist/peer.js. */
  peerScript?: string | undefined;
  /** Test hook: wait up to this many ms for the peers before the first step instead of starting without them. */
  waitForPeersMs?: number | undefined;
  /** Per-layer statistics in every epochEnd (default on; off only to measure what they cost). */
  layerStats?: boolean | undefined;
  /** Weight snapshots in epochEnd events for the checkpoint scrubber (within the limits of checkpointStride). */
  checkpoints?: boolean | undefined;
  /** Layer statistics also every this many batches within an epoch (`layerStats` events). */
  statsEveryBatches?: number | undefined;
  /** The sample of the live probe views (set by the host while the run goes on): `inspect` events. */
  liveProbe?: LiveProbeBuffer | undefined;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

export function checkInputs(c: CompiledModel, data: TrainData): void {
  if (data.inputs.length !== c.model.inputs.length)
    throw new EngineError(
      'DATA_MISMATCH',
      `The network has ${c.model.inputs.length} inputs but the data provides ${data.inputs.length}.`,
    );
  c.model.inputs.forEach((input, i) => {
    const want = input.shape.slice(1);
    const got = data.inputs[i]!.sampleShape;
    const fits = want.length === got.length && want.every((d, j) => d === null || d === got[j]);
    if (!fits)
      throw new EngineError(
        'DATA_MISMATCH',
        `Input node "${c.inputs[i]}" expects samples of shape [${want.map((d) => d ?? 'any').join(', ')}] ` +
          `but the data's samples are [${got.join(', ')}]. Set the Input's shape to ${got.join(', ')}.`,
      );
  });
}

export interface Split {
  train: Int32Array;
  val: Int32Array;
}

export function split(data: TrainData, config: TrainingConfig, random: () => number): Split {
  const n = data.count;
  if (data.holdout > 0) {
    const all = Int32Array.from({ length: n }, (_, i) => i);
    return { train: all.slice(0, n - data.holdout), val: all.slice(n - data.holdout) };
  }
  const order = config.shuffle ? permutation(n, random) : Int32Array.from({ length: n }, (_, i) => i);
  const nVal = Math.floor(n * config.validationSplit);
  return { train: order.slice(0, n - nVal), val: order.slice(n - nVal) };
}

export const snapshot = (vars: tf.Variable[]) => vars.map((v) => tf.clone(v));
export function restore(vars: tf.Variable[], values: tf.Tensor[]) {
  vars.forEach((v, i) => v.assign(values[i]!));
}

/** The error event for what a run threw. */
export function errorEvent(runId: string, e: unknown): TerminalEvent {
  if (e instanceof EngineError) return { type: 'error', runId, code: e.code, message: e.message };
  if (e instanceof BackendError) return { type: 'error', runId, code: 'BACKEND', message: e.message };
  const text = message(e);
  const oom = /out of memory|Cannot allocate|Array buffer allocation failed|Invalid typed array length/i.test(
    text,
  );
  return {
    type: 'error',
    runId,
    code: oom ? 'OUT_OF_MEMORY' : 'INTERNAL',
    message: oom ? `Out of memory: ${text}. Try a smaller batch size or model.` : text,
  };
}

/** A seeded shuffle of a subset of indices. */
export function permuteSubset(idx: Int32Array, random: () => number): Int32Array {
  const p = permutation(idx.length, random);
  const out = new Int32Array(idx.length);
  for (let i = 0; i < idx.length; i++) out[i] = idx[p[i]!]!;
  return out;
}

/** Most values a validation batch's activations may hold (all live at once inside its tidy): 64 MB. */
const EVAL_BUDGET = 16 * 1024 * 1024;
/** Validation batches hold at most this many samples. */
const EVAL_MAX = 1024;

/**
 * The batch size of validation passes: forward only, so larger than training's where the
 * activations fit in EVAL_BUDGET (per-kernel overhead is paid per batch: LeNet validated 2,000
 * samples in 233 ms at batch 64, 136 ms at 1,024; the MLP 62 → 31 ms). Never below the training
 * batch (which already fits), and the same metrics whatever the size (means weighted by rows).
 */
export function evalBatchSize(report: GraphReport, trainBatch: number): number {
  let perSample = 0;
  for (const id of report.live) {
    const shape = report.nodes.get(id)?.outputShape;
    if (!shape) continue;
    // Symbolic dimensions other than the batch (a variable sequence length) count as 512.
    perSample += shape.slice(1).reduce<number>((n, d) => n * (typeof d === 'number' ? d : 512), 1);
  }
  const fits = Math.floor(EVAL_BUDGET / Math.max(1, perSample));
  return Math.max(trainBatch, Math.min(EVAL_MAX, fits));
}
