/**
 * Layer statistics while training (shared/inspect/layerStats.ts says what each figure means). The
 * training loop hands the meter the gradients of each epoch's last batch before it applies them and
 * tells it when the step is done; at the epoch's end the meter reads the weights and runs a fixed
 * probe batch (the first rows of the validation split, else of the training split) through the
 * model with every layer's output as an output. Cost: one extra forward pass on the probe batch, a
 * copy of the weights and two passes over them and over the gradients per epoch (valueStats.ts; in
 * place in the wasm heap on that backend: ~1 ms per epoch for the MLP template). The probe batch has one row per
 * STATS_ROWS_PER_PROBE_ROW training rows, between 16 and 64, so its forward pass stays near 1% of an
 * epoch's work (a forward and backward pass over every row) however few rows an epoch has.
 */
import * as tf from '@tensorflow/tfjs';
import { HISTOGRAM_BINS, type Histogram, type LayerStats } from '../../shared/inspect/layerStats';
import type { CompiledModel } from './compile';
import type { TrainData } from './data';
import { type Batch, forwardAll, makeBatch } from './step';
import { copyOf, histogramValues, type Scan, scanValues } from './valueStats';

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
  /** The step's gradients: their pass and histogram (none when the layer got no gradient values). */
  grads: Scan;
  gradHistogram: Histogram | undefined;
  /** The layer's weights before the step (copies). */
  before: tf.Tensor[];
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
   * Before the epoch's last step: the pass over its gradients and a copy of the weights it will move
   * (the step's size is measured at the epoch's end, against the weights then: nothing else moves
   * them in between).
   */
  beforeStep(grads: tf.NamedTensorMap): void {
    this.release();
    for (const { id, vars } of this.layers) {
      if (vars.length === 0) continue;
      const gs = vars.flatMap((v) => (grads[v.name] ? [grads[v.name]!] : []));
      const scan = scanValues(gs);
      const size = gs.reduce((n, g) => n + g.size, 0);
      this.measured.set(id, {
        grads: scan,
        gradHistogram: size > 0 ? histogramValues(gs, scan.min, scan.max, HISTOGRAM_BINS) : undefined,
        before: vars.map(copyOf),
      });
    }
  }

  /** Every layer's statistics now. */
  collect(): LayerStats[] {
    const acts = this.activations();
    return this.layers.map(({ id, vars }, i): LayerStats => {
      const m = this.measured.get(id);
      const ws = vars.length ? scanValues(vars, m?.before) : undefined;
      const gs = m?.grads;
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
      if (ws) stats.weightHistogram = histogramValues(vars, ws.min, ws.max, HISTOGRAM_BINS);
      if (m?.gradHistogram) stats.gradHistogram = m.gradHistogram;
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

  /** Drops the last step's measurements (and their copies of the weights). */
  private release(): void {
    for (const m of this.measured.values()) tf.dispose(m.before);
    this.measured.clear();
  }

  dispose(): void {
    this.release();
    if (this.probe) tf.dispose([...this.probe.xs, ...this.probe.ys]);
    this.probe = undefined;
  }
}
