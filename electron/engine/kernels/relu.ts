/**
 * ReLU and its gradient on the wasm backend (kernels.wat `relu`, `relu_grad`). wasm's own Relu runs
 * a scalar loop (~66 µs for a [256, 128] tensor), and tfjs-core's gradient is three kernels (Step,
 * Cast, Multiply: ~76 µs); both are one SIMD pass here, with TensorFlow.js's exact values
 * (relu(x) = x where x > 0 or NaN, else +0; dx = dy · step(x), NaN where x is NaN).
 *
 * The gradient is registered for every backend (gradients.ts): on wasm it runs the one kernel
 * NetloomReluGrad, elsewhere tfjs-core's own ops.
 */
import * as tf from '@tensorflow/tfjs';
import { heapOffset, simdKernels } from './simd/index';
import { asWasm } from './wasm';

export const RELU_GRAD = 'NetloomReluGrad';

export function fastRelu(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { x } = args.inputs as unknown as { x: tf.TensorInfo };
    const n = tf.util.sizeFromShape(x.shape);
    if (x.dtype !== 'float32' || n === 0) return original(args);
    const backend = asWasm(args.backend);
    const out = backend.makeOutput(x.shape, 'float32');
    simdKernels(backend).relu(heapOffset(backend, x), heapOffset(backend, out), n);
    return out;
  };
}

/** NetloomReluGrad on wasm: inputs dy and x (same shape, float32). */
export const reluGradKernel: tf.KernelFunc = ({ inputs, backend: b }) => {
  const { dy, x } = inputs as unknown as { dy: tf.TensorInfo; x: tf.TensorInfo };
  const backend = asWasm(b);
  const out = backend.makeOutput(x.shape, 'float32');
  const n = tf.util.sizeFromShape(x.shape);
  if (n > 0)
    simdKernels(backend).relu_grad(
      heapOffset(backend, dy),
      heapOffset(backend, x),
      heapOffset(backend, out),
      n,
    );
  return out;
};

/** Relu's gradient: one kernel where the backend has it (wasm), else tfjs-core's dy · step(x). */
export const reluGradConfig: tf.GradConfig = {
  kernelName: tf.Relu,
  inputsToSave: ['x'],
  gradFunc: (dy, saved) => {
    const [x] = saved as [tf.Tensor];
    const g = dy as tf.Tensor;
    const fused =
      g.dtype === 'float32' &&
      x.dtype === 'float32' &&
      tf.getKernel(RELU_GRAD, tf.getBackend()) !== undefined;
    return {
      x: () =>
        fused
          ? (tf.engine().runKernel(RELU_GRAD, { dy: g, x }) as tf.Tensor)
          : tf.mul(g, tf.cast(tf.step(x), 'float32')),
    };
  },
};
