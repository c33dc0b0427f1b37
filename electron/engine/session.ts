/**
 * Host side of a training run: `startTraining` runs it in a worker thread (dist/worker.js) so the
 * host never blocks; `startTrainingInProcess` runs the same loop in this thread (tests, benchmarks).
 * Both return `{ runId, cancel, done }`; `done` resolves with the terminal event, which `onEvent`
 * also receives.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { checkGraph, type CheckGraph } from '../../shared/graph/check';
import type { Project } from '../../shared/ir/schema';
import type { TrainingConfig } from '../../shared/training/config';
import type { ArrayDataset } from '../../shared/training/data';
import type { Probe, WeightArtifacts } from '../../shared/training/protocol';
import {
  type BackendName,
  type HostMessage,
  isTerminal,
  type TerminalEvent,
  type TrainingEvent,
} from '../../shared/training/protocol';
import { EngineError } from './compile';
import { fromArrayDataset, type TrainData } from './data';
import { LiveProbeBuffer } from './liveProbe';
import { runTraining } from './train';

/** What the host sends in `start` (local to the engine: protocol.ts leaves the payload open). */
export interface WorkerStartPayload {
  runId: string;
  graph: CheckGraph;
  data: TrainData;
  config: TrainingConfig;
  backend?: BackendName | undefined;
  /** One Int32 set to 1 by the host to cancel. */
  cancelFlag: SharedArrayBuffer;
  probe?: Probe | undefined;
  /** The project's current weights (fitting the graph), for a diverged run to compare with. */
  previous?: WeightArtifacts | undefined;
  layerStats?: boolean | undefined;
  checkpoints?: boolean | undefined;
  statsEveryBatches?: number | undefined;
  /** The live probe's shared sample buffer (LiveProbeBuffer). */
  liveProbe: SharedArrayBuffer;
}

export interface StartOptions {
  project: Pick<Project, 'graph' | 'training'>;
  dataset: ArrayDataset;
  /** Defaults to the project's training config. */
  config?: TrainingConfig;
  onEvent?: (e: TrainingEvent) => void;
  backend?: BackendName;
  runId?: string;
  /** Path of the bundled worker; defaults to dist/worker.js. */
  workerPath?: string;
  /** Inputs predicted at every epoch end (`epochEnd.probe`). */
  probe?: Probe;
  /**
   * The project's current weights, when they fit the graph: a run that diverges keeps its best
   * epoch only if that beats them.
   */
  previous?: WeightArtifacts | undefined;
  /** Per-layer statistics in epochEnd events (default on). */
  layerStats?: boolean | undefined;
  /** Weight snapshots in epochEnd events (the checkpoint scrubber; default off). */
  checkpoints?: boolean | undefined;
  /** Layer statistics also every this many batches within an epoch (`layerStats` events). */
  statsEveryBatches?: number | undefined;
}

export interface TrainingHandle {
  runId: string;
  cancel(): void;
  done: Promise<TerminalEvent>;
  /**
   * The sample the live probe views show while the run goes on (one sample in the data's layout;
   * null: none): the run emits `inspect` events for it. Throws RangeError for a sample of another size.
   */
  setProbe(x: ArrayLike<number> | null): void;
}

let counter = 0;
const newRunId = () => `run-${Date.now().toString(36)}-${(counter++).toString(36)}`;

/** dist/worker.js next to the bundle that imports this module, or under the repository when run from source. */
export function defaultWorkerPath(): string {
  const candidates = [
    new URL('./worker.js', import.meta.url),
    new URL('../../dist/worker.js', import.meta.url),
  ];
  for (const u of candidates) {
    const p = fileURLToPath(u);
    if (existsSync(p) && !p.endsWith('/electron/engine/worker.js')) return p;
  }
  throw new Error('The training worker (dist/worker.js) is missing: run `npm run build` first.');
}

/** The model's inputs: the Input nodes with a path to an Output (as the compiler builds it). */
function inputCount(graph: CheckGraph): number {
  return checkGraph(graph).inputs.length;
}

