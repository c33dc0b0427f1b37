/**
 * What the fused LSTM and GRU (fusedRecurrent.ts, fusedGruWasm.ts) share on the wasm backend: new
 * tensors in the backend's memory for the kernels to write, their byte offsets, and the gradient of
 * the recurrent kernel as one product straight on the saved hidden states.
 *
 * The recurrent kernel's gradient is Σ over (batch, time) of h₋₁ᵀ·dz, with h₋₁ the hidden state of
 * the step before (zero at t = 0). Rows (batch, time) are consecutive in both, so h₋₁ of row r is h
 * of row r − 1, except at each sequence's first step: with those rows of dz set to zero, the sum is
 * one product of h's rows 0 .. B·T − 2 (transposed, read in place) with dz's rows 1 .. B·T − 1. The
 * same terms in the same order as the product with a shifted, zero-padded copy of h (which took a
 * Slice and a PadV2 of [B, T, U] per step, 6-9 ms at batch 64), less the zero ones.
 */
import * as tf from '@tensorflow/tfjs';
import { heapOffset, simdKernels, type SimdKernels } from '../kernels/simd/index';
import { asWasm, f32 } from '../kernels/wasm';

export interface WasmRecurrence {
  simd: SimdKernels;
  /** A new float32 tensor in the wasm memory, its contents undefined until a kernel writes them. */
  empty(shape: number[]): tf.Tensor;
  /** Byte offset of a tensor's data. */
  at(t: tf.Tensor): number;
  /** Sets rows (n, 0), n < B, of g [B·T, width] to zero (g: a gradient this op made and owns). */
  zeroFirstSteps(g: tf.Tensor, B: number, T: number, width: number): void;
}

export function wasmRecurrence(backend: tf.KernelBackend): WasmRecurrence {
  const wasm = asWasm(backend);
  return {
    simd: simdKernels(backend),
    empty: (shape) => tf.engine().makeTensorFromTensorInfo(wasm.makeOutput(shape, 'float32'), backend),
    at: (t) => heapOffset(backend, t),
    zeroFirstSteps(g, B, T, width) {
      // A view taken after every allocation (an allocation can grow the heap and detach views).
      const v = f32(wasm, g);
      for (let n = 0; n < B; n++) v.fill(0, n * T * width, (n * T + 1) * width);
    },
  };
}

/**
 * The recurrent kernel's gradient Σ h₋₁ᵀ·dz [U, width] from the hidden states [B, T, U] and dz
 * [B·T, width], as one product (see above). Sets dz's first-step rows to zero: call it after every
 * other use of dz.
 */
export function previousHiddenProduct(
  w: WasmRecurrence,
  hidden: tf.Tensor,
  dz: tf.Tensor,
  B: number,
  T: number,
  U: number,
  width: number,
): tf.Tensor2D {
  const out = w.empty([U, width]);
  w.zeroFirstSteps(dz, B, T, width);
  // A = hᵀ read in place (element (i, k) at hidden + 4·(i + k·U)); B = dz from its second row.
  w.simd.gemm(w.at(hidden), w.at(dz) + 4 * width, w.at(out), U, B * T - 1, width, 1, U);
  return out as tf.Tensor2D;
}
