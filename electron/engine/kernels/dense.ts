/**
 * A Dense layer's relu?(x·W + b) as one kernel with one gradient (NetloomDense, wasm only). In a
 * gradient tfjs-core splits the layer's fused product into BatchMatMul, Add and Relu (and a linear
 * Dense runs _FusedMatMul with six reshapes around it and its gradient): three to eight kernel
 * calls, tape nodes and saved tensors per layer forward, more backward, each ~10-20 µs of engine
 * bookkeeping. Here: one forward kernel (matmul.ts `biasedProduct`: the same product, `add_rows` and
 * `relu` kernels as that chain, so the same numbers) and a gradient of the same kernels as the
 * chain's gradients: dz = NetloomReluGrad(dy, y) (y = relu(z) is z where z > 0 or NaN, else +0, so
 * step(y) = step(z)), db = Σ_rows dz (Sum, rows in order), dW = xᵀ·dz, dx = dz·Wᵀ; each only when
 * the tape needs it (the first layer's dx never runs). The MLP template's step: 50 → 37 kernel calls.
 */
import * as tf from '@tensorflow/tfjs';
import { biasedProduct } from './matmul';
import { RELU_GRAD } from './relu';
import { inHeap } from './simd/index';

export const DENSE = 'NetloomDense';

interface DenseAttrs {
  relu: boolean;
}

/** NetloomDense on wasm: inputs x [rows, n], kernel [n, units] and optionally bias [units]. */
export const denseKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, kernel, bias } = inputs as unknown as {
    x: tf.TensorInfo;
    kernel: tf.TensorInfo;
    bias?: tf.TensorInfo;
  };
  const out = biasedProduct(backend, x, kernel, false, false, bias, (attrs as unknown as DenseAttrs).relu);
  if (!out) throw new Error(`NetloomDense: no product for ${x.shape} · ${kernel.shape}`);
  return out;
};

export const denseGradConfig: tf.GradConfig = {
  kernelName: DENSE,
  inputsToSave: ['x', 'kernel'],
  outputsToSave: [true],
  gradFunc: (dy, saved, attrs) => {
    const [x, kernel, y] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
    const g = dy as tf.Tensor2D;
    const dz = (attrs as unknown as DenseAttrs).relu
      ? (tf.engine().runKernel(RELU_GRAD, { dy: g, x: y }) as tf.Tensor2D)
      : g;
    return {
      x: () => tf.matMul(dz, kernel, false, true),
      kernel: () => tf.matMul(x, dz, true, false),
      bias: () => tf.sum(dz, 0),
    };
  },
};

/**
 * relu?(x·kernel + bias) as NetloomDense where it computes what the layer's own ops would: on wasm,
 * float32, x of rank 2 and the kernel [n, units], bias [units] or none. Undefined elsewhere (the
 * caller runs the layer's own code).
 */
export function denseOp(
  x: tf.Tensor,
  kernel: tf.Tensor,
  bias: tf.Tensor | undefined,
  relu: boolean,
): tf.Tensor | undefined {
  const fits =
    tf.getBackend() === 'wasm' &&
    x.rank === 2 &&
    kernel.rank === 2 &&
    x.dtype === 'float32' &&
    kernel.dtype === 'float32' &&
    x.shape[1] === kernel.shape[0] &&
    x.size > 0 &&
    kernel.size > 0 &&
    (!bias || (bias.dtype === 'float32' && bias.rank === 1 && bias.shape[0] === kernel.shape[1])) &&
    inHeap(tf.backend(), x, kernel, ...(bias ? [bias] : []));
  if (!fits) return undefined;
  const inputs: tf.NamedTensorMap = bias ? { x, kernel, bias } : { x, kernel };
  return tf.engine().runKernel(DENSE, inputs, { relu } as unknown as tf.NamedAttrMap) as tf.Tensor;
}
