/**
 * Identity for the wasm backend without a copy. wasm's own copies the tensor into a new buffer; the
 * engine calls it for every tensor a kernel saves for its gradient while a gradient is being
 * recorded (59 copies per MLP training step, the input batch among them) and for every `clone`. Tensor
 * data is never written after it is made (every kernel writes a new output), so an identity can
 * share the data and count one more reference to it, as the cpu backend does.
 */
import type * as tf from '@tensorflow/tfjs';
import { asWasm } from './wasm';

export function sharedIdentity(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const x = (args.inputs as unknown as { x: tf.TensorInfo }).x;
    if (x.dtype === 'string') return original(args);
    asWasm(args.backend).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
}
