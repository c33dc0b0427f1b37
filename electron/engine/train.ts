/**
 * The training loop. A manual loop (not `model.fit`) so that cancellation and a non-finite loss are
 * seen between any two batches, and the loss is checked *before* its gradients are applied:
 *
 *   for each epoch: (seeded) shuffle; for each batch: cancelled? -> forward (training) + loss +
 *   gradients -> loss finite? apply : diverged (put back the weights of the last finite loss) ->
 *   throttled progress; then validation, epochEnd, early stopping.
 *
 * Runs wherever it is called: in the worker (`worker.ts`) in the app, in-process in tests. Its steps
 * are TrainingRun's methods: setup, epoch (the batches), diverged (with keepOnDivergence), endEpoch
 * (validation, the best epoch, early stopping) and done.
 */
import * as tf from '@tensorflow/tfjs';
import { checkGraph } from '../../shared/graph/check';
import { type TrainingConfig, trainingConfigSchema } from '../../shared/training/config';
import type { BackendName, Metrics, TerminalEvent, WeightArtifacts } from '../../shared/training/protocol';
import { readWeightsManifest } from '../../shared/graph/weights';
import { saveModelArtifacts, setWeightsByName, WeightSnapshots } from './artifacts';
import { initBackend } from './backend';
import { type CompiledModel, compileGraph, EngineError, trainableVariables } from './compile';
import { checkpointStride, takesCheckpoint } from '../../shared/inspect/layerStats';
import { LayerStatsMeter } from './layerStats';
import {
  checkInputs,
  errorEvent,
  evalBatchSize,
  permuteSubset,
  restore,
  type RunOptions,
  snapshot,
  split,
} from './runParts';
import { makeOptimizer, regularise, setLearningRate } from './optimizers';
import { LearningRateSchedule } from '../../shared/training/schedule';
import { batchGradients } from './step';
import { activationsOf, unitGrids } from './inspect';
import { ViewBudget } from './viewBudget';
import { EpochMetrics, evaluate, runProbe } from './trainMetrics';
import { chooseShards, peerScriptPath, Replicas, shardable } from './parallel';
import { mulberry32, seedMathRandom } from './random';

export type { RunOptions };

/** The live probe views' pace: at most one inspection per this many milliseconds (unless the sample changes). */

