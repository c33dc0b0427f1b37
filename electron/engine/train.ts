/**
 * The training loop. A manual loop (not `model.fit`) so that cancellation and a non-finite loss are
 * seen between any two batches, and the loss is checked *before* its gradients are applied:
 *
 *   for each epoch: (seeded) shuffle; for each batch: cancelled? -> forward (training) + loss +
 *   gradients -> loss finite? apply : diverged (put back the weights of the last finite loss) ->
 *   throttled progress; then validation, epochEnd, early stopping.
 *
 * Runs wherever it is called: in the worker (`worker.ts`) in the app, in-process in tests.
 */
import * as tf from '@tensorflow/tfjs';
import { checkGraph, type CheckGraph } from '../../shared/graph/check';
import { type TrainingConfig, trainingConfigSchema } from '../../shared/training/config';
import type {
  BackendName,
  Metrics,
  Probe,
  TerminalEvent,
  TrainingEvent,
  WeightArtifacts,
} from '../../shared/training/protocol';
import { readWeightsManifest } from '../../shared/graph/weights';
import { saveModelArtifacts, setWeightsByName } from './artifacts';
import { BackendError, initBackend } from './backend';
import {
  type CompiledModel,
  compileGraph,
  EngineError,
  type OutputPlan,
  RegressionAccumulator,
} from './compile';
import type { TrainData } from './data';
import { makeOptimizer } from './optimizers';
import { batchGradients, batchStats, forward, makeBatch, readStat } from './step';
import { chooseShards, peerScriptPath, Replicas, shardable } from './parallel';
import { mulberry32, permutation, seedMathRandom } from './random';

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
}

/** Predicts the probe inputs with the current weights (inference mode). */
function runProbe(c: CompiledModel, p: Probe): number[] {
  return tf.tidy(() => {
    const x = tf.tensor(p.data, [p.count, ...p.sampleShape], p.dtype);
    const outs = forward(
      c,
      c.model.inputs.map(() => x),
      false,
    );
    return Array.from(outs[0]!.dataSync());
  });
}

export { forward } from './step';

/** A loss this many times the first batch's counts as diverged. */
export const EXPLOSION = 1e6;

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

