/**
 * The training step's categorical cross-entropy (compile.ts `lossValue`, clipped) as one op with its
 * own gradient, and its metrics (unclipped loss, correct count) read on the host.
 *
 * The forward runs the very kernels `lossValue` always ran (so the loss is the same number), but as
 * one node of the gradient tape; its gradient is one pass over the [rows, classes] probabilities
 * here, computing what TensorFlow.js's chain of gradients computes, rounding for rounding (float32
 * after every operation): for the loss −mean_rows Σ_j y_j·log(clip(p_j, ε, 1 − ε)) and upstream
 * gradient dy, g = −dy / rows; d(terms) = g (times [y > 0], with soft targets); d(log c) =
 * d(terms)·y; dp = d(log c) / c where ε ≤ p ≤ 1 − ε, else 0. The tape ran 7 recorded kernels, their
 * saved-tensor copies and ~20 gradient kernels for it, and the metrics ~23 small kernels more (the
 * MLP's step: 118 kernel calls → 74 with both).
 */
import * as tf from '@tensorflow/tfjs';
import { filledTensor, hostValues } from './kernels/wasm';

/** Keras's clipping of probabilities in cross-entropies. */
export const EPS = 1e-7;

/** The loss's terms and mean, exactly as lossValue writes them (the forward of both forms). */
function clippedLoss(p: tf.Tensor, y: tf.Tensor, softTargets: boolean): tf.Scalar {
  const terms = y.mul(tf.log(tf.clipByValue(p, EPS, 1 - EPS)));
  return tf.neg(tf.mean(tf.sum(softTargets ? tf.where(y.greater(0), terms, 0) : terms, -1)));
}

/**
 * −mean(Σ_last y·log(clip(p))) for probabilities `p` and targets `y` of the same shape; targets
 * exactly 0 or 1 (one-hot) unless `softTargets` (then only terms with y > 0 count, as lossValue).
 */
export function crossEntropyLoss(p: tf.Tensor, y: tf.Tensor, softTargets: boolean): tf.Scalar {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [probs, save] = args as [tf.Tensor, tf.GradSaveFunc];
    save([probs, y]);
    return {
      value: clippedLoss(probs, y, softTargets),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [ps, ys] = saved as [tf.Tensor, tf.Tensor];
        const rows = ps.size / (ps.shape.at(-1) ?? 1);
        const g = Math.fround(-dy.dataSync()[0]! / rows);
        const lo = Math.fround(EPS);
        const hi = Math.fround(1 - EPS);
        return filledTensor(ps.shape, 'float32', (dp) => {
          // Views after the output's allocation (it may grow the heap).
          const pv = hostValues(ps);
          const yv = hostValues(ys);
          for (let i = 0; i < dp.length; i++) {
            const pi = pv[i]!;
            const yi = yv[i]!;
            // The select's gradient multiplies by its condition (g·0 keeps g's sign).
            const dTerms = softTargets ? g * (yi > 0 ? 1 : 0) : g;
            // Out of the clip's range (and NaN) the gradient is 0; in it, c = p.
            dp[i] = pi >= lo && pi <= hi ? Math.fround(Math.fround(dTerms * yi) / pi) : 0;
          }
        });
      },
    };
  });
  return op(p) as tf.Scalar;
}

/**
 * The unclipped loss (infinite once a true class has probability 0: the divergence check reads
 * only whether it is finite, and shows it) and the correct count (arg max of `p` equal to arg max of
 * `y` over the last axis, the first index on ties, counted per sample) of a batch of `n` samples.
 */
export function crossEntropyMetrics(
  p: tf.Tensor,
  y: tf.Tensor,
  n: number,
): { exact: number; correct: number } {
  const k = p.shape.at(-1) ?? 1;
  const pv = hostValues(p);
  const yv = hostValues(y);
  const rows = pv.length / k;
  let loss = 0;
  let correct = 0;
  for (let r = 0; r < rows; r++) {
    const o = r * k;
    let rowSum = 0;
    let best = 0;
    let truth = 0;
    for (let j = 0; j < k; j++) {
      const pj = pv[o + j]!;
      const yj = yv[o + j]!;
      if (yj > 0) rowSum += yj * Math.log(Math.min(Math.max(pj, 0), 1));
      if (pj > pv[o + best]!) best = j;
      if (yj > yv[o + truth]!) truth = j;
    }
    loss -= rowSum;
    if (best === truth) correct++;
  }
  return { exact: loss / rows, correct: Math.fround(correct / (rows / n)) };
}