function prepare(o: StartOptions): {
  runId: string;
  data: TrainData | TerminalEvent;
  config: TrainingConfig;
} {
  const runId = o.runId ?? newRunId();
  const config = o.config ?? o.project.training;
  try {
    return { runId, config, data: fromArrayDataset(o.dataset, inputCount(o.project.graph)) };
  } catch (e) {
    const code = e instanceof EngineError ? e.code : 'INTERNAL';
    return { runId, config, data: { type: 'error', runId, code, message: (e as Error).message } };
  }
}

/** The live probe's buffer: one sample of the (first) input. */
function liveBuffer(data: TrainData): LiveProbeBuffer {
  const input = data.inputs[0]!;
  return LiveProbeBuffer.create(
    input.sampleShape.reduce((a, d) => a * d, 1),
    input.dtype,
  );
}

/** Runs training in a worker thread. */
export function startTraining(o: StartOptions): TrainingHandle {
  const { runId, data, config } = prepare(o);
  if ('type' in data) {
    o.onEvent?.(data);
    return { runId, cancel: () => {}, done: Promise.resolve(data), setProbe: () => {} };
  }
  const cancelFlag = new SharedArrayBuffer(4);
  const live = liveBuffer(data);
  const flag = new Int32Array(cancelFlag);
  const worker = new Worker(o.workerPath ?? defaultWorkerPath());
  let settled = false;
  const done = new Promise<TerminalEvent>((resolve) => {
    const end = (e: TerminalEvent) => {
      if (settled) return;
      settled = true;
      o.onEvent?.(e);
      resolve(e);
      void worker.terminate();
    };
    worker.on('message', (e: TrainingEvent) => {
      if (settled) return;
      if (isTerminal(e)) end(e);
      else o.onEvent?.(e);
    });
    worker.on('error', (err) =>
      end({
        type: 'error',
        runId,
        code: /memory/i.test(err.message) ? 'OUT_OF_MEMORY' : 'INTERNAL',
        message: err.message,
      }),
    );
    worker.on('exit', (code) =>
      end({
        type: 'error',
        runId,
        code: 'INTERNAL',
        message: `The training worker exited (code ${code}) without a result.`,
      }),
    );
  });
  const payload: WorkerStartPayload = {
    runId,
    graph: o.project.graph,
    data,
    config,
    backend: o.backend,
    cancelFlag,
    probe: o.probe,
    previous: o.previous,
    layerStats: o.layerStats,
    checkpoints: o.checkpoints,
    statsEveryBatches: o.statsEveryBatches,
    liveProbe: live.buffer,
  };
  const start: HostMessage = { type: 'start', payload };
  worker.postMessage(start);
  return {
    runId,
    cancel: () => {
      Atomics.store(flag, 0, 1);
      if (!settled) worker.postMessage({ type: 'cancel', runId } satisfies HostMessage);
    },
    done,
    setProbe: (x) => live.write(x),
  };
}

/** The same run in this thread (tests, benchmarks); yields to the event loop between batches. */
export function startTrainingInProcess(
  o: StartOptions & { progressIntervalMs?: number; waitForPeersMs?: number },
): TrainingHandle {
  const { runId, data, config } = prepare(o);
  if ('type' in data) {
    o.onEvent?.(data);
    return { runId, cancel: () => {}, done: Promise.resolve(data), setProbe: () => {} };
  }
  let cancelled = false;
  const live = liveBuffer(data);
  const done = runTraining({
    runId,
    graph: o.project.graph,
    data,
    config,
    backend: o.backend,
    emit: (e) => o.onEvent?.(e),
    isCancelled: () => cancelled,
    progressIntervalMs: o.progressIntervalMs,
    waitForPeersMs: o.waitForPeersMs,
    yieldBetweenBatches: () => new Promise((r) => setImmediate(r)),
    probe: o.probe,
    previous: o.previous,
    layerStats: o.layerStats,
    checkpoints: o.checkpoints,
    statsEveryBatches: o.statsEveryBatches,
    liveProbe: live,
  });
  return {
    runId,
    cancel: () => {
      cancelled = true;
    },
    done,
    setProbe: (x) => live.write(x),
  };
}
