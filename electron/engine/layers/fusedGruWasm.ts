/**
 * The fused GRU (fusedGru.ts) on the wasm backend: both recurrences are Netloom's SIMD kernels
 * (kernels.wat gru_forward and gru_backward, one call each, on tensors in the backend's memory: per
 * step the products x·W (forward) or dx·Wᵀ (backward) and those with R, and the gates; no tensor
 * made or read back). Then dW, db and dR as one product or sum each, dR straight on the saved
 * states (recurrentWasm.ts). Activation tanh; U ≥ 4.
 */
import * as tf from '@tensorflow/tfjs';
import { previousHiddenProduct, wasmRecurrence, type WasmRecurrence } from './recurrentWasm';

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
  const w = wasmRecurrence(backend);
  const { empty, at, simd } = w;
  // The input and recurrent biases (the recurrent one zeros before).
  const bx = after ? tf.tidy(() => tf.reshape(tf.slice(bs, [0, 0], [1, G]), [G])) : bs;
  const bh = after ? tf.tidy(() => tf.reshape(tf.slice(bs, [1, 0], [1, G]), [G])) : tf.zeros([G]);
  // Reset before: R's z and r blocks, and its h block (for r ⊙ h).
  const Rm = after ? Rs : tf.slice(Rs, [0, 0], [U, 2 * U]);
  const Rh = after ? Rs : tf.slice(Rs, [0, 2 * U], [U, U]);
  const gates = empty([B * T, G]);
  const aux = empty([B * T, U]);
  const hidden = empty([B, T, U]);
  const [xw, hr, pack] = [empty([B, G]), empty([B, G]), empty([(D + U) * G])];
  simd.gru_forward(
    at(xs),
    at(Ws),
    at(bx),
    at(xw),
    at(Rm),
    at(Rh),
    at(bh),
    at(hr),
    at(pack),
    at(gates),
    at(aux),
    at(hidden),
    B,
    T,
    D,
    U,
    after ? 1 : 0,
  );
  tf.dispose([xw, hr, pack, bh, ...(after ? [bx] : [Rm, Rh])]);
  // Saved with the engine (kept only while a gradient is being recorded).
  save([xs, Ws, Rs, gates, aux, hidden]);
  const value = returnSequences ? hidden : w.lastStep(hidden, B, T, U);
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
      const Wt = tf.transpose(W0);
      const dX = empty([B * T, G]);
      const dH = after ? empty([B * T, G]) : dX;
      const dx = empty([B, T, D]);
      const [dh, drh, c0, c1] = [0, 1, 2, 3].map(() => empty([B, U])) as [
        tf.Tensor,
        tf.Tensor,
        tf.Tensor,
        tf.Tensor,
      ];
      const dxt = empty([B, D]);
      const pack = empty([(D + U) * G]);
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
        at(Wt),
        at(dxt),
        at(dx),
        at(pack),
        B,
        T,
        D,
        U,
        returnSequences ? 1 : 0,
        after ? 1 : 0,
      );
      const dW = tf.matMul(tf.reshape(x0, [B * T, D]), dX, true, false);
      if (after) {
        const db = tf.stack([tf.sum(dX, 0), tf.sum(dH, 0)]);
        return [dx, dW, previousHiddenProduct(w, hidden0, dH, B, T, U, G), db];
      }
      const db = tf.sum(dX, 0);
      return [dx, dW, resetBeforeRecurrentGrad(w, hidden0, aux0, dX, B, T, U), db];
    });
  };
  return { value, gradFunc };
}

/**
 * Reset before: dR = [h₋₁ᵀ·dX_zr, (r ⊙ h₋₁)ᵀ·dX_h] [U, 3U], with dX's column blocks read in place
 * (no slices): computed transposed, [dX_zrᵀ·h₋₁; dX_hᵀ·(r ⊙ h₋₁)] [3U, U] (the same sums in the
 * same order), then transposed. h₋₁ as in previousHiddenProduct: with dX's first-step rows set to
 * zero for the products (r ⊙ h₋₁ is zero at those steps anyway).
 */
function resetBeforeRecurrentGrad(
  w: WasmRecurrence,
  hidden: tf.Tensor,
  aux: tf.Tensor,
  dX: tf.Tensor,
  B: number,
  T: number,
  U: number,
): tf.Tensor {
  const G = 3 * U;
  const t = w.empty([G, U]);
  const [pd, ph, pa, pt] = [w.at(dX), w.at(hidden), w.at(aux), w.at(t)];
  w.withFirstStepsZero(dX, B, T, G, () => {
    // A = dX_zrᵀ (element (i, k) at dX + 4·((k + 1)·G + i)), B = h's rows 0 .. B·T − 2.
    w.simd.gemm(pd + 4 * G, ph, pt, 2 * U, B * T - 1, U, 1, G);
    // A = dX_hᵀ (columns from 2U), B = r ⊙ h₋₁ (aux), every row.
    w.simd.gemm(pd + 8 * U, pa, pt + 8 * U * U, U, B * T, U, 1, G);
  });
  return tf.transpose(t);
}
