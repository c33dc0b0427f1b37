/**
 * Layer statistics while training (shared/inspect/layerStats.ts says what each figure means). The
 * training loop hands the meter the gradients of each epoch's last batch before it applies them and
 * tells it when the step is done; at the epoch's end the meter reads the weights and runs a fixed
 * probe batch (the first rows of the validation split, else of the training split) through the
 * model with every layer's output as an output. Cost: one extra forward pass on the probe batch and
 * one read of the weights and gradients per epoch. The probe batch has one row per
 * STATS_ROWS_PER_PROBE_ROW training rows, between 16 and 64, so its forward pass stays near 1% of an
 * epoch's work (a forward and backward pass over every row) however few rows an epoch has.
 */
import * as tf from '@tensorflow/tfjs';
import { histogramInRange, type LayerStats } from '../../shared/inspect/layerStats';
import type { CompiledModel } from './compile';
import type { TrainData } from './data';
import { type Batch, forwardAll, makeBatch } from './step';

/** Rows of the probe batch: at most and at least. */
export const STATS_PROBE_ROWS = 64;
const STATS_PROBE_MIN_ROWS = 16;
const STATS_ROWS_PER_PROBE_ROW = 40;

/** Rows of the probe batch for an epoch of `trainRows` rows. */
export const statsProbeRows = (trainRows: number): number =>
  Math.max(
    STATS_PROBE_MIN_ROWS,
    Math.min(STATS_PROBE_ROWS, Math.floor(trainRows / STATS_ROWS_PER_PROBE_ROW)),
  );

const finiteOrNull = (v: number): number | null => (Number.isFinite(v) ? v : null);

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * One pass over a tensor's values: the sum of squares, the finite range (for the histogram's
 * bins), and the squared distance to `before` when given (the step's size).
 */
function scan(
  values: Float32Array,
  before?: Float32Array,
): { sumSq: number; distSq: number; min: number; max: number } {
  let sumSq = 0;
  let distSq = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    sumSq += v * v;
    if (before) distSq += (v - before[i]!) ** 2;
    // NaN fails both comparisons; ±Infinity is left out.
    if (v < min && v !== -Infinity) min = v;
    if (v > max && v !== Infinity) max = v;
  }
  return { sumSq, distSq, min, max };
}

/** Mean, std and the fraction of units (last axis) that are 0 in every row. */
function outputStats(data: ArrayLike<number>, units: number): { mean: number; std: number; dead: number } {
  let sum = 0;
  let sq = 0;
  const live = new Uint8Array(units);
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    sum += v;
    sq += v * v;
    if (v !== 0) live[i % units] = 1;
  }
  const n = data.length || 1;
  const mean = sum / n;
  let alive = 0;
  for (let u = 0; u < units; u++) alive += live[u]!;
  return { mean, std: Math.sqrt(Math.max(0, sq / n - mean * mean)), dead: units > 0 ? 1 - alive / units : 0 };
}

interface Measured {
  grads: Float32Array;
  /** The layer's weights before the step (host copy). */
  before: Float32Array;
}

export class LayerStatsMeter {
  /** The model's layers that are graph nodes, in model order, and each one's trainable variables. */
  private readonly layers: { id: string; layer: tf.layers.Layer; vars: tf.Variable[] }[];
  private readonly rows: Int32Array;
  private measured = new Map<string, Measured>();
  /** The probe batch, made once. */
  private probe: Batch | undefined;

  constructor(
    private readonly c: CompiledModel,
    private readonly data: TrainData,
    nodeIds: ReadonlySet<string>,
    rows: Int32Array,
    trainRows: number,
  ) {
    this.rows = rows.slice(0, statsProbeRows(trainRows));
    this.layers = c.model.layers
      .filter((l) => nodeIds.has(l.name) && l.getClassName() !== 'InputLayer' && !Array.isArray(l.output))
      .map((l) => ({ id: l.name, layer: l, vars: l.trainableWeights.map((w) => w.read() as tf.Variable) }));
  }

  /**
   * Before the epoch's last step: its gradients and the weights it will move, read to the host
   * (the step's size is measured at the epoch's end, against the weights then: nothing else moves
   * them in between).
   */
  beforeStep(grads: tf.NamedTensorMap): void {
    this.measured.clear();
    for (const { id, vars } of this.layers) {
      if (vars.length === 0) continue;
      const parts = vars.flatMap((v) => {
        const g = grads[v.name];
        return g ? [g.dataSync() as Float32Array] : [];
      });
      this.measured.set(id, {
        grads: concat(parts),
        before: concat(vars.map((v) => v.dataSync() as Float32Array)),
      });
    }
  }

  /** Every layer's statistics now. */
  collect(): LayerStats[] {
    const acts = this.activations();
    return this.layers.map(({ id, vars }, i): LayerStats => {
      const m = this.measured.get(id);
      const w = vars.length ? concat(vars.map((v) => v.dataSync() as Float32Array)) : undefined;
      const ws = w && scan(w, m?.before);
      const gs = m && scan(m.grads);
      const weightNorm = ws ? Math.sqrt(ws.sumSq) : null;
      const a = acts[i]!;
      const stats: LayerStats = {
        id,
        weightNorm: weightNorm === null ? null : finiteOrNull(weightNorm),
        gradNorm: gs ? finiteOrNull(Math.sqrt(gs.sumSq)) : null,
        updateRatio: m && ws && weightNorm ? finiteOrNull(Math.sqrt(ws.distSq) / weightNorm) : null,
        activationMean: finiteOrNull(a.mean),
        activationStd: finiteOrNull(a.std),
        deadFraction: a.dead,
      };
      if (w && ws) stats.weightHistogram = histogramInRange(w, ws.min, ws.max);
      if (m && gs && m.grads.length) stats.gradHistogram = histogramInRange(m.grads, gs.min, gs.max);
      return stats;
    });
  }

  /** Mean, std and dead-unit fraction of every layer's output on the probe batch (inference mode). */
  private activations(): { mean: number; std: number; dead: number }[] {
    if (this.layers.length === 0 || this.rows.length === 0)
      return this.layers.map(() => ({ mean: NaN, std: NaN, dead: 0 }));
    // Read to the host and summed there: cheaper than a handful of kernels per layer on small tensors.
    // (Only numbers leave the tidy: it would walk a returned typed array element by element.)
    this.probe ??= makeBatch(this.c, this.data, this.rows, 0, this.rows.length);
    const xs = this.probe.xs;
    return tf.tidy(() => {
      const values = forwardAll(this.c, xs, false);
      return this.layers.map(({ id }) => {
        const t = values.get(id)!;
        return outputStats(t.dataSync(), t.shape.at(-1) ?? 1);
      });
    });
  }

  dispose(): void {
    this.measured.clear();
    if (this.probe) tf.dispose([...this.probe.xs, ...this.probe.ys]);
    this.probe = undefined;
  }
}
