/**
 * One shard's work, the same wherever it runs (rank 0 or a peer, see parallel.ts): its rows of the
 * batch, its dropout seed, its gradient and stats, and how the stats cross shared memory.
 */
import * as tf from '@tensorflow/tfjs';
import type { CompiledModel } from './compile';
import type { TrainData } from './data';
import { hostValues } from './kernels/wasm';
import { seedMathRandom } from './random';
import { batchGradients } from './step';

/** A shard's loss and metrics (its gradient is written to a buffer), and its size in samples. */
export interface ShardResult {
  loss: number;
  exact: number;
  correct: number | undefined;
  sums: Float64Array | undefined;
  size: number;
}

/** Regression sums per shard: |e|, e², y, y² for every target column (none for classification). */
export const sumsLength = (c: CompiledModel, data: TrainData) =>
  c.outputs[0]!.problem === 'classification' ? 0 : 4 * data.targetShape.reduce((a, b) => a * b, 1);

/** Shard r of a batch [start, end) cut into `shards` contiguous pieces. */
export function shardBounds(start: number, end: number, shards: number, r: number): [number, number] {
  const n = end - start;
  return [start + Math.floor((r * n) / shards), start + Math.floor(((r + 1) * n) / shards)];
}

/** A shard's dropout seed: a function of the run seed, the step and the shard only. */
export const shardSeed = (seed: number, step: number, shard: number) =>
  (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) +
    Math.imul(step + 1, 0xc2b2ae35) +
    Math.imul(shard + 1, 0x27d4eb2f)) |
  0;

/**
 * Gradient of the mean loss over rows `idx[start..end)` w.r.t. `trainable` (tensors by variable
 * name, for the caller to dispose), with dropout seeded by `seed`.
 */
export function shardGradientTensors(
  c: CompiledModel,
  trainable: tf.Variable[],
  data: TrainData,
  idx: Int32Array,
  start: number,
  end: number,
  seed: number,
): ShardResult & { grads: tf.NamedTensorMap } {
  const restore = seedMathRandom(seed);
  try {
    const r = batchGradients(c, trainable, data, idx, start, end);
    return {
      grads: r.grads,
      loss: r.loss,
      exact: r.exact,
      correct: r.correct,
      sums: r.sums,
      size: end - start,
    };
  } finally {
    restore();
  }
}

/** The same, written into `out` (concatenated in `trainable` order; 0 where a variable has none). */
export function shardGradients(
  c: CompiledModel,
  trainable: tf.Variable[],
  data: TrainData,
  idx: Int32Array,
  start: number,
  end: number,
  seed: number,
  out: Float32Array,
): ShardResult {
  const { grads, ...result } = shardGradientTensors(c, trainable, data, idx, start, end, seed);
  let off = 0;
  for (const v of trainable) {
    const g = grads[v.name];
    if (g) out.set(hostValues(g), off);
    else out.fill(0, off, off + v.size);
    off += v.size;
  }
  tf.dispose(Object.values(grads));
  return result;
}

/** A shard's stats into shared memory (a peer's side): loss, unclipped loss, correct count, regression sums. */
export function writeStats(view: Float64Array, r: ShardResult): void {
  view[0] = r.loss;
  view[1] = r.exact;
  view[2] = r.correct ?? NaN;
  if (r.sums) view.set(r.sums, 3);
}

/** A peer's stats from shared memory (rank 0's side). */
export function readStats(
  view: Float64Array,
  size: number,
  regression: boolean,
  sumsLen: number,
): ShardResult {
  return {
    loss: view[0]!,
    exact: view[1]!,
    correct: regression ? undefined : view[2]!,
    sums: regression ? Float64Array.from(view.subarray(3, 3 + sumsLen)) : undefined,
    size,
  };
}