function checkInputs(c: CompiledModel, data: TrainData): void {
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

interface Split {
  train: Int32Array;
  val: Int32Array;
}

function split(data: TrainData, config: TrainingConfig, random: () => number): Split {
  const n = data.count;
  if (data.holdout > 0) {
    const all = Int32Array.from({ length: n }, (_, i) => i);
    return { train: all.slice(0, n - data.holdout), val: all.slice(n - data.holdout) };
  }
  const order = config.shuffle ? permutation(n, random) : Int32Array.from({ length: n }, (_, i) => i);
  const nVal = Math.floor(n * config.validationSplit);
  return { train: order.slice(0, n - nVal), val: order.slice(n - nVal) };
}

/** Metric accumulator for one epoch (or one validation pass), over the first output. */
class EpochMetrics {
  private lossSum = 0;
  private correct = 0;
  private n = 0;
  private reg = new RegressionAccumulator();
  constructor(private readonly plan: OutputPlan) {}
  add(loss: number, size: number, correct: number | undefined, sums: ArrayLike<number> | undefined) {
    this.lossSum += loss * size;
    this.n += size;
    if (correct !== undefined) this.correct += correct;
    if (sums) this.reg.add(sums, size);
  }
  result(): Metrics {
    if (this.n === 0) return {};
    const m: Metrics = { loss: this.lossSum / this.n };
    if (this.plan.problem === 'classification') m.accuracy = this.correct / this.n;
    else Object.assign(m, this.reg.result());
    return m;
  }
}

function evaluate(c: CompiledModel, data: TrainData, idx: Int32Array, batchSize: number): Metrics {
  const acc = new EpochMetrics(c.outputs[0]!);
  for (let start = 0; start < idx.length; start += batchSize) {
    const end = Math.min(idx.length, start + batchSize);
    let r: { loss: number; correct: number | undefined; sums: Float64Array | undefined } | undefined;
    tf.tidy(() => {
      const b = makeBatch(c, data, idx, start, end);
      const { total, stat } = batchStats(c, forward(c, b.xs, false), b.ys);
      r = { loss: total.dataSync()[0]!, ...readStat(c.outputs[0]!, stat) };
    });
    if (!r) continue;
    acc.add(r.loss, end - start, r.correct, r.sums);
  }
  return acc.result();
}

const snapshot = (vars: tf.Variable[]) => vars.map((v) => tf.clone(v));
function restore(vars: tf.Variable[], values: tf.Tensor[]) {
  vars.forEach((v, i) => v.assign(values[i]!));
}

/** All weights (trainable or not: BatchNormalization's moving statistics too). */
const modelVariables = (m: tf.LayersModel): tf.Variable[] => m.weights.map((w) => w.read() as tf.Variable);

/** Trains; resolves with the terminal event (also emitted). Never throws. */
export async function runTraining(o: RunOptions): Promise<TerminalEvent> {
  const { runId, emit } = o;
  const finish = (e: TerminalEvent): TerminalEvent => {
    emit(e);
    return e;
  };
  const parsed = trainingConfigSchema.safeParse(o.config);
  if (!parsed.success)
    return finish({
      type: 'error',
      runId,
      code: 'INTERNAL',
      message: `Invalid training config: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    });
  const config = parsed.data;
  let backend: BackendName;
  try {
    backend = await initBackend(o.backend);
  } catch (e) {
    return finish({ type: 'error', runId, code: 'BACKEND', message: message(e) });
  }
  const restoreRandom = seedMathRandom(config.seed);
  const random = mulberry32(config.seed);
  const t0 = Date.now();
  let compiled: CompiledModel | undefined;
  let optimizer: tf.Optimizer | undefined;
  let best: tf.Tensor[] | undefined;
  let replicas: Replicas | undefined;
  let epoch: number;
  let batch: number;
  const weightsNow = async (): Promise<WeightArtifacts | null> => {
    try {
      return compiled ? await saveModelArtifacts(compiled.model) : null;
    } catch {
      return null;
    }
  };
  try {
    compiled = await compileGraph(o.graph, { lossOverride: config.loss, target: o.data.target });
    const c = compiled;
    checkInputs(c, o.data);
    const { train, val } = split(o.data, config, random);
    if (train.length === 0)
      throw new EngineError('DATA_MISMATCH', 'No training samples are left after the validation split.');
    optimizer = makeOptimizer(config);
    const vars = modelVariables(c.model);
    const trainable = c.model.trainableWeights.map((w) => w.read() as tf.Variable);
    const batchSize = Math.min(config.batchSize, train.length);
    const batches = Math.ceil(train.length / batchSize);
    let shards = o.shards ?? chooseShards(c, backend, batchSize, checkGraph(o.graph).totals.flops);
    // Without the peer program every shard would run here, one after another: slower than serial.
    if (!shardable(c, backend) || (!o.noPeers && !o.peerScript && peerScriptPath() === null)) shards = 1;
    if (shards > 1)
      replicas = new Replicas(c, vars, trainable, o.data, shards, {
        graph: o.graph,
        config,
        backend,
        batchSize,
        noPeers: o.noPeers === true,
        ...(o.peerScript ? { peerScript: o.peerScript } : {}),
      });
    if (replicas && o.waitForPeersMs) replicas.waitForPeers(o.waitForPeersMs);
    let step = 0;
    const interval = o.progressIntervalMs ?? 50;
    let lastProgress = 0;
    let samplesDone = 0;
    const totalSamples = config.epochs * train.length;
    let bestLoss = Infinity;
    let bestEpoch = 0;
    let wait = 0;
    let lastTrain: Metrics = {};
    let lastVal: Metrics = {};
    let bestMetrics: { train: Metrics; val: Metrics } | undefined;
    let stoppedEarly: { epoch: number; reason: string } | undefined;
    let firstLoss: number | undefined;

    /**
     * What a diverged run leaves: the best epoch's weights if it finished one and they beat the
     * weights the project had (compared on the same rows: validation, else training), otherwise
     * nothing, so the project keeps its weights. The weights of the blown-up batch are never kept.
     */
    const keepOnDivergence = async (): Promise<{
      weights: WeightArtifacts | null;
      kept: 'best-epoch' | 'previous' | 'none';
      message: string;
    }> => {
      const rows = val.length > 0 ? val : train;
      const which = val.length > 0 ? 'validation' : 'training';
      if (!best)
        return o.previous
          ? {
              weights: null,
              kept: 'previous',
              message: 'It finished no epoch, so the weights the project had are kept.',
            }
          : {
              weights: null,
              kept: 'none',
              message: 'It finished no epoch, so there are no weights to keep.',
            };
      if (o.previous) {
        const manifest = readWeightsManifest(o.previous.modelJson, o.previous.weightsBin.byteLength);
        if (manifest.ok) {
          setWeightsByName(c.model, manifest.entries, o.previous.weightsBin);
          const before = evaluate(c, o.data, rows, batchSize).loss ?? Infinity;
          if (!(bestLoss < before))
            return {
              weights: null,
              kept: 'previous',
              message:
                `Its best epoch (${bestEpoch}, ${which} loss ${bestLoss.toFixed(4)}) was no better than the ` +
                `weights the project had (${before.toFixed(4)}), so those are kept.`,
            };
        }
      }
      restore(vars, best);
      return {
        weights: await weightsNow(),
        kept: 'best-epoch',
        message: `The weights of epoch ${bestEpoch}, the best this run reached (${which} loss ${bestLoss.toFixed(4)}), are kept.`,
      };
    };

    for (epoch = 1; epoch <= config.epochs; epoch++) {
      const order = config.shuffle ? permuteSubset(train, random) : train;
      const acc = new EpochMetrics(c.outputs[0]!);
      for (batch = 1; batch <= batches; batch++) {
        if (o.yieldBetweenBatches) await o.yieldBetweenBatches();
        if (o.isCancelled()) {
          const weights = await weightsNow();
          return finish({ type: 'cancelled', runId, epoch, batch, weights, backend });
        }
        const start = (batch - 1) * batchSize;
        const end = Math.min(order.length, start + batchSize);
        const { grads, loss, exact, ...stat } = replicas
          ? replicas.step(order, start, end, config.seed, step)
          : batchGradients(c, trainable, o.data, order, start, end);
        step++;
        firstLoss ??= loss;
        const exploded = loss > EXPLOSION * Math.max(firstLoss, 1e-3);
        if (!Number.isFinite(loss) || !Number.isFinite(exact) || exploded) {
          tf.dispose(grads);
          const kept = await keepOnDivergence();
          return finish({
            type: 'diverged',
            runId,
            epoch,
            batch,
            loss: String(Number.isFinite(loss) && !exploded ? exact : loss),
            message:
              (exploded
                ? `The loss grew from ${firstLoss} to ${loss} (more than ${EXPLOSION}-fold)`
                : Number.isFinite(loss)
                  ? `The model became certain of wrong answers (the exact loss is ${exact})`
                  : `The loss became ${loss}`) +
              ` at epoch ${epoch}, batch ${batch}: training diverged. ` +
              `Try a smaller learning rate (now ${config.learningRate}).`,
            weights: kept.weights,
            kept: kept.kept,
            keptMessage: kept.message,
            ...(kept.kept === 'best-epoch' ? { bestEpoch } : {}),
            backend,
          });
        }
        optimizer.applyGradients(grads);
        tf.dispose(grads);
        acc.add(loss, end - start, stat.correct, stat.sums);
        samplesDone += end - start;
        const now = Date.now();
        const last = epoch === config.epochs && batch === batches;
        if (last || now - lastProgress >= interval) {
          lastProgress = now;
          const elapsed = (now - t0) / 1000;
          const sps = elapsed > 0 ? samplesDone / elapsed : 0;
          const metrics: Metrics = { loss };
          if (stat.correct !== undefined) metrics.accuracy = stat.correct / (end - start);
          emit({
            type: 'progress',
            runId,
            epoch,
            epochs: config.epochs,
            batch,
            batches,
            metrics,
            samplesPerSecond: sps,
            etaSeconds: sps > 0 ? (totalSamples - samplesDone) / sps : 0,
            backend,
            ...(replicas ? { threads: 1 + replicas.readyPeers } : {}),
          });
        }
      }
      lastTrain = acc.result();
      lastVal = val.length > 0 ? evaluate(c, o.data, val, batchSize) : {};
      const probe = o.probe ? runProbe(c, o.probe) : undefined;
      emit({
        type: 'epochEnd',
        runId,
        epoch,
        epochs: config.epochs,
        metrics: lastTrain,
        valMetrics: lastVal,
        backend,
        elapsedMs: Date.now() - t0,
        ...(probe ? { probe } : {}),
      });
      // The best epoch so far (validation loss, else training loss): early stopping restores it, and
      // a run that diverges later keeps it.
      const monitored = lastVal.loss ?? lastTrain.loss ?? Infinity;
      if (monitored < bestLoss) {
        bestLoss = monitored;
        bestEpoch = epoch;
        wait = 0;
        bestMetrics = { train: lastTrain, val: lastVal };
        if (best) tf.dispose(best);
        best = snapshot(vars);
      } else if (config.earlyStopping && ++wait >= config.earlyStopping.patience) {
        const restored = config.earlyStopping.restoreBest && best !== undefined;
        if (restored) restore(vars, best!);
        stoppedEarly = {
          epoch,
          reason:
            `The ${val.length > 0 ? 'validation' : 'training'} loss did not improve for ` +
            `${config.earlyStopping.patience} epoch(s)` +
            (restored ? `; the weights of epoch ${bestEpoch} (the best) were restored.` : '.'),
        };
        if (restored && bestMetrics) {
          lastTrain = bestMetrics.train;
          lastVal = bestMetrics.val;
        }
        break;
      }
    }
    const weights = (await weightsNow())!;
    return finish({
      type: 'done',
      runId,
      metrics: lastTrain,
      valMetrics: lastVal,
      epochs: Math.min(epoch, config.epochs),
      ...(stoppedEarly ? { stoppedEarly } : {}),
      weights,
      backend,
      durationMs: Date.now() - t0,
    });
  } catch (e) {
    if (e instanceof EngineError) return finish({ type: 'error', runId, code: e.code, message: e.message });
    if (e instanceof BackendError)
      return finish({ type: 'error', runId, code: 'BACKEND', message: e.message });
    const text = message(e);
    const oom =
      /out of memory|Cannot allocate|Array buffer allocation failed|Invalid typed array length/i.test(text);
    return finish({
      type: 'error',
      runId,
      code: oom ? 'OUT_OF_MEMORY' : 'INTERNAL',
      message: oom ? `Out of memory: ${text}. Try a smaller batch size or model.` : text,
    });
  } finally {
    restoreRandom();
    replicas?.close();
    if (best) tf.dispose(best);
    optimizer?.dispose();
    compiled?.model.dispose();
  }
}

/** A seeded shuffle of a subset of indices. */
function permuteSubset(idx: Int32Array, random: () => number): Int32Array {
  const p = permutation(idx.length, random);
  const out = new Int32Array(idx.length);
  for (let i = 0; i < idx.length; i++) out[i] = idx[p[i]!]!;
  return out;
}
