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
 * Slice and a PadV2 of [B, T, U] per step, 6-9 ms at batch 64), less the zero ones. Those rows are
 * zeroed only for the product and put back after it (tensor data may be shared, by Identity, with a
 * tensor that a recording tape saved), so dz holds its values whenever anything else reads it.
 */
import * as tf from '@tensorflow/tfjs';
import { heapOffset, simdKernels, type SimdKernels } from '../kernels/simd/index';
import { asWasm, f32 } from '../kernels/wasm';

/** Rows of B that kernels.wat `gemm_packed` packs at a time (its KC): its scratch is this × N floats. */
const GEMM_PACKED_KC = 256;

export interface WasmRecurrence {
  simd: SimdKernels;
  /** A new float32 tensor in the wasm memory, its contents undefined until a kernel writes them. */
  empty(shape: number[]): tf.Tensor;
  /** Byte offset of a tensor's data. */
  at(t: tf.Tensor): number;
  /**
   * Runs `f` with rows (n, 0), n < B, of g [B·T, width] set to zero, then puts them back. `f` must
   * not allocate tensors (that can move the heap the saved rows are restored to).
   */
  withFirstStepsZero(g: tf.Tensor, B: number, T: number, width: number, f: () => void): void;
  /**
   * The last step's hidden state [B, U] of hidden [B, T, U], copied row by row (wasm's Slice reads
   * the whole tensor out of the heap first: a copy of [B, T, U], 2 ms a step at batch 128).
   */
  lastStep(hidden: tf.Tensor, B: number, T: number, U: number): tf.Tensor2D;
}

export function wasmRecurrence(backend: tf.KernelBackend): WasmRecurrence {
  const wasm = asWasm(backend);
  return {
    simd: simdKernels(backend),
    empty: (shape) => tf.engine().makeTensorFromTensorInfo(wasm.makeOutput(shape, 'float32'), backend),
    at: (t) => heapOffset(backend, t),
    withFirstStepsZero(g, B, T, width, f) {
      // A view taken after every allocation (an allocation can grow the heap and detach views).
      const v = f32(wasm, g);
      const rows = new Float32Array(B * width);
      for (let n = 0; n < B; n++) {
        rows.set(v.subarray(n * T * width, (n * T + 1) * width), n * width);
        v.fill(0, n * T * width, (n * T + 1) * width);
      }
      try {
        f();
      } finally {
        for (let n = 0; n < B; n++) v.set(rows.subarray(n * width, (n + 1) * width), n * T * width);
      }
    },
    lastStep(hidden, B, T, U) {
      const out = tf.engine().makeTensorFromTensorInfo(wasm.makeOutput([B, U], 'float32'), backend);
      // One view of the heap after the allocation; rows copied within it.
      const heap = f32(wasm, out);
      const [src, dst] = [heapOffset(backend, hidden) >> 2, heap.byteOffset >> 2];
      const all = new Float32Array(heap.buffer);
      for (let n = 0; n < B; n++) {
        const r = src + (n * T + T - 1) * U;
        all.copyWithin(dst + n * U, r, r + U);
      }
      return out as tf.Tensor2D;
    },
  };
}

/**
 * The recurrent kernel's gradient Σ h₋₁ᵀ·dz [U, width] from the hidden states [B, T, U] and dz
 * [B·T, width], as one product (see above).
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
  const K = B * T - 1;
  const out = w.empty([U, width]);
  // gemm_packed's scratch (gemm's sums exactly; 1.5-2x faster here, B's panels contiguous).
  const scratch = w.empty([Math.max(1, Math.min(K, GEMM_PACKED_KC) * width)]);
  // A = hᵀ read in place (element (i, k) at hidden + 4·(i + k·U)); B = dz from its second row.
  const [a, b, c, s] = [w.at(hidden), w.at(dz) + 4 * width, w.at(out), w.at(scratch)];
  w.withFirstStepsZero(dz, B, T, width, () => w.simd.gemm_packed(a, b, c, U, K, width, 1, U, s));
  scratch.dispose();
  return out as tf.Tensor2D;
}
