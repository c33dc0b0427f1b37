/**
 * Layer statistics while training: per epoch and per layer (graph node), how large its weights are,
 * how large the gradients reaching it are, how far one step moves it, and what its activations look
 * like on a fixed probe batch. The engine computes them (electron/engine/layerStats.ts), the epochEnd
 * event carries them, a run's history (`runs/<id>.jsonl`) keeps them, `netloom train --json` prints
 * them as `layerStats` events, and the Layers panel and node sparklines draw them.
 */
import { z } from 'zod';

/** Bins of the weight and gradient histograms. */
export const HISTOGRAM_BINS = 24;

/** Equal-width bins over [min, max]; counts sum to the number of finite values. */
export interface Histogram {
  min: number;
  max: number;
  counts: number[];
}

export interface LayerStats {
  id: string;
  /** L2 norm of the layer's trainable weights (null: a layer without weights). */
  weightNorm: number | null;
  /** L2 norm of their gradients on the epoch's last batch. */
  gradNorm: number | null;
  /** ‖ΔW‖ / ‖W‖ of the epoch's last step (a healthy rate is about 1e-3). */
  updateRatio: number | null;
  /** Mean and standard deviation of the layer's output over the probe batch (null if not finite). */
  activationMean: number | null;
  activationStd: number | null;
  /** Fraction of units (the output's last axis) that are 0 for every sample of the probe batch. */
  deadFraction: number;
  weightHistogram?: Histogram;
  gradHistogram?: Histogram;
}

/** One epoch's statistics, as the app keeps them for a run (live, or from its history). */
export interface LayerEpoch {
  epoch: number;
  layers: LayerStats[];
  /** Size of the weight snapshot kept of this epoch (the checkpoint scrubber); absent: none kept. */
  checkpointBytes?: number;
}

/** At most this many snapshots and this many bytes of them per run. */
export const MAX_CHECKPOINTS = 50;
export const MAX_CHECKPOINT_BYTES = 64 * 1024 * 1024;

/** The smallest stride that keeps a run of `epochs` within the snapshot limits (null: one is too big). */
export function checkpointStride(epochs: number, bytes: number): number | null {
  if (bytes > MAX_CHECKPOINT_BYTES) return null;
  const fit = Math.max(1, Math.min(MAX_CHECKPOINTS, Math.floor(MAX_CHECKPOINT_BYTES / Math.max(1, bytes))));
  // ceil(epochs / stride) snapshots plus possibly the last epoch.
  let stride = 1;
  while (Math.ceil(epochs / stride) + 1 > fit && stride < epochs) stride++;
  return stride;
}

/** Whether epoch `epoch` (1-based) of `epochs` gets a snapshot with this stride. */
export const takesCheckpoint = (epoch: number, epochs: number, stride: number): boolean =>
  epoch % stride === 0 || epoch === epochs || epoch === 1;

export function histogram(values: ArrayLike<number>, bins = HISTOGRAM_BINS): Histogram {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const counts = new Array<number>(bins).fill(0);
  if (min > max) return { min: 0, max: 0, counts };
  const width = (max - min) / bins;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) continue;
    const b = width > 0 ? Math.min(bins - 1, Math.floor((v - min) / width)) : 0;
    counts[b]!++;
  }
  return { min, max, counts };
}

const finite = z.number().finite();
const histogramSchema = z.object({
  min: finite,
  max: finite,
  counts: z.array(z.number().int().nonnegative()),
});

export const layerStatsSchema = z.object({
  id: z.string(),
  weightNorm: finite.nullable(),
  gradNorm: finite.nullable(),
  updateRatio: finite.nullable(),
  activationMean: finite.nullable(),
  activationStd: finite.nullable(),
  deadFraction: z.number().min(0).max(1),
  weightHistogram: histogramSchema.optional(),
  gradHistogram: histogramSchema.optional(),
}) satisfies z.ZodType<LayerStats>;
