/**
 * Kernels and gradients Netloom adds to TensorFlow.js 4.22 so every layer kind trains on the wasm
 * backend, and trains faster:
 *
 * - wasm has no Conv2DBackpropFilter (Conv1D, Conv2D, Conv2DTranspose), DepthwiseConv2dNative-
 *   BackpropFilter/Input or UnsortedSegmentSum (Embedding, PositionalEmbedding): registered here.
 * - its Conv2DBackpropInput is correct but a naive loop: replaced by one ~1-3x faster built on the
 *   wasm matrix product; its Conv3DBackpropFilterV2/InputV2 are wrong for some strides: replaced.
 * - its BatchMatMul is fast only untransposed and unbatched, and re-packs the weights whenever they
 *   are a new tensor (every training step): float32 products run on Netloom's own SIMD product
 *   instead (`kernels/simd/kernels.wat`: no packing, transposed and batched cases included).
 * - its Tile computes each element's source separately: replaced by row copies (~100x faster);
 *   its Unpack runs a strided Slice per output: replaced by contiguous copies; its MaxPoolGrad
 *   (~7 ms for LeNet's first pooling) by one pass routing each gradient to its window's maximum.
 * - its Sum over leading axes (every bias gradient) transposes first: wrapped to run as a product
 *   with a row of ones; its GatherV2 along axis 0 (embedding lookups) copies whole rows.
 * - its float32 Add and Multiply run a general broadcasting loop (an index computation per
 *   element) even for same shapes: same shapes, a single value, and (Add) a bias on every row run
 *   four floats at a time instead.
 * - its Identity copies (the engine calls it for every tensor saved for a gradient, and for every
 *   clone): wrapped to share the data, as the cpu backend does.
 * - the engine clones every tensor saved for a gradient with an Identity kernel and a tape node:
 *   on wasm and cpu, made directly (`kernels/savedTensors.ts`).
 * - its Conv2D (XNNPACK) is slow on few input channels (LeNet's first convolution): NHWC float32
 *   with 4 output channels or more runs a direct kernel with the same sums instead (convDirect.ts).
 * - tfjs-core's Tile gradient (LayerNormalization's backward pass) is a loop of Slice + Add:
 *   replaced by a reshape + sum (`kernels/gradients.ts`), for every backend.
 *
 * Each is tested against the cpu backend in test/unit/engine/kernels.test.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { fastAdd, fastMultiply } from './kernels/binary';
import { conv2dBackpropFilter, conv2dBackpropInput } from './kernels/conv2d';
import { fastConv2D } from './kernels/convDirect';
import { DENSE, denseKernel } from './kernels/dense';
import { conv3dBackpropFilter, conv3dBackpropInput } from './kernels/conv3d';
import { depthwiseBackpropFilter, depthwiseBackpropInput } from './kernels/depthwise';
import { registerFastGradients } from './kernels/gradients';
import { fastGather } from './kernels/gather';
import { sharedIdentity } from './kernels/identity';
import { fastBatchMatMul, fastFusedMatMul } from './kernels/matmul';
import { maxPoolGrad } from './kernels/maxPoolGrad';
import { unsortedSegmentSum } from './kernels/segment';
import { fastRelu, RELU_GRAD, reluGradKernel } from './kernels/relu';
import { shareSavedTensors } from './kernels/savedTensors';
import { fastSum } from './kernels/sum';
import { fastTile } from './kernels/tile';
import { fastUnpack } from './kernels/unpack';

/** Kernel name -> Netloom's implementation for the wasm backend (added or replacing wasm's own). */
export const WASM_KERNELS: Readonly<Record<string, tf.KernelFunc>> = {
  [tf.Conv2DBackpropFilter]: conv2dBackpropFilter,
  [tf.Conv2DBackpropInput]: conv2dBackpropInput,
  [tf.DepthwiseConv2dNativeBackpropFilter]: depthwiseBackpropFilter,
  [tf.DepthwiseConv2dNativeBackpropInput]: depthwiseBackpropInput,
  [tf.UnsortedSegmentSum]: unsortedSegmentSum,
  [tf.Conv3DBackpropFilterV2]: conv3dBackpropFilter,
  [tf.Conv3DBackpropInputV2]: conv3dBackpropInput,
  [tf.MaxPoolGrad]: maxPoolGrad,
  [RELU_GRAD]: reluGradKernel,
  [DENSE]: denseKernel,
};

/** Kernel name -> a wrapper of wasm's own kernel that takes a faster route where it can. */
export const WASM_WRAPPERS: Readonly<Record<string, (own: tf.KernelFunc) => tf.KernelFunc>> = {
  [tf.BatchMatMul]: fastBatchMatMul,
  [tf._FusedMatMul]: fastFusedMatMul,
  [tf.Tile]: fastTile,
  [tf.Unpack]: fastUnpack,
  [tf.Sum]: fastSum,
  [tf.GatherV2]: fastGather,
  [tf.Identity]: sharedIdentity,
  [tf.Add]: fastAdd,
  [tf.Multiply]: fastMultiply,
  [tf.Relu]: fastRelu,
  [tf.Conv2D]: fastConv2D,
};

let registered = false;

/**
 * Registers the kernels for 'wasm' (call after importing `@tensorflow/tfjs-backend-wasm`, whose own
 * registrations these replace) and the faster gradients. Idempotent.
 */
export function registerWasmKernels(): void {
  registerFastGradients();
  if (registered) return;
  registered = true;
  for (const [kernelName, kernelFunc] of Object.entries(WASM_KERNELS)) {
    // Unregister wasm's own first: re-registering would log "already registered".
    try {
      tf.unregisterKernel(kernelName, 'wasm');
    } catch {
      // wasm had none.
    }
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc });
  }
  for (const [kernelName, wrap] of Object.entries(WASM_WRAPPERS)) {
    const own = tf.getKernel(kernelName, 'wasm');
    tf.unregisterKernel(kernelName, 'wasm');
    tf.registerKernel({ ...own, kernelFunc: wrap(own.kernelFunc) });
  }
}

/**
 * Layer kind -> why it cannot train on the wasm backend. Empty: every kernel a layer kind needs is
 * registered above. Kept so the engine and the tests have one place to say so if that changes.
 */
export const WASM_MISSING_KERNELS: Readonly<Record<string, string>> = {};

// The gradients hold on every backend, so they apply whichever backend loads (backend.ts imports this).
registerFastGradients();
shareSavedTensors();
