/**
 * The layer statistics' passes over a layer's weights and gradients (layerStats.ts): the sums of
 * squares, the step's squared size and the finite range in one pass, then the histogram, over the
 * layer's tensors one after another. On the wasm backend they run where the tensors lie (kernels.wat
 * `value_stats`, `histogram`): no copy to the host, and compiled code from the first epoch on. The
 * same loops in JavaScript run once per epoch, so mostly before V8 has optimised them: measured
 * ~10-30 ns a value, ~4 ms per epoch for the MLP template's 118k weights and their gradients, against
 * ~0.4 ms here. Elsewhere (cpu, tensorflow) the same operations in JavaScript on `dataSync()` copies;
 * both give the same numbers, float64 operation for operation (test/unit/engine/valueStats.test.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { type Histogram, histogramOfParts, histogramScale } from '../../shared/inspect/layerStats';
import { heapOffset, simdKernels } from './kernels/simd/index';
import { asWasm, dispose, filledTensor, hostValues } from './kernels/wasm';

export interface Scan {
  /** Σ v² and Σ (v − before)² in float64, in order. */
  sumSq: number;
  distSq: number;
  /** Finite minimum and maximum (min > max: no finite value). */
  min: number;
  max: number;
}

const EMPTY: Scan = { sumSq: 0, distSq: 0, min: Infinity, max: -Infinity };

/** Whether the wasm kernels can read these tensors in place. */
const inPlace = (ts: readonly tf.Tensor[]): boolean =>
  tf.getBackend() === 'wasm' && ts.every((t) => t.dtype === 'float32');

/**
 * One pass over `parts` (and, with `before`, over the same-shaped tensors of their values before a
 * step, for Σ (v − before)²).
 */
export function scanValues(parts: readonly tf.Tensor[], before?: readonly tf.Tensor[]): Scan {
  if (before && (before.length !== parts.length || before.some((b, i) => b.size !== parts[i]!.size)))
    throw new Error('scanValues: the values before do not match the tensors');
  const all = [...parts, ...(before ?? [])];
  let s = EMPTY;
  if (inPlace(all)) {
    const simd = simdKernels(tf.backend());
    parts.forEach((t, i) => {
      if (t.size === 0) return;
      const b = before?.[i];
      const [sumSq, distSq, min, max] = simd.value_stats(
        heapOffset(tf.backend(), t),
        b ? heapOffset(tf.backend(), b) : 0,
        t.size,
        b ? 1 : 0,
        s.sumSq,
        s.distSq,
        s.min,
        s.max,
      );
      s = { sumSq, distSq, min, max };
    });
    return s;
  }
  parts.forEach((t, i) => (s = scanHost(t.dataSync(), before?.[i]?.dataSync(), s)));
  return s;
}

/** kernels.wat `value_stats` in JavaScript. */
function scanHost(values: ArrayLike<number>, before: ArrayLike<number> | undefined, s: Scan): Scan {
  let { sumSq, distSq, min, max } = s;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    sumSq += v * v;
    if (before) {
      const d = v - before[i]!;
      distSq += d * d;
    }
    // NaN fails both comparisons; ±Infinity is left out.
    if (v < min && v !== -Infinity) min = v;
    if (v > max && v !== Infinity) max = v;
  }
  return { sumSq, distSq, min, max };
}

/** The histogram (shared/inspect/layerStats.ts `histogramOfParts`) of `parts` in [min, max]. */
export function histogramValues(
  parts: readonly tf.Tensor[],
  min: number,
  max: number,
  bins: number,
): Histogram {
  if (min > max || !inPlace(parts))
    return histogramOfParts(
      parts.map((t) => t.dataSync()),
      min,
      max,
      bins,
    );
  const backend = asWasm(tf.backend());
  const counts = backend.makeOutput([bins], 'int32');
  try {
    const view = backend.typedArrayFromHeap(counts);
    view.fill(0);
    const simd = simdKernels(backend);
    const at = heapOffset(backend, counts);
    const scale = histogramScale(min, max, bins);
    for (const t of parts)
      if (t.size > 0) simd.histogram(heapOffset(backend, t), t.size, min, max, scale, bins - 1, at);
    // A new view: nothing allocated since, but the kernels ran in between.
    return { min, max, counts: Array.from(backend.typedArrayFromHeap(counts)) };
  } finally {
    dispose(backend, counts);
  }
}

/** A copy of a tensor's values (the weights before a step), kept out of any tidy scope. */
export function copyOf(t: tf.Tensor): tf.Tensor {
  return tf.keep(filledTensor(t.shape, 'float32', (dst) => dst.set(hostValues(t))));
}
