/**
 * Faster gradients (registered for every backend: the maths is tfjs-core's, only the ops differ).
 *
 * Tile: tfjs-core sums dy one slice at a time (reps[0] x reps[1] x ... Slice + Add kernels, and only
 * up to rank 4). tfjs-layers' LayerNormalization tiles its scale and offset [1, 1, d] up to
 * [batch, seq, d], so a transformer step ran 6,400 Slice + Add pairs per LayerNormalization. Since
 * tile(x)[r0*s0 + i0, r1*s1 + i1, ...] = x[i0, i1, ...], the gradient is dy seen as
 * [r0, s0, r1, s1, ...] summed over the r axes: one reshape and one Sum, any rank.
 *
 * Relu: one kernel on wasm instead of Step, Cast and Multiply (relu.ts).
 *
 * GatherV2 along axis 0 (Embedding, PositionalEmbedding): tfjs-core transposes dy by the identity
 * permutation before its UnsortedSegmentSum and the result back after it; on wasm each is a copy
 * (an LSTM template's [3,200, 32] and [10,000, 32] every step). Without them: the same sums.
 */
import * as tf from '@tensorflow/tfjs';
import { denseGradConfig } from './dense';
import { reluGradConfig } from './relu';

export function tileGradient(dy: tf.Tensor, xShape: readonly number[], reps: readonly number[]): tf.Tensor {
  return tf.tidy(() => {
    const split: number[] = [];
    const axes: number[] = [];
    xShape.forEach((s, i) => {
      const r = reps[i] ?? 1;
      if (r !== 1) {
        axes.push(split.length);
        split.push(r);
      }
      split.push(s);
    });
    if (axes.length === 0) return dy.clone();
    return tf.sum(tf.reshape(dy, split), axes).reshape(xShape as number[]);
  });
}

export const tileGradConfig: tf.GradConfig = {
  kernelName: tf.Tile,
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved as [tf.Tensor];
    const { reps } = attrs as unknown as tf.TileAttrs;
    return { x: () => tileGradient(dy as tf.Tensor, x.shape, reps) };
  },
};

/** tfjs-core's GatherV2 gradient (the cases gatherGradConfig leaves to it), once it is replaced. */
let coreGatherGrad: tf.GradConfig | undefined;

export const gatherGradConfig: tf.GradConfig = {
  kernelName: tf.GatherV2,
  inputsToSave: ['x', 'indices'],
  gradFunc: (dy, saved, attrs) => {
    const [x, indices] = saved as [tf.Tensor, tf.Tensor];
    const { axis, batchDims } = attrs as unknown as tf.GatherV2Attrs;
    const along = axis < 0 ? axis + x.rank : axis;
    if (along !== 0 || (batchDims ?? 0) !== 0) {
      if (!coreGatherGrad?.gradFunc) throw new Error('GatherV2: tfjs-core gradient not found');
      return coreGatherGrad.gradFunc(dy, saved, attrs);
    }
    return {
      // tfjs-core's derivGather for axis 0, its two identity transposes left out.
      x: () =>
        tf.unsortedSegmentSum(
          tf.reshape(dy as tf.Tensor, [indices.size, ...x.shape.slice(1)]),
          tf.reshape(indices, [indices.size]) as tf.Tensor1D,
          x.shape[0]!,
        ),
      // As tfjs-core (indices are not differentiable; the engine ignores this for int32).
      indices: () => indices,
    };
  },
};

/** Replaces tfjs-core's gradients by Netloom's (idempotent, no "already registered" warning). */
export function registerFastGradients(): void {
  const gather = tf.getGradient(tf.GatherV2);
  if (gather && gather !== gatherGradConfig) coreGatherGrad = gather;
  for (const g of [tileGradConfig, reluGradConfig, gatherGradConfig, denseGradConfig]) {
    if (tf.getGradient(g.kernelName) === g) continue;
    if (tf.getGradient(g.kernelName)) tf.unregisterGradient(g.kernelName);
    tf.registerGradient(g);
  }
}
