/**
 * The fused GRU (fusedGru.ts) on the wasm backend: both recurrences are Netloom's SIMD kernels
 * (kernels.wat gru_forward and gru_backward, one call each, on tensors in the backend's memory: per
 * step the products with R and the gates, no tensor made or read back). Activation tanh; U ≥ 4.
 */
import * as tf from '@tensorflow/tfjs';
import { heapOffset, simdKernels } from '../kernels/simd/index';
import { asWasm } from '../kernels/wasm';
import { previousHidden } from './fusedRecurrent';

export interface GruOp {
  value: tf.Tensor;
  gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => tf.Tensor[];
}

/**
 * x [B, T, D], W [D, 3U], R [U, 3U], b [3U] (reset before) or [2, 3U] (reset after): the hidden
 * states [B, T, U] (or the last, [B, U]) and their gradient.
 */
export function wasmGru(
  backend: tf.KernelBackend,
  xs: tf.Tensor3D,
  Ws: tf.Tensor2D,
  Rs: tf.Tensor2D,
  bs: tf.Tensor,
  save: tf.GradSaveFunc,
  after: boolean,
  returnSequences: boolean,
): GruOp {
  const [B, T, D] = xs.shape;
  const U = Rs.shape[0];
  const G = 3 * U;
  const wasm = asWasm(backend);
  /** A new float32 tensor in the wasm memory, its contents undefined until a kernel writes them. */
  const empty = (shape: number[]): tf.Tensor =>
    tf.engine().makeTensorFromTensorInfo(wasm.makeOutput(shape, 'float32'), backend);
  const simd = simdKernels(backend);
  const at = (t: tf.Tensor): number => heapOffset(backend, t);
  // Input projections of every step at once, rows (batch, time); the recurrent bias (zeros before).
  const xw = tf.tidy(() => {
    const bx = after ? tf.reshape(tf.slice(bs, [0, 0], [1, G]), [G]) : bs;
    return tf.add(tf.matMul(tf.reshape(xs, [B * T, D]), Ws), bx);
  });
  const bh = after ? tf.tidy(() => tf.reshape(tf.slice(bs, [1, 0], [1, G]), [G])) : tf.zeros([G]);
  // Reset before: R's z and r blocks, and its h block (for r ⊙ h).
  const Rm = after ? Rs : tf.slice(Rs, [0, 0], [U, 2 * U]);
  const Rh = after ? Rs : tf.slice(Rs, [0, 2 * U], [U, U]);
  const hr = empty([B, G]);
  const gates = empty([B * T, G]);
  const aux = empty([B * T, U]);
  const hidden = empty([B, T, U]);
  simd.gru_forward(
    at(xw),
    at(Rm),
    at(Rh),
    at(bh),
    at(hr),
    at(gates),
    at(aux),
    at(hidden),
    B,
    T,
    U,
    after ? 1 : 0,
  );
  tf.dispose([xw, bh, hr, ...(after ? [] : [Rm, Rh])]);
  // Saved with the engine (kept only while a gradient is being recorded).
  save([xs, Ws, Rs, gates, aux, hidden]);
  const value = returnSequences ? hidden : tf.reshape(tf.slice(hidden, [0, T - 1, 0], [B, 1, U]), [B, U]);
  const gradFunc = (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]): tf.Tensor[] => {
    const [x0, W0, R0, gates0, aux0, hidden0] = saved as [
      tf.Tensor3D,
      tf.Tensor2D,
      tf.Tensor2D,
      tf.Tensor,
      tf.Tensor,
      tf.Tensor3D,
    ];
    return tf.tidy(() => {
      const dOut = (Array.isArray(dy) ? dy[0]! : dy).toFloat();
      const Rt = after ? tf.transpose(R0) : tf.transpose(tf.slice(R0, [0, 0], [U, 2 * U]));
      const Rht = after ? Rt : tf.transpose(tf.slice(R0, [0, 2 * U], [U, U]));
      const dX = empty([B * T, G]);
      const dH = after ? empty([B * T, G]) : dX;
      const [dh, drh, c0, c1] = [0, 1, 2, 3].map(() => empty([B, U])) as [
        tf.Tensor,
        tf.Tensor,
        tf.Tensor,
        tf.Tensor,
      ];
      simd.gru_backward(
        at(dOut),
        at(gates0),
        at(aux0),
        at(hidden0),
        at(Rt),
        at(Rht),
        at(dX),
        at(dH),
        at(dh),
        at(drh),
        at(c0),
        at(c1),
        B,
        T,
        U,
        returnSequences ? 1 : 0,
        after ? 1 : 0,
      );
      const prev = previousHidden(hidden0, B, T, U);
      const dx = tf.reshape(tf.matMul(dX, W0, false, true), [B, T, D]);
      const dW = tf.matMul(tf.reshape(x0, [B * T, D]), dX, true, false);
      if (after) return [dx, dW, tf.matMul(prev, dH, true, false), tf.stack([tf.sum(dX, 0), tf.sum(dH, 0)])];
      const dR = tf.concat(
        [
          tf.matMul(prev, tf.slice(dX, [0, 0], [B * T, 2 * U]), true, false),
          tf.matMul(aux0, tf.slice(dX, [0, 2 * U], [B * T, U]), true, false),
        ],
        1,
      );
      return [dx, dW, dR, tf.sum(dX, 0)];
    });
  };
  return { value, gradFunc };
}
