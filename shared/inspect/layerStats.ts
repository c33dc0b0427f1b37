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
    // NaN fails both comparisons; ±Infinity is left out.
    if (v < min && v !== -Infinity) min = v;
    if (v > max && v !== Infinity) max = v;
  }
  return histogramInRange(values, min, max, bins);
}

/**
 * `histogram` when the finite minimum and maximum of `values` are known already (min > max: none
 * is finite).
 */
export function histogramInRange(
  values: ArrayLike<number>,
  min: number,
  max: number,
  bins = HISTOGRAM_BINS,
): Histogram {
  return histogramOfParts([values], min, max, bins);
}

/**
 * One histogram of the values of several arrays (a layer's kernel and bias) whose finite minimum and
 * maximum over all of them are known: a value v in [min, max] counts in bin
 * trunc((v − min) · bins / (max − min)), the last bin also taking v = max.
 */
export function histogramOfParts(
  parts: readonly ArrayLike<number>[],
  min: number,
  max: number,
  bins = HISTOGRAM_BINS,
): Histogram {
  if (min > max) return { min: 0, max: 0, counts: new Array<number>(bins).fill(0) };
  const counts = new Float64Array(bins);
  const scale = histogramScale(min, max, bins);
  const top = bins - 1;
  for (const values of parts)
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (!(v >= min && v <= max)) continue; // NaN and ±Infinity
      const b = ((v - min) * scale) | 0;
      counts[b < top ? b : top]!++;
    }
  return { min, max, counts: Array.from(counts) };
}

/** Bins per unit of value (0 when every value is the same: one bin). */
export const histogramScale = (min: number, max: number, bins: number): number =>
  max > min ? bins / (max - min) : 0;

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
