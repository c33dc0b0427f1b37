/**
 * A sharded step's gradient from its shards' (parallel.ts): Σ_r w_r·g_r in shard order, each
 * operation in float64 and rounded to float32 after every term, starting from 0 (so a −0 first term
 * gives +0), written into each trainable variable's gradient tensor.
 *
 * A shard's gradient is either tensors on this backend (every shard computed here: rank 0's own,
 * and one a peer that was not ready would have had) or a peer's values in shared memory,
 * concatenated in variable order. On wasm the sum runs in the heap (kernels.wat `weighted_sum2`,
 * `weighted_add`; shared values copied in once, the gradients computed here not copied out): the MLP's
 * 118k parameters on two shards 0.43 → 0.14 ms a step (the JavaScript loop ran ~3 ns a value, the
 * kernel ~0.6). Elsewhere `weightedSum` on the host.
 * Both compute the same numbers (test/unit/engine/parallel.test.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { heapOffset, simdKernels } from './kernels/simd/index';
import { asWasm, dispose, filledTensor, hostValues, type WasmBackend } from './kernels/wasm';

/** A shard's gradient: tensors by variable name, or all values concatenated in variable order. */
export type GradSource = tf.NamedTensorMap | Float32Array;

/**
 * out = Σ w·g over the terms in order, rounded to float32 after every term, starting from 0. The
 * first two terms in one pass.
 */
export function weightedSum(out: Float32Array, terms: readonly (readonly [number, Float32Array])[]): void {
  const [first, second, ...rest] = terms;
  const n = out.length;
  if (!first) {
    out.fill(0);
    return;
  }
  const [wa, a] = first;
  if (second) {
    const [wb, b] = second;
    for (let i = 0; i < n; i++) out[i] = Math.fround(wa * a[i]! + 0) + wb * b[i]!;
  } else for (let i = 0; i < n; i++) out[i] = wa * a[i]! + 0;
  for (const [w, g] of rest) for (let i = 0; i < n; i++) out[i] = out[i]! + w * g[i]!;
}

/** The gradient of every variable in `trainable`: Σ w·g over `terms` (see above). */
export function combineGradients(
  trainable: readonly tf.Variable[],
  terms: readonly (readonly [number, GradSource])[],
): tf.NamedTensorMap {
  try {
    if (tf.getBackend() === 'wasm' && terms.length > 0)
      return combineInHeap(asWasm(tf.backend()), trainable, terms);
    const host = terms.map(
      ([w, g]) => [w, g instanceof Float32Array ? g : concatenated(trainable, g)] as const,
    );
    const grads: tf.NamedTensorMap = {};
    let off = 0;
    for (const v of trainable) {
      const at = off;
      grads[v.name] = filledTensor(v.shape, 'float32', (out) =>
        weightedSum(
          out,
          host.map(([w, g]) => [w, g.subarray(at, at + v.size)] as const),
        ),
      );
      off += v.size;
    }
    return grads;
  } finally {
    for (const [, g] of terms) if (!(g instanceof Float32Array)) tf.dispose(Object.values(g));
  }
}

/** A shard's gradient tensors as one host array in variable order (0 where a variable has none). */
function concatenated(trainable: readonly tf.Variable[], g: tf.NamedTensorMap): Float32Array {
  const out = new Float32Array(trainable.reduce((n, v) => n + v.size, 0));
  let off = 0;
  for (const v of trainable) {
    const t = g[v.name];
    if (t) out.set(hostValues(t), off);
    off += v.size;
  }
  return out;
}

function combineInHeap(
  backend: WasmBackend,
  trainable: readonly tf.Variable[],
  terms: readonly (readonly [number, GradSource])[],
): tf.NamedTensorMap {
  const simd = simdKernels(backend);
  const staged: tf.TensorInfo[] = [];
  /** Heap offset of a host array's copy (each array copied in once). */
  const copies = new Map<Float32Array, number>();
  const stage = (values: Float32Array): number => {
    const t = backend.makeOutput([values.length], 'float32');
    staged.push(t);
    // The view after the allocation (which may grow the heap).
    (backend.typedArrayFromHeap(t) as Float32Array).set(values);
    return heapOffset(backend, t);
  };
  try {
    for (const [, g] of terms) if (g instanceof Float32Array && !copies.has(g)) copies.set(g, stage(g));
    const grads: tf.NamedTensorMap = {};
    let off = 0;
    for (const v of trainable) {
      const at = (g: GradSource): number => {
        if (g instanceof Float32Array) return copies.get(g)! + 4 * off;
        const t = g[v.name];
        return t ? heapOffset(backend, t) : stage(new Float32Array(v.size));
      };
      const out = backend.makeOutput(v.shape, 'float32');
      const po = heapOffset(backend, out);
      const [first, second, ...rest] = terms;
      if (v.size > 0) {
        if (second) simd.weighted_sum2(po, at(first![1]), at(second[1]), first![0], second[0], v.size);
        else {
          (backend.typedArrayFromHeap(out) as Float32Array).fill(0);
          rest.unshift(first!);
        }
        for (const [w, g] of rest) simd.weighted_add(po, at(g), w, v.size);
      }
      grads[v.name] = tf.engine().makeTensorFromTensorInfo(out);
      off += v.size;
    }
    return grads;
  } finally {
    dispose(backend, ...staged);
  }
}