/** A loss this many times the first batch's counts as diverged. */
export const EXPLOSION = 1e6;
/** With an infinite unclipped loss, a clipped loss this many times the first batch's counts as diverged. */
export const CERTAIN_WRONG = 4;

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** All weights (trainable or not: BatchNormalization's moving statistics too). */
const modelVariables = (m: tf.LayersModel): tf.Variable[] => m.weights.map((w) => w.read() as tf.Variable);

/** What a run is working with once its model is compiled and its data split. */
interface Setup {
  c: CompiledModel;
  optimizer: tf.Optimizer;
  /** All weights (snapshots, restores) and the trainable ones (gradients). */
  vars: tf.Variable[];
  trainable: tf.Variable[];
  train: Int32Array;
  val: Int32Array;
  batchSize: number;
  /** Validation passes' batch size (forward only: larger where it fits). */
  evalBatch: number;
  batches: number;
  replicas: Replicas | undefined;
  stats: LayerStatsMeter | undefined;
  /** Epochs between weight snapshots (undefined: none kept). */
  checkpointStride: number | undefined;
}

/** The epoch with the lowest monitored loss so far: early stopping restores it, a diverged run may keep it. */
interface Best {
  loss: number;
  epoch: number;
  weights: tf.Tensor[] | undefined;
  metrics: { train: Metrics; val: Metrics } | undefined;
  /** Epochs since it improved. */
  wait: number;
}

/** One training run, step by step: setup, the epochs (batches, epoch end), divergence, the result. */
class TrainingRun {
  private s: Partial<Setup> = {};
  private readonly random: () => number;
  private readonly t0 = Date.now();
  private step = 0;
  private lastProgress = 0;
  private samplesDone = 0;
  private firstLoss: number | undefined;
  private readonly best: Best = { loss: Infinity, epoch: 0, weights: undefined, metrics: undefined, wait: 0 };
  private lastTrain: Metrics = {};
  private lastVal: Metrics = {};
  private readonly views = new ViewBudget();
  private readonly schedule: LearningRateSchedule;
  private learningRate: number;
  private liveSeq = -1;
  private snapshotter: WeightSnapshots | undefined;
  private snapshots = (u: Setup) => (this.snapshotter ??= new WeightSnapshots(u.c.model));

  constructor(
    private readonly o: RunOptions,
    private readonly config: TrainingConfig,
    private readonly backend: BackendName,
  ) {
    this.random = mulberry32(config.seed);
    this.schedule = new LearningRateSchedule(config);
    this.learningRate = config.learningRate;
  }

  /** Compiles the graph, splits the data, makes the optimizer and, when it pays, the replicas. */
  async setup(): Promise<Setup> {
    const { o, config, backend, s } = this;
    s.c = await compileGraph(o.graph, { lossOverride: config.loss, target: o.data.target });
    const c = s.c;
    checkInputs(c, o.data);
    const { train, val } = split(o.data, config, this.random);
    if (train.length === 0)
      throw new EngineError('DATA_MISMATCH', 'No training samples are left after the validation split.');
    s.optimizer = makeOptimizer(config);
    const vars = modelVariables(c.model);
    const trainable = trainableVariables(c);
    const batchSize = Math.min(config.batchSize, train.length);
    const report = checkGraph(o.graph);
    let shards = o.shards ?? chooseShards(c, backend, batchSize, report.totals.flops);
    // Without the peer program every shard would run here, one after another: slower than serial.
    if (!shardable(c, backend) || (!o.noPeers && !o.peerScript && peerScriptPath() === null)) shards = 1;
    if (shards > 1)
      s.replicas = new Replicas(c, vars, trainable, o.data, shards, {
        graph: o.graph,
        config,
        backend,
        batchSize,
        noPeers: o.noPeers === true,
        ...(o.peerScript ? { peerScript: o.peerScript } : {}),
      });
    if (s.replicas && o.waitForPeersMs) s.replicas.waitForPeers(o.waitForPeersMs);
    const batches = Math.ceil(train.length / batchSize);
    if (o.layerStats !== false)
      s.stats = new LayerStatsMeter(c, o.data, new Set(report.order), val.length ? val : train, train.length);
    const bytes = vars.reduce((n, v) => n + v.size * 4, 0);
    const stride = o.checkpoints ? checkpointStride(config.epochs, bytes) : null;
    return {
      c,
      optimizer: s.optimizer,
      vars,
      trainable,
      train,
      val,
      batchSize,
      evalBatch: evalBatchSize(report, batchSize),
      batches,
      replicas: s.replicas,
      stats: s.stats,
      checkpointStride: stride ?? undefined,
    };
  }

  /** The weights now, or null when there is no model or they cannot be saved. */
  private async weightsNow(): Promise<WeightArtifacts | null> {
    try {
      return this.s.c ? await saveModelArtifacts(this.s.c.model) : null;
    } catch {
      return null;
    }
  }

  /** Trains one epoch; a terminal event (cancelled, diverged) ends the run, undefined goes on. */
  async epoch(u: Setup, epoch: number): Promise<TerminalEvent | undefined> {
    const { o, config } = this;
    const order = config.shuffle ? permuteSubset(u.train, this.random) : u.train;
    this.learningRate = this.schedule.rate(epoch);
    setLearningRate(u.optimizer, this.learningRate);
    const acc = new EpochMetrics(u.c.outputs[0]!);
    for (let batch = 1; batch <= u.batches; batch++) {
      if (o.yieldBetweenBatches) await o.yieldBetweenBatches();
      if (o.isCancelled()) {
        const weights = await this.weightsNow();
        return { type: 'cancelled', runId: o.runId, epoch, batch, weights, backend: this.backend };
      }
      const start = (batch - 1) * u.batchSize;
      const end = Math.min(order.length, start + u.batchSize);
      const { grads, loss, exact, ...stat } = u.replicas
        ? u.replicas.step(order, start, end, config.seed, this.step)
        : batchGradients(u.c, u.trainable, o.data, order, start, end);
      this.step++;
      this.firstLoss ??= loss;
      const exploded = loss > EXPLOSION * Math.max(this.firstLoss, 1e-3);
      // Certain of wrong answers (an infinite unclipped loss) counts as diverged only when the
      // clipped loss is also far worse than at the start (a blown-up network is certain and wrong on
      // a large share of the batch): a well-trained network can be certain about a few odd samples
      // (a sigmoid at exactly 0 in float32) without anything having gone wrong.
      const certainWrong = !Number.isFinite(exact) && loss > CERTAIN_WRONG * this.firstLoss;
      if (!Number.isFinite(loss) || certainWrong || exploded) {
        tf.dispose(grads);
        return this.diverged(u, { epoch, batch, loss, exact, exploded });
      }
      const every = o.statsEveryBatches ?? 0;
      const midEpoch = every > 0 && batch % every === 0 && batch < u.batches;
      const measured = (batch === u.batches || midEpoch) && u.stats;
      if (measured) this.views.run('stats', () => measured.beforeStep(grads));
      const applied = regularise(grads, config);
      u.optimizer.applyGradients(applied);
      tf.dispose([grads, applied]);
      // Long epochs: the statistics every N batches too (the epoch's end sends its own in epochEnd).
      if (measured && midEpoch)
        o.emit({
          type: 'layerStats',
          runId: o.runId,
          epoch,
          batch,
          batches: u.batches,
          layers: this.views.run('stats', () => measured.collect()),
        });
      acc.add(loss, end - start, stat.correct, stat.sums);
      this.samplesDone += end - start;
      this.progress(
        u,
        epoch,
        batch,
        loss,
        stat.correct === undefined ? undefined : stat.correct / (end - start),
      );
      this.liveInspect(u, epoch, batch);
    }
    this.lastTrain = acc.result();
    return undefined;
  }

  /**
   * The live probe views: every node's activation for the sample the host set, with the weights
   * now; at once when the sample changes, otherwise as the view budget allows (viewBudget.ts; always
   * after the run's last batch).
   */
  private liveInspect(u: Setup, epoch: number, batch: number): void {
    const probe = this.o.liveProbe;
    if (!probe) return;
    const last = epoch === this.config.epochs && batch === u.batches;
    // Every batch passes here: only the sequence number is read until an inspection is due.
    if (probe.seq() === this.liveSeq && !last && !this.views.due('sample')) return;
    const live = probe.read();
    if (!live) return;
    this.liveSeq = live.seq;
    const shape = this.o.data.inputs[0]!.sampleShape;
    const nodes = this.views.run('sample', () =>
      activationsOf(u.c.model, this.o.graph, live.x, shape, probe.dtype),
    );
    this.o.emit({ type: 'inspect', runId: this.o.runId, epoch, batch, nodes });
  }

  /** A progress event, at most one per interval (and always for the last batch of the run). */
  private progress(u: Setup, epoch: number, batch: number, loss: number, accuracy: number | undefined): void {
    const { o, config } = this;
    const now = Date.now();
    const last = epoch === config.epochs && batch === u.batches;
    if (!last && now - this.lastProgress < (o.progressIntervalMs ?? 50)) return;
    this.lastProgress = now;
    const elapsed = (now - this.t0) / 1000;
    const sps = elapsed > 0 ? this.samplesDone / elapsed : 0;
    const metrics: Metrics = { loss };
    if (accuracy !== undefined) metrics.accuracy = accuracy;
    o.emit({
      type: 'progress',
      runId: o.runId,
      epoch,
      epochs: config.epochs,
      batch,
      batches: u.batches,
      metrics,
      samplesPerSecond: sps,
      etaSeconds: sps > 0 ? (config.epochs * u.train.length - this.samplesDone) / sps : 0,
      backend: this.backend,
      ...(u.replicas ? { threads: 1 + u.replicas.readyPeers } : {}),
    });
  }

  /** The event of a non-finite or exploded loss, with the weights the run leaves (keepOnDivergence). */
  private async diverged(
    u: Setup,
    at: { epoch: number; batch: number; loss: number; exact: number; exploded: boolean },
  ): Promise<TerminalEvent> {
    const { epoch, batch, loss, exact, exploded } = at;
    const kept = await this.keepOnDivergence(u);
    return {
      type: 'diverged',
      runId: this.o.runId,
      epoch,
      batch,
      loss: String(Number.isFinite(loss) && !exploded ? exact : loss),
      message:
        (exploded
          ? `The loss grew from ${this.firstLoss} to ${loss} (more than ${EXPLOSION}-fold)`
          : Number.isFinite(loss)
            ? `The model became certain of wrong answers (the exact loss is ${exact})`
            : `The loss became ${loss}`) +
        ` at epoch ${epoch}, batch ${batch}: training diverged. ` +
        `Try a smaller learning rate (now ${this.config.learningRate}).`,
      weights: kept.weights,
      kept: kept.kept,
      keptMessage: kept.message,
      ...(kept.kept === 'best-epoch' ? { bestEpoch: this.best.epoch } : {}),
      backend: this.backend,
    };
  }

  /**
   * What a diverged run leaves: the best epoch's weights if it finished one and they beat the
   * weights the project had (compared on the same rows: validation, else training), otherwise
   * nothing, so the project keeps its weights. The weights of the blown-up batch are never kept.
   */
  private async keepOnDivergence(u: Setup): Promise<{
    weights: WeightArtifacts | null;
    kept: 'best-epoch' | 'previous' | 'none';
    message: string;
  }> {
    const { o, best } = this;
    const rows = u.val.length > 0 ? u.val : u.train;
    const which = u.val.length > 0 ? 'validation' : 'training';
    if (!best.weights)
      return o.previous
        ? {
            weights: null,
            kept: 'previous',
            message: 'It finished no epoch, so the weights the project had are kept.',
          }
        : { weights: null, kept: 'none', message: 'It finished no epoch, so there are no weights to keep.' };
    if (o.previous) {
      const manifest = readWeightsManifest(o.previous.modelJson, o.previous.weightsBin.byteLength);
      if (manifest.ok) {
        setWeightsByName(u.c.model, manifest.entries, o.previous.weightsBin);
        const before = evaluate(u.c, o.data, rows, u.evalBatch).loss ?? Infinity;
        if (!(best.loss < before))
          return {
            weights: null,
            kept: 'previous',
            message:
              `Its best epoch (${best.epoch}, ${which} loss ${best.loss.toFixed(4)}) was no better than the ` +
              `weights the project had (${before.toFixed(4)}), so those are kept.`,
          };
      }
    }
    restore(u.vars, best.weights);
    return {
      weights: await this.weightsNow(),
      kept: 'best-epoch',
      message: `The weights of epoch ${best.epoch}, the best this run reached (${which} loss ${best.loss.toFixed(4)}), are kept.`,
    };
  }

  /** Validation, the probe and the epochEnd event, then the best epoch; true when early stopping stops the run. */
  async endEpoch(u: Setup, epoch: number): Promise<{ epoch: number; reason: string } | undefined> {
    const { o, config } = this;
    this.lastVal = u.val.length > 0 ? evaluate(u.c, o.data, u.val, u.evalBatch) : {};
    // The boundary and the unit maps as the view budget allows (always after the last epoch).
    const last = epoch === config.epochs;
    const { views } = this;
    const plane = o.probe;
    const probe =
      plane && (last || views.due('boundary'))
        ? views.run('boundary', () => runProbe(u.c, plane))
        : undefined;
    const points = plane?.units;
    const units =
      points && (last || views.due('units'))
        ? views.run('units', () => unitGrids(u.c.model, points))
        : undefined;
    const stats = u.stats;
    const layers = stats && views.run('stats', () => stats.collect());
    const stride = u.checkpointStride;
    const checkpoint =
      stride && takesCheckpoint(epoch, config.epochs, stride)
        ? await views.runAsync('checkpoint', () => this.snapshots(u).take())
        : null;
    o.emit({
      type: 'epochEnd',
      runId: o.runId,
      epoch,
      epochs: config.epochs,
      metrics: this.lastTrain,
      valMetrics: this.lastVal,
      backend: this.backend,
      elapsedMs: Date.now() - this.t0,
      learningRate: this.learningRate,
      ...(probe ? { probe } : {}),
      ...(units ? { units } : {}),
      ...(layers ? { layers } : {}),
      ...(checkpoint ? { checkpoint } : {}),
    });
    this.schedule.observe(this.lastVal.loss ?? this.lastTrain.loss ?? NaN);
    return this.trackBest(u, epoch);
  }

  /**
   * The best epoch so far (validation loss, else training loss): early stopping restores it, and a
   * run that diverges later keeps it. Returns why the run stops early, if it does.
   */
  private trackBest(u: Setup, epoch: number): { epoch: number; reason: string } | undefined {
    const { config, best } = this;
    const monitored = this.lastVal.loss ?? this.lastTrain.loss ?? Infinity;
    if (monitored < best.loss) {
      best.loss = monitored;
      best.epoch = epoch;
      best.wait = 0;
      best.metrics = { train: this.lastTrain, val: this.lastVal };
      if (best.weights) tf.dispose(best.weights);
      best.weights = snapshot(u.vars);
      return undefined;
    }
    if (!config.earlyStopping || ++best.wait < config.earlyStopping.patience) return undefined;
    const restored = config.earlyStopping.restoreBest && best.weights !== undefined;
    if (restored) restore(u.vars, best.weights!);
    if (restored && best.metrics) {
      this.lastTrain = best.metrics.train;
      this.lastVal = best.metrics.val;
    }
    return {
      epoch,
      reason:
        `The ${u.val.length > 0 ? 'validation' : 'training'} loss did not improve for ` +
        `${config.earlyStopping.patience} epoch(s)` +
        (restored ? `; the weights of epoch ${best.epoch} (the best) were restored.` : '.'),
    };
  }

  /** The done event: the last (or restored best) epoch's metrics and the weights now. */
  async done(
    epochs: number,
    stoppedEarly: { epoch: number; reason: string } | undefined,
  ): Promise<TerminalEvent> {
    const weights = (await this.weightsNow())!;
    return {
      type: 'done',
      runId: this.o.runId,
      metrics: this.lastTrain,
      valMetrics: this.lastVal,
      epochs,
      ...(stoppedEarly ? { stoppedEarly } : {}),
      weights,
      backend: this.backend,
      durationMs: Date.now() - this.t0,
      inspectionMs: this.views.spentMs,
    };
  }

  /** Frees everything the run holds (also after a failed setup). */
  dispose(): void {
    this.s.replicas?.close();
    this.s.stats?.dispose();
    if (this.best.weights) tf.dispose(this.best.weights);
    this.s.optimizer?.dispose();
    this.s.c?.model.dispose();
  }
}

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
  const run = new TrainingRun(o, config, backend);
  try {
    const u = await run.setup();
    let epoch: number;
    let stoppedEarly: { epoch: number; reason: string } | undefined;
    for (epoch = 1; epoch <= config.epochs; epoch++) {
      const ended = await run.epoch(u, epoch);
      if (ended) return finish(ended);
      stoppedEarly = await run.endEpoch(u, epoch);
      if (stoppedEarly) break;
    }
    return finish(await run.done(Math.min(epoch, config.epochs), stoppedEarly));
  } catch (e) {
    return finish(errorEvent(runId, e));
  } finally {
    restoreRandom();
    run.dispose();
  }
}
