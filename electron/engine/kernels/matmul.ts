/**
 * BatchMatMul for the wasm backend, wrapping wasm's own. Measured here (tfjs 4.22, Node, SIMD):
 * - wasm's fast path (XNNPACK) serves only untransposed, unbatched products, and packs b into its
 *   own layout the first time it sees that tensor: ~0.9 ms for a 784×128 weight matrix, paid on
 *   every training step because the weights are a new tensor after every update (x·W for [64, 784]
 *   · [784, 128]: 1.6 ms with a fresh W against 0.73 ms with the same W).
 * - with transposeA or transposeB, or batched, it falls to a naive loop 10-20x slower.
 * So float32 products run on Netloom's SIMD product (kernels.wat `gemm`: b read where it lies, Aᵀ read
 * in place; 0.81 ms for that x·W, the same numbers as XNNPACK's in every case tested), as
 * `gemm_packed` when there are 8 columns or more: the same sums, b's columns copied per chunk of 256
 * rows into a scratch tensor of panels first, 2 × 16 blocks. One thread, the 784-128-128-10 MLP's
 * products with 128 columns at batch 256 (best of 7, same run): 26-29 GFLOP/s with `gemm` as it was
 * (f32x4.splat of an f32.load), 33-36 with `gemm_packed`, against 43.5 for a loop of independent
 * f32x4 mul + add (wasm SIMD has no FMA); the 8 products of a training step 4.96 → 3.89 ms:
 * - unbatched: a transposed b is transposed for real first (wasm's Transpose), then one product;
 * - a batched a times one shared b: one product over all rows;
 * - same-shaped batches of items (attention: [64, 2, 100, 100] · [64, 2, 100, 16]): one product per
 *   item, straight on each item's slice of the tensors (b transposed once as a whole if asked).
 * Anything else (broadcast batches, other dtypes) goes to wasm's own kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { heapOffset, simdKernels } from './simd/index';
import { asWasm, dispose, reshaped, transpose } from './wasm';

/** Rows of b that kernels.wat `gemm_packed` packs at a time (its KC): its scratch is this × N floats. */
const PACK_ROWS = 256;

export function fastBatchMatMul(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { a, b } = args.inputs as unknown as { a: tf.TensorInfo; b: tf.TensorInfo };
    const { transposeA, transposeB } = args.attrs as unknown as tf.BatchMatMulAttrs;
    return simdProduct(args.backend, a, b, transposeA, transposeB) ?? original(args);
  };
}

/**
 * _FusedMatMul (what a Dense layer runs outside a gradient: inference, the probe views, the layer
 * statistics' probe pass, and a linear Dense inside one) with no activation or ReLU and a bias of
 * one value per column (or none): the SIMD product above, then the bias added to every row
 * (`add_rows`) and ReLU (`relu`) in place. These are the very kernels the same layer runs in training,
 * where tfjs-core splits the fused op into BatchMatMul, Add and Relu, so a model's inference gives
 * exactly its training forward pass's numbers. (wasm's own, XNNPACK, starts each sum from the bias:
 * other roundings, and packs the weights anew for every new weight tensor.) Other activations, a
 * PReLU's weights or another bias shape go to wasm's own kernel.
 */
export function fastFusedMatMul(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { a, b, bias, preluActivationWeights } = args.inputs as unknown as {
      a: tf.TensorInfo;
      b: tf.TensorInfo;
      bias?: tf.TensorInfo;
      preluActivationWeights?: tf.TensorInfo;
    };
    const { transposeA, transposeB, activation } = args.attrs as unknown as tf._FusedMatMulAttrs;
    const n = transposeB ? b.shape.at(-2) : b.shape.at(-1);
    const fits =
      !preluActivationWeights &&
      (activation === 'linear' || activation === 'relu') &&
      (!bias || (bias.dtype === 'float32' && bias.shape.length === 1 && bias.shape[0] === n));
    const out = fits
      ? biasedProduct(args.backend, a, b, transposeA, transposeB, bias, activation === 'relu')
      : undefined;
    return out ?? original(args);
  };
}

