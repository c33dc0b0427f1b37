/**
 * Layer statistics while training (shared/inspect/layerStats.ts says what each figure means). The
 * training loop hands the meter the gradients of each epoch's last batch before it applies them and
 * tells it when the step is done; at the epoch's end the meter reads the weights and runs a fixed
 * probe batch (the first rows of the validation split, else of the training split) through the
 * model with every layer's output as an output. Cost: one extra forward pass on at most 128 rows and
 * one read of the weights and gradients per epoch.
 */
import * as tf from '@tensorflow/tfjs';
import { histogram, type Histogram, type LayerStats } from '../../shared/inspect/layerStats';
import type { CompiledModel } from './compile';
import type { TrainData } from './data';
import { makeBatch } from './step';

/** Rows of the probe batch. */
export const STATS_PROBE_ROWS = 128;

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

const sumSquares = (a: Float32Array): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * a[i]!;
  return s;
};

interface Measured {
  grads: Float32Array;
  update: number;
}

export class LayerStatsMeter {
  /** The model's layers that are graph nodes, in model order, and each one's trainable variables. */
  private readonly layers: { id: string; layer: tf.layers.Layer; vars: tf.Variable[] }[];
  private readonly rows: Int32Array;
  private probeModel: tf.LayersModel | undefined;
  private before: tf.Tensor[] | undefined;
  private measured = new Map<string, Measured>();

  constructor(
    private readonly c: CompiledModel,
    private readonly data: TrainData,
    nodeIds: ReadonlySet<string>,
    rows: Int32Array,
  ) {
    this.rows = rows.slice(0, STATS_PROBE_ROWS);
    this.layers = c.model.layers
      .filter((l) => nodeIds.has(l.name) && l.getClassName() !== 'InputLayer' && !Array.isArray(l.output))
      .map((l) => ({ id: l.name, layer: l, vars: l.trainableWeights.map((w) => w.read() as tf.Variable) }));
  }

  /** Before the epoch's last step: its gradients (read now) and a copy of the weights it will move. */
  beforeStep(grads: tf.NamedTensorMap): void {
    this.dispose();
    this.measured.clear();
    for (const { id, vars } of this.layers) {
      if (vars.length === 0) continue;
      const parts = vars.flatMap((v) => {
        const g = grads[v.name];
        return g ? [g.dataSync() as Float32Array] : [];
      });
      this.measured.set(id, { grads: concat(parts), update: 0 });
    }
    this.before = this.layers.flatMap(({ vars }) => vars.map((v) => tf.clone(v)));
  }

  /** After it: the squared size of each layer's step. */
  afterStep(): void {
    if (!this.before) return;
    let i = 0;
    for (const { id, vars } of this.layers)
      for (const v of vars) {
        const old = this.before[i++]!;
        const step = tf.tidy(() => v.sub(old).square().sum().dataSync()[0]!);
        const m = this.measured.get(id);
        if (m) m.update += step;
      }
    this.dispose();
  }

  /** Every layer's statistics now. */
  collect(): LayerStats[] {
    const acts = this.activations();
    return this.layers.map(({ id, vars }, i): LayerStats => {
      const weights = vars.length ? concat(vars.map((v) => v.dataSync() as Float32Array)) : undefined;
      const m = this.measured.get(id);
      const weightNorm = weights ? Math.sqrt(sumSquares(weights)) : null;
      const gradNorm = m ? Math.sqrt(sumSquares(m.grads)) : null;
      const a = acts[i]!;
      const stats: LayerStats = {
        id,
        weightNorm: weightNorm === null ? null : finiteOrNull(weightNorm),
        gradNorm: gradNorm === null ? null : finiteOrNull(gradNorm),
        updateRatio: m && weightNorm ? finiteOrNull(Math.sqrt(m.update) / weightNorm) : null,
        activationMean: finiteOrNull(a.mean),
        activationStd: finiteOrNull(a.std),
        deadFraction: a.dead,
      };
      const wh: Histogram | undefined = weights ? histogram(weights) : undefined;
      if (wh) stats.weightHistogram = wh;
      if (m && m.grads.length) stats.gradHistogram = histogram(m.grads);
      return stats;
    });
  }

  /** Mean, std and dead-unit fraction of every layer's output on the probe batch (inference mode). */
  private activations(): { mean: number; std: number; dead: number }[] {
    if (this.layers.length === 0 || this.rows.length === 0)
      return this.layers.map(() => ({ mean: NaN, std: NaN, dead: 0 }));
    this.probeModel ??= tf.model({
      inputs: this.c.model.inputs,
      outputs: this.layers.map(({ layer }) => layer.output as tf.SymbolicTensor),
    });
    const probe = this.probeModel;
    return tf.tidy(() => {
      const b = makeBatch(this.c, this.data, this.rows, 0, this.rows.length);
      const y = probe.predict(b.xs.length === 1 ? b.xs[0]! : b.xs);
      return (Array.isArray(y) ? y : [y]).map((t) => {
        const { mean, variance } = tf.moments(t.toFloat());
        const units = t.shape[t.shape.length - 1] ?? 1;
        const live = t.abs().reshape([-1, units]).max(0).greater(0).toFloat().sum();
        return {
          mean: mean.dataSync()[0]!,
          std: Math.sqrt(variance.dataSync()[0]!),
          dead: units > 0 ? 1 - live.dataSync()[0]! / units : 0,
        };
      });
    });
  }

  dispose(): void {
    if (this.before) tf.dispose(this.before);
    this.before = undefined;
  }
}
