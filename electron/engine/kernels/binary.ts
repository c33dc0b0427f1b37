/**
 * Add and Multiply for the wasm backend, wrapping wasm's own. Its float32 binary kernels go through
 * a general broadcasting loop, an index computation per element: LeNet's first bias,
 * [32, 28, 28, 6] + [6], took 0.53 ms; the transformer's dropout mask, [64, 2, 100, 100] + a
 * scalar, 2.3 ms (profiled). Here, on kernels.wat (the same float32 operations, four at a time):
 * - same shapes: `binary`;
 * - one operand a single value (no more dimensions than the other): `binary` with it splatted;
 * - Add of a row to every row ([..., n] + [n], or [1, ..., 1, n]: every Conv2D and Dense bias):
 *   `add_rows`.
 * Anything else (other broadcasts, other dtypes) goes to wasm's own kernel. a + b = b + a and
 * a · b = b · a exactly in float32, so which operand is the larger does not matter.
 */
import * as tf from '@tensorflow/tfjs';
import { heapOffset, simdKernels } from './simd/index';
import { asWasm } from './wasm';

/**
 * The row length n when `small` is added to every row of `big`: small's shape, leading 1s aside, is
 * big's last dimensions, and small has no more dimensions than big (so the result has big's shape).
 */
function rowLength(big: readonly number[], small: readonly number[]): number | undefined {
  if (small.length > big.length) return undefined;
  let i = 0;
  while (i < small.length - 1 && small[i] === 1) i++;
  const row = small.slice(i);
  const tail = big.slice(big.length - row.length);
  return tail.every((d, k) => d === row[k]) ? tf.util.sizeFromShape(row) : undefined;
}

const sameShape = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((d, i) => d === b[i]);

const OP = { add: 0, multiply: 1 } as const;

function fastBinary(op: keyof typeof OP): (original: tf.KernelFunc) => tf.KernelFunc {
  return (original) => (args) => {
    const { a, b } = args.inputs as unknown as { a: tf.TensorInfo; b: tf.TensorInfo };
    if (a.dtype !== 'float32' || b.dtype !== 'float32') return original(args);
    const aSize = tf.util.sizeFromShape(a.shape);
    const bSize = tf.util.sizeFromShape(b.shape);
    if (aSize === 0 || bSize === 0) return original(args);
    const [big, small] = aSize >= bSize ? [a, b] : [b, a];
    const bigSize = Math.max(aSize, bSize);
    const smallSize = Math.min(aSize, bSize);
    const same = sameShape(a.shape, b.shape);
    const scalar = !same && smallSize === 1 && small.shape.length <= big.shape.length;
    const n =
      same || scalar || op !== 'add' || aSize === bSize ? undefined : rowLength(big.shape, small.shape);
    if (!same && !scalar && n === undefined) return original(args);
    const backend = asWasm(args.backend);
    const out = backend.makeOutput(big.shape, 'float32');
    const simd = simdKernels(backend);
    const [pb, ps, po] = [heapOffset(backend, big), heapOffset(backend, small), heapOffset(backend, out)];
    if (n !== undefined) simd.add_rows(pb, ps, po, bigSize / n, n);
    else simd.binary(OP[op], pb, ps, po, bigSize, scalar ? 1 : 0);
    return out;
  };
}

export const fastAdd = fastBinary('add');
export const fastMultiply = fastBinary('multiply');