/**
 * relu?(a·b + bias) on the SIMD product (a bias of one value per column), or undefined when the
 * product does not serve the case: the product, then `add_rows` and `relu` in place, the kernels of
 * BatchMatMul, Add and Relu, so the very numbers of that chain.
 */
export function biasedProduct(
  backend: unknown,
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
  bias: tf.TensorInfo | undefined,
  relu: boolean,
): tf.TensorInfo | undefined {
  const out = simdProduct(backend, a, b, transposeA, transposeB);
  if (!out) return undefined;
  const n = out.shape.at(-1)!;
  const simd = simdKernels(backend);
  const po = heapOffset(backend, out);
  const size = tf.util.sizeFromShape(out.shape);
  if (bias && size > 0) simd.add_rows(po, heapOffset(backend, bias), po, size / n, n);
  if (relu && size > 0) simd.relu(po, po, size);
  return out;
}

/**
 * a·b (transposed as asked) on the SIMD product, or undefined when it does not serve the case (the
 * caller runs wasm's own kernel).
 */
function simdProduct(
  backendArg: unknown,
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
): tf.TensorInfo | undefined {
  const backend = asWasm(backendArg);
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length < 2 || b.shape.length < 2)
    return undefined;
  const outerA = a.shape.slice(0, -2);
  const outerB = b.shape.slice(0, -2);
  const batchA = tf.util.sizeFromShape(outerA);
  const batchB = tf.util.sizeFromShape(outerB);
  const [aR, aC] = a.shape.slice(-2) as [number, number];
  const [bR, bC] = b.shape.slice(-2) as [number, number];
  const m = transposeA ? aC : aR;
  const k = transposeA ? aR : aC;
  const n = transposeB ? bR : bC;
  const shared = batchB === 1 && outerB.length <= outerA.length;
  const itemwise = batchA > 1 && batchA === batchB && outerA.join() === outerB.join();
  if ((!shared && !itemwise) || m * k * n * batchA === 0) return undefined;
  if (shared && batchA > 1 && transposeA) return undefined;
  // b as [batchB, k, n] rows.
  const bN = transposeB ? transposeItems(backend, b, batchB) : b;
  // Shared b has no more leading axes than a, and item-wise ones have a's: the output has a's.
  const out = backend.makeOutput([...outerA, m, n], 'float32');
  // gemm_packed pays a copy of b per product: for 8 columns or more and 4 rows or more.
  const packed = n >= 8 && (shared ? batchA * m : m) >= 4;
  const scratch = packed ? backend.makeOutput([Math.min(k, PACK_ROWS) * n], 'float32') : undefined;
  const simd = simdKernels(backendArg);
  const pa = heapOffset(backendArg, a);
  const pb = heapOffset(backendArg, bN);
  const po = heapOffset(backendArg, out);
  const pw = scratch ? heapOffset(backendArg, scratch) : 0;
  const [ars, aks] = transposeA ? [1, m] : [k, 1];
  const product = (a0: number, b0: number, c0: number, rows: number) => {
    if (scratch) simd.gemm_packed(a0, b0, c0, rows, k, n, ars, aks, pw);
    else simd.gemm(a0, b0, c0, rows, k, n, ars, aks);
  };
  // [..., M, K] · [K, N]: every row of a at once (a not transposed when batched, checked above).
  if (shared) product(pa, pb, po, batchA * m);
  else
    for (let i = 0; i < batchA; i++) product(pa + 4 * i * m * k, pb + 4 * i * k * n, po + 4 * i * m * n, m);
  if (scratch) dispose(backend, scratch);
  if (transposeB) dispose(backend, bN);
  return out;
}

/** [..., r, c] -> a new [batch, c, r] tensor. */
function transposeItems(backend: ReturnType<typeof asWasm>, t: tf.TensorInfo, batch: number): tf.TensorInfo {
  const [r, c] = t.shape.slice(-2) as [number, number];
  const flat = reshaped(backend, t, [batch, r, c]);
  const tt = transpose(backend, flat, [0, 2, 1]);
  dispose(backend, flat);
  return tt;
}
